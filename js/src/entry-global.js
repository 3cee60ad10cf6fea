// The package's "global" and "global-replace" entries: the ES module plus the
// globals of the classic script. js/build.mjs bundles this file twice, with
// ./entry-module.js left as an import of the package's own
// eventsource-polyfill.mjs (one class and one engine per realm, whichever
// entry loads it) and REPLACE defined as false or true.
//
// false: EventSource only where it is missing (the standard polyfill
// contract); true: EventSource is the polyfill everywhere, the native one
// stays reachable as NativeEventSource.

/* global REPLACE */
/** @type {boolean} */
// @ts-ignore: defined by js/build.mjs
const replace = REPLACE;

import { EventSource } from "./entry-module.js";
import { installGlobals } from "./install.js";

installGlobals(EventSource, replace);

export * from "./entry-module.js";
export { default } from "./entry-module.js";

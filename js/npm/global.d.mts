// Types of the "./global" entry: the ES module's exports, and the globals of
// the classic script (classic.d.ts): EventSourcePolyfill always,
// EventSource where the environment has none, NativeEventSource where it
// has one.

import "./classic.js";

export * from "./eventsource-polyfill.mjs";
export { default } from "./eventsource-polyfill.mjs";

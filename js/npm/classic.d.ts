// Types of the classic script, eventsource-polyfill.js (the package's
// "./classic" entry: <script src>, importScripts()), and of the globals that
// the "./global" entries define. Reference them from a script with
//
//   /// <reference types="eventsource-wasm/classic" />
//
// `EventSource` keeps its lib.dom type: the script defines it only where the
// environment has none, so the extensions' options are typed on
// `EventSourcePolyfill` only (the "./global-replace" entry types them on
// `EventSource` too).

import type { EventSource as EventSourcePolyfillClass } from "./eventsource-polyfill.mjs";

declare global {
  /** The polyfill, always defined. Its extensions (headers, method, body, ...) need this name. */
  var EventSourcePolyfill: typeof EventSourcePolyfillClass;
  /** The environment's own EventSource, when it had one. */
  var NativeEventSource: typeof EventSource | undefined;
}

export {};

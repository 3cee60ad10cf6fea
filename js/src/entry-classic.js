// The classic script (<script src>, importScripts()): defines
// EventSourcePolyfill, EventSource where it is missing, and NativeEventSource
// where the browser has its own; nothing else (SSE-1).

import { config } from "./engine.js";
import { EventSource } from "./eventsource.js";
import { realGlobal } from "./realm.js";

// A classic script finds its own URL while it is being evaluated: in a window
// from document.currentScript; in a worker (importScripts) there is none and
// self.location is the worker's URL, so take the first script URL of a stack
// trace taken right now, which is this file's.
function defaultWasmURL() {
  let script = "";
  try {
    const current = realGlobal.document && realGlobal.document.currentScript;
    if (current && typeof current.src === "string") script = current.src; // not an SVG <script>
    if (!script) {
      const m = /(?:https?|file):\/\/[^\s()]+?\.js\b/.exec(String(new Error().stack));
      if (m) script = m[0];
    }
    if (!script && realGlobal.location) script = String(realGlobal.location.href);
    return script ? new URL("eventsource.wasm", script).href : "eventsource.wasm";
  } catch (_) {
    return "eventsource.wasm";
  }
}
config.wasmURL = defaultWasmURL();

// SSE-1: EventSource only where it is missing, as a writable, configurable,
// non-enumerable global like the native one; the browser's own stays
// reachable as NativeEventSource. EventSourcePolyfill is always defined.
{
  const define = (name, value) => {
    try {
      Object.defineProperty(realGlobal, name, { value, writable: true, configurable: true, enumerable: false });
    } catch (_) {
      realGlobal[name] = value; // a non-configurable `var` of the page
    }
  };
  const existing = realGlobal.EventSource;
  const earlier = realGlobal.EventSourcePolyfill; // this script, loaded twice
  if (typeof existing !== "function") define("EventSource", EventSource);
  else if (existing !== earlier) define("NativeEventSource", existing);
  define("EventSourcePolyfill", EventSource);
}

// Types of the "./global-replace" entry: like "./global", but the global
// EventSource is the polyfill everywhere (the environment's own stays as
// NativeEventSource), so the standard constructor takes the polyfill's
// options: lib.dom's EventSourceInit is extended with them.

import type { EventSourcePolyfillInit } from "./eventsource-polyfill.mjs";
import "./classic.js";

export * from "./eventsource-polyfill.mjs";
export { default } from "./eventsource-polyfill.mjs";

declare global {
  interface EventSourceInit extends EventSourcePolyfillInit {}
}

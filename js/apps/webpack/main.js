// webpack 5: the side-effect entry, no configuration. It defines the
// globals as the classic script does: EventSourcePolyfill always,
// EventSource only where the browser has none (Chromium has one, so
// EventSource stays native and the extensions need EventSourcePolyfill).
// webpack emits the wasm that new URL("./eventsource.wasm", import.meta.url)
// names as an asset/resource.
import "eventsource-wasm/global";
import { run } from "../shared/run.js";

run(globalThis.EventSourcePolyfill, "webpack");

// The ES module: exports the polyfill; defines no global.

import { config } from "./engine.js";
import { EventSource } from "./eventsource.js";
import { besideScript } from "./scripturl.js";

// Written so that bundlers see the asset reference and copy the file (Vite,
// webpack 5, Rollup, Parcel); in Node it is a file: URL, which engine.js
// reads from the file system. Where import.meta.url is empty (an IIFE
// bundle, whose import.meta is {}), new URL throws: the file next to the
// script is used instead, and if it is not there the console says how to
// set EventSourcePolyfill.wasmURL.
try {
  config.wasmURL = new URL("./eventsource.wasm", import.meta.url).href;
} catch (_) {
  config.wasmURL = config.guessedURL = besideScript("eventsource.wasm");
}

export { EventSource, EventSource as EventSourcePolyfill };
export default EventSource;

// The ES module: exports the polyfill; defines no global.

import { config } from "./engine.js";
import { EventSource } from "./eventsource.js";

// Written so that bundlers see the asset reference and copy the file.
config.wasmURL = new URL("eventsource.wasm", import.meta.url).href;

export { EventSource, EventSource as EventSourcePolyfill };
export default EventSource;

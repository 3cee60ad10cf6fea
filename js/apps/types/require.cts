// require() of the ES-only package: TypeScript's nodenext (5.8+) models
// Node's require(esm).
import eventsourceWasm = require("eventsource-wasm");

const required = new eventsourceWasm.EventSource("/stream", { headers: { "X-A": "b" } });
export = required;

// Vite: the named import, no configuration. Vite rewrites the package's
// new URL("./eventsource.wasm", import.meta.url) to the asset it emits.
import { EventSource } from "eventsource-wasm";
import { run } from "../shared/run.js";

run(EventSource, "vite");

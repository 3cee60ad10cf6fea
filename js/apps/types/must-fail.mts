// What tsc must reject: each line marked with an error code must have that
// error, and no other line may have one (check.mjs).
import { EventSource } from "eventsource-wasm";

new EventSource("/s", { headers: 5 }); // error TS2322
new EventSource("/s", { maxLineSize: "1 MiB" }); // error TS2322
new EventSource("/s", { reconnect: "yes" }); // error TS2322
new EventSource("/s", { withCredential: true }); // error TS2561
new EventSource(); // error TS2554
const es = new EventSource("/s");
es.addEventListener("message", (e: CloseEvent) => e.code); // error TS2769
es.readyState = 1; // error TS2540
const n: number = es.url; // error TS2322
EventSource.wasmURL = new URL("https://x/e.wasm"); // error TS2322

export { n };

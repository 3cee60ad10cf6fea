// A classic script (no import or export) that references the classic
// script's types, as a page with <script src=".../eventsource-polyfill.js">
// does.
/// <reference types="eventsource-wasm/classic" />

const classicSource = new EventSourcePolyfill("/stream", { headers: { "X-A": "b" } });
EventSourcePolyfill.wasmURL = "https://cdn.example/eventsource-wasm@0.1.0/eventsource.wasm";
classicSource.addEventListener("tick", (e) => e.data.length);
const nativeOrUndefined: typeof EventSource | undefined = NativeEventSource;

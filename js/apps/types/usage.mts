// Typed usage of every entry of the installed package. tsc --strict must
// accept all of it (check.mjs, under moduleResolution node16, nodenext and
// bundler); must-fail.mts beside it holds what it must reject.
import DefaultEventSource, { EventSource, EventSourcePolyfill, type EventSourcePolyfillInit } from "eventsource-wasm";
import { EventSource as FromGlobal } from "eventsource-wasm/global";
import "eventsource-wasm/classic";

// The three names are one class.
const same: typeof EventSource = EventSourcePolyfill;
const same2: typeof EventSource = DefaultEventSource;
const same3: typeof EventSource = FromGlobal;

// Typed options: the standard one and the extensions.
const init: EventSourcePolyfillInit = {
  withCredentials: true,
  headers: { Authorization: "Bearer token" },
  method: "POST",
  body: JSON.stringify({ prompt: "hi" }),
  reconnect: false,
  maxLineSize: 1 << 20,
  maxEventSize: 1 << 20,
  strictCharset: false,
};
const es = new EventSource("https://example.com/stream", init);
new EventSource(new URL("https://example.com/stream"));
new EventSource("/stream", { headers: new Headers([["X-A", "b"]]) });
EventSource.wasmURL = "/static/eventsource.wasm";

// Typed listeners: the standard events by name, any other name a
// MessageEvent<string>.
es.addEventListener("open", (e: Event) => e.type);
es.addEventListener("message", (e) => {
  const data: string = e.data;
  const id: string = e.lastEventId;
  return data + id;
});
es.addEventListener("price", (e) => {
  const price: number = Number.parseFloat(e.data);
  return price;
});
es.addEventListener("error", () => es.readyState === EventSource.CLOSED);
es.onmessage = function (e) {
  // `this` is typed as lib.dom's EventSource, which keeps the polyfill
  // assignable to it; the polyfill's own members are on `es`.
  const self: globalThis.EventSource = this;
  return self.url + e.data + es.lastEventId;
};
es.onerror = (e) => e.reason === "ended" || e.status === 503;
es.onerror = (e: Event) => e;
const state: number = es.readyState;

// The polyfill is a lib.dom EventSource: an instance goes where one is
// expected, and the class where the constructor is.
function readyStateOf(source: globalThis.EventSource): number {
  return source.readyState;
}
readyStateOf(es);
const asNative: globalThis.EventSource = es;
const ctor: typeof globalThis.EventSource = EventSource;
const viaCtor: globalThis.EventSource = new ctor("/stream");

// The classic script's and the global entries' globals.
const fromGlobal: typeof EventSource = globalThis.EventSourcePolyfill;
const native: typeof globalThis.EventSource | undefined = globalThis.NativeEventSource;

export { same, same2, same3, state, asNative, viaCtor, fromGlobal, native };

// The extensions of issue 13, typed.
const extended = new EventSource("/stream", {
  headers: async (attempt) => ({ Authorization: `Bearer ${attempt.attempt}-${attempt.url}-${attempt.sameOrigin}` }),
  fetch: (request: Request) => fetch(request),
  signal: new AbortController().signal,
  lastEventId: "41",
  lastEventIdParam: "lastEventId",
  backoff: { initial: 500, max: 30000, factor: 2, jitter: true },
  maxAttempts: 5,
  retryStatuses: [429, 503],
  inactivityTimeout: 45000,
  dispatch: "task",
});
const resumeFrom: string = extended.lastEventId;
const wait: number = extended.reconnectionTime;
extended.reset();
const fromStream: EventSource = EventSource.fromReadableStream(new ReadableStream<Uint8Array>());
const ready: Promise<void> = EventSource.preload();
EventSource.loadTimeout = 10000;
extended.addEventListener("error", (e) => {
  const why: string | undefined = e.reason;
  return why + resumeFrom + wait + fromStream.url + ready;
});

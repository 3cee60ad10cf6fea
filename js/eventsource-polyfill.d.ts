// Types of eventsource-wasm, an EventSource (Server-Sent Events) polyfill whose
// protocol engine is Go compiled to WebAssembly: the ES module
// (eventsource-polyfill.mjs, the package's "." entry), which exports the
// polyfill as `EventSource`, as `EventSourcePolyfill` and as the default
// export, and defines no global. The package ships this file as
// eventsource-polyfill.d.mts; the globals of the classic script and of the
// "global" entries are declared in js/npm/*.d.ts.
//
// The engine, eventsource.wasm, is fetched from next to the module on the
// first connection (see `EventSourcePolyfill.wasmURL`).

/** What a `headers` function is told about the attempt it is called for. */
export interface EventSourceAttempt {
  /** The URL this attempt requests: the constructor's, or after a redirect the final URL of the last response. */
  url: string;
  /** Whether `url` has the origin of the constructor's URL. Static headers leave out `Authorization` when not. */
  sameOrigin: boolean;
  /** The last event ID this attempt sends (header or `lastEventIdParam`), "" for none. */
  lastEventId: string;
  /** 1 for the first attempt after an open (or the first ever), then 2, 3, … while attempts fail. */
  attempt: number;
}

/** The reconnection policy of the `backoff` option. */
export interface EventSourceBackoff {
  /** The delay before the server's `retry:` field sets one, in ms. Default: 3000, the standard's. */
  initial?: number;
  /** The longest delay, in ms. Default 30000. */
  max?: number;
  /** Each consecutive failed attempt multiplies the delay by this (at least 1). Default 2. */
  factor?: number;
  /** Full jitter: wait a random time between 0 and the delay. Default true. */
  jitter?: boolean;
}

/** The options of the constructor: the standard `EventSourceInit` plus extensions. */
export interface EventSourcePolyfillInit {
  /** Standard: send cookies and HTTP auth cross-origin (fetch credentials "include"). Default false. */
  withCredentials?: boolean;
  /**
   * Extension: extra request headers, such as `Authorization`, or a function (sync or async) called
   * before every connection attempt that returns them: its result is used for that attempt, so it can
   * refresh a token. A function that throws or rejects fails the connection (reason "request").
   * `Accept: text/event-stream` is added unless given; `Last-Event-ID` is set on reconnections when the
   * last event ID is not empty. Static headers leave `Authorization` out of attempts to another origin
   * than the constructor URL's (as fetch() does on a cross-origin redirect); a function is told the URL
   * and decides. Custom headers make a cross-origin request need a CORS preflight.
   */
  headers?: HeadersInit | ((attempt: EventSourceAttempt) => HeadersInit | null | undefined | Promise<HeadersInit | null | undefined>);
  /** Extension: the HTTP method. Default "GET". */
  method?: string;
  /**
   * Extension: the request body, anything `fetch()` accepts. Not allowed with GET or HEAD.
   * A `ReadableStream` can be sent once only, so it needs `reconnect: false` (the default for
   * a non-GET method).
   */
  body?: BodyInit | null;
  /**
   * Extension: whether the end of the response body or a network error reestablishes the
   * connection after the reconnection time, as the standard does. Default true for GET and
   * false for every other method: a non-GET request is never silently repeated; when its body
   * ends the source becomes CLOSED with an `error` event whose reason is "ended".
   */
  reconnect?: boolean;
  /**
   * Extension: the fetch() used for every attempt, given the attempt's `Request`. With it, a failed
   * request is a network error: the shim does not probe with its own fetch() for CORS.
   */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Extension: "task" dispatches every event in a task of its own, as native does, so that a listener's
   * whole promise chain runs before the next event; it costs a task per event (several times native's
   * time on tiny events). "microtask", the default, dispatches the next event one microtask after the
   * previous listener returned.
   */
  dispatch?: "microtask" | "task";
  /** Extension: aborting the signal is `close()`; an aborted signal closes the source at once. */
  signal?: AbortSignal;
  /**
   * Extension: share one connection with every instance, in any window, tab or iframe of this origin,
   * that has the same URL and the same options (a string names a sharing group: only instances with the
   * same name share). A SharedWorker runs it (`EventSourcePolyfill.sharedWorkerURL`); each instance keeps
   * the standard API and its events, and `close()` detaches that instance only. A joining instance gets
   * `open` and the events from then on. A headers function is called in the window of the oldest member,
   * for every attempt (its source text is part of the sharing key); the initial `lastEventId` is the
   * first instance's. Not with `fetch`, and `body` must be a string (a TypeError otherwise). Where
   * SharedWorker is missing or cannot start, the instance connects on its own. Default false.
   */
  shared?: boolean | string;
  /**
   * Extension: the initial last event ID (to resume after a reload), sent as `Last-Event-ID` from the
   * first request. No NUL, CR or LF.
   */
  lastEventId?: string;
  /**
   * Extension: send the last event ID as this query parameter instead of the `Last-Event-ID` header,
   * which a cross-origin request must preflight (native EventSource never does).
   */
  lastEventIdParam?: string;
  /** Extension: exponential backoff with full jitter; the server's `retry:` stays the base delay. */
  backoff?: EventSourceBackoff;
  /** Extension: fail after this many consecutive attempts without an open (reason "attempts"). */
  maxAttempts?: number;
  /** Extension: statuses (such as 429, 502, 503, 504) that reconnect instead of failing, after their `Retry-After`. */
  retryStatuses?: Iterable<number>;
  /** Extension: reestablish when nothing (comments included) arrived for this many ms (reason "inactive"). */
  inactivityTimeout?: number;
  /**
   * Extension: the longest line the engine buffers, in bytes (a positive integer, at most 256 MiB). A
   * longer line fails the connection. Default 16 MiB.
   */
  maxLineSize?: number;
  /**
   * Extension: the largest data of one event, in bytes (a positive integer, at most 256 MiB). A larger
   * event fails the connection. Default 16 MiB.
   */
  maxEventSize?: number;
  /**
   * Extension: Chrome-compatible mode that fails a response whose Content-Type names a charset
   * other than utf-8. Default false: the standard ignores the charset and always decodes UTF-8.
   */
  strictCharset?: boolean;
}

/** Why an error event fired: the `reason` of an error event of this polyfill. */
export type EventSourceErrorReason =
  | "network" | "ended" | "aborted" | "cors" | "status" | "content-type" | "line-too-long"
  | "event-too-large" | "memory-budget" | "scheme" | "url-too-long" | "request" | "inactive"
  | "attempts" | "engine";

/**
 * An error event of the polyfill: a plain `Event` (as native's) with three read-only, non-enumerable
 * extension properties. Every error event the polyfill fires has them; they are optional in the type
 * so that the polyfill stays assignable to lib.dom's `EventSource`, whose handlers take an `Event`.
 */
export interface EventSourceErrorEvent extends Event {
  /** Why: a network error, a status, the end of a stream that does not reconnect ("ended"), … */
  readonly reason?: EventSourceErrorReason;
  /** The HTTP status of the response, 0 when there was none. */
  readonly status?: number;
  /** A sentence that says what happened, as the console does. */
  readonly message?: string;
}

/** The events an EventSource fires by itself; a server can send any other type with `event:`. */
export interface EventSourcePolyfillEventMap {
  /** The connection was established (readyState OPEN); a plain Event. */
  open: Event;
  /** An event without an `event:` field, or with `event: message`. */
  message: MessageEvent<string>;
  /**
   * A plain Event: readyState CONNECTING when the source will reconnect, CLOSED when it gave up; it
   * also says why. (A server-sent `event: error` arrives as a MessageEvent.)
   */
  error: EventSourceErrorEvent;
}

/**
 * The standard `EventSource` interface over `fetch()`, with the extensions of
 * `EventSourcePolyfillInit`. Its `name` is "EventSource".
 */
declare class EventSourcePolyfillClass extends EventTarget {
  /**
   * Opens a connection to `url`, resolved against the document's base URL (or the worker's
   * location). Throws a "SyntaxError" DOMException for an invalid URL, and a TypeError for an
   * option of the wrong type. No event fires before the server answers.
   */
  constructor(url: string | URL, eventSourceInitDict?: EventSourcePolyfillInit | null);

  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSED: 2;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSED: 2;

  /** The URL as parsed by the constructor; it never changes, even after redirects. */
  readonly url: string;
  /** Whether the constructor was given `withCredentials: true`. */
  readonly withCredentials: boolean;
  /** CONNECTING (0), OPEN (1) or CLOSED (2); a number, as in lib.dom, so that the polyfill is an `EventSource`. */
  readonly readyState: number;

  // `this` is lib.dom's EventSource, so that the polyfill, which has more members, stays assignable to it.
  onopen: ((this: EventSource, ev: Event) => any) | null;
  onmessage: ((this: EventSource, ev: MessageEvent<string>) => any) | null;
  onerror: ((this: EventSource, ev: EventSourceErrorEvent) => any) | null;

  /** Aborts the connection and any pending reconnection; readyState becomes CLOSED, no event follows. */
  close(): void;

  /** whatwg/html PR #12272: the last event ID string, for an application's own reconnection. */
  readonly lastEventId: string;
  /** whatwg/html PR #12272: the reconnection time in ms (3000 until the server's `retry:` sets it). */
  readonly reconnectionTime: number;
  /** whatwg/html PR #12272: discard the unfinished line and event, before a fresh stream is piped in. */
  reset(): void;

  /**
   * whatwg/html PR #12272: an EventSource that parses a `ReadableStream` of bytes (such as a `fetch()`
   * body with custom auth) instead of fetching. Its `url` is "about:event-stream", its events come from
   * the origin "null"; it fires `open`, then the events, then `error` and CLOSED when the stream ends or
   * errors, never reconnecting. `close()` cancels the stream. Throws a TypeError for a locked stream.
   */
  static fromReadableStream(stream: ReadableStream<Uint8Array>): EventSourcePolyfillClass;

  /**
   * Extension: start loading the engine now, before the first EventSource needs it: most of the time
   * to a first event is fetching and compiling it. Resolves when it is ready; rejects with why not.
   */
  static preload(): Promise<void>;

  /** Extension: how long loading the engine may take, in ms, before every waiting source fails. Default 30000. */
  static loadTimeout: number;

  addEventListener<K extends keyof EventSourcePolyfillEventMap>(
    type: K,
    listener: (this: EventSourcePolyfillClass, ev: EventSourcePolyfillEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: (this: EventSourcePolyfillClass, event: MessageEvent<string>) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof EventSourcePolyfillEventMap>(
    type: K,
    listener: (this: EventSourcePolyfillClass, ev: EventSourcePolyfillEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: (this: EventSourcePolyfillClass, event: MessageEvent<string>) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;

  /**
   * Extension: the URL of eventsource.wasm. Defaults to the file next to the script (the
   * `<script src>`, the `importScripts()` URL, or `import.meta.url`, which bundlers that know
   * `new URL(..., import.meta.url)` rewrite to the copy they emit; a `file:` URL is read from
   * the file system). Set it before the first EventSource is constructed; later changes apply
   * only if loading the engine failed.
   */
  static wasmURL: string;

  /**
   * Extension: the URL of eventsource-shared-worker.js, the SharedWorker of the `shared` option; it must
   * have the page's origin. Defaults to the file next to `wasmURL`. Set it before the first shared
   * EventSource is constructed.
   */
  static sharedWorkerURL: string;
}

export { EventSourcePolyfillClass as EventSource, EventSourcePolyfillClass as EventSourcePolyfill };
export default EventSourcePolyfillClass;

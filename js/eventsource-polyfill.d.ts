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

/** The options of the constructor: the standard `EventSourceInit` plus extensions. */
export interface EventSourcePolyfillInit {
  /** Standard: send cookies and HTTP auth cross-origin (fetch credentials "include"). Default false. */
  withCredentials?: boolean;
  /**
   * Extension: extra request headers, such as `Authorization`. `Accept: text/event-stream` is
   * added unless given; `Last-Event-ID` is set on reconnections when the last event ID is not
   * empty. Custom headers make a cross-origin request need a CORS preflight.
   */
  headers?: HeadersInit;
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
   * ends or breaks, the source becomes CLOSED with an `error` event.
   */
  reconnect?: boolean;
  /**
   * Extension: the longest line the engine buffers, in bytes (a positive integer). A longer line
   * fails the connection. Default 16 MiB.
   */
  maxLineSize?: number;
  /**
   * Extension: the largest data of one event, in bytes (a positive integer). A larger event fails
   * the connection. Default 16 MiB.
   */
  maxEventSize?: number;
  /**
   * Extension: Chrome-compatible mode that fails a response whose Content-Type names a charset
   * other than utf-8. Default false: the standard ignores the charset and always decodes UTF-8.
   */
  strictCharset?: boolean;
}

/** The events an EventSource fires by itself; a server can send any other type with `event:`. */
export interface EventSourcePolyfillEventMap {
  /** The connection was established (readyState OPEN); a plain Event. */
  open: Event;
  /** An event without an `event:` field, or with `event: message`. */
  message: MessageEvent<string>;
  /**
   * A plain Event: readyState CONNECTING when the source will reconnect, CLOSED when it gave up.
   * (A server-sent `event: error` arrives as a MessageEvent.)
   */
  error: Event;
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

  onopen: ((this: EventSourcePolyfillClass, ev: Event) => any) | null;
  onmessage: ((this: EventSourcePolyfillClass, ev: MessageEvent<string>) => any) | null;
  onerror: ((this: EventSourcePolyfillClass, ev: Event) => any) | null;

  /** Aborts the connection and any pending reconnection; readyState becomes CLOSED, no event follows. */
  close(): void;

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
}

export { EventSourcePolyfillClass as EventSource, EventSourcePolyfillClass as EventSourcePolyfill };
export default EventSourcePolyfillClass;

// The public EventSource: the standard interface (SSE-2..9), its event
// handler attributes, and the events a Connection reports.

import { addListener, baseURL, dispatch, removeListener } from "./realm.js";

// The stream that fromReadableStream() hands to the constructor it calls.
let streamSource = null;

// The URL of an EventSource made by fromReadableStream() (PR #12272).
const STREAM_URL = "about:event-stream";
import { errorEvent, eventPrototype, plainEvent } from "./events.js";
import { config, debug, loadEngine } from "./engine.js";
import { readOptions } from "./options.js";
import { CLOSED, CONNECTING, Connection, OPEN } from "./connection.js";
import { Dispatcher } from "./dispatcher.js";
import { SharedConnection, sharedDebug, sharing, sharedWorkerURL } from "./sharing.js";
import { track, untrack } from "./lifecycle.js";

export class EventSource extends EventTarget {
  #url;
  #withCredentials;
  #readyState = CONNECTING;
  #connection;
  #dispatcher;
  #proto = null; // eventPrototype of the response's origin (SSE-25)
  #handlers = { open: null, message: null, error: null };
  #signal = null; // the signal option, and its abort listener
  #onAbort = null;

  // SSE-3: class constructors throw TypeError without `new`; length is 1.
  constructor(url, eventSourceInitDict = undefined) {
    super();
    if (arguments.length === 0) {
      throw new TypeError("Failed to construct 'EventSource': 1 argument required, but only 0 present.");
    }
    // SSE-4: USVString conversion (a Symbol throws; lone surrogates become
    // U+FFFD, which the URL parser would also do).
    const stream = streamSource;
    streamSource = null;
    let options;
    let parsed;
    if (stream !== null) {
      // whatwg/html PR #12272: about:event-stream, no credentials, no
      // reconnection; the stream is all there is.
      options = Object.freeze({ ...readOptions(undefined), reconnect: false });
      parsed = STREAM_URL;
    } else {
      // SSE-4: USVString conversion (a Symbol throws; lone surrogates
      // become U+FFFD, which the URL parser would also do).
      url = `${url}`;
      if (url.toWellFormed) url = url.toWellFormed();
      // SSE-5: the EventSourceInit dictionary, read before the URL is parsed.
      options = readOptions(eventSourceInitDict);
      // SSE-10, SSE-11, SSE-13: parse against the API base URL; a failure
      // throws before anything is fetched.
      try {
        parsed = new URL(url, baseURL()).href;
      } catch (_) {
        throw new DOMException(
          `Failed to construct 'EventSource': Cannot open an EventSource to '${url}'. The URL is invalid.`,
          "SyntaxError",
        );
      }
    }
    this.#url = parsed;
    this.#withCredentials = options.withCredentials; // SSE-14
    this.#dispatcher = new Dispatcher(this, () => this.#readyState === OPEN, options.dispatch === "task");
    // Extension: the shared option joins the connection of a shared worker
    // instead (sharing.js), with the same callbacks.
    const connection = new (options.shared === false ? Connection : SharedConnection)(
      parsed,
      options,
      {
        onOpen: (origin) => this.#onOpen(origin),
        onEvents: (batch) => this.#dispatcher.run(batch, this.#proto),
        onError: (state, info) => this.#onError(state, info),
        onSuspend: () => this.#dispatcher.stop(),
      },
      stream,
    );
    this.#connection = connection;
    track(this, connection);
    // Extension: aborting the signal option is close().
    const signal = options.signal;
    if (signal !== null) {
      if (signal.aborted) {
        this.#closed();
        return;
      }
      this.#signal = signal;
      this.#onAbort = () => this.close();
      addListener.call(signal, "abort", this.#onAbort);
    }
    connection.start(); // SSE-17: CONNECTING, no event yet
  }

  // whatwg/html PR #12272: an EventSource that parses a ReadableStream of
  // bytes, such as a fetch() body, instead of fetching a URL. Its url is
  // about:event-stream, its events come from the origin "null", and when
  // the stream ends or errors it fires error and is CLOSED, never
  // reconnecting; close() cancels the stream.
  static fromReadableStream(stream) {
    return fromStream(stream);
  }

  get url() {
    return this.#url;
  }

  get withCredentials() {
    return this.#withCredentials;
  }

  get readyState() {
    return this.#readyState;
  }

  get onopen() {
    return this.#getHandler("open");
  }
  set onopen(value) {
    this.#setHandler("open", value);
  }
  get onmessage() {
    return this.#getHandler("message");
  }
  set onmessage(value) {
    this.#setHandler("message", value);
  }
  get onerror() {
    return this.#getHandler("error");
  }
  set onerror(value) {
    this.#setHandler("error", value);
  }

  // whatwg/html PR #12272: the last event ID string, and the reconnection
  // time in milliseconds, for an application's own reconnection.
  get lastEventId() {
    return this.#connection.lastEventId;
  }

  get reconnectionTime() {
    return this.#connection.reconnectionTime;
  }

  // whatwg/html PR #12272: discard the unfinished line and event, so that a
  // fresh stream can be piped in.
  reset() {
    this.#connection.reset();
  }

  // SSE-53: abort, cancel any reconnection, CLOSED now, and no event ever.
  close() {
    if (this.#readyState === CLOSED) return;
    this.#closed();
  }

  // The URL of Go's engine; set it before the first EventSource is built.
  static get wasmURL() {
    return config.wasmURL;
  }
  static set wasmURL(value) {
    config.wasmURL = `${value}`;
  }

  // Starts loading the engine now, before the first EventSource needs it
  // (the download and compilation are most of the time to a first event),
  // and resolves when it is ready, or rejects with why it cannot load.
  static preload() {
    return loadEngine().then(() => undefined);
  }

  // How long loading the engine may take, in milliseconds, before every
  // EventSource waiting for it fails (default 30000).
  static get loadTimeout() {
    return config.loadTimeout;
  }
  static set loadTimeout(value) {
    if (typeof value !== "number" || !(value > 0) || value > 2 ** 31 - 1) {
      throw new TypeError("EventSourcePolyfill.loadTimeout must be a positive number of milliseconds");
    }
    config.loadTimeout = value;
  }

  // The URL of eventsource-shared-worker.js, the shared worker of the
  // shared option; by default the file next to the wasm (wasmURL). It must
  // have the page's origin. Set it before the first shared EventSource.
  static get sharedWorkerURL() {
    return sharedWorkerURL();
  }
  static set sharedWorkerURL(value) {
    sharing.workerURL = `${value}`;
  }

  // A hook for tests, invisible to normal code: keyed by a registered
  // symbol, so no string name, no enumerable property and no global. With
  // "shared", it reports the shared worker's engine and members instead
  // (hub.js), and "shared-crash" crashes that engine.
  static [Symbol.for("eventsource-wasm.debug")](command) {
    if (command === "shared") return sharedDebug();
    if (command === "shared-crash") return sharedDebug("crash");
    return debug(command);
  }

  // ---- what the connection reports ----------------------------------------

  // SSE-24: announce.
  #onOpen(origin) {
    this.#proto = eventPrototype(origin);
    this.#readyState = OPEN;
    dispatch.call(this, plainEvent("open"));
  }

  // SSE-28: CONNECTING and error; SSE-23: CLOSED and error. The event says
  // why (errorEvent).
  #onError(state, info) {
    if (state === CLOSED) this.#closed();
    else {
      this.#dispatcher.stop();
      this.#readyState = CONNECTING;
    }
    dispatch.call(this, errorEvent(info));
  }

  #closed() {
    this.#readyState = CLOSED;
    this.#dispatcher.stop();
    this.#connection.close();
    untrack(this.#connection);
    if (this.#signal !== null) {
      removeListener.call(this.#signal, "abort", this.#onAbort);
      this.#signal = this.#onAbort = null;
    }
  }

  // SSE-8: an event handler attribute is one listener whose callback can be
  // swapped in place; null removes it, and a later value is added again at
  // the end. Non-objects are stored as null.
  #getHandler(type) {
    const entry = this.#handlers[type];
    return entry ? entry.callback : null;
  }

  #setHandler(type, value) {
    const handlers = this.#handlers;
    let entry = handlers[type];
    if (value === null || (typeof value !== "object" && typeof value !== "function")) {
      if (entry) {
        handlers[type] = null;
        removeListener.call(this, type, entry.listener);
      }
      return;
    }
    if (entry) {
      entry.callback = value;
      return;
    }
    entry = { callback: value, listener: null };
    entry.listener = function (event) {
      // A non-callable object throws here, and dispatchEvent reports it.
      if (Reflect.apply(entry.callback, this, [event]) === false) event.preventDefault();
    };
    handlers[type] = entry;
    addListener.call(this, type, entry.listener);
  }
}

function fromStream(stream) {
  if (stream === null || typeof stream !== "object" || typeof stream.getReader !== "function" || typeof stream.locked !== "boolean") {
    throw new TypeError("Failed to execute 'fromReadableStream' on 'EventSource': parameter 1 is not of type 'ReadableStream'.");
  }
  if (stream.locked) {
    throw new TypeError("Failed to execute 'fromReadableStream' on 'EventSource': the stream is locked.");
  }
  streamSource = stream;
  try {
    return new EventSource(STREAM_URL);
  } finally {
    streamSource = null;
  }
}

// Web IDL shape (SSE-6, SSE-7, SSE-2): constants on the interface and the
// prototype, enumerable attributes and operations, the toStringTag.
{
  const proto = EventSource.prototype;
  for (const [name, value] of [["CONNECTING", CONNECTING], ["OPEN", OPEN], ["CLOSED", CLOSED]]) {
    const constant = { value, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(EventSource, name, constant);
    Object.defineProperty(proto, name, constant);
  }
  for (const name of ["url", "withCredentials", "readyState", "lastEventId", "reconnectionTime", "onopen", "onmessage", "onerror", "reset", "close"]) {
    Object.defineProperty(proto, name, { enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: "EventSource", configurable: true });
}

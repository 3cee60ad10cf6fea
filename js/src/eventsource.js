// The public EventSource: the standard interface (SSE-2..9), its event
// handler attributes, and the events a Connection reports.

import { addListener, baseURL, dispatch, removeListener } from "./realm.js";
import { eventPrototype, plainEvent } from "./events.js";
import { config, debug } from "./engine.js";
import { readOptions } from "./options.js";
import { CLOSED, CONNECTING, Connection, OPEN } from "./connection.js";
import { Dispatcher } from "./dispatcher.js";
import { track, untrack } from "./lifecycle.js";

export class EventSource extends EventTarget {
  #url;
  #withCredentials;
  #readyState = CONNECTING;
  #connection;
  #dispatcher;
  #proto = null; // eventPrototype of the response's origin (SSE-25)
  #handlers = { open: null, message: null, error: null };

  // SSE-3: class constructors throw TypeError without `new`; length is 1.
  constructor(url, eventSourceInitDict = undefined) {
    super();
    if (arguments.length === 0) {
      throw new TypeError("Failed to construct 'EventSource': 1 argument required, but only 0 present.");
    }
    // SSE-4: USVString conversion (a Symbol throws; lone surrogates become
    // U+FFFD, which the URL parser would also do).
    url = `${url}`;
    if (url.toWellFormed) url = url.toWellFormed();
    // SSE-5: the EventSourceInit dictionary, read before the URL is parsed.
    const options = readOptions(eventSourceInitDict);

    // SSE-10, SSE-11, SSE-13: parse against the API base URL; a failure
    // throws before anything is fetched.
    let parsed;
    try {
      parsed = new URL(url, baseURL()).href;
    } catch (_) {
      throw new DOMException(
        `Failed to construct 'EventSource': Cannot open an EventSource to '${url}'. The URL is invalid.`,
        "SyntaxError",
      );
    }
    this.#url = parsed;
    this.#withCredentials = options.withCredentials; // SSE-14
    this.#dispatcher = new Dispatcher(this, () => this.#readyState === OPEN);
    const connection = new Connection(parsed, options, {
      onOpen: (origin) => this.#onOpen(origin),
      onEvents: (batch) => this.#dispatcher.run(batch, this.#proto),
      onError: (state, reason) => this.#onError(state, reason),
      onSuspend: () => this.#dispatcher.stop(),
    });
    this.#connection = connection;
    track(this, connection);
    connection.start(); // SSE-17: CONNECTING, no event yet
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

  // A hook for tests, invisible to normal code: keyed by a registered
  // symbol, so no string name, no enumerable property and no global.
  static [Symbol.for("eventsource-wasm.debug")](command) {
    return debug(command);
  }

  // ---- what the connection reports ----------------------------------------

  // SSE-24: announce.
  #onOpen(origin) {
    this.#proto = eventPrototype(origin);
    this.#readyState = OPEN;
    dispatch.call(this, plainEvent("open"));
  }

  // SSE-28: CONNECTING and error; SSE-23: CLOSED and error.
  #onError(state) {
    if (state === CLOSED) this.#closed();
    else {
      this.#dispatcher.stop();
      this.#readyState = CONNECTING;
    }
    dispatch.call(this, plainEvent("error"));
  }

  #closed() {
    this.#readyState = CLOSED;
    this.#dispatcher.stop();
    this.#connection.close();
    untrack(this.#connection);
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

// Web IDL shape (SSE-6, SSE-7, SSE-2): constants on the interface and the
// prototype, enumerable attributes and operations, the toStringTag.
{
  const proto = EventSource.prototype;
  for (const [name, value] of [["CONNECTING", CONNECTING], ["OPEN", OPEN], ["CLOSED", CLOSED]]) {
    const constant = { value, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(EventSource, name, constant);
    Object.defineProperty(proto, name, constant);
  }
  for (const name of ["url", "withCredentials", "readyState", "onopen", "onmessage", "onerror", "close"]) {
    Object.defineProperty(proto, name, { enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: "EventSource", configurable: true });
}

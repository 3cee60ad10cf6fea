// eventsource-wasm: the EventSource API over fetch() streams, with the protocol
// engine (parsing, decoding, last event ID, retry, connection decisions) in Go
// compiled to WebAssembly. Rule ids SSE-n refer to ../SSE-SPEC.md.
//
// This is the one source of both bundles. js/build.mjs assembles them by text:
// lines between "//#if classic" (or "//#if module") and "//#endif" are kept
// only in that bundle, and the "//#include wasm_exec.js" line is replaced by
// Go's glue. The classic bundle wraps everything in a strict-mode IIFE.

const realGlobal = globalThis;

// Captured now, so that the events come from this realm (SSE-49) and the
// attribute handlers keep working if a page patches EventTarget later.
const EventCtor = realGlobal.Event;
const MessageEventCtor = realGlobal.MessageEvent;
const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;
const dispatch = EventTarget.prototype.dispatchEvent;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

// SSE-20: schemes fetch() can load for us; Chrome opens data: URLs too.
const FETCHABLE_URL = /^(?:https?|data|blob):/i;
// How long a CORS probe may take before the failure counts as the network's.
const PROBE_TIMEOUT = 10000;
// RFC 9110 token, and the methods fetch() refuses (Fetch: forbidden method).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_METHOD = /^(?:connect|trace|track)$/i;
const NORMALIZED_METHOD = /^(?:delete|get|head|options|post|put)$/i;

const noop = () => {};

// SSE-49: a real MessageEvent of this realm; not bubbling, not cancelable,
// source null, ports empty. Creating events is most of the polyfill's cost
// per event, so it takes the fastest faithful path Chromium offers (measured
// in Chromium 156, per event created and initialised):
// - document.createEvent("MessageEvent"), about 0.4 µs, where there is a
//   document; the constructor takes about 1 µs;
// - the legacy initMessageEvent, whose positional arguments convert faster
//   than a MessageEventInit dictionary;
// - no origin argument: converting that USVString costs about 1 µs, more
//   than all the rest. The origin comes from a getter on a prototype between
//   the event and MessageEvent.prototype instead, one per origin (see
//   eventPrototype), so `event.origin` reads the same.
// Where initMessageEvent is missing, the standard constructor does it all.
const doc = realGlobal.document;
const createEvent = doc && typeof realGlobal.Document === "function" ? realGlobal.Document.prototype.createEvent : null;
const initMessageEvent = MessageEventCtor && MessageEventCtor.prototype.initMessageEvent;
const setPrototypeOf = Object.setPrototypeOf;
const messageInit = { data: "", origin: "", lastEventId: "" };

function messageEvent(type, data, proto, lastEventId) {
  if (typeof initMessageEvent === "function") {
    const event = createEvent !== null ? createEvent.call(doc, "MessageEvent") : new MessageEventCtor(type);
    // Every argument costs: leave out those that are the defaults.
    if (lastEventId === "") initMessageEvent.call(event, type, false, false, data);
    else initMessageEvent.call(event, type, false, false, data, "", lastEventId);
    setPrototypeOf(event, proto);
    return event;
  }
  // The constructor copies the dictionary at once, so one object serves all.
  messageInit.data = data;
  messageInit.origin = proto.origin;
  messageInit.lastEventId = lastEventId;
  return new MessageEventCtor(type, messageInit);
}

// The prototype of the message events of one origin: MessageEvent.prototype
// with an `origin` getter in front, enumerable and configurable like the
// native one. instanceof, the constructor, the toStringTag and every other
// attribute are MessageEvent's own. The EventSources of one origin share it,
// so that listeners see one object shape; the cache holds the latest
// EVENT_PROTOTYPES origins, so a page that connects to many keeps no more.
const EVENT_PROTOTYPES = 16;
const eventPrototypes = new Map();

function eventPrototype(origin) {
  let proto = eventPrototypes.get(origin);
  if (proto === undefined) {
    proto = Object.create(MessageEventCtor.prototype, {
      origin: Object.getOwnPropertyDescriptor({ get origin() { return origin; } }, "origin"),
    });
    if (eventPrototypes.size >= EVENT_PROTOTYPES) eventPrototypes.delete(eventPrototypes.keys().next().value);
    eventPrototypes.set(origin, proto);
  }
  return proto;
}

// The next event of a batch goes out from a microtask (SSE-51). A reaction
// to a settled promise is about 20 times cheaper than queueMicrotask in
// Chromium, and runs at the same point.
const settled = Promise.resolve();
const promiseThen = Promise.prototype.then;
const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------
// Where the engine lives: eventsource.wasm next to this script.

//#if classic
// A classic script finds its own URL while it is being evaluated: in a window
// from document.currentScript; in a worker (importScripts) there is none and
// self.location is the worker's URL, so take the first script URL of a stack
// trace taken right now, which is this file's.
function defaultWasmURL() {
  let script = "";
  try {
    const current = realGlobal.document && realGlobal.document.currentScript;
    if (current && typeof current.src === "string") script = current.src; // not an SVG <script>
    if (!script) {
      const m = /(?:https?|file):\/\/[^\s()]+?\.js\b/.exec(String(new Error().stack));
      if (m) script = m[0];
    }
    if (!script && realGlobal.location) script = String(realGlobal.location.href);
    return script ? new URL("eventsource.wasm", script).href : "eventsource.wasm";
  } catch (_) {
    return "eventsource.wasm";
  }
}
let wasmURL = defaultWasmURL();
//#endif
//#if module
// Written so that bundlers see the asset reference and copy the file.
let wasmURL = new URL("eventsource.wasm", import.meta.url).href;
//#endif

// ---------------------------------------------------------------------------
// Go's glue, run against a private global scope.
//
// wasm_exec.js defines globalThis.Go, fs, process and path, and later calls a
// bare `fs.writeSync`. It runs here with `globalThis` bound to a Proxy of the
// real global: reads fall through to the real global, writes land in `local`,
// so nothing leaks (SSE-1: the script adds no other global). The bare `fs`
// resolves to the variable below, which the proxy keeps in step. The names the
// glue owns are never read from the page, so a page's own `fs` or `process`
// cannot confuse it. Go's js.Global() is this proxy too; calling a real global
// function through it (js.Global().Call(...)) would have the wrong `this`.

const GLUE_OWNED = new Set(["Go", "fs", "process", "path"]);
let glueScope = null;

function glue() {
  if (glueScope) return glueScope;
  const local = Object.create(null);
  let fs;
  const scope = new Proxy(realGlobal, {
    get: (target, key) => (key in local || GLUE_OWNED.has(key) ? local[key] : Reflect.get(target, key)),
    set: (target, key, value) => {
      local[key] = value;
      if (key === "fs") fs = value;
      return true;
    },
    has: (target, key) => key in local || Reflect.has(target, key),
    deleteProperty: (target, key) => delete local[key],
  });
  (function (globalThis) {
    // The glue decodes Go's strings with `new TextDecoder("utf-8")`, which
    // drops a leading U+FEFF from each string; data may begin with one
    // (SSE-32 strips only the stream's), so the glue gets a decoder that
    // keeps it.
    const TextDecoder = function (label) {
      return new realGlobal.TextDecoder(label, { ignoreBOM: true });
    };
//#include wasm_exec.js
  })(scope);
  if (typeof local.Go !== "function") throw new Error("Go's wasm_exec.js did not define Go");
  glueScope = local;
  return local;
}

// ---------------------------------------------------------------------------
// The engine: fetched and compiled on the first connection, once per global
// scope, and shared by every EventSource. A failed load is forgotten so that a
// later EventSource tries again (for example after EventSourcePolyfill.wasmURL
// was corrected); so is an engine whose Go program exited (a panic).

let engine = null;

function loadEngine() {
  if (engine === null) {
    const loading = startEngine(wasmURL);
    engine = loading;
    loading.catch(() => {
      if (engine === loading) engine = null;
    });
  }
  return engine;
}

async function startEngine(url) {
  const local = glue();
  const go = new local.Go();
  const imports = go.importObject;
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP status ${response.status}`);
  const type = response.headers.get("content-type") || "";
  // instantiateStreaming compiles while downloading but insists on the
  // application/wasm MIME type; a misconfigured server still works, slower.
  const { instance } =
    typeof WebAssembly.instantiateStreaming === "function" && /^\s*application\/wasm\s*(;|$)/i.test(type)
      ? await WebAssembly.instantiateStreaming(response, imports)
      : await WebAssembly.instantiate(await response.arrayBuffer(), imports);
  // The bridge contract: Go's main fills `host` synchronously inside run()
  // and then blocks forever, so the promise of run() settles only if Go exits.
  const host = {};
  local.__eventsourceWasm = host;
  const running = go.run(instance);
  delete local.__eventsourceWasm;
  const current = engine;
  const exited = (err) => {
    if (engine === current) engine = null;
    console.error("EventSource: the WebAssembly engine stopped", err || "");
  };
  running.then(exited, exited);
  for (const name of ["open", "response", "feed", "end", "lastEventId", "close"]) {
    if (typeof host[name] !== "function") throw new Error(`the engine did not register ${name}()`);
  }
  return host;
}

// ---------------------------------------------------------------------------
// Resources of one connection, kept apart from the EventSource so that a
// FinalizationRegistry can release them if the object is collected (SSE-55).

function release(res) {
  const { ctrl, host, id } = res;
  res.ctrl = null;
  res.id = 0;
  if (ctrl) ctrl.abort();
  if (id) {
    try {
      host.close(id);
    } catch (_) {
      // The engine is gone; nothing is left to release.
    }
  }
}

const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry(release) : null;

// Windows only: the EventSources that are not CLOSED, for the back/forward
// cache (SSE-54). Holding them matches Chrome, which keeps an EventSource
// alive until it is CLOSED.
const live = new Set();
let pageHooked = false;

// Header values are byte strings: send the UTF-8 bytes of the ID, one code
// unit per byte (SSE-29).
function byteString(s) {
  const bytes = utf8.encode(s);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

function baseURL() {
  // SSE-10: the document's base URL (so <base href> counts), else the
  // worker's location.
  const doc = realGlobal.document;
  if (doc && typeof doc.baseURI === "string") return doc.baseURI;
  const loc = realGlobal.location;
  return loc ? String(loc.href) : undefined;
}

function optionError(name, expected) {
  return new TypeError(`Failed to construct 'EventSource': the '${name}' option must be ${expected}.`);
}

function sizeOption(value, name) {
  if (value === undefined) return 0; // the engine's default, 16 MiB
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw optionError(name, "a positive integer (bytes)");
  }
  return value;
}

function booleanOption(value, name, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw optionError(name, "a boolean");
  return value;
}

// SSE-59: fetch() rejects with a TypeError both for a failed CORS check, which
// must fail the connection (SSE-20), and for a network error, which must be
// retried. A no-cors request tells them apart: if it gets a response, the
// server is there and it was CORS. Same-origin URLs are probed too, since a
// redirect may have led to another origin.
//
// But a same-origin URL that answers without a redirect cannot have failed
// CORS, and the no-cors probe would take a transient network error (a reset
// before the response, a server restarting) for a CORS failure whenever the
// server answers the probe, closing the source for good where the standard
// retries. So a same-origin URL is first asked without following redirects:
// a direct answer means the failure was the network's.
async function corsFailure(url, signal) {
  if (typeof realGlobal.origin !== "string") return false; // not a browser: no CORS
  if (typeof AbortSignal.any === "function" && typeof AbortSignal.timeout === "function") {
    signal = AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT)]);
  }
  try {
    if (new URL(url).origin === realGlobal.origin) {
      const direct = await fetch(url, {
        mode: "same-origin", redirect: "manual", credentials: "omit", cache: "no-store", signal,
      });
      if (direct.type !== "opaqueredirect") return false;
    }
    await fetch(url, { mode: "no-cors", credentials: "omit", cache: "no-store", signal });
    return true;
  } catch (_) {
    return false;
  }
}

// SSE-20: window.stop() cancels requests for good, but Chrome rejects fetch()
// with the same TypeError as a network error, so the only way to tell is to
// count the calls. Installed on the first EventSource of a window; the wrapper
// keeps the name, length and behaviour of the original.
let windowStops = 0;

function countWindowStops() {
  const original = realGlobal.stop;
  const desc = Object.getOwnPropertyDescriptor(realGlobal, "stop");
  if (typeof original !== "function" || !desc || !desc.configurable) return;
  const wrapper = {
    stop() {
      windowStops++;
      return Reflect.apply(original, this, arguments);
    },
  }.stop;
  try {
    Object.defineProperty(realGlobal, "stop", { ...desc, value: wrapper });
  } catch (_) {
    // Frozen by the page: window.stop() will look like a network error.
  }
}

// A body stream that errors drops the chunks nobody has read yet (a server
// that sends an event and then resets). So reads are issued as soon as the
// response arrives, even while the engine is still loading, and kept in order
// until the reading loop takes over (ahead.on = false). At most
// READ_AHEAD_BYTES are read that way, so that a burst arriving while the
// engine loads stays back-pressured in the network, not in this page.
const READ_AHEAD_BYTES = 64 << 10;

function readAhead(response) {
  const body = response.body;
  const ahead = { response, reader: body ? body.getReader() : null, reads: [], on: true, bytes: 0 };
  if (ahead.reader) {
    const next = () => {
      const read = ahead.reader.read();
      ahead.reads.push(read);
      read.then((r) => {
        if (r.done) return;
        ahead.bytes += r.value.length;
        if (ahead.on && ahead.bytes < READ_AHEAD_BYTES) next();
      }, noop);
    };
    next();
  }
  return ahead;
}

// ---------------------------------------------------------------------------

const EventSourcePolyfill = class EventSource extends EventTarget {
  #url;
  #withCredentials;
  #readyState = CONNECTING;
  // Options (extensions), validated once.
  #method;
  #headers; // Headers, or null
  #body;
  #reconnect;
  #strictCharset;
  #maxLineSize;
  #maxEventSize;
  // Connection state.
  #requestURL; // what the next request fetches: the last final URL (SSE-26)
  #eventProto = null; // eventPrototype of the response's origin
  #started = false; // a request was made, so the next one is a reconnection
  #ctrl = null; // AbortController of the attempt in progress; null when idle
  #timer = 0;
  #suspended = 0; // bfcache: 0 no, 1 restart, 2 reestablish, 3 fail
  #res = { host: null, id: 0, ctrl: null };
  #handlers = { open: null, message: null, error: null };
  // The batch being dispatched (SSE-51).
  #parts = null;
  #pos = 0;
  #large = null; // the feed result holding the batch's large data
  #next = 0; // the index there of the next large data
  #drained = null;

  #connectLater = () => {
    this.#connect();
  };

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

    // SSE-5: the EventSourceInit dictionary; its members are read once, in
    // lexicographic order as Web IDL does.
    const init = eventSourceInitDict == null ? {} : eventSourceInitDict;
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError("Failed to construct 'EventSource': The provided value is not of type 'EventSourceInit'.");
    }
    const body = init.body;
    const headers = init.headers;
    const maxEventSize = sizeOption(init.maxEventSize, "maxEventSize");
    const maxLineSize = sizeOption(init.maxLineSize, "maxLineSize");
    let method = init.method;
    const reconnect = init.reconnect;
    const strictCharset = booleanOption(init.strictCharset, "strictCharset", false);
    const withCredentials = Boolean(init.withCredentials); // SSE-14

    if (method === undefined) method = "GET";
    else if (typeof method !== "string" || !TOKEN.test(method) || FORBIDDEN_METHOD.test(method)) {
      throw optionError("method", "an HTTP method that fetch() allows");
    } else if (NORMALIZED_METHOD.test(method)) method = method.toUpperCase();
    let headerList = null;
    if (headers !== undefined) {
      if (headers === null || typeof headers !== "object") throw optionError("headers", "a Headers, a record or a list of name/value pairs");
      try {
        headerList = new Headers(headers); // a snapshot, validated now
      } catch (err) {
        throw optionError("headers", `valid request headers (${err && err.message})`);
      }
    }
    // A non-GET request is never silently repeated.
    this.#reconnect = booleanOption(reconnect, "reconnect", method === "GET");
    if (body != null) {
      if (method === "GET" || method === "HEAD") throw optionError("body", `absent for a ${method} request`);
      if (typeof ReadableStream === "function" && body instanceof ReadableStream && this.#reconnect) {
        throw optionError("body", "re-sendable when reconnect is true (a ReadableStream can be sent once)");
      }
    }

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
    this.#requestURL = parsed;
    this.#withCredentials = withCredentials;
    this.#method = method;
    this.#headers = headerList;
    this.#body = body == null ? null : body;
    this.#strictCharset = strictCharset;
    this.#maxLineSize = maxLineSize;
    this.#maxEventSize = maxEventSize;

    if (registry) registry.register(this, this.#res, this.#res);
    if (!pageHooked && typeof realGlobal.PageTransitionEvent === "function") {
      pageHooked = true;
      EventSource.#hookPage();
    }
    if (pageHooked) live.add(this);
    // SSE-17: CONNECTING, no event; the request starts from a zero-delay
    // task, and close() before then means no request at all. In a worker that
    // has called self.close() the timer never fires, and that is fine (SSE-56).
    this.#timer = setTimeout(this.#connectLater, 0);
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
    this.#shutdown();
  }

  // The URL of Go's engine; set it before the first EventSource is built.
  static get wasmURL() {
    return wasmURL;
  }
  static set wasmURL(value) {
    wasmURL = `${value}`;
  }

  // A hook for leak tests, invisible to normal code: keyed by a registered
  // symbol, so no string name, no enumerable property and no global. It
  // resolves to the engine's counters ({connections, funcs, goroutines,
  // inBytes, outBytes}, see debug() in wasm/bridge.go), or to null when no
  // engine is loaded in this global scope.
  static [Symbol.for("eventsource-wasm.debug")]() {
    if (engine === null) return Promise.resolve(null);
    return engine.then((host) => (typeof host.debug === "function" ? host.debug() : null)).catch(() => null);
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

  #fire(type) {
    // `open` and `error` are plain Events: no bubbling, not cancelable.
    dispatch.call(this, new EventCtor(type));
  }

  // One attempt: request, response, body (SSE-19). Every await is followed by
  // a check that this attempt is still the current one: close(), a failure
  // or the bfcache replace or clear #ctrl. Nothing here may throw out.
  async #connect() {
    this.#timer = 0;
    if (this.#readyState !== CONNECTING) return; // SSE-28 step 3
    const res = this.#res;
    const url = this.#requestURL;
    const reconnecting = this.#started;
    this.#started = true;
    if (!FETCHABLE_URL.test(url)) {
      // SSE-20: ftp:, about:, mailto:, javascript: (never run), … fail.
      console.error(`EventSource cannot load ${url}: only http:, https:, data: and blob: URLs are supported.`);
      this.#fail();
      return;
    }
    const ctrl = new AbortController();
    this.#ctrl = res.ctrl = ctrl;
    const stops = windowStops;
    try {
      let request;
      try {
        request = new Request(url, this.#requestInit(ctrl.signal, reconnecting));
      } catch (err) {
        // The request itself is invalid: retrying would be futile.
        console.error(`EventSource cannot request ${url}:`, err);
        this.#fail();
        return;
      }
      // SSE-17: the first request and the engine load run in parallel.
      const fetching = fetch(request).then(readAhead);
      fetching.catch(noop); // if we bail out before awaiting it
      if (!res.host) {
        try {
          res.host = await loadEngine();
        } catch (err) {
          if (this.#ctrl !== ctrl) return;
          console.error(`EventSource cannot load its WebAssembly engine from ${wasmURL}:`, err);
          this.#fail(); // SSE-23
          return;
        }
        if (this.#ctrl !== ctrl) return;
      }
      if (!res.id) {
        res.id = res.host.open(this.#reconnect, this.#strictCharset, this.#maxLineSize, this.#maxEventSize);
      }

      let ahead;
      try {
        ahead = await fetching;
      } catch (err) {
        if (this.#ctrl !== ctrl) return; // our own abort: close() or bfcache
        // SSE-19a/SSE-59: an abort we did not cause is the user agent's
        // (window.stop(), navigation): fail. SSE-20: so is a CORS failure.
        let cause = "network";
        if (
          (err && err.name === "AbortError") ||
          windowStops !== stops ||
          (await corsFailure(url, ctrl.signal))
        ) {
          cause = "abort";
        }
        if (this.#ctrl !== ctrl) return;
        this.#end(cause);
        return;
      }
      if (this.#ctrl !== ctrl) return;
      const response = ahead.response;

      // SSE-26: reconnections request the final URL; `url` never changes.
      const finalURL = response.url || url;
      this.#requestURL = finalURL;
      // SSE-19c, SSE-21, SSE-22: status and MIME type, decided by the engine.
      const reason = res.host.response(res.id, response.status, response.headers.get("content-type") || "");
      if (reason !== "") {
        console.error(reason);
        this.#fail(); // aborts the body too
        return;
      }
      // SSE-25: the origin of the final response URL.
      this.#eventProto = eventPrototype(new URL(finalURL).origin);
      // SSE-24: announce.
      this.#readyState = OPEN;
      this.#fire("open");
      if (this.#ctrl !== ctrl) return;

      const { reader, reads } = ahead;
      ahead.on = false;
      if (!reader) {
        this.#end("eof"); // HEAD, for instance
        return;
      }
      for (;;) {
        let chunk;
        try {
          chunk = await (reads.length ? reads.shift() : reader.read());
        } catch (err) {
          if (this.#ctrl !== ctrl) return;
          // SSE-27: a body broken off is reestablished; SSE-20: a user-agent
          // abort mid-stream (window.stop()) fails, as in Chrome.
          this.#end((err && err.name === "AbortError") || windowStops !== stops ? "abort" : "network");
          return;
        }
        if (this.#ctrl !== ctrl) return;
        if (chunk.done) {
          this.#end("eof"); // SSE-27
          return;
        }
        // One engine call per network chunk; the engine decodes and parses
        // (SSE-30..50) and returns every event the chunk completed.
        // One batch string, or [n, batch 1 … batch n, large data 1 … m]
        // (see feed in wasm/bridge.go); only the last batch has a status.
        const result = res.host.feed(res.id, chunk.value);
        if (result === "") continue;
        const single = typeof result === "string";
        const count = single ? 1 : result[0];
        let large = count + 1;
        let parts;
        for (let k = 1; k <= count; k++) {
          parts = (single ? result : result[k]).split("\r");
          if (parts.length > 1) {
            large = await this.#dispatchBatch(parts, single ? null : result, large);
            if (this.#ctrl !== ctrl) return;
          }
        }
        if (parts[0] !== "") {
          // A size limit was exceeded: the events before it went out first.
          console.error(parts[0]);
          this.#fail();
          return;
        }
      }
    } catch (err) {
      // An engine call threw (its Go program exited) or a bug: fail rather
      // than hang.
      if (this.#ctrl !== ctrl) return;
      console.error("EventSource failed:", err);
      this.#fail();
    }
  }

  // SSE-58: the fetch() request of one attempt.
  #requestInit(signal, reconnecting) {
    const headers = new Headers(this.#headers || undefined);
    if (!headers.has("accept")) headers.set("Accept", "text/event-stream");
    // SSE-16, SSE-29: Last-Event-ID only on reconnections, and only when the
    // last event ID is not empty; headers are built afresh each time.
    const res = this.#res;
    if (reconnecting && res.id) {
      const id = res.host.lastEventId(res.id);
      if (id !== "") {
        try {
          headers.set("Last-Event-ID", byteString(id));
        } catch (_) {
          // Not a valid header value (the engine filters NUL, CR and LF).
        }
      }
    }
    const init = {
      method: this.#method,
      mode: "cors",
      credentials: this.#withCredentials ? "include" : "same-origin",
      cache: "no-store", // SSE-16: no-cache headers without a preflight
      redirect: "follow",
      headers,
      signal,
    };
    const body = this.#body;
    if (body !== null) {
      init.body = body;
      if (typeof ReadableStream === "function" && body instanceof ReadableStream) init.duplex = "half";
    }
    return init;
  }

  // The body or the request ended: ask the engine whether to reestablish
  // (SSE-27/28) or fail (aborted, or reconnect disabled). It also resets the
  // per-response parser state (SSE-30, SSE-35).
  #end(cause) {
    const res = this.#res;
    const ctrl = this.#ctrl;
    this.#ctrl = res.ctrl = null;
    if (ctrl) ctrl.abort(); // a CORS probe, or nothing left
    let delay = -1;
    try {
      delay = res.id ? res.host.end(res.id, cause) : -1;
    } catch (err) {
      console.error("EventSource failed:", err);
    }
    if (delay >= 0) this.#reestablish(delay);
    else this.#fail(); // also for a non-number: never a busy reconnect loop
  }

  // SSE-28: CONNECTING and `error`, then wait the reconnection time (Chrome
  // starts the wait when the error fires) and fetch again.
  #reestablish(delay) {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CONNECTING;
    this.#fire("error");
    if (this.#readyState === CONNECTING && this.#ctrl === null && this.#timer === 0 && this.#suspended === 0) {
      this.#timer = setTimeout(this.#connectLater, delay);
    }
  }

  // SSE-23: CLOSED, then a plain `error`; no reconnection ever.
  #fail() {
    if (this.#readyState === CLOSED) return;
    this.#shutdown();
    this.#fire("error");
  }

  #shutdown() {
    this.#readyState = CLOSED;
    this.#ctrl = null;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = 0;
    }
    this.#suspended = 0;
    this.#stopBatch();
    live.delete(this);
    release(this.#res); // aborts the fetch; host.close(id), once
    if (registry) registry.unregister(this.#res);
  }

  // SSE-51: dispatch the events of one batch one at a time, in stream order.
  // The next one goes out from a microtask queued after the previous
  // dispatchEvent returned, so the microtasks a listener queued run first, as
  // with native dispatch. Resolves when the batch is done or dropped, to the
  // index of the large data after the batch's.
  #dispatchBatch(parts, large, next) {
    const drained = new Promise((resolve) => {
      this.#drained = resolve;
    });
    this.#parts = parts;
    this.#pos = 1;
    this.#large = large;
    this.#next = next;
    this.#pump();
    return drained;
  }

  #pump = () => {
    const parts = this.#parts;
    if (parts === null) return;
    const i = this.#pos;
    // SSE-51: nothing once CLOSED, including the rest of this batch.
    if (i + 2 < parts.length && this.#readyState === OPEN) {
      this.#pos = i + 3;
      // SSE-49: type ("" means message), data, origin, lastEventId.
      let type = parts[i];
      let data = parts[i + 1];
      if (type.charCodeAt(0) === 10) {
        // LF: the data is the next large string.
        type = type.slice(1);
        data = this.#large[this.#next++];
      }
      dispatch.call(this, messageEvent(type || "message", data, this.#eventProto, parts[i + 2]));
      if (this.#parts === parts) promiseThen.call(settled, this.#pump);
      return;
    }
    this.#stopBatch();
  };

  #stopBatch() {
    const drained = this.#drained;
    this.#parts = null;
    this.#large = null;
    this.#drained = null;
    if (drained) drained(this.#next);
  }

  // SSE-54: a page entering the back/forward cache drops its connections
  // quietly; when it is restored, they reconnect unless CLOSED.
  static #hookPage() {
    countWindowStops();
    addListener.call(realGlobal, "pagehide", (event) => {
      if (event.persisted) for (const es of live) es.#suspend();
    });
    addListener.call(realGlobal, "pageshow", (event) => {
      if (event.persisted) for (const es of live) es.#resume();
    });
  }

  #suspend() {
    if (this.#readyState === CLOSED || this.#suspended !== 0) return;
    const res = this.#res;
    const ctrl = this.#ctrl;
    // Dropping the controller first makes the attempt stale, so the
    // rejections its abort causes are ignored: no event fires.
    this.#ctrl = res.ctrl = null;
    if (ctrl) ctrl.abort();
    this.#stopBatch();
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = 0;
    }
    let state = 1; // nothing was in flight: start the pending request again
    if (ctrl) {
      state = 2; // an attempt was cut off: reestablish
      if (res.id) {
        try {
          if (res.host.end(res.id, "network") < 0) state = 3; // a non-GET request is not repeated
        } catch (_) {
          state = 3;
        }
      }
    }
    this.#suspended = state;
  }

  #resume() {
    const state = this.#suspended;
    if (state === 0 || this.#readyState === CLOSED) return;
    this.#suspended = 0;
    if (state === 3) this.#fail();
    else if (state === 2) this.#reestablish(0);
    else this.#timer = setTimeout(this.#connectLater, 0);
  }
};

// Web IDL shape (SSE-6, SSE-7, SSE-2): constants on the interface and the
// prototype, enumerable attributes and operations, the toStringTag.
{
  const proto = EventSourcePolyfill.prototype;
  for (const [name, value] of [["CONNECTING", CONNECTING], ["OPEN", OPEN], ["CLOSED", CLOSED]]) {
    const constant = { value, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(EventSourcePolyfill, name, constant);
    Object.defineProperty(proto, name, constant);
  }
  for (const name of ["url", "withCredentials", "readyState", "onopen", "onmessage", "onerror", "close"]) {
    Object.defineProperty(proto, name, { enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: "EventSource", configurable: true });
}

//#if classic
// SSE-1: EventSource only where it is missing, as a writable, configurable,
// non-enumerable global like the native one; the browser's own stays
// reachable as NativeEventSource. EventSourcePolyfill is always defined.
{
  const define = (name, value) => {
    try {
      Object.defineProperty(realGlobal, name, { value, writable: true, configurable: true, enumerable: false });
    } catch (_) {
      realGlobal[name] = value; // a non-configurable `var` of the page
    }
  };
  const existing = realGlobal.EventSource;
  const earlier = realGlobal.EventSourcePolyfill; // this script, loaded twice
  if (typeof existing !== "function") define("EventSource", EventSourcePolyfill);
  else if (existing !== earlier) define("NativeEventSource", existing);
  define("EventSourcePolyfill", EventSourcePolyfill);
}
//#endif
//#if module
export { EventSourcePolyfill as EventSource, EventSourcePolyfill };
export default EventSourcePolyfill;
//#endif

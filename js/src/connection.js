// A Connection runs the attempts of one EventSource: it performs what the
// engine decides (the request, the response's fate, each chunk's events,
// reconnection or failure) and reports through callbacks. It has no
// EventTarget and makes no event, so that it could run where the events are
// not made (a worker serving several pages).
//
//   callbacks.onOpen(origin)      announced (SSE-24): readyState OPEN
//   callbacks.onEvents(batch)     a Batch of events to dispatch; may return
//                                 a promise, awaited before the next chunk
//   callbacks.onError(state, info) reestablishing (CONNECTING) or failed
//                                 (CLOSED); info is {reason, status,
//                                 message} (errors.js details)
//   callbacks.onSuspend()         suspended: drop the events not yet out
//
// Every await of an attempt is followed by a check that the attempt is still
// the current one: close(), a failure, suspend() or a lost engine replace
// it. Nothing here throws out.

import { Batch, openArgs, responseArgs, trailer } from "./codec.js";
import { loadEngine, config } from "./engine.js";
import { describe, details, failure } from "./errors.js";
import { corsFailure, stopCount } from "./failure.js";
import { engineInit } from "./options.js";
import { noop, realGlobal } from "./realm.js";
import { NotAResponse, readAhead, requestInit, requestURL, streamAhead } from "./request.js";

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSED = 2;

// A host call answered with something that is not a message: the engine's
// Go program exited during the call (or before it).
class EngineLost extends Error {}

// Chunks of a stream from another realm are Uint8Arrays too.
function isUint8Array(v) {
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === "[object Uint8Array]";
}

// The serialized origin of a URL; "null" for an opaque one (data:).
function originOf(url) {
  try {
    return new URL(url).origin;
  } catch (_) {
    return "null";
  }
}

// Resources of one connection, kept apart so that a FinalizationRegistry
// can release them when the EventSource is collected (SSE-55): it must hold
// nothing that leads back to the EventSource.
export function release(res) {
  const { ctrl, engine, handle, reader } = res;
  res.ctrl = null;
  res.handle = 0;
  res.reader = null;
  if (ctrl) ctrl.abort();
  if (reader) reader.cancel().catch(noop); // close() cancels a stream of fromReadableStream()
  if (handle && engine.alive) {
    engine.lost.delete(res.onLost);
    try {
      engine.host.close(handle);
    } catch (_) {
      // The engine is gone; nothing is left to release.
    }
  }
}

export class Connection {
  #url;
  #options;
  #callbacks;
  #state = CONNECTING;
  #res = { engine: null, handle: 0, ctrl: null, onLost: null, reader: null };
  #stream = null; // the reader of a fromReadableStream() source
  #attempt = null; // the attempt in progress; null when idle
  #timer = 0;
  // What suspend() cut off, for resume(): "restart" (nothing was in
  // flight), "reestablish" or "fail"; null when not suspended.
  #suspended = null;
  // What the engine last reported, for the getters and for a fresh engine.
  lastEventId = "";
  reconnectionTime = 3000;

  #connectLater = () => {
    this.#timer = 0;
    this.#run();
  };

  // stream, when given, is the ReadableStream of fromReadableStream(),
  // unlocked: the connection reads it instead of fetching url.
  constructor(url, options, callbacks, stream = null) {
    this.#url = url;
    this.#options = options;
    this.#callbacks = callbacks;
    this.#res.onLost = () => this.#engineLost();
    this.lastEventId = options.lastEventId;
    if (stream !== null) this.#stream = this.#res.reader = stream.getReader();
  }

  get state() {
    return this.#state;
  }

  get resources() {
    return this.#res;
  }

  // SSE-17: the request starts from a zero-delay task, and close() before
  // then means no request at all. In a worker that has called self.close()
  // the timer never fires, and that is fine (SSE-56).
  start() {
    this.#timer = realGlobal.setTimeout(this.#connectLater, 0);
  }

  // SSE-53: abort, cancel any reconnection, CLOSED now, and nothing more.
  close() {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    if (this.#attempt && this.#attempt.watchdog) realGlobal.clearTimeout(this.#attempt.watchdog);
    this.#attempt = null;
    if (this.#timer) {
      realGlobal.clearTimeout(this.#timer);
      this.#timer = 0;
    }
    this.#suspended = null;
    release(this.#res); // aborts the fetch; host.close(handle), once
  }

  // ---- one attempt --------------------------------------------------------

  async #run() {
    if (this.#state !== CONNECTING) return; // SSE-28 step 3
    const ctrl = new AbortController();
    const attempt = { ctrl, stops: stopCount(), lastByte: 0, watchdog: 0 };
    this.#attempt = attempt;
    this.#res.ctrl = ctrl;
    try {
      if (this.#stream) await this.#attemptStream(attempt);
      else await this.#attemptOnce(attempt);
    } catch (err) {
      if (this.#attempt !== attempt) return;
      if (err instanceof EngineLost) this.#engineLost();
      else {
        // A bug: fail rather than hang.
        console.error("EventSource failed:", err);
        this.#perform(failure("request"), attempt);
      }
    }
  }

  async #attemptOnce(attempt) {
    const res = this.#res;
    const o = this.#options;
    // SSE-17: the first request and the engine load run in parallel. Before
    // the engine is there, the request is the constructor's URL with the
    // initial last event ID, which is what the engine decides for a first
    // attempt; its decision is checked when it arrives.
    let req = res.handle ? this.#decide(this.#call("connect", res.handle), attempt) : null;
    if (req && req.action === "F") return;
    const speculative = req === null;
    if (speculative) {
      const id = this.lastEventId;
      req = Object.assign(trailer(""), { url: this.#url, lastEventIdHeader: id === "" ? undefined : id, sameOrigin: true, attempt: 1 });
    }
    let request;
    try {
      const headers = typeof o.headers === "function" ? await this.#callHeaders(req, attempt) : o.headers;
      if (this.#attempt !== attempt) return;
      request = new Request(requestURL(o, req), requestInit(o, headers, req, attempt.ctrl.signal));
    } catch (err) {
      if (this.#attempt !== attempt) return;
      // The request itself is invalid, or the headers function failed:
      // retrying would be futile.
      console.error(`EventSource cannot request ${req.url}:`, err);
      if (await this.#ensureEngine(attempt)) this.#decide(this.#call("end", res.handle, "request"), attempt);
      return;
    }
    this.#watch(attempt);
    const fetching = (o.fetch || fetch)(request).then(readAhead);
    fetching.catch(noop); // if we bail out before awaiting it
    if (speculative) {
      if (!(await this.#ensureEngine(attempt))) return;
      const decided = this.#decide(this.#call("connect", res.handle), attempt);
      if (decided.action === "F") return; // #decide aborted the fetch
      if (decided.url !== req.url || decided.lastEventIdHeader !== req.lastEventIdHeader || !decided.sameOrigin) {
        // Not what was fetched: start over with the engine's request.
        this.#abandon(attempt);
        this.#run();
        return;
      }
      req = decided;
    }

    let ahead;
    try {
      ahead = await fetching;
    } catch (err) {
      if (this.#attempt !== attempt) return; // our own abort
      if (err instanceof NotAResponse) {
        console.error("EventSource: the fetch option resolved to something that is not a Response:", err.value);
        this.#decide(this.#call("end", res.handle, "request"), attempt);
        return;
      }
      const why = await this.#whyFailed(err, attempt, req);
      if (this.#attempt !== attempt) return;
      if (why === "cors" && req.lastEventIdHeader !== undefined && !o.lastEventIdParam) {
        // SSE-29: native EventSource sends Last-Event-ID without a
        // preflight; fetch() cannot.
        console.error(
          `EventSource: the reconnection to ${req.url} failed its CORS check. With a Last-Event-ID header, ` +
            "a cross-origin request needs a preflight: the server must answer it with " +
            "Access-Control-Allow-Headers: Last-Event-ID (and the stream with Access-Control-Allow-Origin), " +
            "or the lastEventIdParam option sends the ID as a query parameter instead.",
        );
      }
      this.#decide(this.#call("end", res.handle, why), attempt);
      return;
    }
    if (this.#attempt !== attempt) return;
    attempt.lastByte = realGlobal.performance.now();
    const response = ahead.response;

    // SSE-19c, SSE-21, SSE-22, SSE-26: status, MIME type and final URL.
    const finalURL = response.url || req.url;
    const decided = this.#decide(
      this.#call(
        "response",
        res.handle,
        responseArgs(response.status, response.headers.get("content-type") || "", finalURL, response.headers.get("retry-after") || ""),
      ),
      attempt,
      { origin: originOf(finalURL) },
    );
    if (decided.action !== "A" || this.#attempt !== attempt) return;
    await this.#read(ahead, attempt);
  }

  // #attemptStream reads the stream of EventSource.fromReadableStream()
  // (whatwg/html PR #12272): announced at once, from the opaque origin
  // "null", and never reestablished.
  async #attemptStream(attempt) {
    if (!(await this.#ensureEngine(attempt))) return;
    const t = this.#decide(
      this.#call("response", this.#res.handle, responseArgs(200, "text/event-stream", this.#url, "")),
      attempt,
      { origin: "null" },
    );
    if (t.action !== "A" || this.#attempt !== attempt) return;
    await this.#read(streamAhead(this.#stream), attempt);
  }

  // #callHeaders asks the headers function for the headers of an attempt,
  // telling it what the attempt requests.
  async #callHeaders(req, attempt) {
    const value = await this.#options.headers({
      url: req.url,
      sameOrigin: req.sameOrigin,
      lastEventId: req.lastEventIdHeader === undefined ? "" : req.lastEventIdHeader,
      attempt: req.attempt,
    });
    if (this.#attempt !== attempt) return null;
    if (value === undefined || value === null) return null;
    return new Headers(value);
  }

  // #watch starts the inactivity watchdog of an attempt: with the
  // inactivityTimeout option, an attempt from which nothing arrived for
  // that long (no response, no byte of the body) is reestablished. Each
  // chunk only notes the time; the one timer re-arms itself for what is
  // left.
  #watch(attempt) {
    const timeout = this.#options.inactivityTimeout;
    if (!timeout) return;
    const now = () => realGlobal.performance.now();
    attempt.lastByte = now();
    const check = () => {
      attempt.watchdog = 0;
      if (this.#attempt !== attempt) return;
      const idle = now() - attempt.lastByte;
      if (idle < timeout) {
        attempt.watchdog = realGlobal.setTimeout(check, timeout - idle);
        return;
      }
      try {
        if (this.#res.handle) this.#decide(this.#call("end", this.#res.handle, "inactive"), attempt);
        else this.#abandon(attempt); // the engine is loading; its failure or the fetch decides
      } catch (err) {
        if (err instanceof EngineLost) this.#engineLost();
      }
    };
    attempt.watchdog = realGlobal.setTimeout(check, timeout);
  }

  // #read feeds the body to the engine, one call per network chunk, and
  // hands each chunk's events to onEvents (SSE-30..51).
  async #read(ahead, attempt) {
    const res = this.#res;
    if (!ahead.reader) {
      this.#decide(this.#call("end", res.handle, "ended"), attempt); // HEAD, for instance
      return;
    }
    for (;;) {
      let chunk;
      try {
        chunk = await ahead.take();
      } catch (err) {
        if (this.#attempt !== attempt) return;
        // SSE-27: a body broken off is reestablished; SSE-20: a user-agent
        // abort mid-stream (window.stop()) fails, as in Chrome.
        const why = (err && err.name === "AbortError") || stopCount() !== attempt.stops ? "aborted" : "network";
        this.#decide(this.#call("end", res.handle, why), attempt);
        return;
      }
      if (this.#attempt !== attempt) return;
      if (chunk.done) {
        this.#decide(this.#call("end", res.handle, "ended"), attempt); // SSE-27
        return;
      }
      attempt.lastByte = realGlobal.performance.now();
      if (!isUint8Array(chunk.value)) {
        // Only a stream given to fromReadableStream() can do this.
        console.error("EventSource: the stream gave a chunk that is not a Uint8Array:", chunk.value);
        this.#decide(this.#call("end", res.handle, "request"), attempt);
        return;
      }
      const result = this.#call("feed", res.handle, chunk.value);
      if (result === "") continue;
      const batch = new Batch(result);
      const t = batch.trailer();
      this.#note(t, batch);
      const dispatched = this.#callbacks.onEvents(batch);
      if (dispatched) await dispatched;
      if (this.#attempt !== attempt) return;
      // A limit or the budget was exceeded: the events before it went out
      // first.
      if (t.action === "F") {
        this.#perform(t, attempt);
        return;
      }
    }
  }

  // #whyFailed classifies a fetch() that rejected (SSE-19a, SSE-59): an
  // abort we did not cause is the user agent's (window.stop(),
  // navigation); a failed CORS check fails; anything else is the network's.
  async #whyFailed(err, attempt, req) {
    if ((err && err.name === "AbortError") || stopCount() !== attempt.stops) return "aborted";
    // With a fetch option the probe would bypass it: its failures are the
    // network's.
    if (req.classify && !this.#options.fetch && (await corsFailure(req.url, this.#options.method, attempt.ctrl.signal))) return "cors";
    return "network";
  }

  // ---- the engine's decisions ---------------------------------------------

  // #call makes a host call; an answer that is no message means the engine
  // died (a fatal error returns undefined from the call that caused it).
  #call(name, ...args) {
    const engine = this.#res.engine;
    let result;
    if (engine.alive) {
      try {
        result = engine.host[name](...args);
      } catch (_) {
        result = undefined;
      }
    }
    if (typeof result !== "string" && !Array.isArray(result)) {
      // Abandon an engine that stops answering, even one still running.
      if (engine.alive) engine.died(new Error(`${name}() returned no message`));
      throw new EngineLost();
    }
    return result;
  }

  // #decide reads a control message, notes what it reports and performs its
  // decision; it returns the trailer.
  #decide(message, attempt, context) {
    const t = trailer(message);
    this.#note(t, null);
    this.#perform(t, attempt, context);
    return t;
  }

  // #note keeps what the engine reported of its state.
  #note(t, batch) {
    if (t.lastEventId !== undefined) this.lastEventId = t.lastEventId;
    else if (batch !== null) {
      const id = batch.finalLastEventId();
      if (id !== undefined) this.lastEventId = id;
    }
    if (t.reconnectionTime !== undefined) this.reconnectionTime = t.reconnectionTime;
  }

  #perform(t, attempt, context) {
    if (this.#attempt !== attempt || t.action === "") return;
    if (t.action === "A") {
      this.#state = OPEN; // SSE-24: announce
      this.#callbacks.onOpen(context.origin);
      return;
    }
    const message = describe(t, { url: this.#url });
    if (message) console.error(message);
    this.#abandon(attempt);
    if (t.action === "R") this.#reestablish(t);
    else this.#fail(t);
  }

  // #abandon makes the attempt stale and aborts what is left of it.
  #abandon(attempt) {
    if (this.#attempt === attempt) this.#attempt = null;
    if (this.#res.ctrl === attempt.ctrl) this.#res.ctrl = null;
    attempt.ctrl.abort();
    if (attempt.watchdog) realGlobal.clearTimeout(attempt.watchdog);
  }

  // SSE-28: CONNECTING and `error`, then wait the reconnection time (Chrome
  // starts the wait when the error fires) and connect again.
  #reestablish(t) {
    if (this.#state === CLOSED) return;
    this.#state = CONNECTING;
    this.#callbacks.onError(CONNECTING, details(t, { url: this.#url }));
    if (this.#state === CONNECTING && this.#attempt === null && this.#timer === 0 && this.#suspended === null) {
      this.#timer = realGlobal.setTimeout(this.#connectLater, t.delay);
    }
  }

  // SSE-23: CLOSED, then `error`; no reconnection ever.
  #fail(t) {
    if (this.#state === CLOSED) return;
    this.close();
    this.#callbacks.onError(CLOSED, details(t, { url: this.#url }));
  }

  // ---- the engine's life --------------------------------------------------

  // #ensureEngine loads the engine if need be and opens this connection on
  // it, carrying what an earlier engine reported. It reports whether the
  // attempt is still current; a load that fails fails the connection.
  async #ensureEngine(attempt) {
    const res = this.#res;
    if (res.handle) return true;
    let engine;
    try {
      engine = await loadEngine();
    } catch (err) {
      if (this.#attempt !== attempt) return false;
      console.error(`EventSource cannot load its WebAssembly engine from ${config.wasmURL}:`, err);
      this.#perform(failure("engine"), attempt); // SSE-23
      return false;
    }
    if (this.#attempt !== attempt) return false;
    res.engine = engine;
    const init = engineInit(this.#url, this.#options);
    init.lastEventId = this.lastEventId;
    if (this.reconnectionTime !== 3000) init.initialDelay = this.reconnectionTime;
    res.handle = -1; // for #call; the real handle follows
    const t = trailer(this.#call("open", openArgs(init)));
    res.handle = t.handle;
    this.#note(t, null);
    engine.lost.add(res.onLost);
    return true;
  }

  // #engineLost moves the connection to a fresh engine the standard way:
  // CONNECTING and error (reason "engine"), the reconnection time, and a
  // new attempt, with the last event ID; or CLOSED for a connection that
  // does not reconnect.
  async #engineLost() {
    const res = this.#res;
    if (this.#state === CLOSED || res.handle === 0 || res.engine.alive) return;
    res.engine.lost.delete(res.onLost);
    res.engine = null;
    res.handle = 0;
    const ctrl = new AbortController();
    const attempt = { ctrl, stops: stopCount() };
    if (this.#attempt) this.#abandon(this.#attempt);
    if (this.#timer) {
      realGlobal.clearTimeout(this.#timer);
      this.#timer = 0;
    }
    this.#attempt = attempt;
    res.ctrl = ctrl;
    try {
      if (!(await this.#ensureEngine(attempt))) return;
      const t = trailer(this.#call("end", res.handle, "network"));
      this.#note(t, null);
      t.reason = "engine";
      this.#perform(t, attempt);
    } catch (err) {
      if (this.#attempt === attempt) this.#perform(failure("engine"), attempt);
    }
  }

  // reset discards what the engine holds of the current stream, the
  // unfinished line and event (EventSource.reset(), whatwg/html PR #12272).
  reset() {
    const res = this.#res;
    if (this.#state === CLOSED || !res.handle) return; // nothing buffered yet
    try {
      this.#call("reset", res.handle);
    } catch (err) {
      if (err instanceof EngineLost) this.#engineLost();
    }
  }

  // ---- the back/forward cache (SSE-54) ------------------------------------

  // suspend drops the connection quietly: no event fires. resume picks up
  // where it was cut off.
  suspend() {
    // A stream of fromReadableStream() is the page's own: it goes on.
    if (this.#state === CLOSED || this.#suspended !== null || this.#stream) return;
    const res = this.#res;
    const attempt = this.#attempt;
    if (this.#timer) {
      realGlobal.clearTimeout(this.#timer);
      this.#timer = 0;
    }
    this.#callbacks.onSuspend();
    let state = "restart"; // nothing was in flight: start the pending request again
    if (attempt) {
      this.#abandon(attempt);
      state = "reestablish";
      if (res.handle) {
        try {
          const t = trailer(this.#call("end", res.handle, "network"));
          this.#note(t, null);
          if (t.action === "F") state = "fail"; // a connection that does not reconnect
        } catch (_) {
          state = "fail";
        }
      }
    }
    this.#suspended = state;
  }

  resume() {
    const state = this.#suspended;
    if (state === null || this.#state === CLOSED) return;
    this.#suspended = null;
    if (state === "fail") this.#fail(failure("network"));
    else if (state === "reestablish") this.#reestablish({ ...failure("network"), action: "R", delay: 0 });
    else this.#timer = realGlobal.setTimeout(this.#connectLater, 0);
  }
}

// The fetch() request of one attempt (SSE-58), from the options and the
// engine's decision of what to request.

import { noop, promiseThen, settled } from "./realm.js";

const utf8 = new TextEncoder();

// Header values are byte strings: send the UTF-8 bytes of the ID, one code
// unit per byte (SSE-29).
function byteString(s) {
  const bytes = utf8.encode(s);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

// requestInit returns the RequestInit of an attempt. req is the engine's
// decision: lastEventIdHeader, the Last-Event-ID to send, if any; and
// sameOrigin, whether the URL has the constructor URL's origin. A
// reconnection goes straight to the last final URL (SSE-26): when that is
// another origin, the Authorization header stays home, as fetch() drops it
// on a cross-origin redirect (Fetch, HTTP-redirect fetch step 13), so that
// no attempt sends a credential where the first request's redirect would
// not have. Other headers go where fetch() itself sends them: it keeps them
// across redirects.
//
// extra is the headers option, or what the headers function returned for
// this attempt: a function is told the URL and whether it is the
// constructor URL's origin, so what it returns is sent as it is.
export function requestInit(o, extra, req, signal) {
  const headers = new Headers(extra || undefined);
  if (!headers.has("accept")) headers.set("Accept", "text/event-stream");
  if (!req.sameOrigin && typeof o.headers !== "function") headers.delete("authorization");
  // SSE-16, SSE-29: Last-Event-ID only when the engine says so; the
  // headers are built afresh each time. With lastEventIdParam the ID goes
  // in the URL instead (requestURL).
  if (req.lastEventIdHeader !== undefined && !o.lastEventIdParam) {
    try {
      headers.set("Last-Event-ID", byteString(req.lastEventIdHeader));
    } catch (_) {
      // Not a valid header value (the engine filters NUL, CR and LF).
    }
  }
  /** @type {RequestInit & {duplex?: "half"}} (duplex: Fetch's streaming upload, not yet in lib.dom) */
  const init = {
    method: o.method,
    mode: "cors",
    credentials: o.withCredentials ? "include" : "same-origin",
    cache: "no-store", // SSE-16: no-cache headers without a preflight
    redirect: "follow",
    headers,
    signal,
  };
  if (o.body !== null) {
    init.body = o.body;
    if (typeof ReadableStream === "function" && o.body instanceof ReadableStream) init.duplex = "half";
  }
  return init;
}

// requestURL returns the URL of an attempt: the engine's, with the last event
// ID as the lastEventIdParam query parameter when that option is set (as
// event-source-polyfill and servers such as Mercure do): no preflight, so a
// cross-origin server that does not allow Last-Event-ID still resumes.
export function requestURL(o, req) {
  if (!o.lastEventIdParam || req.lastEventIdHeader === undefined) return req.url;
  const u = new URL(req.url);
  u.searchParams.set(o.lastEventIdParam, req.lastEventIdHeader);
  return u.href;
}

// NotAResponse is what a fetch option that resolved to something else
// rejects with.
export class NotAResponse extends Error {
  constructor(value) {
    super("not a Response");
    this.value = value;
  }
}

// A body stream that errors drops the chunks it queued that nobody had read
// yet (Streams: erroring a stream resets its queue): a server that sends
// events and then resets loses them, and the more so the longer the page
// takes to read, a busy main thread or a slow listener. Native EventSource
// parses as the bytes arrive and loses none of them. So a read is kept
// outstanding at all times: a chunk that arrives goes straight to it, out of
// the queue, and an error cannot take it back. From the response on, even
// while the engine is still loading, reads are issued until READ_AHEAD_BYTES
// wait unconsumed; beyond that the stream stays back-pressured in the
// network, not in this page. The next read is issued a microtask after a
// read completes, which is after the chunk's first event went out: no chunk
// can arrive within a task, and issuing a read took 30 to 50 µs of the
// latency of each event (measured in Chromium with events 5 ms apart).
const READ_AHEAD_BYTES = 512 << 10;

class Ahead {
  reads = []; // read() promises, in order, not taken yet
  unread = 0; // bytes of fulfilled reads not consumed yet
  pending = false; // a read is outstanding
  ended = false;

  constructor(response, reader) {
    this.response = response;
    this.reader = reader;
    if (reader) this.#next();
  }

  #next() {
    if (this.pending || this.ended || this.unread >= READ_AHEAD_BYTES) return;
    this.pending = true;
    const read = this.reader.read();
    this.reads.push(read);
    read.then(
      (r) => {
        this.pending = false;
        if (r.done) this.ended = true;
        else {
          this.unread += r.value.length;
          promiseThen.call(settled, this.#later);
        }
      },
      () => {
        this.pending = false;
        this.ended = true;
      },
    );
  }

  #later = () => this.#next();

  // take returns the next read, in order: a value, done, or the error.
  take() {
    if (this.reads.length === 0) this.#next();
    const read = this.reads.shift();
    read.then((r) => {
      if (!r.done) {
        this.unread -= r.value.length;
        promiseThen.call(settled, this.#later);
      }
    }, noop);
    return read;
  }
}

export function readAhead(response) {
  if (!response || typeof response.status !== "number" || !response.headers || typeof response.headers.get !== "function") {
    throw new NotAResponse(response);
  }
  const body = response.body;
  return new Ahead(response, body ? body.getReader() : null);
}

// streamAhead reads a stream of fromReadableStream() the same way.
export function streamAhead(reader) {
  return new Ahead(null, reader);
}

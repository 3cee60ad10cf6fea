// The decoder of the bridge's message codec, and the writer of the
// arguments of open() and response(). The format is written once, in
// wasm/codec.go; the fixtures in wasm/testdata/codec.json are checked here
// (js/test/codec.test.mjs) and by the engine's tests.
//
// In short: a message is CR-separated fields, triples of (type, data,
// lastEventId) for each event, then a trailer of LF-separated items, each a
// tag letter and its value. feed may return [n, message 1 … n, large 1 … m]
// instead, where an event whose type begins with LF takes the next large
// string as its data.

// openArgs and responseArgs write the arguments of open() and response(),
// which are items too, in the trailer's syntax (wasm/args.go lists the tags
// and reads them). No value holds an LF: the URLs are serialized, the
// method is a token, the last event ID and the header values have no CR or
// LF. An item left out is the engine's zero value.
export function openArgs(init) {
  let s = `U${init.url}\nM${init.method}\nR${init.reconnect}\nI${init.lastEventId}`;
  if (init.strictCharset) s += "\nS";
  if (init.maxLineSize) s += `\nL${init.maxLineSize}`;
  if (init.maxEventSize) s += `\nE${init.maxEventSize}`;
  // Milliseconds may have a fraction, which the engine drops.
  if (init.initialDelay) s += `\nD${Math.trunc(init.initialDelay)}`;
  // The factor in units of 2^-52: an integer for any factor of at least 1,
  // so that it crosses exactly without a float parser in the engine.
  if (init.factor) s += `\nF${BigInt(init.factor * 2 ** 52)}`;
  if (init.maxDelay) s += `\nX${Math.trunc(init.maxDelay)}`;
  if (init.jitter) s += "\nJ";
  if (init.maxAttempts) s += `\nN${init.maxAttempts}`;
  for (const status of init.retryStatuses || []) s += `\nQ${status}`;
  return s;
}

export function responseArgs(status, contentType, url, retryAfter) {
  return `S${status}\nT${contentType}\nU${url}\nR${retryAfter}`;
}

// feeder makes the engine's feed(handle, chunk) out of its two WebAssembly
// exports (wasm/feed.go): the chunk is copied to the engine's input buffer,
// and each answer is read from the engine's memory, where feed returns the
// address of a header of uint32s: m messages, l large data (0 or 1), 1 if
// the chunk has more events to come (call feed(handle, -1) to go on), then
// the address and length of each. It returns what the codec's JS form is: a
// message, or [n, message 1 … n, large 1 … m]. Everything is decoded before
// the next call, which may reuse the memory; a view is made after each
// call, as the memory may have grown. decoder must keep a leading U+FEFF.
export function feeder(exports, decoder) {
  const memory = exports.mem;
  // One view of the memory's words, made again only when the memory grew
  // (its buffer is then a new object): no view per chunk for the header.
  let words = new Uint32Array(memory.buffer);
  const text = (buffer, at, length) => (length === 0 ? "" : decoder.decode(new Uint8Array(buffer, at, length)));
  return (handle, chunk) => {
    const n = chunk.length;
    const to = exports.feedBuffer(n) >>> 0; // first: it may grow the memory
    new Uint8Array(memory.buffer, to, n).set(chunk);
    let messages = null;
    let large = null;
    for (let arg = n; ; arg = -1) {
      const h = (exports.feed(handle, arg) >>> 0) >>> 2;
      const buffer = memory.buffer;
      if (words.buffer !== buffer) words = new Uint32Array(buffer);
      const m = words[h];
      const l = words[h + 1];
      const more = words[h + 2];
      const r = h + 3; // the pairs of address and length
      if (m === 1 && l === 0 && !more && messages === null) return text(buffer, words[r], words[r + 1]);
      messages ??= [];
      large ??= [];
      for (let i = r; i < r + 2 * m; i += 2) messages.push(text(buffer, words[i], words[i + 1]));
      for (let i = r + 2 * m; i < r + 2 * (m + l); i += 2) large.push(text(buffer, words[i], words[i + 1]));
      if (!more) return [messages.length, ...messages, ...large];
    }
  };
}

// trailer parses a trailer into an object; absent items are undefined.
export function trailer(text) {
  const t = {
    action: "", // "A" announce, "R" reestablish, "F" fail, "" neither
    delay: 0,
    reason: undefined, // a Kind name: "status", "network", …
    status: undefined,
    contentType: undefined,
    limit: undefined,
    attempt: undefined,
    lastEventId: undefined,
    reconnectionTime: undefined,
    handle: undefined,
    url: undefined,
    lastEventIdHeader: undefined,
    sameOrigin: false,
    classify: false,
  };
  if (text === "") return t;
  for (const item of text.split("\n")) {
    const value = item.slice(1);
    switch (item.charCodeAt(0)) {
      case 0x41: t.action = "A"; break; // A
      case 0x52: t.action = "R"; t.delay = +value; break; // R
      case 0x46: t.action = "F"; break; // F
      case 0x45: t.reason = value; break; // E
      case 0x53: t.status = +value; break; // S
      case 0x54: t.contentType = value; break; // T
      case 0x4d: t.limit = +value; break; // M
      case 0x4e: t.attempt = +value; break; // N
      case 0x49: t.lastEventId = value; break; // I
      case 0x59: t.reconnectionTime = +value; break; // Y
      case 0x4b: t.handle = +value; break; // K
      case 0x55: t.url = value; break; // U
      case 0x4c: t.lastEventIdHeader = value; break; // L
      case 0x4f: t.sameOrigin = true; break; // O
      case 0x43: t.classify = true; break; // C
    }
  }
  return t;
}

// Batch reads the events of what feed returned, one at a time, without
// allocating per event: after next() returns true, type, data and
// lastEventId hold the event.
export class Batch {
  type = "";
  data = "";
  lastEventId = "";
  #result;
  #messages; // how many messages #result holds
  #message = 0; // index of the message being read
  #parts = null;
  #pos = 0;
  #large; // index in #result of the next large data
  #trailer = "";

  constructor(result) {
    this.#result = result;
    if (typeof result === "string") {
      this.#messages = 1;
      this.#large = 0;
      this.#open(result);
    } else {
      this.#messages = result[0];
      this.#large = this.#messages + 1;
      this.#message = 1;
      this.#open(result[1]);
    }
  }

  #open(message) {
    this.#parts = message.split("\r");
    this.#pos = 0;
    this.#trailer = this.#parts[this.#parts.length - 1];
  }

  next() {
    for (;;) {
      const parts = this.#parts;
      const i = this.#pos;
      if (i + 3 < parts.length) {
        this.#pos = i + 3;
        const type = parts[i];
        if (type.charCodeAt(0) === 10) {
          // LF: the data is the next large string.
          this.type = type.slice(1);
          this.data = this.#result[this.#large++];
        } else {
          this.type = type;
          this.data = parts[i + 1];
        }
        this.lastEventId = parts[i + 2];
        return true;
      }
      if (typeof this.#result === "string" || this.#message >= this.#messages) return false;
      this.#open(this.#result[++this.#message]);
    }
  }

  // raw returns what feed returned, which is structured-clonable: a shared
  // connection posts it to the windows that share it (sharing.js), where
  // each makes a Batch of its own.
  get raw() {
    return this.#result;
  }

  // trailer returns the trailer of the batch, read to the end or not: it
  // belongs to the last message.
  trailer() {
    const last = this.#last();
    return trailer(last.slice(last.lastIndexOf("\r") + 1));
  }

  // finalLastEventId returns the lastEventId of the batch's last event, or
  // undefined when it has none; the engine's I item is left out when it
  // would repeat it.
  finalLastEventId() {
    const last = this.#last();
    const end = last.lastIndexOf("\r");
    if (end < 0) return undefined;
    return last.slice(last.lastIndexOf("\r", end - 1) + 1, end);
  }

  #last() {
    const r = this.#result;
    return typeof r === "string" ? r : r[this.#messages];
  }
}

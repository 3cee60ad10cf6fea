// The EventSourceInit dictionary and its extensions: one table that
// validates, defaults and documents each option. The options are read in
// lexicographic order, as Web IDL reads a dictionary (SSE-5), because the
// table is sorted by name; each is read once, into one frozen object.

// The largest maxLineSize and maxEventSize: an event this large is near the
// longest string V8 makes (polyfill.MaxLimit).
export const MAX_LIMIT = 256 << 20;

// RFC 9110 token, and the methods fetch() refuses (Fetch: forbidden method).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_METHOD = /^(?:connect|trace|track)$/i;
const NORMALIZED_METHOD = /^(?:delete|get|head|options|post|put)$/i;

export function optionError(name, expected) {
  return new TypeError(`Failed to construct 'EventSource': the '${name}' option must be ${expected}.`);
}

function size(value, name) {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0 || value > MAX_LIMIT) {
    throw optionError(name, `a positive integer (bytes), at most ${MAX_LIMIT}`);
  }
  return value;
}

function boolean(value, name) {
  if (typeof value !== "boolean") throw optionError(name, "a boolean");
  return value;
}

function method(value, name) {
  if (typeof value !== "string" || !TOKEN.test(value) || FORBIDDEN_METHOD.test(value)) {
    throw optionError(name, "an HTTP method that fetch() allows");
  }
  return NORMALIZED_METHOD.test(value) ? value.toUpperCase() : value;
}

function headers(value, name) {
  if (value === null || typeof value !== "object") throw optionError(name, "a Headers, a record or a list of name/value pairs");
  try {
    return new Headers(value); // a snapshot, validated now
  } catch (err) {
    throw optionError(name, `valid request headers (${err && err.message})`);
  }
}

const MAX_MS = 2 ** 31 - 1; // what a timer can wait

function milliseconds(value, name) {
  if (typeof value !== "number" || !(value > 0) || value > MAX_MS) {
    throw optionError(name, `a positive number of milliseconds, at most ${MAX_MS}`);
  }
  return value;
}

function count(value, name) {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw optionError(name, "a positive integer");
  return value;
}

function oneOf(...values) {
  return (value, name) => {
    if (!values.includes(value)) throw optionError(name, values.map((v) => JSON.stringify(v)).join(" or "));
    return value;
  };
}

function fn(value, name) {
  if (typeof value !== "function") throw optionError(name, "a function");
  return value;
}

// A headers option is a function, called before every attempt, or a
// snapshot of headers taken now.
function headersOrFunction(value, name) {
  return typeof value === "function" ? value : headers(value, name);
}

// The shared option: true, or a non-empty name of a sharing group (see
// sharing.js).
function sharedGroup(value, name) {
  if (typeof value === "boolean" || (typeof value === "string" && value !== "")) return value;
  throw optionError(name, "a boolean or a non-empty group name");
}

function signal(value, name) {
  if (value === null || typeof value !== "object" || typeof value.aborted !== "boolean" || typeof value.addEventListener !== "function") {
    throw optionError(name, "an AbortSignal");
  }
  return value;
}

// The initial last event ID: what a parsed ID can be, so that no request
// header or event could carry more.
function lastEventId(value, name) {
  if (typeof value !== "string" || /[\0\r\n]/.test(value)) throw optionError(name, "a string without NUL, CR or LF");
  return value;
}

function queryName(value, name) {
  if (typeof value !== "string" || value === "") throw optionError(name, "a non-empty query parameter name");
  return value;
}

function statuses(value, name) {
  let list;
  try {
    list = Array.from(value);
  } catch (_) {
    list = null;
  }
  if (value === null || typeof value !== "object" || list === null ||
      !list.every((s) => Number.isInteger(s) && s >= 100 && s <= 599 && s !== 200)) {
    throw optionError(name, "a list of HTTP statuses (integers from 100 to 599, not 200)");
  }
  return Object.freeze(list);
}

// The reconnection policy: exponential backoff from the reconnection time
// (the server's retry field, else initial), capped at max, with full
// jitter unless jitter is false.
function backoff(value, name) {
  if (value === null || typeof value !== "object") throw optionError(name, "an object {initial, max, factor, jitter}");
  const { factor = 2, initial = 0, jitter = true, max = 30000 } = value;
  if (initial !== 0) milliseconds(initial, `${name}.initial`);
  milliseconds(max, `${name}.max`);
  if (typeof factor !== "number" || !(factor >= 1) || factor > 1000) throw optionError(`${name}.factor`, "a number from 1 to 1000");
  boolean(jitter, `${name}.jitter`);
  return Object.freeze({ factor, initial, jitter, max });
}

// name: the member; read: validates a value that is not undefined; value:
// the default.
const table = [
  // Extension: the reconnection policy.
  { name: "backoff", read: backoff, value: null },
  // Extension: the request body, anything fetch() accepts.
  { name: "body", read: (v) => v, value: null },
  // Extension: "task" dispatches every event in a task of its own, as
  // native does; "microtask", the default, is cheaper (see dispatcher.js).
  { name: "dispatch", read: oneOf("microtask", "task"), value: "microtask" },
  // Extension: the fetch() to use for every attempt.
  { name: "fetch", read: fn, value: null },
  // Extension: request headers, such as Authorization, or a function that
  // returns them for each attempt.
  { name: "headers", read: headersOrFunction, value: null },
  // Extension: reestablish when nothing arrived for that long.
  { name: "inactivityTimeout", read: milliseconds, value: 0 },
  // Extension: the initial last event ID, sent from the first request.
  { name: "lastEventId", read: lastEventId, value: "" },
  // Extension: send the last event ID as this query parameter instead of
  // the Last-Event-ID header, which a cross-origin request must preflight.
  { name: "lastEventIdParam", read: queryName, value: "" },
  // Extension: give up after that many consecutive failed attempts.
  { name: "maxAttempts", read: count, value: 0 },
  // Extension: the largest data of one event, in bytes; 0 is the engine's
  // default, 16 MiB.
  { name: "maxEventSize", read: size, value: 0 },
  // Extension: the longest line, in bytes; 0 is the engine's default.
  { name: "maxLineSize", read: size, value: 0 },
  // Extension: the request method.
  { name: "method", read: method, value: "GET" },
  // Extension: reconnect after the body ends; the default depends on the
  // method (the engine's ReconnectAuto).
  { name: "reconnect", read: boolean, value: undefined },
  // Extension: statuses that reconnect instead of failing, after their
  // Retry-After.
  { name: "retryStatuses", read: statuses, value: null },
  // Extension: share one connection with the instances of every
  // same-origin window that have the same URL and options (sharing.js).
  { name: "shared", read: sharedGroup, value: false },
  // Extension: aborting it is close().
  { name: "signal", read: signal, value: null },
  // Extension: fail a charset other than utf-8, as Chrome does (SSE-22).
  { name: "strictCharset", read: boolean, value: false },
  // SSE-14: ToBoolean, and never a TypeError.
  { name: "withCredentials", read: (v) => Boolean(v), value: false },
].sort((a, b) => (a.name < b.name ? -1 : 1));

// readOptions converts the constructor's second argument. A missing
// dictionary (undefined or null) is empty: nothing is read from it, so a
// page's Object.prototype.headers cannot leak in.
export function readOptions(dict) {
  if (dict !== undefined && dict !== null && typeof dict !== "object" && typeof dict !== "function") {
    throw new TypeError("Failed to construct 'EventSource': The provided value is not of type 'EventSourceInit'.");
  }
  const o = {};
  for (const { name, read, value } of table) {
    const v = dict == null ? undefined : dict[name];
    o[name] = v === undefined ? value : read(v, name);
  }
  if (o.body === null || o.body === undefined) o.body = null;
  else {
    if (o.method === "GET" || o.method === "HEAD") throw optionError("body", `absent for a ${o.method} request`);
    if (typeof ReadableStream === "function" && o.body instanceof ReadableStream && o.reconnect === true) {
      throw optionError("body", "re-sendable when reconnect is true (a ReadableStream can be sent once)");
    }
  }
  // A shared connection runs in a shared worker: a function of this page
  // cannot run there for every attempt, and its body must cross to it.
  if (o.shared !== false) {
    if (o.fetch !== null) throw optionError("fetch", "absent with shared (the connection runs in a shared worker, where a function of this page cannot be called)");
    if (o.body !== null && typeof o.body !== "string") throw optionError("body", "a string with shared");
  }
  return Object.freeze(o);
}

// engineInit returns what the engine's open() reads of the options, which
// openArgs (codec.js) writes as open()'s argument.
export function engineInit(url, o) {
  const b = o.backoff;
  return {
    url,
    method: o.method,
    reconnect: o.reconnect === undefined ? "auto" : o.reconnect ? "always" : "never",
    strictCharset: o.strictCharset,
    maxLineSize: o.maxLineSize,
    maxEventSize: o.maxEventSize,
    lastEventId: o.lastEventId,
    initialDelay: b ? b.initial : 0,
    factor: b ? b.factor : 0,
    maxDelay: b ? b.max : 0,
    jitter: b ? b.jitter : false,
    maxAttempts: o.maxAttempts,
    retryStatuses: o.retryStatuses,
  };
}

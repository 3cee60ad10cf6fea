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

// name: the member; read: validates a value that is not undefined; value:
// the default.
const table = [
  // Extension: the request body, anything fetch() accepts.
  { name: "body", read: (v) => v, value: null },
  // Extension: request headers, such as Authorization.
  { name: "headers", read: headers, value: null },
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
  return Object.freeze(o);
}

// engineInit returns what the engine's open() reads of the options.
export function engineInit(url, o) {
  return {
    url,
    method: o.method,
    reconnect: o.reconnect === undefined ? "auto" : o.reconnect ? "always" : "never",
    strictCharset: o.strictCharset,
    maxLineSize: o.maxLineSize,
    maxEventSize: o.maxEventSize,
  };
}

// What the console says when a connection fails or is retried: the one place
// the shim's messages are composed, from the reasons of the engine's trailer
// (a polyfill.Kind name) and those the shim detects itself. Where Chrome
// logs a message of its own, the words are Chrome's.

import { trailer } from "./codec.js";

// describe returns the console message for a decision of the engine, or ""
// when the browser has said it already (network errors, CORS) or nothing
// went wrong (a stream that ended).
export function describe(t, context) {
  switch (t.reason) {
    case "status":
      return `EventSource's response has a status ${t.status} that is not 200. Aborting the connection.`;
    case "content-type":
      if (!t.contentType) return "EventSource's response has no Content-Type; it must be \"text/event-stream\". Aborting the connection.";
      return `EventSource's response has a MIME type ("${t.contentType}") that is not "text/event-stream". Aborting the connection.`;
    case "line-too-long":
      return `EventSource: a line of the stream exceeds maxLineSize (${t.limit} bytes); the connection is closed.`;
    case "event-too-large":
      return `EventSource: an event's data of the stream exceeds maxEventSize (${t.limit} bytes); the connection is closed.`;
    case "memory-budget":
      return `EventSource: the stream of ${context.url} would make the WebAssembly engine hold more than its memory budget (${t.limit} bytes, shared by every EventSource of this page); this connection is closed, the others go on.`;
    case "scheme":
      return `EventSource cannot load ${context.url}: only http:, https:, data: and blob: URLs are supported.`;
    case "url-too-long":
      return `EventSource cannot load a URL of ${context.url.length} characters: the limit is 2097152.`;
    case "attempts":
      return `EventSource: giving up on ${context.url} after ${t.attempt} consecutive failed attempts (maxAttempts).`;
  }
  return "";
}

// failure returns the trailer of a failure the shim detected itself, for
// the same handling as the engine's.
export function failure(reason) {
  const t = trailer("");
  t.action = "F";
  t.reason = reason;
  return t;
}

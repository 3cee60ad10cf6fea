// What the console says when a connection fails or is retried: the one place
// the shim's messages are composed, from the reasons of the engine's trailer
// (a polyfill.Kind name) and those the shim detects itself. Where Chrome
// logs a message of its own, the words are Chrome's.

import { trailer } from "./codec.js";

// describe returns the console message for a decision of the engine, or ""
// when the browser has said it already (network errors, CORS) or nothing
// went wrong (a stream that ended).
export function describe(t, context) {
  return consoleMessage(t, context);
}

function consoleMessage(t, context) {
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

// Short messages of the reasons the console leaves to the browser, for the
// message of the error event.
const SHORT = {
  network: "the request failed or the response broke off (network error)",
  ended: "the stream ended",
  aborted: "the request was aborted by the user agent",
  cors: "the response failed the CORS check",
  request: "the request could not be made",
  inactive: "nothing arrived for inactivityTimeout",
  engine: "the WebAssembly engine could not be loaded or stopped",
};

// details returns what an error event carries besides its type: the reason
// code (the engine's Kind name), the HTTP status where there was a response,
// and a message.
export function details(t, context) {
  const reason = t.reason || "network";
  const message = consoleMessage(t, context) || `EventSource: ${SHORT[reason] || reason}.`;
  return { reason, status: t.status === undefined ? 0 : t.status, message };
}

// failure returns the trailer of a failure the shim detected itself, for
// the same handling as the engine's.
export function failure(reason) {
  const t = trailer("");
  t.action = "F";
  t.reason = reason;
  return t;
}

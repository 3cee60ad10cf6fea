// Failure classification: what fetch() cannot tell the shim, found out
// another way.

import { realGlobal } from "./realm.js";

// How long a CORS probe may take before the failure counts as the network's.
const PROBE_TIMEOUT = 10000;

// SSE-59: fetch() rejects with a TypeError both for a failed CORS check, which
// must fail the connection (SSE-20), and for a network error, which must be
// retried. A no-cors request tells them apart: if it gets a response, the
// server is there and it was CORS. Same-origin URLs are probed too, since a
// redirect may have led to another origin. The engine asks for the probe only
// for GET and HEAD requests that would be retried: a probe repeats the
// request (with the method given), and a failure that fails the connection
// anyway needs no probe.
//
// But a same-origin URL that answers without a redirect cannot have failed
// CORS, and the no-cors probe would take a transient network error (a reset
// before the response, a server restarting) for a CORS failure whenever the
// server answers the probe, closing the source for good where the standard
// retries. So a same-origin URL is first asked without following redirects:
// a direct answer means the failure was the network's.
export async function corsFailure(url, method, signal) {
  if (typeof realGlobal.origin !== "string") return false; // not a browser: no CORS
  if (typeof AbortSignal.any === "function" && typeof AbortSignal.timeout === "function") {
    signal = AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT)]);
  }
  /** @type {RequestInit} */
  const init = { method, credentials: "omit", cache: "no-store", signal };
  try {
    if (new URL(url).origin === realGlobal.origin) {
      const direct = await fetch(url, { ...init, mode: "same-origin", redirect: "manual" });
      if (direct.type !== "opaqueredirect") return false;
    }
    await fetch(url, { ...init, mode: "no-cors" });
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
let counting = false;

export function countWindowStops() {
  if (counting) return;
  counting = true;
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

// stopCount returns how often window.stop() was called: an attempt that
// sees it change was cancelled by the user agent.
export function stopCount() {
  return windowStops;
}

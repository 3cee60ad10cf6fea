// What ties EventSources to the life of their global scope: the
// back/forward cache of a window (SSE-54) and the collection of an
// EventSource nobody references (SSE-55).

import { addListener, realGlobal } from "./realm.js";
import { countWindowStops } from "./failure.js";
import { release } from "./connection.js";

const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry(release) : null;

// Windows only: the connections that are not CLOSED. Holding them matches
// Chrome, which keeps an EventSource alive until it is CLOSED.
const live = new Set();
let hooked = false;

function hookPage() {
  hooked = true;
  countWindowStops();
  // SSE-54: a page entering the back/forward cache drops its connections
  // quietly; when it is restored, they reconnect unless CLOSED.
  addListener.call(realGlobal, "pagehide", (event) => {
    if (event.persisted) for (const c of live) c.suspend();
  });
  addListener.call(realGlobal, "pageshow", (event) => {
    if (event.persisted) for (const c of live) c.resume();
  });
}

// track follows a connection from its construction: owner is the object
// whose collection releases it.
export function track(owner, connection) {
  if (registry) registry.register(owner, connection.resources, connection.resources);
  if (!hooked && typeof realGlobal.PageTransitionEvent === "function") hookPage();
  if (hooked) live.add(connection);
}

// untrack forgets a connection that is CLOSED.
export function untrack(connection) {
  live.delete(connection);
  if (registry) registry.unregister(connection.resources);
}

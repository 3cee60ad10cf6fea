// The shared worker (eventsource-shared-worker.js): the connections of the
// shared option (hub.js), for every window of its origin that uses it
// (sharing.js). It loads the engine from the URL the first window asks for,
// by default eventsource.wasm next to itself.
//
// A query parameter of the worker's URL tunes it: heartbeat, the interval in
// ms (100..60000, default 2000) at which windows are pinged; one silent for
// three of them and at least 5 s (a crashed tab) is dropped.

import { config } from "./engine.js";
import { HEARTBEAT, Hub } from "./hub.js";
import { realGlobal } from "./realm.js";

const here = String(realGlobal.location && realGlobal.location.href);
let heartbeat = HEARTBEAT;
try {
  config.wasmURL = new URL("eventsource.wasm", here).href;
  const h = Number(new URL(here).searchParams.get("heartbeat"));
  if (h >= 100 && h <= 60000) heartbeat = h;
} catch (_) {
  // A worker without a location: the defaults.
}

const hub = new Hub({ heartbeat });
realGlobal.onconnect = (e) => hub.connect(e.ports[0]);

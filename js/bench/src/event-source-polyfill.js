// event-source-polyfill (Yaffle): its own EventSourcePolyfill class, not the
// `EventSource` export, which is the native one wherever the browser has it.
import { EventSourcePolyfill } from "event-source-polyfill";

(globalThis.BenchPeers ||= {})["event-source-polyfill"] = EventSourcePolyfill;

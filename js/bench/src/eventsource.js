// eventsource (npm): one universal build (fetch + eventsource-parser); it has
// no separate browser build, so esbuild bundles that one for the page.
import { EventSource } from "eventsource";

(globalThis.BenchPeers ||= {}).eventsource = EventSource;

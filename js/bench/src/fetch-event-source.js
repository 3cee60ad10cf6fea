// @microsoft/fetch-event-source: a function over fetch, not an EventTarget.
import { fetchEventSource } from "@microsoft/fetch-event-source";

(globalThis.BenchPeers ||= {})["fetch-event-source"] = fetchEventSource;

// eventsource-parser: the parser alone; the page drives it with fetch.
import { createParser } from "eventsource-parser";

(globalThis.BenchPeers ||= {})["eventsource-parser"] = createParser;

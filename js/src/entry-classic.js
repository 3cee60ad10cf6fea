// The classic script (<script src>, importScripts()): defines
// EventSourcePolyfill, EventSource where it is missing, and NativeEventSource
// where the browser has its own; nothing else (SSE-1).

import { config } from "./engine.js";
import { EventSource } from "./eventsource.js";
import { installGlobals } from "./install.js";
import { besideScript } from "./scripturl.js";

config.wasmURL = besideScript("eventsource.wasm");
installGlobals(EventSource, false);

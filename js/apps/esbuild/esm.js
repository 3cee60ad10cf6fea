// esbuild, format esm: the entry that makes the global EventSource the
// polyfill everywhere, so the standard name takes the extensions. esbuild
// does not copy files named by new URL(..., import.meta.url): build.mjs
// copies eventsource.wasm next to the bundle, the one step the README gives.
import "eventsource-wasm/global-replace";
import { run } from "../shared/run.js";

run(globalThis.EventSource, "esbuild-esm");

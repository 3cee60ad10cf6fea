// esbuild, format iife (its default with --bundle): import.meta is empty in
// the bundle, so the polyfill looks for eventsource.wasm next to the script;
// build.mjs copies it there, as the README says.
import { EventSource } from "eventsource-wasm";
import { run } from "../shared/run.js";

run(EventSource, "esbuild-iife");

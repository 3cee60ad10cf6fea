import test from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { readFileSync } from "node:fs";
import { routes, log, server, base, sse, sleep, until, record, DIST, captureErrors } from "./harness.mjs";
const errors = captureErrors();

test("engine load failure: each instance fails, console says why; a later one retries", async () => {
  const { EventSource: ES } = await import(DIST + "/eventsource-polyfill.mjs?fail");
  assert.match(ES.wasmURL, /^file:.*\/dist\/eventsource\.wasm$/);
  ES.wasmURL = base + "/missing.wasm";
  routes.set("/s", (q, r) => { sse(r); r.write("data: hi\n\n"); });
  const a = new ES(base + "/s"), b = new ES(base + "/s");
  const ea = record(a), eb = record(b);
  await until(() => a.readyState === 2 && b.readyState === 2);
  assert.deepEqual(ea.map(e => [e.type, e.state]), [["error", 2]]);
  assert.deepEqual(eb.map(e => [e.type, e.state]), [["error", 2]]);
  assert.equal(errors.filter(e => /missing\.wasm/.test(e) && /404/.test(e)).length, 2, errors.join("\n"));
  assert.equal(log.filter(l => l.path === "/missing.wasm").length, 1, "one load shared");
  // wrong MIME type still works (arrayBuffer fallback)
  ES.wasmURL = base + "/eventsource.wasm?ct=application/octet-stream";
  const c = new ES(base + "/s"); const ec = record(c);
  await until(() => ec.length === 2); c.close();
  assert.deepEqual(ec.map(e => e.type), ["open", "message"]);
});

test("classic script: globals and wasm URL from the stack", async () => {
  const src = readFileSync(DIST + "/eventsource-polyfill.js", "utf8");
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  vm.runInThisContext(src, { filename: base + "/dist/eventsource-polyfill.js" });
  const added = Object.getOwnPropertyNames(globalThis).filter(k => !before.has(k));
  assert.deepEqual(added.sort(), ["EventSource", "EventSourcePolyfill"]);
  const d = Object.getOwnPropertyDescriptor(globalThis, "EventSource");
  assert.deepEqual({ ...d, value: 0 }, { value: 0, writable: true, enumerable: false, configurable: true });
  assert.equal(globalThis.EventSource, globalThis.EventSourcePolyfill);
  assert.equal(EventSourcePolyfill.wasmURL, base + "/dist/eventsource.wasm");
  // loaded again: no NativeEventSource from our own copy
  const first = globalThis.EventSource;
  vm.runInThisContext(src, { filename: base + "/dist/eventsource-polyfill.js" });
  assert.equal(globalThis.EventSource, first);
  assert.equal("NativeEventSource" in globalThis, false);
  // a native one present
  delete globalThis.EventSource; delete globalThis.EventSourcePolyfill;
  const Native = class EventSource {}; globalThis.EventSource = Native;
  vm.runInThisContext(src, { filename: base + "/dist/eventsource-polyfill.js" });
  assert.equal(globalThis.EventSource, Native);
  assert.equal(globalThis.NativeEventSource, Native);
  assert.notEqual(globalThis.EventSourcePolyfill, Native);
  // it works, with no leaked glue globals
  EventSourcePolyfill.wasmURL = base + "/eventsource.wasm";
  routes.set("/c", (q, r) => { sse(r); r.write("data: classic\n\n"); });
  const es = new EventSourcePolyfill(base + "/c"); const ev = record(es);
  await until(() => ev.length === 2); es.close();
  assert.equal(ev[1].data, "classic");
  for (const k of ["Go", "fs", "path", "__eventsourceWasm"]) assert.equal(k in globalThis, false, k);
});

test("preload() loads the engine before any EventSource, once", async () => {
  const { EventSource: P } = await import(DIST + "/eventsource-polyfill.mjs?preload");
  P.wasmURL = base + "/eventsource.wasm?preload";
  const before = log.filter((l) => l.path === "/eventsource.wasm").length;
  await P.preload();
  await P.preload();
  assert.equal(log.filter((l) => l.path === "/eventsource.wasm").length, before + 1);
  routes.set("/pre", (q, r) => { sse(r); r.write("data: pre\n\n"); });
  const es = new P(base + "/pre"); const ev = record(es);
  await until(() => ev.length >= 2); es.close();
  assert.equal(log.filter((l) => l.path === "/eventsource.wasm").length, before + 1, "the EventSource used the preloaded engine");
  const { EventSource: Q } = await import(DIST + "/eventsource-polyfill.mjs?preload-fail");
  Q.wasmURL = base + "/missing.wasm";
  await assert.rejects(Q.preload(), /404/);
});

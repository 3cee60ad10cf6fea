// The npm package's folder as `make build` lays it out (dist/package): the
// default engine URL read from the file system, and the globals of the
// "global" and "global-replace" entries. The packed tarball, installed into
// apps, is tested by e2e/apps_test.go.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { server, base, routes, sse, until, record, DIST } from "./harness.mjs";
test.after(() => { server.close(); server.closeAllConnections(); });
const PKG = DIST + "/package";

test("manifest: every export exists and has its types", () => {
  const pkg = JSON.parse(readFileSync(PKG + "/package.json", "utf8"));
  assert.equal(pkg.name, "eventsource-wasm");
  assert.equal(pkg.license, "MIT");
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const files = typeof target === "string" ? [target] : [target.types, target.default];
    if (typeof target !== "string") assert.ok(target.types, `${entry} has types`);
    for (const f of files) assert.ok(readFileSync(PKG + "/" + f).length > 0, `${entry}: ${f}`);
  }
});

test("the default engine URL is the package's file, read with the file system", async () => {
  const { EventSource: ES } = await import(PKG + "/eventsource-polyfill.mjs");
  assert.equal(ES.wasmURL, new URL("file://" + PKG + "/eventsource.wasm").href);
  assert.equal(ES.sharedWorkerURL, new URL("file://" + PKG + "/eventsource-shared-worker.js").href, "the shared worker ships beside it");
  routes.set("/pkg", (q, r) => { sse(r); r.write("data: from the package\n\n"); });
  const es = new ES(base + "/pkg"); const ev = record(es);
  await until(() => ev.length === 2); es.close();
  assert.deepEqual(ev.map((e) => e.type + " " + (e.data ?? "")), ["open ", "message from the package"]);
});

test("global: EventSource only where missing; global-replace: everywhere, the native kept", async () => {
  const { EventSource: ES } = await import(PKG + "/eventsource-polyfill.mjs");
  const saved = Object.getOwnPropertyDescriptors(globalThis);
  const reset = () => { for (const k of ["EventSource", "EventSourcePolyfill", "NativeEventSource"]) delete globalThis[k]; };
  try {
    reset();
    const g = await import(PKG + "/global.mjs?missing");
    assert.equal(g.EventSource, ES, "one class whichever entry");
    assert.equal(globalThis.EventSource, ES);
    assert.equal(globalThis.EventSourcePolyfill, ES);
    assert.equal("NativeEventSource" in globalThis, false);
    assert.equal(Object.getOwnPropertyDescriptor(globalThis, "EventSource").enumerable, false);

    reset();
    const Native = class EventSource {};
    globalThis.EventSource = Native;
    await import(PKG + "/global.mjs?native");
    assert.equal(globalThis.EventSource, Native, "the native one is kept");
    assert.equal(globalThis.NativeEventSource, Native);
    assert.equal(globalThis.EventSourcePolyfill, ES);

    reset();
    globalThis.EventSource = Native;
    await import(PKG + "/global-replace.mjs?native");
    assert.equal(globalThis.EventSource, ES, "replaced");
    assert.equal(globalThis.NativeEventSource, Native);
    assert.equal(globalThis.EventSourcePolyfill, ES);
  } finally {
    reset();
    for (const k of ["EventSource", "EventSourcePolyfill", "NativeEventSource"]) if (saved[k]) Object.defineProperty(globalThis, k, saved[k]);
  }
});

// Failure isolation under Node: a dying engine, a stuck engine load, bad
// options and a hostile page never take other streams down, never hang, and
// never throw into the page (issue 10).
import test from "node:test";
import assert from "node:assert/strict";
import { routes, log, server, base, sse, sleep, until, record, DIST } from "./harness.mjs";
const mod = await import(DIST + "/eventsource-polyfill.mjs?isolation");
const ES = mod.EventSource;
ES.wasmURL = base + "/eventsource.wasm";
const debug = (cmd) => ES[Symbol.for("eventsource-wasm.debug")](cmd);
const errors = [];
const uncaught = [];
const origError = console.error, origDebug = console.debug;
console.error = (...a) => { errors.push(a.map(String).join(" ")); };
console.debug = () => {};
process.on("uncaughtException", (e) => uncaught.push(e));
process.on("unhandledRejection", (e) => uncaught.push(e));
test.after(() => { server.close(); server.closeAllConnections(); console.error = origError; console.debug = origDebug; });

// A numbered stream with ids that resumes after Last-Event-ID.
function numbered(path) {
  routes.set(path, (q, r) => {
    sse(r);
    let n = Number(q.headers["last-event-id"] || 0);
    r.write("retry: 20\n\n");
    const tick = setInterval(() => { n++; r.write(`id: ${n}\ndata: ${n}\n\n`); }, 10);
    r.on("close", () => clearInterval(tick));
  });
}

test("an engine that dies: every instance reconnects on a fresh one, exactly once, nothing uncaught", async () => {
  numbered("/n1"); numbered("/n2");
  const a = new ES(base + "/n1"), b = new ES(base + "/n2");
  const ea = record(a), eb = record(b);
  await until(() => ea.length > 5 && eb.length > 5);
  errors.length = 0;
  const before = await debug();
  const dead = await debug("crash");
  assert.ok(dead && dead.memory, "the crash hook answers with the dead engine's memory");
  await until(() => ea.filter((e) => e.type === "open").length === 2 && eb.filter((e) => e.type === "open").length === 2, 5000);
  const seen = ea.length;
  await until(() => ea.length > seen + 5);
  a.close(); b.close();
  for (const ev of [ea, eb]) {
    const kinds = ev.filter((e) => e.type !== "message").map((e) => `${e.type}${e.state}`);
    assert.deepEqual(kinds, ["open1", "error0", "open1"], "open, error in CONNECTING, open");
    const ids = ev.filter((e) => e.type === "message").map((e) => Number(e.data));
    assert.deepEqual(ids, ids.map((_, i) => i + 1), "every event exactly once, in order");
  }
  const resumed = log.filter((l) => l.path === "/n1").map((l) => l.headers["last-event-id"]);
  assert.equal(resumed.length, 2);
  assert.ok(Number(resumed[1]) > 0, "the reconnection sends the last event ID");
  assert.equal(errors.filter((e) => /engine stopped/.test(e)).length, 1, errors.join("\n"));
  assert.deepEqual(uncaught, []);
  assert.notEqual((await debug()).memory.deref(), before.memory.deref(), "a fresh engine");
  assert.equal(typeof globalThis.gc, "function", "run with node --expose-gc (make test-js does)");
  await until(() => { globalThis.gc(); return dead.memory.deref() === undefined; }, 5000);
});

test("a stuck engine load fails every waiting instance within loadTimeout, and a later one retries", async () => {
  const mod2 = await import(DIST + "/eventsource-polyfill.mjs?stuck");
  const P = mod2.EventSource;
  routes.set("/stuck.wasm", () => {}); // never answers
  routes.set("/s", (q, r) => { sse(r); r.write("data: hi\n\n"); });
  P.wasmURL = base + "/stuck.wasm";
  assert.throws(() => { P.loadTimeout = 0; }, TypeError);
  P.loadTimeout = 500;
  errors.length = 0;
  const t0 = Date.now();
  const a = new P(base + "/s"), b = new P(base + "/s");
  const ea = record(a), eb = record(b);
  await until(() => a.readyState === 2 && b.readyState === 2, 5000);
  assert.ok(Date.now() - t0 < 3000, `failed after ${Date.now() - t0} ms`);
  assert.deepEqual(ea.map((e) => [e.type, e.state]), [["error", 2]]);
  assert.deepEqual(eb.map((e) => [e.type, e.state]), [["error", 2]]);
  assert.equal(errors.filter((e) => /stuck\.wasm/.test(e) && /500 ms/.test(e)).length, 2, errors.join("\n"));
  P.wasmURL = base + "/eventsource.wasm";
  const c = new P(base + "/s"); const ec = record(c);
  await until(() => ec.length === 2); c.close();
  assert.deepEqual(ec.map((e) => e.type), ["open", "message"]);
});

test("a missing dictionary is empty: Object.prototype cannot add options", async () => {
  routes.set("/plain-get", (q, r) => { sse(r); r.end("data: x\n\n"); });
  Object.prototype.headers = { "X-Injected": "1" };
  Object.prototype.method = "PUT";
  Object.prototype.withCredentials = true;
  Object.prototype.reconnect = false;
  let es;
  try {
    es = new ES(base + "/plain-get");
  } finally {
    delete Object.prototype.headers; delete Object.prototype.method;
    delete Object.prototype.withCredentials; delete Object.prototype.reconnect;
  }
  const ev = record(es);
  await until(() => ev.length >= 2); es.close();
  assert.equal(es.withCredentials, false);
  const req = log.findLast((l) => l.path === "/plain-get");
  assert.equal(req.method, "GET");
  assert.equal(req.headers["x-injected"], undefined);
});

test("size options are bounded to what the engine can hold", () => {
  for (const v of [2 ** 40, 2 ** 28 + 1, 0, -1, 1.5, NaN, "1"]) {
    assert.throws(() => new ES(base + "/x", { maxLineSize: v }), (e) => e instanceof TypeError && /maxLineSize/.test(e.message), String(v));
    assert.throws(() => new ES(base + "/x", { maxEventSize: v }), (e) => e instanceof TypeError && /maxEventSize/.test(e.message), String(v));
  }
  new ES(base + "/x", { maxLineSize: 2 ** 28, maxEventSize: 2 ** 28 }).close();
});

test("a URL longer than 2 MiB fails once, without retrying", async () => {
  errors.length = 0;
  const es = new ES(base + "/long?" + "x".repeat(2 << 20)); const ev = record(es);
  await until(() => es.readyState === 2);
  await sleep(100);
  assert.deepEqual(ev.map((e) => [e.type, e.state]), [["error", 2]]);
  assert.equal(errors.filter((e) => /2097152/.test(e)).length, 1, errors.join("\n"));
});

// The shared option under Node: the window side (sharing.js, in the polyfill
// module) and the worker side (hub.js, in eventsource-shared-worker.js)
// talking over MessageChannels, with the real engine. Each "window" is a copy
// of the module (a distinct query string), as each tab has its own realm;
// SharedWorker is a stand-in that connects a MessageChannel to the worker
// script, which runs in this realm with its own engine. The browser suite
// (e2e/shared_test.go) checks the same with real tabs.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { routes, log, server, base, sse, sleep, until as untilIn, record as recordOf, DIST } from "./harness.mjs";

// A window's engine loads in each copy of the module and in the worker:
// waits are long enough for a loaded machine. Every instance recorded is
// closed at the end, so that a failed test cannot keep the process alive.
const until = (fn, ms = 15000) => untilIn(fn, ms);
const made = [];
const record = (es) => (made.push(es), recordOf(es));

// The worker script, run here: it sets globalThis.onconnect, and reads its
// heartbeat from its URL (200 ms here, so that a vanished window goes fast).
globalThis.location = { href: "http://worker.invalid/eventsource-shared-worker.js?heartbeat=200" };
vm.runInThisContext(readFileSync(DIST + "/eventsource-shared-worker.js", "utf8"), { filename: "eventsource-shared-worker.js" });
delete globalThis.location;
const onconnect = globalThis.onconnect;
delete globalThis.onconnect;

// The ports of each window, so that a test can make a window vanish the way
// a crashed tab does: its port goes quiet.
const windows = [];
let workerStarts = 0;
class FakeSharedWorker extends EventTarget {
  constructor(url, opts) {
    super();
    workerStarts++;
    assert.match(url, /\/eventsource-shared-worker\.js$/);
    assert.match(opts.name, /^eventsource-wasm\/1(#\d+)?$/);
    const ch = new MessageChannel();
    this.port = ch.port2;
    this.url = url;
    windows.push(ch);
    onconnect({ ports: [ch.port1] });
  }
}
globalThis.SharedWorker = FakeSharedWorker;

// A window: a fresh copy of the module, whose SharedWorker is the stand-in.
let copies = 0;
async function openWindow() {
  const mod = await import(DIST + "/eventsource-polyfill.mjs?shared-window-" + ++copies);
  mod.EventSource.wasmURL = base + "/eventsource.wasm";
  return mod.EventSource;
}
const debugOf = (ES, cmd) => ES[Symbol.for("eventsource-wasm.debug")](cmd);

const errors = [];
const origError = console.error;
console.error = (...a) => { errors.push(a.map(String).join(" ")); };
test.after(() => {
  for (const es of made) es.close();
  for (const ch of windows) { ch.port1.close(); ch.port2.close(); }
  server.close(); server.closeAllConnections(); console.error = origError;
});

// A stream of numbered events every 10 ms that resumes after Last-Event-ID;
// with ?drop=N each connection ends after N events.
function numbered(path) {
  routes.set(path, (q, r, u) => {
    sse(r);
    let n = Number(q.headers["last-event-id"] || 0);
    const drop = Number(u.searchParams.get("drop") || 0);
    r.write("retry: 20\n\n");
    let sent = 0;
    const tick = setInterval(() => {
      n++; sent++;
      r.write(`id: ${n}\ndata: ${n}\n\n`);
      if (drop && sent === drop) { clearInterval(tick); r.end(); }
    }, 10);
    r.on("close", () => clearInterval(tick));
  });
}
// untilAsync waits for an async condition.
async function untilAsync(fn, ms = 15000) {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return;
    if (Date.now() - t0 > ms) throw new Error("timeout waiting for " + fn);
    await sleep(10);
  }
}
const requests = (path) => log.filter((l) => l.path === path);
const messages = (ev) => ev.filter((e) => e.type === "message").map((e) => Number(e.data));

const A = await openWindow();
const B = await openWindow();

test("two windows share one connection; each instance gets open then the events from when it joined, in its realm", async () => {
  numbered("/s1");
  const a = new A(base + "/s1", { shared: true });
  const ea = record(a);
  await until(() => messages(ea).length >= 3);
  const b = new B(base + "/s1", { shared: true });
  const eb = record(b);
  await until(() => messages(eb).length >= 3);
  assert.equal(requests("/s1").length, 1, "one request for both: " + JSON.stringify([ea.filter((e) => e.type !== "message"), eb.filter((e) => e.type !== "message"), errors, workerStarts]));
  assert.equal(eb[0].type, "open");
  assert.equal(eb[0].state, 1);
  const first = messages(eb)[0];
  assert.ok(first > 1, "the joiner gets the events from when it joined");
  assert.deepEqual(messages(eb), messages(ea).slice(messages(ea).indexOf(first), messages(ea).indexOf(first) + messages(eb).length));
  assert.equal(eb[1].cls, "MessageEvent");
  assert.equal(eb[1].origin, base);
  assert.ok(Number(b.lastEventId) >= messages(eb).at(-1), "lastEventId is the connection's");
  a.close();
  const seen = messages(eb).length;
  await until(() => messages(eb).length > seen + 3);
  assert.equal(a.readyState, 2);
  assert.equal(b.readyState, 1, "close() detaches that instance only");
  b.close();
  await untilAsync(async () => (await debugOf(A, "shared")).groups === 0);
  const d = await debugOf(A, "shared");
  assert.equal(d.members, 0);
  assert.equal(d.engine.connections, 0, "the last one leaving closes the connection");
  assert.equal(requests("/s1").length, 1);
  assert.equal(workerStarts, 2, "one port per window");
});

test("a drop reconnects once for everyone with Last-Event-ID; every instance sees the same sequence, exactly once", async () => {
  numbered("/s2");
  const insts = [new A(base + "/s2?drop=5", { shared: true }), new A(base + "/s2?drop=5", { shared: true }), new B(base + "/s2?drop=5", { shared: true })];
  const evs = insts.map((es) => record(es));
  await until(() => evs.every((ev) => messages(ev).length >= 12));
  for (const es of insts) es.close();
  assert.equal(requests("/s2").length, 3, "two reconnections, each made once");
  assert.deepEqual(requests("/s2").map((l) => l.headers["last-event-id"]), [undefined, "5", "10"]);
  for (const ev of evs) {
    const n = messages(ev);
    assert.deepEqual(n, n.map((_, i) => i + 1), "every event exactly once, in order");
    assert.deepEqual(ev.filter((e) => e.type !== "message").slice(0, 5).map((e) => e.type + e.state), ["open1", "error0", "open1", "error0", "open1"]);
  }
});

test("instances with different options do not share; an option that cannot be shared throws", async () => {
  numbered("/s3");
  const a = new A(base + "/s3", { shared: true, headers: { "x-a": "1" } });
  const b = new B(base + "/s3", { shared: true, headers: { "x-a": "2" } });
  const c = new B(base + "/s3", { shared: "other group", headers: { "x-a": "1" } });
  const d = new B(base + "/s3", { shared: true, headers: { "X-A": "1" } });
  const [ea, eb, ec, ed] = [a, b, c, d].map((es) => record(es));
  await until(() => [ea, eb, ec, ed].every((ev) => messages(ev).length >= 1));
  for (const es of [a, b, c, d]) es.close();
  assert.deepEqual(requests("/s3").map((l) => l.headers["x-a"]).sort(), ["1", "1", "2"], "a and d share (header names are case-insensitive), b and c do not");
  assert.throws(() => new A(base + "/s3", { shared: true, fetch: (r) => fetch(r) }), (e) => e instanceof TypeError && /'fetch' option/.test(e.message));
  assert.throws(() => new A(base + "/s3", { shared: true, method: "POST", body: new Uint8Array(1) }), (e) => e instanceof TypeError && /'body' option/.test(e.message));
  assert.throws(() => new A(base + "/s3", { shared: "" }), TypeError);
  assert.throws(() => new A(base + "/s3", { shared: 1 }), TypeError);
});

test("a headers function: the window of the oldest member calls its own per attempt; when it goes, the next one's", async () => {
  const seen = [];
  routes.set("/s4", (q, r) => { seen.push(q.headers.authorization); sse(r); r.end(`retry: 20\nid: ${seen.length}\ndata: ${seen.length}\n\n`); });
  const calls = { a: [], b: [] };
  // The same source text (the sharing key has it), different closures.
  const mk = (name) => (attempt) => { calls[name].push(attempt); return { Authorization: `Bearer ${name}${calls[name].length}` }; };
  const a = new A(base + "/s4", { shared: true, headers: mk("a") });
  const ea = record(a);
  await until(() => messages(ea).length >= 2);
  const b = new B(base + "/s4", { shared: true, headers: mk("b") });
  const eb = record(b);
  await until(() => messages(eb).length >= 2);
  assert.equal(calls.b.length, 0, "only the oldest member's window calls its function");
  a.close();
  await until(() => calls.b.length >= 2);
  b.close();
  assert.match(seen[0], /^Bearer a1$/);
  assert.match(seen.at(-1), /^Bearer b/);
  assert.equal(new Set(seen).size, seen.length, "a fresh result for every attempt");
  assert.deepEqual(Object.keys(calls.b[0]).sort(), ["attempt", "lastEventId", "sameOrigin", "url"]);
  assert.equal(calls.b[0].url, base + "/s4");
  assert.equal(calls.b[0].sameOrigin, true);
  assert.ok(Number(calls.b[0].lastEventId) > 0, "told the Last-Event-ID of the attempt");
  assert.equal(requests("/s4").length, seen.length);

  // Another function (another source text) does not share; one that throws
  // fails its connection with reason "request", in every window.
  routes.set("/s4b", (q, r) => { sse(r); r.end("data: x\n\n"); });
  const c = new A(base + "/s4b", { shared: true, headers: () => { throw new Error("no token"); } });
  const ec = record(c);
  const reasons = [];
  c.addEventListener("error", (e) => reasons.push(e.reason));
  errors.length = 0;
  await until(() => c.readyState === 2);
  assert.deepEqual(ec.map((e) => e.type + e.state), ["error2"]);
  assert.deepEqual(reasons, ["request"]);
  assert.ok(errors.some((e) => /cannot request .*no token/.test(e)), errors.join("\n"));
  assert.equal(requests("/s4b").length, 0);
});

test("a window that stops answering is dropped by the heartbeat, and the connection closes when it was the last", async () => {
  numbered("/s5");
  const C = await openWindow();
  const c = new C(base + "/s5", { shared: true });
  const ec = record(c);
  await until(() => messages(ec).length >= 2);
  // The window vanishes without a word, as a crashed tab does.
  windows.at(-1).port2.close();
  c.close(); // its leave is lost with the port
  await untilAsync(async () => (await debugOf(A, "shared")).groups === 0, 15000);
  assert.equal((await debugOf(A, "shared")).engine.connections, 0);
});

test("without SharedWorker, or when it cannot start, each instance connects on its own, the same way", async () => {
  numbered("/s6");
  const Saved = globalThis.SharedWorker;
  delete globalThis.SharedWorker;
  const D = await openWindow();
  globalThis.SharedWorker = class extends EventTarget { constructor() { super(); throw new DOMException("blocked", "SecurityError"); } };
  const E = await openWindow();
  globalThis.SharedWorker = Saved;
  const x = new D(base + "/s6", { shared: true }), y = new E(base + "/s6", { shared: true });
  const ex = record(x), ey = record(y);
  await until(() => messages(ex).length >= 3 && messages(ey).length >= 3);
  x.close(); y.close();
  assert.equal(requests("/s6").length, 2, "a connection each");
  assert.equal(ex[0].type + ex[0].state, "open1");
  assert.equal(await debugOf(D, "shared"), null);
});

test("the messages: hello first, open, one events message per batch for all the window's members, held back after 8 unacknowledged; a member that joins again gets what it missed", async () => {
  routes.set("/s7", (q, r) => {
    sse(r);
    let n = 0;
    const tick = setInterval(() => { n++; r.write(`id: ${n}\ndata: ${n}\n\n`); }, 5);
    r.on("close", () => clearInterval(tick));
  });
  const ch = new MessageChannel();
  windows.push(ch);
  const got = [];
  ch.port2.onmessage = (e) => {
    got.push(e.data);
    if (e.data.t === "ping") ch.port2.postMessage({ t: "pong" });
  };
  onconnect({ ports: [ch.port1] });
  const init = { url: base + "/s7", options: {}, headersFunction: false };
  for (const id of [1, 2]) ch.port2.postMessage({ t: "join", id, key: "raw /s7", init, wasmURL: base + "/eventsource.wasm", loadTimeout: 30000 });
  const events = () => got.filter((m) => m.t === "events");
  await until(() => events().length >= 9);
  await sleep(300); // nothing more comes while the window is 9 behind
  assert.equal(events().length, 9, "WINDOW (8) unacknowledged, and the one that went over");
  assert.deepEqual(got[0], { t: "hello", v: 1, heartbeat: 200 });
  assert.deepEqual(got.find((m) => m.t === "open"), { t: "open", ids: [1, 2], origin: base, lastEventId: "", reconnectionTime: 3000 });
  const first = events()[0];
  assert.deepEqual(first.ids, [1, 2], "one message for both members of the window");
  assert.equal(first.lastEventId, "1");
  assert.equal(typeof first.result, "string");
  for (let i = 0; i < 9; i++) ch.port2.postMessage({ t: "ack" });
  await until(() => events().length >= 12);
  // A member that joins again gets the batches it missed, after the one
  // that ended with its last event ID; a new member gets none of them.
  const seen = events().length;
  const from = events()[5];
  ch.port2.postMessage({ t: "join", id: 3, key: "raw /s7", init, lastEventId: from.lastEventId, reconnectionTime: 3000, rejoin: true });
  ch.port2.postMessage({ t: "join", id: 4, key: "raw /s7", init, lastEventId: from.lastEventId, reconnectionTime: 3000, rejoin: false });
  await until(() => got.filter((m) => m.t === "open" && m.ids[0] === 4).length === 1);
  const replayed = got.filter((m) => m.t === "events" && m.ids.length === 1 && m.ids[0] === 3);
  assert.ok(replayed.length >= seen - 6, `replayed ${replayed.length}`);
  assert.deepEqual(replayed.slice(0, seen - 6).map((m) => m.result), events().slice(6, seen).map((m) => m.result));
  assert.equal(got.filter((m) => m.t === "events" && m.ids.length === 1 && m.ids[0] === 4).length, 0);
  for (let i = 0; i < 100; i++) ch.port2.postMessage({ t: "ack" });
  ch.port2.postMessage({ t: "leave", id: 1 });
  ch.port2.postMessage({ t: "bye" });
  await untilAsync(async () => (await debugOf(A, "shared")).groups === 0);
  assert.equal(requests("/s7").length, 1);
  ch.port2.close();
});

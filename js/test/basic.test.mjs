// The shim with the real wasm engine under Node 20 (fetch, streams,
// EventTarget, MessageEvent), against a local node:http server. The browser
// suite in e2e/ compares with native EventSource; these check the API's shape
// and the shim's own rules quickly, without a browser. Short sleeps appear
// only where a test asserts that nothing more arrives.
import test from "node:test";
import assert from "node:assert/strict";
import { routes, log, server, base, sse, sleep, until, record, DIST, captureErrors } from "./harness.mjs";
const mod = await import(DIST + "/eventsource-polyfill.mjs");
const ES = mod.EventSource;
ES.wasmURL = base + "/eventsource.wasm";
const errors = captureErrors();

test("exports", () => {
  assert.equal(mod.default, ES);
  assert.equal(mod.EventSourcePolyfill, ES);
  assert.equal(ES.name, "EventSource");
  assert.equal(ES.length, 1);
  assert.equal(Object.getPrototypeOf(ES.prototype), EventTarget.prototype);
  assert.equal(Object.prototype.toString.call(new ES(base + "/none").close() ?? ES.prototype), "[object EventSource]");
});

test("shape", () => {
  for (const o of [ES, ES.prototype]) for (const [k, v] of [["CONNECTING", 0], ["OPEN", 1], ["CLOSED", 2]]) {
    assert.deepEqual(Object.getOwnPropertyDescriptor(o, k), { value: v, writable: false, enumerable: true, configurable: false });
  }
  for (const k of ["url", "withCredentials", "readyState", "lastEventId", "reconnectionTime"]) {
    const d = Object.getOwnPropertyDescriptor(ES.prototype, k);
    assert.equal(typeof d.get, "function"); assert.equal(d.set, undefined); assert.equal(d.enumerable, true); assert.equal(d.configurable, true);
    assert.throws(() => d.get.call({}), TypeError);
  }
  for (const k of ["onopen", "onmessage", "onerror"]) {
    const d = Object.getOwnPropertyDescriptor(ES.prototype, k);
    assert.equal(typeof d.set, "function"); assert.equal(d.enumerable, true);
    assert.throws(() => d.get.call({}), TypeError);
  }
  for (const k of ["close", "reset"]) {
    assert.throws(() => ES.prototype[k].call({}), TypeError);
    assert.equal(Object.getOwnPropertyDescriptor(ES.prototype, k).enumerable, true);
  }
  assert.equal(typeof ES.fromReadableStream, "function");
  const es = new ES(base + "/none");
  assert.deepEqual(Object.getOwnPropertyNames(es), []);
  // SSE-9 as superseded by whatwg/html PR #12272: the getters are there.
  assert.equal(es.lastEventId, ""); assert.ok(es.reconnectionTime > 0);
  es.close();
  assert.deepEqual(Object.keys(ES.prototype).sort(), ["CLOSED", "CONNECTING", "OPEN", "close", "lastEventId", "onerror", "onmessage", "onopen", "readyState", "reconnectionTime", "reset", "url", "withCredentials"]);
});

test("constructor argument rules", () => {
  assert.throws(() => ES(base), TypeError);
  assert.throws(() => new ES(), TypeError);
  assert.throws(() => new ES("http://this is invalid/"), (e) => e instanceof DOMException && e.name === "SyntaxError" && e.code === 12);
  assert.throws(() => new ES(base, 5), TypeError);
  assert.throws(() => new ES(base, "x"), TypeError);
  assert.throws(() => new ES(Symbol()), TypeError);
  assert.throws(() => new ES({ toString() { throw new RangeError("boom"); } }), RangeError);
  const a = new ES({ toString: () => base + "/obj" }, null); assert.equal(a.url, base + "/obj"); a.close();
  const b = new ES(base + "/x#frag", undefined); assert.equal(b.url, base + "/x#frag"); assert.equal(b.withCredentials, false); b.close();
  const c = new ES(base, { withCredentials: 1 }); assert.equal(c.withCredentials, true); c.close();
  const d = new ES(base, () => {}); d.close();
  for (const [opt, bad] of [["headers", "x"], ["headers", 5], ["headers", { "bad header": "x" }], ["method", 5], ["method", "CONNECT"], ["method", "a b"], ["reconnect", "yes"], ["maxLineSize", 0], ["maxLineSize", 1.5], ["maxEventSize", "10"], ["strictCharset", 1],
    ["backoff", 5], ["backoff", { factor: 0.5 }], ["backoff", { max: -1 }], ["backoff", { jitter: 1 }], ["fetch", {}], ["inactivityTimeout", 0], ["inactivityTimeout", "5"],
    ["lastEventId", 7], ["lastEventId", "a\nb"], ["lastEventIdParam", ""], ["maxAttempts", 0], ["maxAttempts", 2.5], ["retryStatuses", 503], ["retryStatuses", [200]],
    ["retryStatuses", [99]], ["signal", {}], ["signal", "x"]]) {
    assert.throws(() => new ES(base, { [opt]: bad }), (e) => e instanceof TypeError && e.message.includes(`'${opt}`), opt + "=" + String(bad));
  }
  assert.throws(() => new ES(base, { body: "x" }), (e) => e instanceof TypeError && e.message.includes("'body'"));
  assert.throws(() => new ES(base, { method: "head", body: "x" }), TypeError);
  assert.throws(() => new ES(base, { method: "POST", body: new ReadableStream(), reconnect: true }), TypeError);
  const order = [];
  const init = new Proxy({}, { get(t, k) { order.push(k); return undefined; } });
  new ES(base, init).close();
  assert.deepEqual(order, ["backoff", "body", "dispatch", "fetch", "headers", "inactivityTimeout", "lastEventId", "lastEventIdParam", "maxAttempts",
    "maxEventSize", "maxLineSize", "method", "reconnect", "retryStatuses", "shared", "signal", "strictCharset", "withCredentials"]);
});

test("close before the zero-delay task: no request, no event", async () => {
  let hits = 0; routes.set("/never", (q, r) => { hits++; sse(r); r.end(); });
  const es = new ES(base + "/never"); const ev = record(es);
  assert.equal(es.readyState, 0);
  es.close(); assert.equal(es.readyState, 2);
  await sleep(100); assert.equal(hits, 0); assert.deepEqual(ev, []);
});

test("messages, types, ids, origin, ordering", async () => {
  routes.set("/basic", (q, r) => { sse(r); r.write("\uFEFFdata: hello\n\nevent: ping\ndata: a\ndata: b\nid: 42\n\n: comment\ndata:x\r\n\r\nevent: error\ndata: e\n\n"); });
  const es = new ES(base + "/basic"); const ev = record(es, ["open", "message", "error", "ping"]);
  assert.equal(es.readyState, 0);
  await until(() => ev.length >= 5);
  es.close();
  assert.deepEqual(ev.map(e => [e.type, e.state, e.data, e.id, e.cls]), [
    ["open", 1, undefined, undefined, "Event"],
    ["message", 1, "hello", "", "MessageEvent"],
    ["ping", 1, "a\nb", "42", "MessageEvent"],
    ["message", 1, "x", "42", "MessageEvent"],
    ["error", 1, "e", "42", "MessageEvent"],
  ]);
  assert.equal(ev[1].origin, base);
  const req = log.findLast(l => l.path === "/basic");
  assert.equal(req.headers.accept, "text/event-stream");
  assert.equal(req.headers["last-event-id"], undefined);
});

test("open event is plain, not bubbling, not cancelable; message fields", async () => {
  routes.set("/plain", (q, r) => { sse(r); r.write("data: 1\n\n"); });
  const es = new ES(base + "/plain");
  const [o, m] = await new Promise((res) => { let o; es.onopen = (e) => { o = e; }; es.onmessage = (e) => res([o, e]); });
  es.close();
  assert.equal(o.bubbles, false); assert.equal(o.cancelable, false); assert.equal("data" in o, false);
  assert.equal(m.bubbles, false); assert.equal(m.cancelable, false); assert.equal(m.source, null); assert.deepEqual(m.ports, []);
});

test("microtasks of one listener run before the next event", async () => {
  routes.set("/micro", (q, r) => { sse(r); r.write("data: 1\n\ndata: 2\n\ndata: 3\n\n"); });
  const es = new ES(base + "/micro"); const seen = [];
  es.onmessage = (e) => { seen.push("e" + e.data); queueMicrotask(() => seen.push("m" + e.data)); };
  await until(() => seen.length === 6); es.close();
  assert.deepEqual(seen, ["e1", "m1", "e2", "m2", "e3", "m3"]);
});

test("close() in a listener drops the rest of the batch; close in onopen drops all", async () => {
  routes.set("/batch", (q, r) => { sse(r); r.write("data: 1\n\ndata: 2\n\ndata: 3\n\n"); });
  const es = new ES(base + "/batch"); const seen = [];
  es.onmessage = (e) => { seen.push(e.data); if (e.data === "2") es.close(); };
  await until(() => es.readyState === 2); await sleep(50);
  assert.deepEqual(seen, ["1", "2"]);
  const es2 = new ES(base + "/batch"); const ev2 = record(es2);
  es2.onopen = () => es2.close();
  await until(() => es2.readyState === 2); await sleep(50);
  assert.deepEqual(ev2.map(e => e.type), ["open"]);
});

test("event handler attribute semantics", async () => {
  routes.set("/attr", (q, r) => { sse(r); r.write("data: 1\n\n"); setTimeout(() => r.write("data: 2\n\n"), 100); });
  const es = new ES(base + "/attr"); const seen = [];
  assert.equal(es.onmessage, null);
  const f1 = () => seen.push("f1"), f2 = () => seen.push("f2");
  es.onmessage = f1;
  es.addEventListener("message", () => seen.push("L"));
  es.onmessage = f2; // keeps first position
  assert.equal(es.onmessage, f2);
  es.onerror = 5; assert.equal(es.onerror, null);
  const obj = {}; es.onopen = obj; assert.equal(es.onopen, obj); es.onopen = null;
  await until(() => seen.length === 2);
  assert.deepEqual(seen, ["f2", "L"]);
  es.onmessage = null; es.onmessage = f1; // now at the end
  es.addEventListener("message", function () { seen.push("this:" + (this === es)); });
  await until(() => seen.length === 5); es.close();
  assert.deepEqual(seen.slice(2), ["L", "f1", "this:true"]);
});

test("reconnect after EOF with retry, Last-Event-ID as UTF-8 bytes, error with CONNECTING", async () => {
  let n = 0;
  routes.set("/re", (q, r) => { n++; sse(r); if (n === 1) r.end("retry: 50\nid: \u2026\ndata: a\n\n"); else if (n === 2) r.end("data: b\n\n"); else r.end("id\ndata: c\n\n"); });
  const es = new ES(base + "/re"); const ev = record(es);
  await until(() => ev.filter(e => e.type === "open").length === 4); es.close();
  assert.deepEqual(ev.slice(0, 9).map(e => [e.type, e.state, e.data ?? null, e.id ?? null]), [
    ["open", 1, null, null], ["message", 1, "a", "\u2026"], ["error", 0, null, null],
    ["open", 1, null, null], ["message", 1, "b", "\u2026"], ["error", 0, null, null],
    ["open", 1, null, null], ["message", 1, "c", ""], ["error", 0, null, null],
  ]);
  const reqs = log.filter(l => l.path === "/re");
  assert.equal(reqs[0].headers["last-event-id"], undefined);
  assert.equal(Buffer.from(reqs[1].headers["last-event-id"], "latin1").toString("utf8"), "\u2026");
  assert.equal(Buffer.from(reqs[2].headers["last-event-id"], "latin1").toString("utf8"), "\u2026");
  assert.equal(reqs[3].headers["last-event-id"], undefined);
});

test("status and MIME failures: error, CLOSED, console message", async () => {
  for (const [path, status, ct] of [["/204", 204, "text/event-stream"], ["/404", 404, "text/event-stream"], ["/txt", 200, "text/plain"], ["/bogus", 200, "x bogus"]]) {
    routes.set(path, (q, r) => { r.writeHead(status, { "content-type": ct }); r.end("data: x\n\n"); });
    errors.length = 0;
    const es = new ES(base + path); const ev = record(es);
    await until(() => es.readyState === 2); await sleep(30);
    assert.deepEqual(ev.map(e => [e.type, e.state, e.cls]), [["error", 2, "Event"]], path);
    assert.equal(errors.length, 1, path); assert.match(errors[0], /Aborting the connection/);
  }
  routes.set("/semi", (q, r) => { r.writeHead(200, { "content-type": "text/event-stream;" }); r.end("data: x\n\n"); });
  const es = new ES(base + "/semi"); const ev = record(es);
  await until(() => ev.length >= 2); es.close();
  assert.equal(ev[1].data, "x");
});

test("strictCharset", async () => {
  routes.set("/cs", (q, r) => { r.writeHead(200, { "content-type": "text/event-stream; charset=windows-1252" }); r.end("data: \xe9\n\n", "latin1"); });
  const a = new ES(base + "/cs"); const ea = record(a);
  await until(() => ea.length >= 2); a.close();
  assert.equal(ea[1].data, "\uFFFD");
  const b = new ES(base + "/cs", { strictCharset: true }); const eb = record(b);
  await until(() => b.readyState === 2); assert.deepEqual(eb.map(e => e.type), ["error"]);
});

test("non-http schemes fail without fetching", async () => {
  for (const u of ["ftp://example.com/", "about:blank", "mailto:a@b", "javascript:alert(1)"]) {
    const es = new ES(u); const ev = record(es);
    await until(() => es.readyState === 2);
    assert.deepEqual(ev.map(e => [e.type, e.state]), [["error", 2]]);
  }
});

test("network error mid-body and refused connection reconnect", async () => {
  let n = 0;
  routes.set("/reset", (q, r) => { n++; r.writeHead(200, { "content-type": "text/event-stream", "transfer-encoding": "chunked" }); r.write("retry: 30\ndata: " + n + "\n\n"); setTimeout(() => r.socket.destroy(), 20); });
  const es = new ES(base + "/reset"); const ev = record(es);
  await until(() => ev.filter(e => e.type === "message").length === 3); es.close();
  assert.deepEqual(ev.slice(0, 6).map(e => [e.type, e.state, e.data ?? null]), [["open", 1, null], ["message", 1, "1"], ["error", 0, null], ["open", 1, null], ["message", 1, "2"], ["error", 0, null]]);
  // nothing listening: CONNECTING -> CONNECTING with error, retried
  const dead = http_dead();
  const es2 = new ES(dead); const ev2 = record(es2);
  await until(() => ev2.length >= 1, 2000); assert.deepEqual(ev2[0].type, "error"); assert.equal(ev2[0].state, 0); assert.equal(es2.readyState, 0);
  es2.close();
});
function http_dead() { return "http://127.0.0.1:9/sse"; }

test("POST with headers and body; no reconnect by default", async () => {
  let got;
  routes.set("/post", (q, r) => { let b = ""; q.on("data", (c) => (b += c)); q.on("end", () => { got = { method: q.method, body: b, auth: q.headers.authorization, accept: q.headers.accept }; sse(r); r.end("data: done\n\n"); }); });
  const es = new ES(base + "/post", { method: "post", body: "hello", headers: { Authorization: "Bearer t" } }); const ev = record(es);
  await until(() => es.readyState === 2);
  assert.deepEqual(got, { method: "POST", body: "hello", auth: "Bearer t", accept: "text/event-stream" });
  assert.deepEqual(ev.map(e => [e.type, e.state, e.data ?? null]), [["open", 1, null], ["message", 1, "done"], ["error", 2, null]]);
  // GET with reconnect:false
  routes.set("/once", (q, r) => { sse(r); r.end("data: x\n\n"); });
  const g = new ES(base + "/once", { reconnect: false, headers: new Headers({ "X-A": "1" }) }); const eg = record(g);
  await until(() => g.readyState === 2);
  assert.deepEqual(eg.map(e => [e.type, e.state]), [["open", 1], ["message", 1], ["error", 2]]);
  assert.equal(log.findLast(l => l.path === "/once").headers["x-a"], "1");
});

test("size limits: events before the failure are delivered", async () => {
  routes.set("/big", (q, r) => { sse(r); r.write("data: ok\n\ndata: " + "x".repeat(100) + "\n\n"); });
  errors.length = 0;
  const es = new ES(base + "/big", { maxLineSize: 50 }); const ev = record(es);
  await until(() => es.readyState === 2); await sleep(20);
  assert.deepEqual(ev.map(e => [e.type, e.state, e.data ?? null]), [["open", 1, null], ["message", 1, "ok"], ["error", 2, null]]);
  assert.equal(errors.length, 1); assert.match(errors[0], /line/);
});

test("redirect: url unchanged, origin and reconnection use the final URL", async () => {
  routes.set("/redir", (q, r) => { r.writeHead(302, { location: "/final" }); r.end(); });
  let finals = 0;
  routes.set("/final", (q, r) => { finals++; sse(r); r.end("retry: 20\ndata: f\n\n"); });
  const es = new ES(base + "/redir"); const ev = record(es);
  await until(() => finals === 2); es.close();
  assert.equal(es.url, base + "/redir");
  assert.equal(log.filter(l => l.path === "/redir").length, 1);
});

test("split UTF-8 and CR/LF across chunks", async () => {
  routes.set("/split", async (q, r) => { sse(r); const b = Buffer.from("data: caf\u00e9 \u2026\r\n\r\ndata: x\r", "utf8"); for (const byte of b) { r.write(Buffer.from([byte])); await sleep(2); } r.write("\ndata: y\n\n"); });
  const es = new ES(base + "/split"); const ev = record(es, ["message"]);
  await until(() => ev.length === 2); es.close();
  assert.deepEqual(ev.map(e => e.data), ["caf\u00e9 \u2026", "x\ny"]);
});

test("large events come as strings of their own, in order with small ones (SSE-32, SSE-42, SSE-49)", async () => {
  // 40 KiB and 1 MiB are above the bridge's 32 KiB threshold; 32767 bytes is
  // just below it. Types, ids, multi-line data and non-ASCII text all cross.
  const big = (n, c) => c.repeat(n);
  const events = [
    ["", "a", ""], ["big", big(40 << 10, "x"), "1"], ["", "b", "1"],
    ["", big(32767, "y"), "2"], ["huge", big(1 << 20, "\u00e9") + "\n" + big(3, "z"), "3"], ["", "", "3"],
    // SSE-32: only the stream's BOM is stripped, never one that begins data.
    ["", "\uFEFF" + big(40 << 10, "w"), "3"], ["", "\uFEFFsmall", "3"], ["end", "c", "4"],
  ];
  const body = events.map(([t, d, id], i) => (t ? `event: ${t}\n` : "") + d.split("\n").map((l) => `data: ${l}\n`).join("") + (id && id !== (events[i - 1] || [])[2] ? `id: ${id}\n` : "") + "\n").join("");
  routes.set("/large", (q, r) => { sse(r); r.end(body); });
  const es = new ES(base + "/large"); const ev = record(es, ["message", "big", "huge", "end"]);
  await until(() => ev.length === events.length); es.close();
  assert.deepEqual(ev.map((e) => [e.type, e.data.length, e.id]), events.map(([t, d, id]) => [t || "message", d.length, id]));
  ev.forEach((e, i) => assert.ok(e.data === events[i][1], `event ${i} data`));
});

test("no leaked globals", () => {
  for (const k of ["Go", "fs", "path", "__eventsourceWasm", "EventSource", "EventSourcePolyfill"]) assert.equal(k in globalThis, false, k);
});

// The extensions of the options under Node (issue 13): each opt-in, each
// observed from the server and from the events. Delays are checked from
// below (a timer never fires early) and with generous room above, so that a
// loaded machine cannot fail them.
import test from "node:test";
import assert from "node:assert/strict";
import { routes, log, server, base, sse, sleep, until, record, DIST, captureErrors } from "./harness.mjs";
const mod = await import(DIST + "/eventsource-polyfill.mjs?extensions");
const ES = mod.EventSource;
ES.wasmURL = base + "/eventsource.wasm";
const errors = captureErrors();

// errorsOf records the error events with their extension fields.
function errorsOf(es) {
  const out = [];
  es.addEventListener("error", (e) => out.push({ state: es.readyState, reason: e.reason, status: e.status, message: e.message, cls: e.constructor.name }));
  return out;
}

test("headers as a function: called before every attempt, its result used for that attempt (token refresh)", async () => {
  let accepted = "t1";
  const seen = [];
  routes.set("/token", (q, r) => {
    seen.push(q.headers.authorization);
    if (q.headers.authorization !== "Bearer " + accepted) { r.writeHead(401); r.end(); return; }
    accepted = "t" + (Number(accepted.slice(1)) + 1); // rotate: the next attempt needs a new token
    sse(r); r.end("retry: 10\nid: " + seen.length + "\ndata: ok\n\n");
  });
  const calls = [];
  let n = 0;
  const es = new ES(base + "/token?x=1", { headers: async (ctx) => { calls.push(ctx); n++; return { Authorization: "Bearer t" + n }; } });
  const ev = record(es);
  await until(() => ev.filter((e) => e.type === "open").length === 3);
  es.close();
  assert.deepEqual(seen.slice(0, 3), ["Bearer t1", "Bearer t2", "Bearer t3"]);
  assert.deepEqual(calls.slice(0, 3).map((c) => [c.url, c.attempt, c.lastEventId, c.sameOrigin]), [
    [base + "/token?x=1", 1, "", true], [base + "/token?x=1", 1, "1", true], [base + "/token?x=1", 1, "2", true],
  ]);
});

test("headers function that throws or rejects fails the connection with a console message", async () => {
  routes.set("/h", (q, r) => { sse(r); r.end("data: x\n\n"); });
  for (const headers of [() => { throw new Error("no token"); }, () => Promise.reject(new Error("refresh failed")), () => ({ "bad header": "x" })]) {
    errors.length = 0;
    const before = log.length;
    const es = new ES(base + "/h", { headers }); const er = errorsOf(es);
    await until(() => es.readyState === 2);
    assert.deepEqual(er.map((e) => [e.state, e.reason]), [[2, "request"]]);
    assert.equal(errors.filter((e) => /cannot request/.test(e)).length, 1, errors.join("\n"));
    assert.equal(log.slice(before).filter((l) => l.path === "/h").length, 0, "nothing requested");
  }
});

test("fetch: a custom fetch sees every attempt; one that resolves to something else fails", async () => {
  routes.set("/f", (q, r) => { sse(r); r.end("retry: 10\ndata: x\n\n"); });
  const requests = [];
  const es = new ES(base + "/f", { fetch: (req) => { requests.push(req); return fetch(req); } });
  const ev = record(es);
  await until(() => ev.filter((e) => e.type === "open").length === 3);
  es.close();
  assert.ok(requests.length >= 3);
  assert.ok(requests.every((r) => r instanceof Request && r.url === base + "/f" && r.headers.get("accept") === "text/event-stream"));
  errors.length = 0;
  const bad = new ES(base + "/f", { fetch: async () => ({ nope: true }) }); const er = errorsOf(bad);
  await until(() => bad.readyState === 2);
  assert.deepEqual(er.map((e) => [e.state, e.reason]), [[2, "request"]]);
  assert.equal(errors.filter((e) => /not a Response/.test(e)).length, 1);
});

test("signal: aborting it is close(); an aborted signal closes at once, with no request", async () => {
  let open = 0, closed = 0;
  routes.set("/sig", (q, r) => { open++; sse(r); r.write("data: x\n\n"); r.on("close", () => closed++); });
  const ctrl = new AbortController();
  const es = new ES(base + "/sig", { signal: ctrl.signal }); const ev = record(es);
  await until(() => ev.length === 2);
  ctrl.abort();
  assert.equal(es.readyState, 2);
  await until(() => closed === 1);
  await sleep(50);
  assert.deepEqual(ev.map((e) => e.type), ["open", "message"], "no error event");
  const before = open;
  const gone = new ES(base + "/sig", { signal: AbortSignal.abort() });
  assert.equal(gone.readyState, 2);
  await sleep(50);
  assert.equal(open, before);
});

test("lastEventId: sent as Last-Event-ID from the first request", async () => {
  routes.set("/resume", (q, r) => { sse(r); r.end("data: " + (q.headers["last-event-id"] || "none") + "\n\n"); });
  const es = new ES(base + "/resume", { lastEventId: "41" }); const ev = record(es);
  assert.equal(es.lastEventId, "41");
  await until(() => ev.length >= 2); es.close();
  assert.equal(ev[1].data, "41");
  assert.equal(ev[1].id, "41", "events before any id field carry it too");
});

test("backoff: exponential delays from the reconnection time, capped; reset after an open", async () => {
  const times = [];
  let refuse = true;
  routes.set("/down", (q, r) => {
    times.push(performance.now());
    if (refuse) { r.writeHead(503); r.end(); return; }
    sse(r); r.end("data: up\n\n");
  });
  const es = new ES(base + "/down", { backoff: { initial: 40, factor: 2, max: 160, jitter: false }, retryStatuses: [503] });
  const er = errorsOf(es);
  await until(() => times.length === 6, 10000);
  refuse = false;
  await until(() => er.length >= 6, 10000);
  es.close();
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  const want = [40, 80, 160, 160, 160];
  gaps.forEach((g, i) => {
    assert.ok(g >= want[i] - 2, `gap ${i + 1}: ${g.toFixed(1)} ms, want at least ${want[i]}`);
    assert.ok(g < want[i] + 1500, `gap ${i + 1}: ${g.toFixed(1)} ms, want about ${want[i]}`);
  });
  assert.deepEqual(er.slice(0, 5).map((e) => [e.state, e.reason, e.status]), Array(5).fill([0, "status", 503]));
});

test("backoff with jitter stays within the cap", async () => {
  const times = [];
  routes.set("/jit", (q, r) => { times.push(performance.now()); r.writeHead(503); r.end(); });
  const es = new ES(base + "/jit", { backoff: { initial: 100, max: 100 }, retryStatuses: [503] });
  await until(() => times.length === 8, 10000);
  es.close();
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  for (const g of gaps) assert.ok(g < 100 + 1500, `gap ${g.toFixed(1)} ms over the 100 ms cap`);
});

test("maxAttempts: consecutive failed attempts are bounded, with the reason", async () => {
  let n = 0;
  routes.set("/never", (q, r) => { n++; r.socket.destroy(); });
  errors.length = 0;
  const es = new ES(base + "/never", { maxAttempts: 3, backoff: { initial: 10, jitter: false } }); const er = errorsOf(es);
  await until(() => es.readyState === 2, 10000);
  assert.deepEqual(er.map((e) => [e.state, e.reason]), [[0, "network"], [0, "network"], [2, "attempts"]]);
  assert.equal(n, 3);
  assert.match(er[2].message, /3 consecutive failed attempts/);
});

test("retryStatuses: only the listed statuses reconnect, after Retry-After", async () => {
  const times = [];
  routes.set("/busy", (q, r) => {
    times.push(performance.now());
    if (times.length === 1) { r.writeHead(503, { "retry-after": "1" }); r.end(); return; }
    sse(r); r.end("data: in\n\n");
  });
  const es = new ES(base + "/busy", { retryStatuses: [429, 503] }); const ev = record(es); const er = errorsOf(es);
  await until(() => ev.some((e) => e.type === "message"), 10000);
  es.close();
  assert.deepEqual(er[0], { state: 0, reason: "status", status: 503, message: er[0].message, cls: "Event" });
  assert.ok(times[1] - times[0] >= 995, `reconnected after ${times[1] - times[0]} ms, before Retry-After`);
  routes.set("/err500", (q, r) => { r.writeHead(500); r.end(); });
  const f = new ES(base + "/err500", { retryStatuses: [503] }); const ef = errorsOf(f);
  await until(() => f.readyState === 2);
  assert.deepEqual(ef.map((e) => [e.state, e.reason, e.status]), [[2, "status", 500]]);
});

test("inactivityTimeout: a silent connection is reestablished, a heartbeating one is not", async () => {
  let silent = 0;
  routes.set("/silent", (q, r) => { silent++; sse(r); r.flushHeaders(); });
  const es = new ES(base + "/silent", { inactivityTimeout: 200, backoff: { initial: 10, jitter: false } }); const er = errorsOf(es);
  await until(() => silent === 2, 10000);
  es.close();
  assert.deepEqual(er[0].reason, "inactive");
  assert.equal(er[0].state, 0);
  let beats = 0;
  routes.set("/beat", (q, r) => { sse(r); r.write("data: hi\n\n"); const t = setInterval(() => { beats++; r.write(":\n"); }, 40); r.on("close", () => clearInterval(t)); });
  const hb = new ES(base + "/beat", { inactivityTimeout: 300 }); const eh = errorsOf(hb);
  await until(() => beats >= 25, 10000); // 1 s of comments, over three timeouts
  hb.close();
  assert.deepEqual(eh, []);
});

test("error events say why: reason, status, message; a finished POST stream ends as ended", async () => {
  const cases = [
    ["/r-status", (q, r) => { r.writeHead(503); r.end(); }, [2, "status", 503]],
    ["/r-type", (q, r) => { r.writeHead(200, { "content-type": "text/html" }); r.end(); }, [2, "content-type", 200]],
  ];
  for (const [path, h, want] of cases) {
    routes.set(path, h);
    const es = new ES(base + path); const er = errorsOf(es);
    await until(() => es.readyState === 2);
    assert.deepEqual([er[0].state, er[0].reason, er[0].status], want, path);
    assert.equal(er[0].cls, "Event");
    assert.ok(er[0].message.length > 10);
  }
  routes.set("/llm", (q, r) => { sse(r); r.end("data: token\n\n"); });
  const es = new ES(base + "/llm", { method: "POST", body: "{}" }); const ev = record(es); const er = errorsOf(es);
  await until(() => es.readyState === 2);
  assert.deepEqual(ev.map((e) => e.type), ["open", "message", "error"]);
  assert.deepEqual([er[0].state, er[0].reason, er[0].status], [2, "ended", 0]);
  const plain = new ES(base + "/llm");
  const pe = await new Promise((res) => { plain.onerror = res; });
  plain.close();
  assert.deepEqual(Object.keys(pe), ["isTrusted"].filter((k) => k in pe && Object.keys(pe).includes(k)), "no enumerable extras");
  assert.equal(pe.reason, "ended");
});

test("lastEventIdParam: the last event ID goes in the query, not a header", async () => {
  const seen = [];
  routes.set("/qp", (q, r) => { seen.push([new URL(q.url, base).searchParams.get("lastEventId"), q.headers["last-event-id"]]); sse(r); r.end("retry: 10\nid: " + seen.length + "\ndata: x\n\n"); });
  const es = new ES(base + "/qp?a=1", { lastEventIdParam: "lastEventId" }); const ev = record(es);
  await until(() => ev.filter((e) => e.type === "open").length === 3);
  es.close();
  assert.deepEqual(seen.slice(0, 3), [[null, undefined], ["1", undefined], ["2", undefined]]);
});

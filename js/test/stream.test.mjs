// SSE-9: EventSource.fromReadableStream(), lastEventId, reconnectionTime and reset()
// of whatwg/html PR #12272, under Node: the behaviours of its tests
// (web-platform-tests PR #58550), each written here anew, and more.
import test from "node:test";
import assert from "node:assert/strict";
import { routes, server, base, sse, until, record, sleep, DIST, captureErrors } from "./harness.mjs";
const mod = await import(DIST + "/eventsource-polyfill.mjs?stream");
const ES = mod.EventSource;
ES.wasmURL = base + "/eventsource.wasm";
const errors = captureErrors();

const utf8 = new TextEncoder();
function streamOf(...chunks) {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(typeof chunk === "string" ? utf8.encode(chunk) : chunk);
      c.close();
    },
  });
}
// Everything an EventSource did until it was CLOSED.
async function run(es) {
  const ev = record(es, ["open", "message", "error", "custom"]);
  await until(() => es.readyState === 2);
  return ev;
}

test("construction: an EventSource, CONNECTING, about:event-stream, no credentials, the getters", () => {
  const es = ES.fromReadableStream(streamOf(""));
  assert.ok(es instanceof ES);
  assert.equal(es.readyState, ES.CONNECTING);
  assert.equal(es.url, "about:event-stream");
  assert.equal(es.withCredentials, false);
  assert.equal(es.lastEventId, "");
  assert.ok(es.reconnectionTime > 0);
  es.close();
  assert.equal(es.readyState, ES.CLOSED);
});

test("a locked stream, or no stream, throws TypeError", () => {
  const locked = new ReadableStream();
  locked.getReader();
  assert.throws(() => ES.fromReadableStream(locked), TypeError);
  for (const bad of [undefined, null, "data: x\n\n", {}, new Uint8Array(1)]) assert.throws(() => ES.fromReadableStream(bad), TypeError);
});

test("open, messages, custom types, comments, multi-line data; origin null; end fires error and CLOSED", async () => {
  const es = ES.fromReadableStream(streamOf(": comment\ndata: hello\ndata: world\n\nevent: custom\ndata: c\n\ndata: second\n\n"));
  const ev = await run(es);
  assert.deepEqual(ev.map((e) => [e.type, e.state, e.data ?? null]), [
    ["open", 1, null], ["message", 1, "hello\nworld"], ["custom", 1, "c"], ["message", 1, "second"], ["error", 2, null],
  ]);
  assert.equal(ev[1].origin, "null");
  assert.equal(ev[1].cls, "MessageEvent");
});

test("ids and retry update the getters; a bogus retry is ignored", async () => {
  const es = ES.fromReadableStream(streamOf("id: 42\nretry: 5000\ndata: a\n\nretry: bogus\ndata: b\n\n"));
  const seen = [];
  es.onmessage = (e) => seen.push([e.data, e.lastEventId, es.lastEventId, es.reconnectionTime]);
  await run(es);
  assert.deepEqual(seen, [["a", "42", "42", 5000], ["b", "42", "42", 5000]]);
});

test("empty stream, errored stream, no reconnection", async () => {
  for (const stream of [streamOf(), new ReadableStream({ start(c) { c.error(new Error("boom")); } })]) {
    const es = ES.fromReadableStream(stream);
    const ev = await run(es);
    await sleep(100);
    assert.deepEqual(ev.map((e) => [e.type, e.state]), [["open", 1], ["error", 2]]);
  }
  const es = ES.fromReadableStream(streamOf("data: x\n\n"));
  const reasons = [];
  es.onerror = (e) => reasons.push(e.reason);
  await run(es);
  assert.deepEqual(reasons, ["ended"], "the end of the stream is a normal end");
});

test("CR, LF, CRLF; BOM stripped; chunks split anywhere; invalid UTF-8", async () => {
  const bytes = [0xef, 0xbb, 0xbf, ...utf8.encode("data: cr\r\rdata: lf\n\ndata: crlf\r\n\r\ndata: \u00e9\xF0\n\n")];
  const chunks = bytes.map((b) => new Uint8Array([b])); // one byte a chunk
  const ev = await run(ES.fromReadableStream(streamOf(...chunks)));
  assert.deepEqual(ev.filter((e) => e.type === "message").map((e) => e.data), ["cr", "lf", "crlf", "\u00e9\u00f0"]);
});

test("split invariance: random chunkings give the same events", async () => {
  let body = "";
  for (let i = 0; i < 200; i++) body += (i % 7 === 0 ? "id: " + i + "\n" : "") + (i % 5 === 0 ? "event: t" + (i % 3) + "\n" : "") + "data: " + "x".repeat(i % 37) + "\u20ac" + i + "\n\n";
  const all = utf8.encode(body);
  let want = null;
  for (let round = 0; round < 8; round++) {
    const chunks = [];
    for (let i = 0; i < all.length; ) {
      const n = 1 + Math.floor(Math.random() * (round < 4 ? 7 : 400));
      chunks.push(all.subarray(i, i + n)); i += n;
    }
    const es = ES.fromReadableStream(streamOf(...chunks));
    const got = [];
    for (const t of ["message", "t0", "t1", "t2"]) es.addEventListener(t, (e) => got.push([e.type, e.data, e.lastEventId]));
    await until(() => es.readyState === 2);
    if (want === null) want = got;
    assert.equal(got.length, 200);
    assert.deepEqual(got, want, `round ${round}`);
  }
});

test("chunks bigger than the engine's input buffer, large data one after another, many events a chunk", async () => {
  // What crosses feed's two exports (js/src/codec.js feeder): a chunk that
  // grows the engine's memory, messages cut every 256 KiB, large data
  // (32 KiB and more) that makes feed stop and go on, a leading U+FEFF kept.
  const want = [];
  let body = "";
  const add = (data, id) => {
    want.push([data, id]);
    body += (id ? `id: ${id}\n` : "") + data.split("\n").map((l) => `data: ${l}\n`).join("") + "\n";
  };
  for (let i = 0; i < 3000; i++) add(`small ${i} \u00e9`.repeat(1 + (i % 9)), i % 100 === 0 ? `s${i}` : "");
  add("\ufeff" + "big".repeat(20000), "b1");
  add("x".repeat(1 << 20), "");
  add("y".repeat(40000) + "\n" + "\u20ac".repeat(20000), "b2");
  add("after", "");
  const all = utf8.encode(body);
  for (const size of [all.length, 100000, 70001]) {
    const chunks = [];
    for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size));
    const es = ES.fromReadableStream(streamOf(...chunks));
    const got = [];
    es.onmessage = (e) => got.push([e.data, e.lastEventId]);
    await until(() => es.readyState === 2);
    assert.equal(got.length, want.length, `chunks of ${size}`);
    let id = "";
    for (let i = 0; i < want.length; i++) {
      if (want[i][1]) id = want[i][1];
      assert.ok(got[i][0] === want[i][0] && got[i][1] === id, `chunks of ${size}, event ${i}: ${got[i][0].slice(0, 40)} ${got[i][1]}`);
    }
  }
});

test("a chunk that is not a Uint8Array fails the source with a console message", async () => {
  errors.length = 0;
  const ev = await run(ES.fromReadableStream(streamOf("data: ok\n\n", { not: "bytes" })));
  assert.deepEqual(ev.map((e) => e.type), ["open", "message", "error"]);
  assert.equal(errors.filter((e) => /not a Uint8Array/.test(e)).length, 1);
});

test("close() cancels the stream", async () => {
  let cancelled = null;
  const stream = new ReadableStream({ pull(c) { c.enqueue(utf8.encode("data: tick\n\n")); return sleep(10); }, cancel(why) { cancelled = why ?? "yes"; } });
  const es = ES.fromReadableStream(stream);
  await new Promise((r) => { es.onmessage = r; });
  es.close();
  await until(() => cancelled !== null);
});

test("TransformStream reconnection pattern: several streams piped in; lastEventId and reconnectionTime persist", async () => {
  const ts = new TransformStream();
  const es = ES.fromReadableStream(ts.readable);
  const seen = [];
  es.onmessage = (e) => seen.push([e.data, es.lastEventId, es.reconnectionTime]);
  await streamOf("id: 42\nretry: 3000\ndata: first\n\n").pipeTo(ts.writable, { preventClose: true });
  await until(() => seen.length === 1);
  assert.equal(es.lastEventId, "42");
  await streamOf("data: after-reconnect\n\n").pipeTo(ts.writable, { preventClose: false });
  await until(() => es.readyState === 2);
  assert.deepEqual(seen, [["first", "42", 3000], ["after-reconnect", "42", 3000]]);
});

test("reset() between two streams discards the first one's unfinished event", async () => {
  const ts = new TransformStream();
  const w = ts.writable.getWriter();
  const es = ES.fromReadableStream(ts.readable);
  const seen = [];
  es.onmessage = (e) => seen.push(e.data);
  es.reset(); // before the engine is there: nothing to discard
  await w.write(utf8.encode("data: one\n\ndata: cut off by a reconnect"));
  await until(() => seen.length === 1);
  await sleep(20); // let the engine read the unfinished part
  es.reset();
  await w.write(utf8.encode("\ndata: two\n\n"));
  await w.close();
  await until(() => es.readyState === 2);
  assert.deepEqual(seen, ["one", "two"]);
});

test("a fetch() body with custom headers, piped in", async () => {
  routes.set("/auth", (q, r) => {
    if (q.headers.authorization !== "Bearer abc") { r.writeHead(401); r.end(); return; }
    sse(r); r.end("id: 9\ndata: secret\n\n");
  });
  const response = await fetch(base + "/auth", { headers: { Authorization: "Bearer abc" } });
  const es = ES.fromReadableStream(response.body);
  const ev = await run(es);
  assert.deepEqual(ev.map((e) => [e.type, e.data ?? null]), [["open", null], ["message", "secret"], ["error", null]]);
  assert.equal(es.lastEventId, "9");
});

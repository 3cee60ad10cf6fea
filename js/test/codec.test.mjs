// The shim's decoder against the fixtures of the bridge's encoder
// (wasm/testdata/codec.json, written and checked by wasm/codec_test.go):
// every answer must decode to the events the engine completed, and leave the
// last event ID and reconnection time the engine reports.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Batch, openArgs, responseArgs, trailer } from "../src/codec.js";
import { engineInit, readOptions } from "../src/options.js";

const fixture = JSON.parse(readFileSync(new URL("../../wasm/testdata/codec.json", import.meta.url), "utf8"));
const expand = (s) => s.replace(/\$\{(.)\*(\d+)\}/gu, (_, c, n) => c.repeat(+n));
const expandAny = (v) => (typeof v === "string" ? expand(v) : Array.isArray(v) ? v.map(expandAny) : v);

test("the fixture file has cases", () => {
  assert.ok(fixture.cases.length >= 10);
});

for (const c of fixture.cases) {
  test(`codec: ${c.name}`, () => {
    let lastEventId = "";
    let reconnectionTime;
    let opened = false;
    c.calls.forEach((call, i) => {
      const where = `call ${i} (${call.call})`;
      const result = expandAny(call.result);
      if (call.call === "feed") {
        const batch = new Batch(result);
        const events = [];
        while (batch.next()) events.push([batch.type, batch.data, batch.lastEventId]);
        assert.deepEqual(events, (call.events || []).map((e) => e.map(expand)), where);
        const t = batch.trailer();
        if (t.lastEventId !== undefined) lastEventId = t.lastEventId;
        else if (batch.finalLastEventId() !== undefined) lastEventId = batch.finalLastEventId();
        if (t.reconnectionTime !== undefined) reconnectionTime = t.reconnectionTime;
      } else {
        assert.equal(typeof result, "string", where);
        const t = trailer(result);
        if (call.call === "open") {
          opened = true;
          assert.ok(t.handle > 0, where);
        }
        if (t.lastEventId !== undefined) lastEventId = t.lastEventId;
        if (t.reconnectionTime !== undefined) reconnectionTime = t.reconnectionTime;
        if (t.action === "R") assert.ok(t.delay >= 0 && t.reason, where);
        if (t.action === "F" && call.call === "response") assert.ok(t.reason, `${where}: a failure says why`);
      }
      if (opened) {
        assert.equal(lastEventId, call.lastEventId, `${where}: lastEventId`);
        assert.equal(reconnectionTime, call.reconnectionTime, `${where}: reconnectionTime`);
      }
    });
  });
}

test("codec: trailer items", () => {
  const t = trailer("F\nEcontent-type\nS200\nTtext/html; charset=x\nM5\nN3\nIa b\nY250\nUhttp://x/\nLid\nO\nC\nK9");
  assert.deepEqual(
    { ...t },
    {
      action: "F", delay: 0, reason: "content-type", status: 200, contentType: "text/html; charset=x", limit: 5,
      attempt: 3, lastEventId: "a b", reconnectionTime: 250, handle: 9, url: "http://x/", lastEventIdHeader: "id",
      sameOrigin: true, classify: true,
    },
  );
  assert.equal(trailer("R1500\nEnetwork").delay, 1500);
  assert.equal(trailer("").action, "");
});

// The same strings as wasm/bridge_test.go's TestArgs, which reads them.
test("codec: the arguments of open and response", () => {
  const o = readOptions({
    method: "post", reconnect: true, strictCharset: true, maxLineSize: 100, maxEventSize: 200, lastEventId: "e1",
    backoff: { initial: 1500.7, factor: 1.1, max: 60000.5, jitter: true }, maxAttempts: 5, retryStatuses: [429, 503],
  });
  assert.equal(
    openArgs(engineInit("http://a.test/s", o)),
    "Uhttp://a.test/s\nMPOST\nRalways\nIe1\nS\nL100\nE200\nD1500\nF4953959590107546\nX60000\nJ\nN5\nQ429\nQ503",
  );
  assert.equal(openArgs(engineInit("http://a.test/s", readOptions({}))), "Uhttp://a.test/s\nMGET\nRauto\nI");
  assert.equal(responseArgs(503, "text/plain", "http://a.test/t", "2"), "S503\nTtext/plain\nUhttp://a.test/t\nR2");
});

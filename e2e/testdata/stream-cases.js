// The behaviours of EventSource.fromReadableStream() (whatwg/html PR #12272,
// web-platform-tests PR #58550), as cases that run in a window or a worker:
// runStreamCases(C) resolves to [{name, ok, detail}] for the constructor C.
(function (g) {
  'use strict';
  const utf8 = new TextEncoder();
  const streamOf = (...chunks) => new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(typeof chunk === 'string' ? utf8.encode(chunk) : chunk);
      c.close();
    },
  });
  // record collects what a source does until it is CLOSED.
  const record = (es, types = ['message']) => new Promise((resolve) => {
    const log = [];
    es.onopen = () => log.push('open' + es.readyState);
    for (const t of types) es.addEventListener(t, (e) => log.push(t + ':' + e.data + (e.lastEventId ? '#' + e.lastEventId : '')));
    es.onerror = () => { log.push('error' + es.readyState); if (es.readyState === 2) resolve(log); };
  });
  const cases = {
    async shape(C) {
      const es = C.fromReadableStream(streamOf(''));
      const got = [es instanceof C, es.readyState, es.url, es.withCredentials, es.lastEventId, es.reconnectionTime > 0].join();
      es.close();
      return [got, 'true,0,about:event-stream,false,,true'];
    },
    async locked(C) {
      const s = new ReadableStream();
      s.getReader();
      try { C.fromReadableStream(s); return ['no exception', 'TypeError']; } catch (e) { return [e.name, 'TypeError']; }
    },
    async messages(C) {
      const es = C.fromReadableStream(streamOf(': c\ndata: hello\ndata: world\n\nevent: custom\ndata: x\n\n'));
      return [(await record(es, ['message', 'custom'])).join(' '), 'open1 message:hello\nworld custom:x error2'];
    },
    async origin(C) {
      const es = C.fromReadableStream(streamOf('data: o\n\n'));
      const o = await new Promise((r) => { es.onmessage = (e) => r(e.origin + ' ' + (e instanceof MessageEvent)); });
      es.close();
      return [o, 'null true'];
    },
    async idAndRetry(C) {
      const es = C.fromReadableStream(streamOf('id: 42\nretry: 5000\ndata: a\n\nretry: bogus\ndata: b\n\n'));
      const seen = [];
      es.onmessage = (e) => seen.push(e.data + e.lastEventId + '/' + es.lastEventId + '/' + es.reconnectionTime);
      await record(es, []);
      return [seen.join(' '), 'a42/42/5000 b42/42/5000'];
    },
    async chunks(C) {
      const bytes = [0xef, 0xbb, 0xbf, ...utf8.encode('data: cr\r\rdata: lf\n\ndata: crlf\r\n\r\ndata: \u00e9\n\n')];
      const es = C.fromReadableStream(streamOf(...bytes.map((b) => new Uint8Array([b]))));
      return [(await record(es)).join(' '), 'open1 message:cr message:lf message:crlf message:\u00e9 error2'];
    },
    async emptyAndErrored(C) {
      const a = await record(C.fromReadableStream(streamOf()));
      const b = await record(C.fromReadableStream(new ReadableStream({ start(c) { c.error(new Error('x')); } })));
      return [a.join(' ') + ' | ' + b.join(' '), 'open1 error2 | open1 error2'];
    },
    async noReconnection(C) {
      const es = C.fromReadableStream(streamOf('data: once\n\n'));
      const log = await record(es);
      await new Promise((r) => setTimeout(r, 200));
      return [log.join(' ') + ' ' + es.readyState, 'open1 message:once error2 2'];
    },
    async closeCancels(C) {
      let cancelled = false;
      const es = C.fromReadableStream(new ReadableStream({
        pull(c) { c.enqueue(utf8.encode('data: t\n\n')); return new Promise((r) => setTimeout(r, 10)); },
        cancel() { cancelled = true; },
      }));
      await new Promise((r) => { es.onmessage = r; });
      es.close();
      for (let i = 0; i < 100 && !cancelled; i++) await new Promise((r) => setTimeout(r, 10));
      return [String(cancelled) + es.readyState, 'true2'];
    },
    async transformStream(C) {
      const ts = new TransformStream();
      const es = C.fromReadableStream(ts.readable);
      const seen = [];
      es.onmessage = (e) => seen.push(e.data + '/' + es.lastEventId + '/' + es.reconnectionTime);
      const done = record(es, []);
      await streamOf('id: 42\nretry: 3000\ndata: first\n\n').pipeTo(ts.writable, { preventClose: true });
      await streamOf('data: second\n\n').pipeTo(ts.writable);
      await done;
      return [seen.join(' '), 'first/42/3000 second/42/3000'];
    },
    async reset(C) {
      const ts = new TransformStream();
      const w = ts.writable.getWriter();
      const es = C.fromReadableStream(ts.readable);
      const done = record(es);
      const first = new Promise((r) => { es.onmessage = () => r(); });
      await w.write(utf8.encode('data: one\n\ndata: cut off'));
      await first;
      await new Promise((r) => setTimeout(r, 30));
      es.reset();
      await w.write(utf8.encode('\ndata: two\n\n'));
      await w.close();
      return [(await done).join(' '), 'open1 message:one message:two error2'];
    },
    async fetchBody(C) {
      const response = await fetch('/sse/echo?id=9&h=X-Custom', { headers: { 'X-Custom': 'yes' } });
      const es = C.fromReadableStream(response.body);
      const log = await record(es);
      return [String(log.length === 3 && log[1].includes('"x-custom":"yes"') && log[1].endsWith('#9')) + ' ' + es.lastEventId, 'true 9'];
    },
  };
  g.runStreamCases = async (C) => {
    const out = [];
    for (const [name, f] of Object.entries(cases)) {
      try {
        let timer;
        const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no outcome within 10 s')), 10000); });
        const [got, want] = await Promise.race([f(C), timeout]);
        clearTimeout(timer);
        out.push({ name, ok: got === want, detail: got === want ? '' : `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}` });
      } catch (e) {
        out.push({ name, ok: false, detail: String(e && e.stack || e) });
      }
    }
    return out;
  };
})(self);

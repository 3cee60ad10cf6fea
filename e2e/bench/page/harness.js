// The in-page half of go run ./e2e/bench. The Go side sends jobs (one
// implementation, one workload); this file runs each and posts back what it
// counted. The page runs in a tab that no DevTools client is attached to, so
// nobody sees its console: errors are collected and sent with the result.
"use strict";

const Bench = (() => {
  // console.error and uncaught errors since the last result: the polyfills
  // explain their failures there.
  const log = [];
  const note = (msg) => {
    if (log.length < 20) log.push(String(msg).slice(0, 300));
  };
  const consoleError = console.error;
  console.error = (...args) => {
    note(args.map((a) => (a && a.message) || a).join(" "));
    consoleError.apply(console, args);
  };
  addEventListener("error", (e) => note(`uncaught: ${e.message}`));
  addEventListener("unhandledrejection", (e) => note(`unhandled rejection: ${(e.reason && e.reason.message) || e.reason}`));

  const peers = () => globalThis.BenchPeers || {};
  const ACCEPT = { Accept: "text/event-stream" };

  // An adapter opens url, calls on.event(data, lastEventId) for every event
  // of the given type and on.end(why) when the stream is over, and returns a
  // function that closes everything. Events of a custom type are received
  // with addEventListener wherever the implementation has it.
  function eventTarget(getCtor, init) {
    return (url, type, on) => {
      const Ctor = getCtor();
      if (typeof Ctor !== "function") throw new Error("not loaded");
      const es = init ? new Ctor(url, init) : new Ctor(url);
      es.addEventListener(type, (e) => on.event(e.data, e.lastEventId));
      // The end of a body is an error event (then a reconnection, which
      // close() cancels).
      es.addEventListener("error", () => on.end(`error event, readyState ${es.readyState}`));
      return () => es.close();
    };
  }

  // fetch() with a stream reader, for the adapters that are not EventTargets.
  async function readBody(url, signal, onChunk) {
    const res = await fetch(url, { headers: ACCEPT, cache: "no-store", signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onChunk(value);
    }
  }

  function fetchLoop(run) {
    return (url, type, on) => {
      const ctrl = new AbortController();
      run(url, type, on, ctrl.signal).then(
        () => on.end("end of body"),
        (err) => on.end(ctrl.signal.aborted ? "aborted" : `failed: ${err && err.message}`),
      );
      return () => ctrl.abort();
    };
  }

  const adapters = {
    // The page loads our polyfill too, which must leave a native
    // EventSource alone; make sure that this really is the browser's.
    native: eventTarget(() => {
      const Ctor = globalThis.EventSource;
      if (!/\[native code\]/.test(String(Ctor))) throw new Error("EventSource is not the browser's own");
      return Ctor;
    }),
    polyfill: eventTarget(() => globalThis.EventSourcePolyfill),
    // The polyfill dispatching every event in a task of its own, as native.
    "polyfill-task": eventTarget(() => globalThis.EventSourcePolyfill, { dispatch: "task" }),
    "event-source-polyfill": eventTarget(() => peers()["event-source-polyfill"]),
    eventsource: eventTarget(() => peers().eventsource),

    "fetch-event-source": (url, type, on) => {
      const fetchEventSource = peers()["fetch-event-source"];
      if (typeof fetchEventSource !== "function") throw new Error("not loaded");
      const ctrl = new AbortController();
      fetchEventSource(url, {
        signal: ctrl.signal,
        openWhenHidden: true, // never abort on visibilitychange
        onmessage: (ev) => {
          if ((ev.event || "message") === type) on.event(ev.data, ev.id);
        },
        onclose: () => on.end("onclose"),
        onerror: (err) => {
          on.end(`onerror: ${err && err.message}`);
          throw err; // no retry
        },
      }).catch(() => {});
      return () => ctrl.abort();
    },

    // The parser alone, driven the way its README shows: fetch, decode with
    // TextDecoderStream, feed strings.
    "eventsource-parser": fetchLoop(async (url, type, on, signal) => {
      const createParser = peers()["eventsource-parser"];
      if (typeof createParser !== "function") throw new Error("not loaded");
      const parser = createParser({
        onEvent: (ev) => {
          if ((ev.event || "message") === type) on.event(ev.data, ev.id || "");
        },
      });
      const res = await fetch(url, { headers: ACCEPT, cache: "no-store", signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        parser.feed(value);
      }
    }),

    // The ceiling: read the body and count bytes and blank lines (LF LF, the
    // only event terminator the workloads use), building no event at all.
    ceiling: fetchLoop((url, type, on, signal) => {
      let lastWasLF = false;
      return readBody(url, signal, (chunk) => {
        on.bytes(chunk.length);
        let i = 0;
        if (lastWasLF && chunk[0] === 10) {
          on.blank();
          i = 1;
        }
        lastWasLF = false;
        while ((i = chunk.indexOf(10, i)) !== -1) {
          if (i + 1 === chunk.length) {
            lastWasLF = true;
            break;
          }
          if (chunk[i + 1] === 10) {
            on.blank();
            i += 2;
          } else i += 1;
        }
      });
    }),
  };

  const now = () => performance.now();

  // run performs one job and resolves with its result. For throughput the
  // time is from opening to the expected last event; the run goes on until
  // the implementation reports the end of the body, so that an extra event
  // is counted too. Latency collects each event's delay; startup stops at the
  // first event and reports its time since navigation start.
  function run(job) {
    return new Promise((resolve) => {
      const sum = { count: 0, len: 0, mid: 0, ids: 0, bytes: 0 };
      const delays = [];
      let close = null;
      let finished = false;
      let t0 = 0;
      let tLast = 0;
      let timer = 0;
      const finish = (error, end) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        try {
          if (close) close();
        } catch (err) {
          note(`close: ${err && err.message}`);
        }
        resolve({
          id: job.id,
          error: error || "", // the Go side checks the counts
          ms: tLast - t0,
          // Startup: the same, counted from the end of the HTML response,
          // which leaves out the new renderer process and the navigation.
          sinceHtml: job.kind === "startup" ? tLast - performance.getEntriesByType("navigation")[0].responseEnd : 0,
          sum,
          end: end || "",
          delays,
          visibility: document.visibilityState,
          isolated: globalThis.crossOriginIsolated === true,
          log: log.splice(0),
        });
      };
      const counted = () => {
        if (sum.count === job.expect) {
          tLast = now();
          if (job.kind === "startup" || job.kind === "cold") finish("", job.kind === "startup" ? "first event" : "last event");
        }
      };
      const on = {
        event(data, id) {
          if (finished) return;
          sum.count++;
          sum.len += data.length;
          if (data.length) sum.mid += data.charCodeAt(data.length >> 1);
          sum.ids += +id || 0;
          if (job.kind === "latency") delays.push(performance.timeOrigin + now() - Number(data));
          if (job.kind === "cold") delays.push(performance.timeOrigin + now() - Number(data.slice(0, data.indexOf(" "))));
          counted();
        },
        blank() {
          if (finished) return;
          sum.count++;
          counted();
        },
        bytes(n) {
          sum.bytes += n;
        },
        end(why) {
          finish("", why);
        },
      };
      if (document.visibilityState !== "visible") {
        finish(`page is ${document.visibilityState}: timers and rendering would be throttled`);
        return;
      }
      const loadError = benchLoadErrors[job.impl];
      if (loadError) {
        finish(loadError);
        return;
      }
      timer = setTimeout(() => finish(`timeout after ${job.timeoutMs} ms with ${sum.count}/${job.expect} events`), job.timeoutMs);
      try {
        if (job.impl.startsWith("polyfill") && job.wasmURL) globalThis.EventSourcePolyfill.wasmURL = job.wasmURL;
        // Startup is measured from navigation start: t0 stays 0.
        if (job.kind !== "startup") t0 = now();
        close = adapters[job.impl](job.url, job.type, on);
      } catch (err) {
        finish(`cannot open: ${err && err.message}`);
      }
    });
  }

  // loop is the measuring page's life: post the last result, get the next
  // job, run it, until the Go side stops answering.
  async function loop(key) {
    let body = "";
    for (;;) {
      let job;
      try {
        const res = await fetch(`/bench/next?s=${encodeURIComponent(key)}`, { method: "POST", body });
        if (res.status !== 200) return;
        job = await res.json();
      } catch (_) {
        return; // the server is gone
      }
      body = JSON.stringify(await run(job));
    }
  }

  // startup runs the job of a fresh startup page and posts its result.
  async function startup(job) {
    const result = await run(job);
    await fetch(`/bench/next?s=${encodeURIComponent(job.session)}&last=1`, {
      method: "POST",
      body: JSON.stringify(result),
    });
  }

  return { loop, startup };
})();

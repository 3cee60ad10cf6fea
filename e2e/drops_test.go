package e2e

import (
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var dropsN = flag.Int("drops.n", 0, "TestBytesBeforeBreak: trials per side and condition (0 skips it; it measures, it does not judge)")

// TestBytesBeforeBreak measures how often the events a server sent just
// before it dropped the connection are lost, for native EventSource and the
// polyfill, on an idle page, on a page whose main thread is busy (a 50 ms
// task every 60 ms) and with both cores loaded: the server writes 5 events in
// one write, then drops the TCP connection. fetch() may discard body bytes
// the page had not read yet when the body errors; native EventSource parses
// as bytes arrive. Run with -drops.n=100; it prints a table and fails
// nothing, as the figures depend on the machine.
func TestBytesBeforeBreak(t *testing.T) {
	if *dropsN == 0 || *nativeOnly {
		t.Skip("a measurement: run with -drops.n=N")
	}
	ctx := newTab(t, "/e2e/page.html")
	eval[bool](t, ctx, `(globalThis.trial = (C, url) => new Promise((resolve) => {
		const es = new C(url);
		let n = 0;
		es.onmessage = () => { n++; };
		es.onerror = () => { es.close(); resolve(n); };
	}), globalThis.RawFetch = class {
		// The bare mechanism: fetch() and a reader kept busy, counting blank
		// lines; no engine, no event.
		constructor(url) {
			this.onmessage = this.onerror = null;
			this.ctrl = new AbortController();
			fetch(url, {signal: this.ctrl.signal}).then(async (r) => {
				const reader = r.body.getReader();
				const dec = new TextDecoder();
				let text = '';
				for (;;) {
					const {done, value} = await reader.read();
					if (done) break;
					text += dec.decode(value, {stream: true});
					let i;
					while ((i = text.indexOf('\n\n')) >= 0) { text = text.slice(i + 2); this.onmessage(); }
				}
				this.onerror();
			}).catch(() => this.onerror && this.onerror());
		}
		close() { this.ctrl.abort(); this.onerror = null; }
	}, globalThis.WorkerFetch = class {
		// The same loop in a dedicated worker, off the page's main thread.
		constructor(url) {
			this.onmessage = this.onerror = null;
			const src = 'onmessage = async (m) => { try { const r = await fetch(m.data); const reader = r.body.getReader(); const dec = new TextDecoder(); let text = ""; for (;;) { const {done, value} = await reader.read(); if (done) break; text += dec.decode(value, {stream: true}); let i; while ((i = text.indexOf("\\n\\n")) >= 0) { text = text.slice(i + 2); postMessage(1); } } } catch (e) {} postMessage(0); };';
			WorkerFetch.url = WorkerFetch.url || URL.createObjectURL(new Blob([src], {type: 'text/javascript'}));
			this.w = new Worker(WorkerFetch.url);
			this.w.onmessage = (e) => { if (e.data) this.onmessage && this.onmessage(); else this.onerror && this.onerror(); };
			this.w.postMessage(new URL(url, location.href).href);
		}
		close() { this.w.terminate(); this.onerror = null; }
	}, globalThis.busy = (on) => {
		clearInterval(globalThis.busyTimer);
		if (on) globalThis.busyTimer = setInterval(() => { const t = performance.now(); while (performance.now() - t < 50); }, 60);
		return true;
	}, true)`)
	var rows []string
	for _, cond := range []string{"idle", "busy page", "loaded cores"} {
		var stop atomic.Bool
		if cond == "loaded cores" {
			for range runtime.NumCPU() {
				go func() {
					for !stop.Load() {
					}
				}()
			}
		}
		eval[bool](t, ctx, fmt.Sprintf(`busy(%v)`, cond == "busy page"))
		lost := map[string]int{}
		events := map[string]int{}
		for i := range *dropsN {
			for _, ctor := range []string{"NativeEventSource", "EventSourcePolyfill", "RawFetch", "WorkerFetch"} {
				url := fmt.Sprintf("/sse/numbered?n=5&batch=0&end=drop&retry=100000&key=%s", newKey(t, fmt.Sprint(i)))
				n := eval[int](t, ctx, fmt.Sprintf(`trial(%s, %q)`, ctor, url))
				events[ctor] += n
				if n < 5 {
					lost[ctor]++
				}
			}
		}
		stop.Store(true)
		eval[bool](t, ctx, `busy(false)`)
		cell := func(side string) string {
			return fmt.Sprintf("%d of %d trials lost events (%d of %d received)", lost[side], *dropsN, events[side], 5**dropsN)
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", cond, cell("NativeEventSource"), cell("EventSourcePolyfill"), cell("RawFetch"), cell("WorkerFetch")))
	}
	t.Logf("5 events, then a drop, %d trials each (%s):\n| condition | native | polyfill | fetch() alone | fetch() in a worker |\n| --- | --- | --- | --- | --- |\n%s",
		*dropsN, time.Now().UTC().Format(time.RFC3339), strings.Join(rows, "\n"))
}

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The tests of this file check the extensions of the options in headless
// Chromium (issue 13), each opt-in, observed from the server and from the
// events; js/test/extensions.test.mjs checks them under Node.

// errorLog is the JS source of a function that records a source's error
// events with their extension fields and the time they fired.
const errorLog = `(es) => {
	const log = [];
	es.addEventListener('error', (e) => log.push({state: es.readyState, reason: e.reason, status: e.status, message: e.message, t: performance.now(),
		plain: e.constructor === Event && Object.keys(e).join() === 'isTrusted'}));
	return log;
}`

type errorInfo struct {
	State   int     `json:"state"`
	Reason  string  `json:"reason"`
	Status  int     `json:"status"`
	Message string  `json:"message"`
	T       float64 `json:"t"`
	Plain   bool    `json:"plain"`
}

// startSource runs `new EventSourcePolyfill(args)` in the tab as
// globalThis[name], with its messages, opens and errors recorded.
func startSource(t *testing.T, ctx context.Context, name, args string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(() => {
		const es = new EventSourcePolyfill(%s);
		const s = globalThis[%q] = {es, messages: [], opens: 0, errors: (%s)(es)};
		es.onopen = () => { s.opens++; };
		es.onmessage = (e) => s.messages.push(e.data);
		return true;
	})()`, args, name, errorLog))
}

// A headers function is called before every attempt and its result is used
// for that attempt: each reconnection carries a fresh token, and the function
// is told the URL and the last event ID. One that throws fails the source.
func TestHeadersFunction(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	key := newKey(t, "p")
	eval[bool](t, ctx, `(globalThis.calls = [], true)`)
	startSource(t, ctx, "s", jsString("/sse/echo?retry=20&id=7&key="+key)+
		`, {headers: async (a) => { calls.push([a.url.replace(location.origin, ''), a.lastEventId, a.attempt, a.sameOrigin]); return {Authorization: 'Bearer t' + calls.length}; }}`)
	poll(t, ctx, "three connections", `s.messages.length >= 3`, 20*time.Second)
	eval[bool](t, ctx, `(s.es.close(), true)`)
	msgs := eval[[]string](t, ctx, `s.messages`)
	for i, m := range msgs[:3] {
		if got := echoOf(t, m).Headers["authorization"]; got != fmt.Sprintf("Bearer t%d", i+1) {
			t.Errorf("attempt %d sent Authorization %q, want Bearer t%d", i+1, got, i+1)
		}
	}
	calls := eval[[][]any](t, ctx, `calls.slice(0, 3)`)
	want := fmt.Sprint([][]any{{"/sse/echo?retry=20&id=7&key=" + key, "", 1.0, true}, {"/sse/echo?retry=20&id=7&key=" + key, "7", 1.0, true}, {"/sse/echo?retry=20&id=7&key=" + key, "7", 1.0, true}})
	if fmt.Sprint(calls) != want {
		t.Errorf("the headers function was told %v, want %v", calls, want)
	}

	cl := watchConsole(t, ctx)
	startSource(t, ctx, "f", `'/sse/hello', {headers: () => { throw new Error('no token yet'); }}`)
	poll(t, ctx, "the failure", `f.es.readyState === 2`, 20*time.Second)
	errs := eval[[]errorInfo](t, ctx, `f.errors`)
	if len(errs) != 1 || errs[0].State != 2 || errs[0].Reason != "request" || !errs[0].Plain {
		t.Errorf("a headers function that throws: %+v, want one plain error in CLOSED with reason request", errs)
	}
	cl.expect(t, "page", "cannot request", "no token yet")
}

// A fetch option sees every attempt; the signal option closes the source.
func TestFetchAndSignal(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	key := newKey(t, "p")
	eval[bool](t, ctx, `(globalThis.seen = [], globalThis.ctrl = new AbortController(), true)`)
	startSource(t, ctx, "s", jsString("/sse/echo?retry=20&end=eof&key="+key)+
		`, {fetch: (req) => { seen.push(req.url.replace(location.origin, '') + ' ' + req.headers.get('accept')); return fetch(req); }, signal: ctrl.signal}`)
	poll(t, ctx, "three connections", `s.messages.length >= 3`, 20*time.Second)
	eval[bool](t, ctx, `(ctrl.abort(), true)`)
	if st := eval[int](t, ctx, `s.es.readyState`); st != 2 {
		t.Errorf("after abort: readyState %d, want CLOSED", st)
	}
	seen := eval[[]string](t, ctx, `seen`)
	if len(seen) < 3 || seen[0] != "/sse/echo?retry=20&end=eof&key="+key+" text/event-stream" {
		t.Errorf("the fetch option saw %v, want every attempt's request", seen)
	}
	if n := srv.Stats(key).Connections; n != len(seen) {
		t.Errorf("the server saw %d connections, the fetch option %d", n, len(seen))
	}
	if !waitUntil(10*time.Second, func() bool { return srv.Stats(key).Active == 0 }) {
		t.Errorf("the server still serves the stream after abort")
	}
	if errs := eval[[]errorInfo](t, ctx, `s.errors.filter((e) => e.state === 2)`); len(errs) != 0 {
		t.Errorf("abort fired error events in CLOSED: %+v", errs)
	}
}

// lastEventId sends Last-Event-ID from the first request.
func TestInitialLastEventID(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	key := newKey(t, "p")
	startSource(t, ctx, "s", jsString("/sse/echo?key="+key)+`, {lastEventId: 'resume-41'}`)
	poll(t, ctx, "the echo", `s.messages.length >= 1`, 20*time.Second)
	eval[bool](t, ctx, `(s.es.close(), true)`)
	if got := echoOf(t, eval[string](t, ctx, `s.messages[0]`)).Headers["last-event-id"]; got != "resume-41" {
		t.Errorf("the first request sent Last-Event-ID %q, want resume-41", got)
	}
}

// The reconnection policy: exponential delays from the reconnection time,
// capped; statuses retried only when listed; attempts bounded. Delays are
// checked from below (a timer never fires early) and with room above for a
// loaded machine. Serial: it measures time.
func TestReconnectionPolicy(t *testing.T) {
	skipNativeOnly(t)
	ctx := newTab(t, "/e2e/page.html")
	startSource(t, ctx, "b", jsString("/sse/hello?status=503&key="+newKey(t, "b"))+
		`, {backoff: {initial: 50, factor: 2, max: 200, jitter: false}, retryStatuses: [503]}`)
	poll(t, ctx, "six errors", `b.errors.length >= 6`, 30*time.Second)
	eval[bool](t, ctx, `(b.es.close(), true)`)
	errs := eval[[]errorInfo](t, ctx, `b.errors`)
	want := []float64{50, 100, 200, 200, 200}
	for i, w := range want {
		gap := errs[i+1].T - errs[i].T
		if gap < w-2 || gap > w+3000 {
			t.Errorf("gap %d: %.1f ms, want %.0f ms", i+1, gap, w)
		}
	}
	for _, e := range errs {
		if e.State != 0 || e.Reason != "status" || e.Status != 503 {
			t.Errorf("error %+v, want CONNECTING with reason status 503", e)
		}
	}

	startSource(t, ctx, "j", jsString("/sse/hello?status=503&key="+newKey(t, "j"))+`, {backoff: {initial: 300, max: 300}, retryStatuses: [503]}`)
	poll(t, ctx, "six errors with jitter", `j.errors.length >= 6`, 30*time.Second)
	eval[bool](t, ctx, `(j.es.close(), true)`)
	errs = eval[[]errorInfo](t, ctx, `j.errors`)
	for i := 1; i < len(errs); i++ {
		if gap := errs[i].T - errs[i-1].T; gap > 300+3000 {
			t.Errorf("jittered gap %d: %.1f ms over the 300 ms cap", i, gap)
		}
	}

	// Retry-After wins over the delay.
	startSource(t, ctx, "r", jsString("/sse/hello?status.1=503&retryafter.1=1&key="+newKey(t, "r"))+`, {retryStatuses: [503], backoff: {initial: 10, jitter: false}}`)
	poll(t, ctx, "the stream after Retry-After", `r.messages.length >= 1`, 30*time.Second)
	eval[bool](t, ctx, `(globalThis.rOpen = performance.now(), r.es.close(), true)`)
	if gap := eval[float64](t, ctx, `rOpen - r.errors[0].t`); gap < 995 {
		t.Errorf("reconnected %.0f ms after a 503 with Retry-After: 1", gap)
	}

	startSource(t, ctx, "u", jsString("/sse/hello?status=500&key="+newKey(t, "u"))+`, {retryStatuses: [503]}`)
	startSource(t, ctx, "m", jsString("/sse/hello?status=503&key="+newKey(t, "m"))+`, {retryStatuses: [503], maxAttempts: 3, backoff: {initial: 10, jitter: false}}`)
	poll(t, ctx, "both to fail", `u.es.readyState === 2 && m.es.readyState === 2`, 30*time.Second)
	got := eval[string](t, ctx, `[u, m].map((s) => s.errors.map((e) => e.state + ':' + e.reason + ':' + e.status).join(' ')).join(' | ')`)
	if got != "2:status:500 | 0:status:503 0:status:503 2:attempts:503" {
		t.Errorf("unlisted status and maxAttempts: %s", got)
	}
}

// inactivityTimeout reestablishes a connection that went silent, and leaves
// a heartbeating one alone. Serial: it measures time.
func TestInactivityTimeout(t *testing.T) {
	skipNativeOnly(t)
	ctx := newTab(t, "/e2e/page.html")
	key := newKey(t, "s")
	startSource(t, ctx, "s", jsString("/sse/hello?end=hang&retry=20&key="+key)+`, {inactivityTimeout: 300}`)
	poll(t, ctx, "two opens", `s.opens >= 2`, 20*time.Second)
	eval[bool](t, ctx, `(s.es.close(), true)`)
	errs := eval[[]errorInfo](t, ctx, `s.errors`)
	if len(errs) == 0 || errs[0].State != 0 || errs[0].Reason != "inactive" {
		t.Errorf("a silent connection: %+v, want an error in CONNECTING with reason inactive", errs)
	}
	startSource(t, ctx, "h", jsString("/sse/tick?interval=50&key="+newKey(t, "h"))+`, {inactivityTimeout: 400}`)
	poll(t, ctx, "1.5 s of ticks", `h.messages.length >= 30`, 30*time.Second)
	eval[bool](t, ctx, `(h.es.close(), true)`)
	if errs := eval[[]errorInfo](t, ctx, `h.errors`); len(errs) != 0 {
		t.Errorf("a heartbeating connection was reestablished: %+v", errs)
	}
}

// Every error event says why, with the status where there was a response,
// and stays a plain Event; a POST stream that ends is "ended".
func TestErrorReasons(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	originB := originsOf(ctx).B
	for i, c := range []struct{ args, want string }{
		{`'/sse/hello?status=503'`, "2 status 503"},
		{`'/sse/hello?ctype=text/plain'`, "2 content-type 200"},
		{jsString(closedOrigin + "/sse/hello"), "0 network 0"},
		{`'/sse/hello', {method: 'POST', body: 'x'}`, "2 ended 0"},
		{jsString(originB + "/sse/hello"), "2 cors 0"},
		{`'/sse/oversize?before=1&lines=1&linesize=2000', {maxLineSize: 1000}`, "2 line-too-long 0"},
	} {
		name := fmt.Sprintf("r%d", i)
		startSource(t, ctx, name, c.args)
		poll(t, ctx, c.args, name+`.errors.length >= 1`, 20*time.Second)
		eval[bool](t, ctx, `(`+name+`.es.close(), true)`)
		e := eval[errorInfo](t, ctx, name+`.errors[0]`)
		if got := fmt.Sprintf("%d %s %d", e.State, e.Reason, e.Status); got != c.want || !e.Plain || len(e.Message) < 10 {
			t.Errorf("%s: %s plain=%v %q, want %s, a plain Event and a message", c.args, got, e.Plain, e.Message, c.want)
		}
	}
}

// fromReadableStream() in a window and in a dedicated worker: the behaviours
// of whatwg/html PR #12272 and its tests (SSE-9).
func TestFromReadableStream(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	type result struct {
		Name, Detail string
		OK           bool
	}
	ctx := newTab(t, "/e2e/page.html")
	eval[bool](t, ctx, `new Promise((r, j) => { const s = document.createElement('script'); s.src = '/e2e/stream-cases.js'; s.onload = () => r(true); s.onerror = j; document.head.append(s); })`)
	window := eval[[]result](t, ctx, `runStreamCases(EventSourcePolyfill)`)
	worker := eval[[]result](t, ctx, `new Promise((resolve, reject) => {
		const w = new Worker('/e2e/stream-worker.js');
		w.onmessage = (e) => { resolve(e.data); w.terminate(); };
		w.onerror = (e) => reject(new Error('worker: ' + e.message));
	})`)
	for where, rs := range map[string][]result{"window": window, "worker": worker} {
		if len(rs) < 12 {
			t.Errorf("%s: %d cases ran, want 12", where, len(rs))
		}
		var bad []string
		for _, r := range rs {
			if !r.OK {
				bad = append(bad, r.Name+": "+r.Detail)
			}
		}
		if len(bad) > 0 {
			t.Errorf("%s:\n%s", where, strings.Join(bad, "\n"))
		}
	}
}

// Native EventSource sends Last-Event-ID to another origin without a
// preflight; fetch() cannot, so a server that does not allow the header in
// its preflight (acah empty) stops the polyfill's reconnection for good,
// with a console message that says what to allow or which option to use;
// with lastEventIdParam the ID goes in the query and the stream resumes as
// native's does, every id once. (SSE-29)
func TestLastEventIDParamAcrossOrigins(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	originB := originsOf(ctx).B
	cl := watchConsole(t, ctx)
	url := func(side string) string {
		return jsString(originB + "/sse/tick?interval=20&count=3&retry=20&acao=*&acah=&key=" + newKey(t, side))
	}
	eval[bool](t, ctx, fmt.Sprintf(`(() => {
		const ids = (es) => { const s = {es, ids: []}; es.onmessage = (e) => s.ids.push(+e.lastEventId); return s; };
		globalThis.n = ids(new NativeEventSource(%s));
		globalThis.q = ids(new EventSourcePolyfill(%s, {lastEventIdParam: 'lastEventId'}));
		globalThis.h = ids(new EventSourcePolyfill(%s));
		return true;
	})()`, url("n"), url("q"), url("h")))
	poll(t, ctx, "six events each, and the header variant to fail", `n.ids.length >= 6 && q.ids.length >= 6 && h.es.readyState === 2`, 30*time.Second)
	got := eval[map[string]any](t, ctx, `(() => { const r = {n: n.ids.slice(0, 6).join(), q: q.ids.slice(0, 6).join(), h: h.ids.join()}; n.es.close(); q.es.close(); return r; })()`)
	if got["n"] != "1,2,3,4,5,6" || got["q"] != "1,2,3,4,5,6" || got["h"] != "1,2,3" {
		t.Errorf("ids native %v, polyfill with lastEventIdParam %v, with the header %v; want 1..6, 1..6 and 1..3", got["n"], got["q"], got["h"])
	}
	cl.expect(t, "page", "Access-Control-Allow-Headers: Last-Event-ID", "lastEventIdParam")
}

// Native EventSource dispatches each event in a task of its own (SSE-51), so
// a listener's whole promise chain runs before the next event: a listener on
// the first of three events sent in one write, reading the last data seen
// after a chain of k awaits, reads the first for every k. The polyfill's
// default dispatch goes one microtask per event, and sees later events; with the dispatch option "task" it reads what native
// reads. Both side by side, for k = 1 to 5: measured, the default read
// two after one await and three after two or more.
func TestDispatchTiming(t *testing.T) {
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	eval[bool](t, ctx, `(globalThis.chain = (C, init, k, url) => new Promise((resolve) => {
		const es = new C(url, init);
		let last;
		es.onmessage = (e) => {
			last = e.data;
			if (e.data !== 'one') return;
			let p = Promise.resolve();
			for (let i = 0; i < k; i++) p = p.then(() => {});
			p.then(() => { resolve(last); es.close(); });
		};
	}), true)`)
	run := func(ctor, init string) []string {
		var out []string
		for k := 1; k <= 5; k++ {
			out = append(out, eval[string](t, ctx, fmt.Sprintf(`chain(%s, %s, %d, %s)`, ctor, init, k, jsString("/sse/three?key="+newKey(t, "d")))))
		}
		return out
	}
	native := run("NativeEventSource", "undefined")
	if *nativeOnly {
		return
	}
	task := run(polyfillCtor, `{dispatch: 'task'}`)
	micro := run(polyfillCtor, "undefined")
	t.Logf("last data seen after k = 1..5 awaits: native %v, polyfill (task) %v, polyfill (default) %v", native, task, micro)
	if fmt.Sprint(native) != "[one one one one one]" {
		t.Errorf("native read %v, want one for every k", native)
	}
	if fmt.Sprint(task) != fmt.Sprint(native) {
		t.Errorf("with dispatch 'task' the polyfill read %v, native %v", task, native)
	}
	// The default is documented as it is measured: later events show
	// after a chain of one or more awaits, never in a different order.
	rank := map[string]int{"one": 1, "two": 2, "three": 3}
	for k := 1; k < len(micro); k++ {
		if rank[micro[k]] == 0 || rank[micro[k]] < rank[micro[k-1]] {
			t.Errorf("default dispatch read %v: not events of the stream in order", micro)
		}
	}
}

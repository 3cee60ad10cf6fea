package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The tests of this file probe the polyfill as an attacker or an unlucky
// production system would: credentials and redirects across two origins,
// one stream taking memory the others need, an engine that dies, an engine
// download that never finishes, requests nobody asked for.

// echoOf decodes the JSON data of an echo event.
func echoOf(t *testing.T, data string) (e struct {
	Conn    int               `json:"conn"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}) {
	t.Helper()
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		t.Fatalf("echo data %q: %v", data, err)
	}
	return e
}

// A reconnection goes straight to the final URL of the last response
// (SSE-26). When a redirect led to another origin, Authorization must not
// go there on any attempt, as fetch() itself drops it on a cross-origin
// redirect; other headers travel as fetch() sends them on the redirected
// first request. B allows X-Api-Key and Last-Event-ID in its preflight but
// not Authorization, as a third party would.
func TestNoCredentialToRedirectTarget(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	for _, tc := range []struct {
		name   string
		target string // the redirect's "to": A or B and a path
		auth   bool   // whether reconnections carry Authorization
		origin string // the events' origin: "A" or "B"
	}{
		{"cross-origin", "B/sse/echo", false, "B"},
		{"same-origin", "/sse/echo", true, "A"},
		{"back to the first origin", "A/sse/echo", true, "A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newTab(t, "/e2e/page.html")
			o := originsOf(ctx)
			originA, originB := o.A, o.B
			at := map[string]string{"A": originA, "B": originB}
			tc.target = strings.NewReplacer("A/", originA+"/", "B/", originB+"/").Replace(tc.target)
			tc.origin = at[tc.origin]
			key := newKey(t, "p")
			q := url.Values{"code": {"307"}, "to": {tc.target}, "key": {key}, "acao": {"origin"},
				"acah": {"x-api-key, last-event-id"}, "h": {"X-Api-Key"}, "retry": {"20"}, "id": {"7"}}
			first := originA + "/sse/redirect?" + q.Encode()
			if tc.name == "back to the first origin" {
				// A → B → A: the hop through B drops Authorization.
				q.Set("to", originB+"/sse/redirect?code=307&to="+url.QueryEscape(originA+"/sse/echo"))
				first = originA + "/sse/redirect?" + q.Encode()
			}
			rec := eval[recording](t, ctx, spec{Ctor: polyfillCtor, Stop: stop{Messages: 3}}.js(
				jsString(first)+`, {headers: {Authorization: 'Bearer secret-for-A', 'X-Api-Key': 'k'}}`))
			var kinds []string
			var msgs []event
			for _, e := range rec.Events {
				if e.Msg {
					msgs = append(msgs, e)
					kinds = append(kinds, "message")
				} else {
					kinds = append(kinds, fmt.Sprintf("%s%d", e.Type, e.RS))
				}
			}
			want := "open1 message error0 open1 message error0 open1 message"
			if strings.Join(kinds, " ") != want || len(msgs) != 3 {
				t.Fatalf("events %v, want %s (a reconnection failed?)", kinds, want)
			}
			for i, m := range msgs {
				e := echoOf(t, m.Data)
				if m.Origin != tc.origin {
					t.Errorf("message %d from %s, want %s", i+1, m.Origin, tc.origin)
				}
				_, hasAuth := e.Headers["authorization"]
				switch {
				case i == 0 && tc.origin == originB && hasAuth:
					t.Errorf("the redirected first request reached B with Authorization")
				case i > 0 && hasAuth != tc.auth:
					t.Errorf("reconnection %d: Authorization sent %v, want %v (headers %v)", i, hasAuth, tc.auth, e.Headers)
				}
				if e.Headers["x-api-key"] != "k" {
					t.Errorf("request %d: X-Api-Key %q, want it as fetch sends it", i+1, e.Headers["x-api-key"])
				}
				if i > 0 && e.Headers["last-event-id"] != "7" {
					t.Errorf("reconnection %d: Last-Event-ID %q, want 7", i, e.Headers["last-event-id"])
				}
			}
		})
	}
}

// tickJS starts an EventSourcePolyfill on a tick stream and keeps its
// counts in globalThis[name]: messages, errors, the last readyState, and
// whether the ids came in order without a gap.
func tickJS(name, u string) string {
	return fmt.Sprintf(`(() => {
		const s = globalThis[%[1]q] = {messages: 0, errors: 0, opens: 0, inOrder: true, last: 0};
		const es = s.es = new EventSourcePolyfill(%[2]q);
		es.onopen = () => { s.opens++; };
		es.onerror = () => { s.errors++; s.state = es.readyState; };
		es.onmessage = (e) => {
			const n = JSON.parse(e.data).n;
			if (n !== s.last + 1) s.inOrder = false;
			s.last = n; s.messages++;
		};
		return true;
	})()`, name, u)
}

// One stream that grows past what the engine can hold fails alone (with a
// message), and never takes another down: 120 streams that each hold a
// 15 MiB data line and a 15 MiB unfinished line, under the default limits,
// would need 3.6 GB of the engine, which dies near 4 GiB; the engine's
// budget fails those that would exceed it, and a healthy stream on another
// origin keeps receiving. The unfinished line is a comment: an unfinished
// data line past the 16 MiB event limit would not be held, only counted
// (Parser.streamData). Serial: it loads the whole machine.
func TestMemoryBudgetIsolatesStreams(t *testing.T) {
	skipNativeOnly(t)
	const streams, part = 120, 15 << 20
	var chunks []string
	chunks = append(chunks, "data: ")
	for range part >> 20 {
		chunks = append(chunks, strings.Repeat("x", 1<<20))
	}
	chunks = append(chunks, "\n:")
	for range part >> 20 {
		chunks = append(chunks, strings.Repeat("y", 1<<20))
	}
	srv.SetBody("budget-120", chunks...)

	// A fresh tab (its renderer holds nothing of other tests) with room for
	// 3.6 GB to cross a loaded machine.
	ctx := newFreshTab(t, "/e2e/page.html", 5*time.Minute)
	portB := originsOf(ctx).portB
	cl := watchConsole(t, ctx)
	eval[bool](t, ctx, tickJS("healthy", fmt.Sprintf("http://healthy.hygiene.test:%s/sse/tick?interval=50&acao=*&key=%s", portB, newKey(t, "h"))))
	poll(t, ctx, "the healthy stream", `healthy.messages >= 2`, 20*time.Second)
	var urls []string
	for i := range streams {
		urls = append(urls, fmt.Sprintf("http://big%d.hygiene.test:%s/sse/stored?body=budget-120&end=hang&acao=*", i, portB))
	}
	b, _ := json.Marshal(urls)
	eval[bool](t, ctx, `(() => {
		globalThis.big = `+string(b)+`.map((u) => {
			const s = {errors: 0, states: []};
			s.es = new EventSourcePolyfill(u);
			s.es.onerror = () => { s.errors++; s.states.push(s.es.readyState); };
			return s;
		});
		return true;
	})()`)
	// Settled: every stream either failed or holds all it was sent (the
	// debug hook's buffered is the body held, by length; what the buffers
	// take, and the budget charges, may be up to twice that).
	settled := fmt.Sprintf(`EventSourcePolyfill[Symbol.for("eventsource-wasm.debug")]().then((d) => {
		const closed = big.filter((s) => s.es.readyState === 2).length;
		const full = d.buffered.filter((n) => n >= %d).length;
		globalThis.budgetState = {closed, full, budget: d.budgetBytes};
		return closed + full === %d;
	})`, 2*part, streams)
	if waitTrue(ctx, settled, 150*time.Second) != nil {
		t.Fatalf("streams neither failed nor fully held: %v", eval[map[string]any](t, ctx, `EventSourcePolyfill[Symbol.for("eventsource-wasm.debug")]().then((d) => ({
			state: budgetState, states: big.map((s) => s.es.readyState).join(''), buffered: d.buffered.map((n) => n >> 20).join(' ')}))`))
	}
	seen := eval[int](t, ctx, `healthy.messages`)
	poll(t, ctx, "the healthy stream after the others settled", fmt.Sprintf(`healthy.messages >= %d`, seen+3), 20*time.Second)

	type state struct{ Closed, Full, Budget int }
	st := eval[state](t, ctx, `budgetState`)
	healthy := eval[map[string]any](t, ctx, `({errors: healthy.errors, state: healthy.es.readyState, inOrder: healthy.inOrder, opens: healthy.opens})`)
	bad := eval[int](t, ctx, `big.filter((s) => s.es.readyState === 2 && !(s.errors === 1 && s.states[0] === 2)).length`)
	open := eval[int](t, ctx, `big.filter((s) => s.es.readyState === 1 && s.errors === 0).length`)
	eval[bool](t, ctx, `(big.forEach((s) => s.es.close()), healthy.es.close(), true)`)
	t.Logf("%d streams failed on the budget, %d hold 30 MiB each; %d bytes charged", st.Closed, st.Full, st.Budget)
	if healthy["errors"] != 0.0 || healthy["state"] != 1.0 || healthy["inOrder"] != true || healthy["opens"] != 1.0 {
		t.Errorf("the healthy stream was disturbed: %v", healthy)
	}
	if st.Closed == 0 || st.Full == 0 {
		t.Errorf("%d failed and %d held: the budget should fail some and keep others", st.Closed, st.Full)
	}
	if bad != 0 || open != st.Full {
		t.Errorf("%d failed streams did not fail once with CLOSED; %d of %d holding streams are open without error", bad, open, st.Full)
	}
	if n := len(cl.find("page", "memory budget")); n != st.Closed {
		t.Errorf("%d console messages about the budget for %d failed streams", n, st.Closed)
	}
	if n := len(cl.find("page", "engine stopped")); n != 0 {
		t.Errorf("the engine died:\n%s", cl)
	}
}

// The largest limits the options accept leave the engine room for the
// others: a line that never ends at maxLineSize 2^28 fails that source
// alone, and 2^40, which once let one line exhaust the engine, is refused
// at construction.
func TestEndlessLineIsolated(t *testing.T) {
	skipNativeOnly(t)
	ctx := newTab(t, "/e2e/page.html")
	cl := watchConsole(t, ctx)
	threw := eval[string](t, ctx, `(() => { try { new EventSourcePolyfill('/sse/hello', {maxLineSize: 2 ** 40}); return 'no'; } catch (e) { return e.name + ': ' + e.message; } })()`)
	if !strings.HasPrefix(threw, "TypeError") || !strings.Contains(threw, "maxLineSize") {
		t.Errorf("maxLineSize 2^40: %s, want a TypeError naming the option", threw)
	}
	o := originsOf(ctx)
	originB, portB := o.B, o.portB
	eval[bool](t, ctx, tickJS("h1", fmt.Sprintf("%s/sse/tick?interval=50&acao=*&key=%s", originB, newKey(t, "h1"))))
	eval[bool](t, ctx, tickJS("h2", fmt.Sprintf("http://other.hygiene.test:%s/sse/tick?interval=50&acao=*&key=%s", portB, newKey(t, "h2"))))
	poll(t, ctx, "the healthy streams", `h1.messages >= 2 && h2.messages >= 2`, 20*time.Second)
	eval[bool](t, ctx, `(() => {
		const s = globalThis.endless = {errors: 0};
		s.es = new EventSourcePolyfill('/sse/endless?limit=268435456&end=hang', {maxLineSize: 2 ** 28});
		s.es.onerror = () => { s.errors++; };
		return true;
	})()`)
	poll(t, ctx, "the endless line to fail", `endless.es.readyState === 2`, 120*time.Second)
	seen := eval[[]int](t, ctx, `[h1.messages, h2.messages]`)
	poll(t, ctx, "the healthy streams after the failure", fmt.Sprintf(`h1.messages >= %d && h2.messages >= %d`, seen[0]+3, seen[1]+3), 20*time.Second)
	got := eval[map[string]any](t, ctx, `({e: endless.errors, h1: [h1.errors, h1.es.readyState, h1.inOrder], h2: [h2.errors, h2.es.readyState, h2.inOrder]})`)
	eval[bool](t, ctx, `(h1.es.close(), h2.es.close(), true)`)
	if fmt.Sprint(got) != "map[e:1 h1:[0 1 true] h2:[0 1 true]]" {
		t.Errorf("after the endless line: %v, want one error for it and none for the others", got)
	}
	cl.expect(t, "page", "exceeds maxLineSize (268435456 bytes)")
}

// An engine that dies anyway (here on request of the debug hook) takes no
// stream down for good: each reconnects on a fresh engine the standard way,
// error in CONNECTING then open, and resumes with Last-Event-ID, every event
// exactly once; nothing reaches window.onerror, one console line says what
// happened, and the dead engine's memory is released.
func TestEngineDeathReconnects(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	cl := watchConsole(t, ctx)
	eval[bool](t, ctx, `(() => {
		globalThis.uncaught = [];
		addEventListener('error', (e) => uncaught.push(String(e.message)));
		addEventListener('unhandledrejection', (e) => uncaught.push(String(e.reason)));
		return true;
	})()`)
	originB := originsOf(ctx).B
	eval[bool](t, ctx, tickJS("a", fmt.Sprintf("/sse/tick?interval=20&retry=30&key=%s", newKey(t, "a"))))
	eval[bool](t, ctx, tickJS("b", fmt.Sprintf("%s/sse/tick?interval=20&retry=30&acao=*&acah=last-event-id&key=%s", originB, newKey(t, "b"))))
	poll(t, ctx, "both streams", `a.messages >= 5 && b.messages >= 5`, 20*time.Second)
	eval[bool](t, ctx, `EventSourcePolyfill[Symbol.for("eventsource-wasm.debug")]('crash').then((r) => { globalThis.dead = r.memory; return r.memory.deref() !== undefined; })`)
	poll(t, ctx, "both streams reopened", `a.opens === 2 && b.opens === 2`, 20*time.Second)
	seen := eval[[]int](t, ctx, `[a.messages, b.messages]`)
	poll(t, ctx, "both streams after the reconnection", fmt.Sprintf(`a.messages >= %d && b.messages >= %d`, seen[0]+5, seen[1]+5), 20*time.Second)
	got := eval[map[string]any](t, ctx, `({a: [a.errors, a.opens, a.es.readyState, a.inOrder], b: [b.errors, b.opens, b.es.readyState, b.inOrder], uncaught})`)
	eval[bool](t, ctx, `(a.es.close(), b.es.close(), true)`)
	if fmt.Sprint(got) != "map[a:[1 2 1 true] b:[1 2 1 true] uncaught:[]]" {
		t.Errorf("after the engine died: %v; want one error, two opens, OPEN, every id once in order, nothing uncaught", got)
	}
	if n := len(cl.find("page", "engine stopped")); n != 1 {
		t.Errorf("%d console lines about the engine, want 1:\n%s", n, cl)
	}
	measureHeap(t, ctx)
	if !eval[bool](t, ctx, `dead.deref() === undefined`) {
		t.Errorf("the dead engine's memory is still referenced after a full collection")
	}
}

// An engine download that never finishes ends in error and CLOSED, with a
// console line, within EventSourcePolyfill.loadTimeout, for every instance
// waiting; a later instance tries again.
func TestStuckEngineLoad(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	ctx := newTab(t, "/e2e/page.html")
	cl := watchConsole(t, ctx)
	eval[bool](t, ctx, `(() => {
		globalThis.good = EventSourcePolyfill.wasmURL;
		EventSourcePolyfill.wasmURL = '/sse/hello?stall=1';
		EventSourcePolyfill.loadTimeout = 1500;
		globalThis.t0 = performance.now();
		globalThis.stuck = [0, 1].map(() => {
			const s = {events: []};
			s.es = new EventSourcePolyfill('/sse/hello');
			s.es.onerror = () => { s.events.push('error' + s.es.readyState); s.t = performance.now() - t0; };
			return s;
		});
		return true;
	})()`)
	poll(t, ctx, "both to fail", `stuck.every((s) => s.es.readyState === 2)`, 30*time.Second)
	got := eval[[]string](t, ctx, `stuck.map((s) => s.events.join(' '))`)
	took := eval[float64](t, ctx, `Math.max(...stuck.map((s) => s.t))`)
	if fmt.Sprint(got) != "[error2 error2]" || took < 1400 {
		t.Errorf("events %v after %.0f ms; want one error in CLOSED each, at the timeout", got, took)
	}
	if n := len(cl.find("page", "WebAssembly engine", "did not load within 1500 ms")); n != 2 {
		t.Errorf("%d console lines about the load, want 2:\n%s", n, cl)
	}
	eval[bool](t, ctx, `(EventSourcePolyfill.wasmURL = good, true)`)
	rec := eval[recording](t, ctx, spec{Ctor: polyfillCtor, Stop: stop{Messages: 1}}.js(`'/sse/hello'`))
	expect(t, "a later instance", renderer{o: originsOf(ctx)}.lines(rec), `init 0 wc=false url="A/sse/hello"
		open 1
		message 1 "hello"
		final 1`)
}

// A POST (or any method but GET and HEAD) is never repeated by the shim to
// tell a CORS failure from a network error: a request reset before its
// response leaves the server with the POSTs the user asked for and no other
// request.
func TestNoProbeWithOtherMethods(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	for _, tc := range []struct {
		name, init, want string
		connections      int
	}{
		{"POST fails", `{method: 'POST', body: 'x'}`, "error 2\nfinal 2", 1},
		{"POST with reconnect", `{method: 'POST', body: 'x', reconnect: true}`, "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newTab(t, "/e2e/page.html")
			key := newKey(t, "p")
			s := spec{Ctor: polyfillCtor, Stop: stop{Messages: 1}}
			// reset=bad: a response head the browser rejects as a network
			// error without retrying it itself.
			rec := eval[recording](t, ctx, s.js(jsString("/sse/echo?reset.1=bad&key="+key)+", "+tc.init))
			lines := renderer{o: originsOf(ctx), key: key}.lines(rec)
			if tc.want != "" {
				expect(t, "polyfill", lines[1:], tc.want)
			} else if n := len(rec.Events); n != 3 || rec.Events[0].Type != "error" || rec.Events[0].RS != 0 ||
				echoOf(t, rec.Events[2].Data).Method != "POST" {
				t.Errorf("recording %v, want error 0, open and a POST echo after the reset", lines)
			}
			st := srv.Stats(key)
			if st.Probes != 0 || st.Connections != tc.connections {
				t.Errorf("the server saw %d probes and %d connections, want 0 and %d", st.Probes, st.Connections, tc.connections)
			}
		})
	}
}

// A URL longer than Chrome's 2 MiB limit: native and the polyfill fail
// once, CLOSED, and never request it.
func TestURLTooLong(t *testing.T) {
	t.Parallel()
	runScenario(t, scenario{name: "url-too-long",
		arg:   `'/sse/hello?key={key}&' + 'x'.repeat(2 * 1024 * 1024)`,
		spec:  spec{Grace: 300},
		check: connections(0)})
}

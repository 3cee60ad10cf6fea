package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The shared option (issue 15): the instances of several tabs of one
// browser share one connection, run by a SharedWorker (js/src/hub.js), and
// each keeps the standard behaviour (js/src/sharing.js). Every test names a
// shared worker of its own (a query string on its URL), so that tests that
// run at the same time share no worker; its heartbeat is 500 ms (a crashed
// tab is dropped after 5 s of silence, the floor; a lost worker is noticed
// after 10 s).

// sharedWorkerURL returns a worker URL of the test's own.
func sharedWorkerURL(t *testing.T) string {
	return "/dist/eventsource-shared-worker.js?heartbeat=500&test=" + url.QueryEscape(newKey(t, "w"))
}

// streamHost returns an origin of the test's own for its streams, a name
// under hygiene.test (the loopback, origin A's port): Chrome's limit of 6
// connections per host then counts the test's streams only, not those of
// the tests that run at the same time, nor the page loads. The streams
// allow it with acao=origin.
func streamHost(t *testing.T) string {
	u, err := url.Parse(pageOrigin(t))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Trim(strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(newKey(t, "host"), "-")), "-")
	return "http://" + name + ".hygiene.test:" + u.Port()
}

// The three helpers below are all that knows how the suite opens tabs and
// names its origins.

// pageOrigin returns the origin of the test pages, the lane's origin A.
func pageOrigin(t *testing.T) string {
	t.Helper()
	return originsFor(t).A
}

// extraTab opens one more tab on page, a path of the lane's origin A: the
// lane's own tab first, then new ones, closed when the test ends. The
// tabs of one test share its lane, so its workers and streams are its own.
func extraTab(t *testing.T, page string) context.Context {
	t.Helper()
	l := laneFor(t)
	sharedMu.Lock()
	first := !usedLaneTab[t]
	usedLaneTab[t] = true
	sharedMu.Unlock()
	if first {
		t.Cleanup(func() {
			sharedMu.Lock()
			delete(usedLaneTab, t)
			sharedMu.Unlock()
		})
		return newTab(t, page)
	}
	tab, closeTab := chromedp.NewContext(context.WithValue(browserCtx, originsKey{}, l.origins))
	t.Cleanup(closeTab)
	ctx, cancel := context.WithTimeout(tab, tabTimeout)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(l.A+page)); err != nil {
		t.Fatalf("navigating to %s: %v", page, err)
	}
	return ctx
}

var (
	sharedMu sync.Mutex
	// usedLaneTab is set for a test once extraTab has given it its lane's
	// tab.
	usedLaneTab = map[*testing.T]bool{}
)

// render renders a recording of the test with key as K.
func render(t *testing.T, key string, rec recording) []string {
	t.Helper()
	return renderer{o: originsFor(t), key: key}.lines(rec)
}

// sharedPage returns the test page that uses worker.
func sharedPage(worker string) string {
	return "/e2e/shared.html?worker=" + url.QueryEscape(worker)
}

// sharedTabs opens n tabs on the page.
func sharedTabs(t *testing.T, n int, page string) []context.Context {
	t.Helper()
	tabs := make([]context.Context, n)
	for i := range tabs {
		tabs[i] = extraTab(t, page)
	}
	return tabs
}

// startRecording starts recordEventSource in the tab without awaiting it:
// window.rec is the promise of its recording, window.live its progress.
func startRecording(t *testing.T, ctx context.Context, s spec, args string) {
	t.Helper()
	s.Expose = "live"
	eval[bool](t, ctx, "(window.rec = "+s.js(args)+", true)")
}

// finishRecording awaits the recording that startRecording started.
func finishRecording(t *testing.T, ctx context.Context) recording {
	t.Helper()
	return eval[recording](t, ctx, "window.rec")
}

// sharedDebug is what the worker reports through the hidden debug hook.
type sharedDebug struct {
	Groups  int          `json:"groups"`
	Members int          `json:"members"`
	Windows int          `json:"windows"`
	Ports   int          `json:"ports"`
	Calls   int          `json:"calls"`
	Engine  *engineStats `json:"engine"`
}

type engineStats struct {
	engineDebug
	MemoryBytes int `json:"memoryBytes"`
}

func readSharedDebug(t *testing.T, ctx context.Context) *sharedDebug {
	t.Helper()
	return eval[*sharedDebug](t, ctx, `EventSourcePolyfill[Symbol.for("eventsource-wasm.debug")]("shared")`)
}

// crashTab crashes the tab's renderer (Page.crash never answers).
func crashTab(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	chromedp.Run(cctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.Crash, cdp.Empty{})
		return chromedp.Void{}, err
	})
}

// The stream of the recording tests: numbered events that wait, after the
// response head, for Server.Release, so that every tab has joined (and seen
// open) before the first event.
const heldStream = "/sse/numbered?n=30&pause.1=0:await&end=hang&acao=origin&key="

// SSE-24, SSE-49, SSE-51: five tabs on one URL share one connection: the
// server sees one request, and the five recordings are identical to one
// another and to a recording of the native EventSource in a tab of its own.
func TestSharedFiveTabs(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	tabs := sharedTabs(t, 5, sharedPage(sharedWorkerURL(t)))
	key, host := newKey(t, "s"), streamHost(t)
	s := spec{Ctor: polyfillCtor, Stop: stop{Messages: 30}, Timeout: 30000}
	for _, ctx := range tabs {
		startRecording(t, ctx, s, jsString(host+heldStream+key)+", {shared: true}")
	}
	for i, ctx := range tabs {
		poll(t, ctx, fmt.Sprintf("tab %d open", i), `live.counts.open === 1`, 20*time.Second)
	}
	srv.Release(key)
	var lines [5][]string
	var opens [5]float64
	for i, ctx := range tabs {
		rec := finishRecording(t, ctx)
		lines[i] = render(t, key, rec)
		if len(rec.Events) > 0 {
			opens[i] = rec.Events[0].T
		}
	}

	nkey := newKey(t, "n")
	native := extraTab(t, "/e2e/shared.html")
	startRecording(t, native, spec{Ctor: "EventSource", Stop: stop{Messages: 30}, Timeout: 30000}, jsString(host+heldStream+nkey))
	poll(t, native, "native open", `live.counts.open === 1`, 20*time.Second)
	srv.Release(nkey)
	want := render(t, nkey, finishRecording(t, native))

	if len(want) != 33 {
		t.Errorf("native recording: %d lines, want init, open, 30 messages, final:\n%s", len(want), strings.Join(want, "\n"))
	}
	for i := range lines {
		if !equal(lines[i], want) {
			t.Errorf("tab %d and native disagree:\n%s", i, sideBySide("native", want, fmt.Sprintf("shared tab %d", i), lines[i]))
		}
	}
	if n := srv.Stats(key).Connections; n != 1 {
		t.Errorf("the server saw %d connections for five tabs, want 1", n)
	}
	// Each recording closes its instance when it stops: the last one
	// closes the connection.
	if !waitUntil(10*time.Second, func() bool { return srv.Stats(key).Active == 0 }) {
		t.Errorf("the server still serves the stream after every instance closed")
	}
	t.Logf("from the constructor to open: first tab %.0f ms (the worker starts and loads the engine), the four that joined %.0f, %.0f, %.0f, %.0f ms",
		opens[0], opens[1], opens[2], opens[3], opens[4])
}

// Under HTTP/1.1 Chrome opens at most 6 connections per host: a native
// EventSource in each of 7 tabs leaves the 7th CONNECTING (the control),
// while 10 tabs sharing one connection all receive events. Each side has a
// host name of its own (the *.hygiene.test names map to the loopback), so
// that neither starves the other, or the test pages. Serial: the control
// waits a while to see that nothing comes.
func TestSharedConnectionLimit(t *testing.T) {
	skipNativeOnly(t)
	stream := func(host, key string) string {
		return host + "/sse/tick?interval=50&acao=origin&key=" + key
	}
	listen := `(C, u, init) => { const es = window.es = new C(u, init); window.got = 0; es.onmessage = () => { window.got++; }; return true; }`

	// The control: native EventSources, one per tab, on one host.
	nkey := newKey(t, "n")
	nhost := streamHost(t)
	var natives []context.Context
	for i := range 7 {
		ctx := extraTab(t, "/e2e/shared.html")
		natives = append(natives, ctx)
		eval[bool](t, ctx, fmt.Sprintf("(%s)(NativeEventSource, %s)", listen, jsString(stream(nhost, nkey))))
		if i < 6 {
			poll(t, ctx, fmt.Sprintf("native tab %d receiving", i), `window.got >= 1`, 20*time.Second)
		}
	}
	// A stalled request has nothing to wait on: give it a second, while
	// the six others go on receiving.
	for _, ctx := range natives[:6] {
		eval[bool](t, ctx, `(window.mark = window.got, true)`)
	}
	for _, ctx := range natives[:6] {
		poll(t, ctx, "native tabs still receiving", `window.got >= window.mark + 20`, 20*time.Second)
	}
	if got := eval[[]int](t, natives[6], `[window.es.readyState, window.got]`); got[0] != 0 || got[1] != 0 {
		t.Errorf("native: the 7th tab has readyState %d and %d events, want CONNECTING and none (6 connections per host)", got[0], got[1])
	}
	if n := srv.Stats(nkey).Active; n != 6 {
		t.Errorf("native: the server serves %d streams, want 6", n)
	}
	for _, ctx := range natives {
		chromedp.Cancel(ctx)
	}

	// Shared: ten tabs, one connection.
	skey := newKey(t, "s")
	shost := streamHost(t)
	tabs := sharedTabs(t, 10, sharedPage(sharedWorkerURL(t)))
	for _, ctx := range tabs {
		eval[bool](t, ctx, fmt.Sprintf("(%s)(EventSourcePolyfill, %s, {shared: true})", listen, jsString(stream(shost, skey))))
	}
	for i, ctx := range tabs {
		poll(t, ctx, fmt.Sprintf("shared tab %d receiving", i), `window.got >= 3`, 20*time.Second)
	}
	if st := srv.Stats(skey); st.Connections != 1 || st.Active != 1 {
		t.Errorf("shared: the server saw %d connections (%d active) for ten tabs, want 1", st.Connections, st.Active)
	}
	for _, ctx := range tabs {
		eval[bool](t, ctx, `(window.es.close(), true)`)
	}
	if !waitUntil(10*time.Second, func() bool { return srv.Stats(skey).Active == 0 }) {
		t.Errorf("shared: the stream is still served after every instance closed")
	}
}

// tickIDs is the JS source that follows a shared instance on a tick stream:
// window.ids gets each event's number, window.others every open and error.
const tickIDs = `(u) => {
	const es = window.es = new EventSourcePolyfill(u, {shared: true});
	window.ids = []; window.others = [];
	window.t0 = performance.now();
	es.onopen = () => { window.others.push('open' + es.readyState); if (!window.opened) window.opened = performance.now() - window.t0; };
	es.onerror = () => window.others.push('error' + es.readyState);
	es.onmessage = (e) => window.ids.push(JSON.parse(e.data).n);
	return true;
}`

// noGap fails t unless the tab's ids are consecutive and it saw one open and
// no error.
func noGap(t *testing.T, name string, ctx context.Context) {
	t.Helper()
	got := eval[struct {
		IDs    []int    `json:"ids"`
		Others []string `json:"others"`
	}](t, ctx, `({ids: window.ids, others: window.others})`)
	for i := 1; i < len(got.IDs); i++ {
		if got.IDs[i] != got.IDs[i-1]+1 {
			t.Errorf("%s: event %d after %d: a gap or a repeat", name, got.IDs[i], got.IDs[i-1])
			break
		}
	}
	if strings.Join(got.Others, ",") != "open1" {
		t.Errorf("%s: opens and errors %v, want one open", name, got.Others)
	}
}

// Tabs leave in every way while the others read on, without a gap: a tab
// closes mid-stream, then the tab that started the connection, then one
// crashes (Page.crash: no pagehide, the heartbeat finds out). The last one
// leaving closes the server's connection; a witness tab keeps the worker
// alive, so that it is the worker that closes it, not its end.
func TestSharedTabsLeave(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	page := sharedPage(sharedWorkerURL(t))
	key := newKey(t, "s")
	host := streamHost(t)
	stream := jsString(host + "/sse/tick?interval=20&acao=origin&key=" + key)
	witness := extraTab(t, page)
	eval[bool](t, witness, fmt.Sprintf(`(new EventSourcePolyfill(%s, {shared: true}), true)`, jsString(host+"/sse/hello?end=hang&acao=origin")))
	tabs := sharedTabs(t, 5, page)
	for _, ctx := range tabs {
		eval[bool](t, ctx, fmt.Sprintf("(%s)(%s)", tickIDs, stream))
	}
	readOn := func(what string, from []context.Context) {
		t.Helper()
		for _, ctx := range from {
			eval[bool](t, ctx, `(window.mark = window.ids.length, true)`)
		}
		for i, ctx := range from {
			poll(t, ctx, fmt.Sprintf("%s: tab %d reading on", what, i), `window.ids.length >= window.mark + 10`, 20*time.Second)
		}
	}
	readOn("all five", tabs)
	// Joining a live connection: open at once, no engine in the tab.
	opened := eval[[]float64](t, tabs[4], `[window.opened]`)
	t.Logf("from the constructor to open in the fifth tab, which joined a live connection: %.1f ms", opened[0])

	chromedp.Cancel(tabs[1])
	readOn("a tab closed", []context.Context{tabs[0], tabs[2], tabs[3], tabs[4]})
	chromedp.Cancel(tabs[0]) // the one that started the connection
	readOn("the first tab closed", tabs[2:])
	if d := readSharedDebug(t, witness); d == nil || d.Members != 4 {
		t.Errorf("after two tabs closed: %+v, want 4 members (3 tabs and the witness)", d)
	}
	crashed := time.Now()
	crashTab(tabs[2])
	readOn("a tab crashed", tabs[3:])
	for i, ctx := range tabs[3:] {
		noGap(t, fmt.Sprintf("tab %d", i+3), ctx)
	}
	if !waitUntil(20*time.Second, func() bool { d := readSharedDebug(t, witness); return d != nil && d.Members == 3 }) {
		t.Errorf("the crashed tab's member is still there: %+v", readSharedDebug(t, witness))
	}
	t.Logf("the worker dropped the crashed tab %v after the crash (heartbeat 500 ms)", time.Since(crashed).Round(10*time.Millisecond))
	if n := srv.Stats(key).Connections; n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}

	// The last two leave: one by close(), the other with its tab.
	eval[bool](t, tabs[3], `(window.es.close(), true)`)
	if n := srv.Stats(key).Active; n != 1 {
		t.Errorf("with one tab left: %d streams served, want 1", n)
	}
	chromedp.Cancel(tabs[4])
	if !waitUntil(10*time.Second, func() bool { return srv.Stats(key).Active == 0 }) {
		t.Errorf("the stream is still served after its last tab left")
	}
	if d := readSharedDebug(t, witness); d == nil || d.Groups != 1 || d.Members != 1 || d.Engine == nil || d.Engine.Connections != 1 {
		t.Errorf("the worker after the last tab left: %+v, want the witness's group only", d)
	}
}

// SSE-27, SSE-28, SSE-29: the server drops the connection: one reconnection
// with Last-Event-ID, made once for every tab, and each tab receives every
// event exactly once, with the same open / error / open sequence as the
// native EventSource in a tab of its own.
func TestSharedServerDrop(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	tabs := sharedTabs(t, 3, sharedPage(sharedWorkerURL(t)))
	// The first connection waits after its head, sends 1..12, waits again
	// and drops; the second resumes after the Last-Event-ID.
	drop := streamHost(t) + "/sse/numbered?n=30&retry=50&pause.1=0:await&upto.1=12&end.1=await&then.1=drop&end=hang&acao=origin&key="
	key := newKey(t, "s")
	s := spec{Ctor: polyfillCtor, Stop: stop{Messages: 30}, Timeout: 30000}
	record := func(ctx context.Context, ctor, key, init string) {
		s.Ctor = ctor
		startRecording(t, ctx, s, jsString(drop+key)+init)
	}
	for _, ctx := range tabs {
		record(ctx, polyfillCtor, key, ", {shared: true}")
	}
	nkey := newKey(t, "n")
	native := extraTab(t, "/e2e/shared.html")
	record(native, "EventSource", nkey, "")
	all := append([]context.Context{native}, tabs...)
	for _, ctx := range all {
		poll(t, ctx, "open", `live.counts.open === 1`, 20*time.Second)
	}
	srv.Release(key)
	srv.Release(nkey)
	for _, ctx := range all {
		poll(t, ctx, "the first 12 events", `live.counts.message === 12`, 20*time.Second)
	}
	srv.Release(key)
	srv.Release(nkey)
	want := render(t, nkey, finishRecording(t, native))
	for i, ctx := range tabs {
		got := render(t, key, finishRecording(t, ctx))
		if !equal(got, want) {
			t.Errorf("tab %d and native disagree:\n%s", i, sideBySide("native", want, "shared", got))
		}
	}
	var kinds []string
	for _, l := range want {
		if !strings.HasPrefix(l, "message ") {
			kinds = append(kinds, l)
		}
	}
	if len(want) != 35 || strings.Join(kinds[1:], ", ") != "open 1, error 0, open 1, final 1" {
		t.Errorf("native: %d lines, %v; want open, 12 messages, error, open, 18 messages", len(want), kinds)
	}
	if n := srv.Stats(key).Connections; n != 2 {
		t.Errorf("the server saw %d connections for three tabs and one drop, want 2", n)
	}
	if n := srv.Stats(nkey).Connections; n != 2 {
		t.Errorf("native: %d connections, want 2", n)
	}
}

// Where SharedWorker is missing (deleted before the script loads) or its
// worker cannot start (a URL that answers 404), each shared instance
// connects on its own, silently, and records what the native EventSource
// does.
func TestSharedFallback(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	for _, page := range []string{"/e2e/shared.html?noshared", sharedPage("/dist/no-such-worker.js")} {
		key, nkey, host := newKey(t, "s"), newKey(t, "n"), streamHost(t)
		tabs := sharedTabs(t, 3, page)
		s := spec{Ctor: polyfillCtor, Stop: stop{Messages: 30}, Timeout: 30000}
		for _, ctx := range tabs[1:] {
			startRecording(t, ctx, s, jsString(host+heldStream+key)+", {shared: true}")
		}
		s.Ctor = "EventSource"
		startRecording(t, tabs[0], s, jsString(host+heldStream+nkey))
		for _, ctx := range tabs {
			poll(t, ctx, "open", `live.counts.open === 1`, 20*time.Second)
		}
		srv.Release(key)
		srv.Release(key)
		srv.Release(nkey)
		want := render(t, nkey, finishRecording(t, tabs[0]))
		for i, ctx := range tabs[1:] {
			rec := finishRecording(t, ctx)
			got := render(t, key, rec)
			if len(rec.Events) > 0 {
				t.Logf("%s: tab %d, a connection of its own: %.0f ms from the constructor to open (the engine loads in the tab)", page, i+1, rec.Events[0].T)
			}
			if !equal(got, want) {
				t.Errorf("%s: tab %d and native disagree:\n%s", page, i+1, sideBySide("native", want, "shared", got))
			}
			if d := readSharedDebug(t, ctx); d != nil {
				t.Errorf("%s: tab %d has a shared worker: %+v", page, i+1, d)
			}
		}
		if n := srv.Stats(key).Connections; n != 2 {
			t.Errorf("%s: the server saw %d connections for two tabs, want one each", page, n)
		}
	}
}

// sharedWorkerTab attaches to the shared worker whose URL contains worker,
// for the heap measurements of measureHeap.
func sharedWorkerTab(t *testing.T, ctx context.Context, worker string) context.Context {
	t.Helper()
	var id string
	waitUntil(10*time.Second, func() bool {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			return false
		}
		for _, ti := range targets {
			if ti.Type == "shared_worker" && strings.HasSuffix(ti.URL, worker) {
				id = string(ti.TargetID)
				return true
			}
		}
		return false
	})
	if id == "" {
		t.Fatalf("no shared worker %s among the targets", worker)
	}
	// Detach on cancel: closing the target would end the worker.
	wctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithTargetID(target.ID(id)), chromedp.WithDetachOnCancel())
	t.Cleanup(cancel)
	tctx, tcancel := context.WithTimeout(wctx, tabTimeout)
	t.Cleanup(tcancel)
	return tctx
}

// sharedCyclesJS joins and leaves n times, one at a time, alternating
// between a live connection (live, which another tab holds open; it is
// idle, so that no traffic grows the engine's tables meanwhile) and a new
// one (fresh + i, which the member starts and closes by leaving). A member
// of a new one leaves in turn right after construction (before it joins),
// in onopen and in onmessage; a member of the live one right away or in
// onopen, which comes at once.
const sharedCyclesJS = `async (n, live, fresh) => {
	for (let i = 0; i < n; i++) {
		const isLive = i % 2 === 1, kind = isLive ? (i >> 1) % 2 : (i >> 1) % 3;
		await new Promise((resolve, reject) => {
			const es = new EventSourcePolyfill(isLive ? live : fresh + i, {shared: true});
			const timer = setTimeout(() => { es.close(); reject(new Error('cycle ' + i + ' got stuck in state ' + es.readyState)); }, 10000);
			const done = () => { es.close(); clearTimeout(timer); resolve(); };
			if (kind === 0) return done();
			if (kind === 1) es.onopen = done;
			if (kind === 2) es.onmessage = done;
		});
	}
	return true;
}`

// 200 join/leave cycles leave the worker as it was: its JS heap (measured
// through the DevTools protocol on the shared_worker target, after a full
// collection), the engine's counters, its groups, members and calls; every
// stream that a member started ended on the server. Half the cycles join a
// live connection that a holder tab keeps open during the cycles; the
// holder leaves before each measurement, so that the engine is idle then
// and its bridge has collected what Go's syscall/js kept of the calls (it
// does so on going idle, and otherwise every 1,024 calls: a worker that
// always has a connection holds up to that many calls' values).
func TestSharedWorkerMemory(t *testing.T) {
	skipNativeOnly(t)
	worker := sharedWorkerURL(t)
	page := sharedPage(worker)
	lkey := newKey(t, "live")
	host := streamHost(t)
	live := host + "/sse/hello?end=hang&acao=origin&key=" + lkey
	holder := extraTab(t, page)
	hold := func() {
		t.Helper()
		eval[bool](t, holder, fmt.Sprintf(`(window.es = new EventSourcePolyfill(%s, {shared: true}), window.got = 0, es.onmessage = () => window.got++, true)`, jsString(live)))
		poll(t, holder, "the live stream", `window.got === 1`, 20*time.Second)
	}
	release := func() {
		t.Helper()
		eval[bool](t, holder, `(window.es.close(), true)`)
		if !waitUntil(10*time.Second, func() bool { return srv.Stats(lkey).Active == 0 }) {
			t.Fatalf("the live stream is still served after its holder left")
		}
	}
	ctx := extraTab(t, page)
	eval[bool](t, ctx, "(window.cycles = "+sharedCyclesJS+", true)")
	run := func(n int) string {
		t.Helper()
		fkey := newKey(t, "f")
		hold()
		eval[bool](t, ctx, fmt.Sprintf("cycles(%d, %s, %s)", n, jsString(live), jsString(host+"/sse/hello?end=hang&acao=origin&key="+fkey+"&i=")))
		if st := eval[[]int](t, holder, `[es.readyState, window.got]`); st[0] != 1 || st[1] != 1 {
			t.Errorf("the tab holding the live stream: readyState %d, %d events; want OPEN, its one event", st[0], st[1])
		}
		release()
		// Each member that started a fresh stream closed it by leaving.
		if !waitUntil(10*time.Second, func() bool { return srv.Stats(fkey).Active == 0 }) {
			t.Errorf("%d fresh streams still served after the cycles", srv.Stats(fkey).Active)
		}
		return fkey
	}
	// Warm-up: the JIT and the tables that grow to a high-water mark: the
	// worker's heap grew by 18, 3.6, 0.7, 1.2 and -0.4 KiB in five rounds
	// of 200 cycles here.
	for range 2 {
		run(200)
	}
	wctx := sharedWorkerTab(t, holder, worker)
	before, dBefore := measureHeap(t, wctx), readSharedDebug(t, holder)
	tabBefore := measureHeap(t, ctx)
	start := time.Now()
	fkey := run(200)
	elapsed := time.Since(start)
	after, dAfter := measureHeap(t, wctx), readSharedDebug(t, holder)
	tabAfter := measureHeap(t, ctx)
	growth := after.Used - before.Used
	t.Logf("200 cycles in %v (%d fresh connections, %d of the live stream); worker JS heap %s before, %s after (%+.1f KiB), engine memory %d KiB; joining tab's heap %s, %s; worker %+v, engine %+v before; %+v, %+v after",
		elapsed.Round(time.Millisecond), srv.Stats(fkey).Connections, srv.Stats(lkey).Connections, before, after, growth/1024, dAfter.Engine.MemoryBytes>>10,
		tabBefore, tabAfter, *dBefore, *dBefore.Engine, *dAfter, *dAfter.Engine)
	// A leaked member (its entry, a headers call) is a few hundred bytes;
	// a leaked connection about 2 KiB: 32 KiB is one leak in 12 cycles.
	if growth > 32<<10 {
		t.Errorf("the worker's JS heap grew by %.1f KiB over 200 cycles", growth/1024)
	}
	if tg := tabAfter.Used - tabBefore.Used; tg > 32<<10 {
		t.Errorf("the joining tab's JS heap grew by %.1f KiB over 200 cycles", tg/1024)
	}
	e0, e1 := dBefore.Engine, dAfter.Engine
	if dAfter.Groups != 0 || dAfter.Members != 0 || dAfter.Calls != 0 || dAfter.Windows != 0 || dAfter.Ports != dBefore.Ports ||
		e1.Connections != 0 || e1.Funcs != e0.Funcs || e1.Goroutines != e0.Goroutines {
		t.Errorf("the worker after the cycles: %+v, engine %+v; before: %+v, engine %+v; want nothing left, nothing grown", *dAfter, *e1, *dBefore, *e0)
	}
	if n := srv.Stats(lkey).Connections; n != 3 {
		t.Errorf("the live stream had %d connections, want one per round", n)
	}
}

// The demo's shared panel, alone (the other panels hold a connection each
// per tab): three tabs of the demo stream through one connection, which the
// server's count on the page shows.
func TestDemoSharedAcrossTabs(t *testing.T) {
	skipNativeOnly(t)
	tabs := sharedTabs(t, 3, "/?panels=shared")
	const ready = `(() => {
		const $ = (sel) => document.querySelector('#shared ' + sel).textContent;
		return $('.state') === 'OPEN' && Number($('.count')) >= 2 && Number($('.tabs')) >= 3 && $('.connections') === '1';
	})()`
	for i, ctx := range tabs {
		if !evalUntil(ctx, ready, 20*time.Second) {
			t.Errorf("demo tab %d: %s", i, eval[string](t, ctx, `document.querySelector('#shared').innerText`))
		}
	}
}

// The worker goes away (its target is closed through the DevTools
// protocol, as when the browser ends it): each tab notices that it stopped
// pinging, reports error (CONNECTING) and reconnects through a new worker,
// the standard way, resuming after the Last-Event-ID.
func TestSharedWorkerLost(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	worker := sharedWorkerURL(t)
	tabs := sharedTabs(t, 2, sharedPage(worker))
	key := newKey(t, "s")
	stream := jsString(streamHost(t) + "/sse/tick?interval=20&acao=origin&key=" + key)
	for _, ctx := range tabs {
		eval[bool](t, ctx, fmt.Sprintf("(%s)(%s)", tickIDs, stream))
		poll(t, ctx, "events", `window.ids.length >= 5`, 20*time.Second)
	}
	wctx := sharedWorkerTab(t, tabs[0], worker)
	gone := time.Now()
	if _, err := chromedp.Run(wctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, target.CloseTarget, target.CloseTargetParams{TargetID: tg.TargetID})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatalf("closing the worker: %v", err)
	}
	for i, ctx := range tabs {
		poll(t, ctx, fmt.Sprintf("tab %d back", i), `window.others.join() === 'open1,error0,open1'`, 30*time.Second)
	}
	t.Logf("both tabs reconnected %v after the worker went", time.Since(gone).Round(10*time.Millisecond))
	for i, ctx := range tabs {
		eval[bool](t, ctx, `(window.mark = window.ids.length, true)`)
		poll(t, ctx, "reading on", `window.ids.length >= window.mark + 5`, 20*time.Second)
		ids := eval[[]int](t, ctx, `window.ids`)
		for j := 1; j < len(ids); j++ {
			if ids[j] != ids[j-1]+1 {
				t.Errorf("tab %d: event %d after %d", i, ids[j], ids[j-1])
			}
		}
	}
	if n := srv.Stats(key).Connections; n != 2 {
		t.Errorf("the server saw %d connections, want 2 (one per worker)", n)
	}
}

// Extensions work shared: static headers, and a headers function (the same
// source text in both tabs, so the same sharing key), which the tab of the
// oldest member calls for every attempt: tab a's, then tab b's once a's
// member has left.
func TestSharedHeaders(t *testing.T) {
	skipNativeOnly(t)
	t.Parallel()
	tabs := sharedTabs(t, 2, sharedPage(sharedWorkerURL(t)))
	host := streamHost(t)
	skey, fkey := newKey(t, "static"), newKey(t, "fn")
	static := jsString(host + "/sse/echo?retry=30&id=7&acao=origin&key=" + skey)
	fn := jsString(host + "/sse/echo?retry=30&id=7&acao=origin&key=" + fkey)
	for i, ctx := range tabs {
		name := string(rune('a' + i))
		eval[bool](t, ctx, fmt.Sprintf(`(() => {
			window.calls = 0;
			window.tabName = %q;
			const listen = (es) => { const got = []; es.onmessage = (e) => got.push(JSON.parse(e.data).headers.authorization); return got; };
			window.s = new EventSourcePolyfill(%s, {shared: true, headers: {Authorization: 'Bearer static'}});
			window.sGot = listen(window.s);
			window.f = new EventSourcePolyfill(%s, {shared: true, headers: (attempt) => ({Authorization: 'Bearer ' + window.tabName + (++window.calls) + ' ' + attempt.lastEventId})});
			window.fGot = listen(window.f);
			return true;
		})()`, name, static, fn))
		poll(t, ctx, "three echoes each", `window.sGot.length >= 3 && window.fGot.length >= 3`, 20*time.Second)
	}
	if got := eval[[]string](t, tabs[1], `window.sGot`); got[0] != "Bearer static" {
		t.Errorf("static headers: %v", got)
	}
	if n := eval[int](t, tabs[1], `window.calls`); n != 0 {
		t.Errorf("tab b's headers function was called %d times while tab a's member lived", n)
	}
	eval[bool](t, tabs[0], `(window.f.close(), true)`)
	poll(t, tabs[1], "tab b's function in use", `window.calls >= 2 && window.fGot.at(-1).startsWith('Bearer b')`, 20*time.Second)
	got := eval[[]string](t, tabs[1], `window.fGot`)
	if first := got[0]; !strings.HasPrefix(first, "Bearer a") {
		t.Errorf("the first attempts: %v, want tab a's function", got)
	}
	if last := got[len(got)-1]; !strings.HasSuffix(last, " 7") {
		t.Errorf("the function was told Last-Event-ID %q, want 7", last)
	}
	for _, ctx := range tabs {
		eval[bool](t, ctx, `(window.s.close(), window.f.close(), true)`)
	}
	for _, key := range []string{skey, fkey} {
		st := srv.Stats(key)
		if !waitUntil(10*time.Second, func() bool { return srv.Stats(key).Active == 0 }) {
			t.Errorf("%s: still served after every instance closed", key)
		}
		if st.Preflights == 0 {
			t.Errorf("%s: no preflight, want the Authorization header cross-origin", key)
		}
	}
}

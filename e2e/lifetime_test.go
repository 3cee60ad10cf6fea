package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eventsource-wasm/eventsource/e2e/internal/headless"
)

// TestBackForwardCache checks SSE-54 on a page that really enters the
// back/forward cache: while it is cached the polyfill's stream is released
// without an event, and when it is restored the open source reconnects while
// a closed one stays closed. Native Chromium 156 behaves otherwise: it kept
// its stream open while the page was cached and did not reconnect, so native
// is only logged here, not compared.
//
// The suite's browser runs without the cache (its lanes reuse tabs, see
// lane), so this test starts a browser of its own, the one exception to one
// browser per test binary.
func TestBackForwardCache(t *testing.T) {
	skipNativeOnly(t)
	ctx := cachingBrowserTab(t, originsFor(t).A+"/e2e/page.html")
	keys := map[string]string{"open": newKey(t, "p"), "closed": newKey(t, "c"), "native": newKey(t, "n")}
	eval[bool](t, ctx, fmt.Sprintf(`new Promise((resolve, reject) => {
		window.log = [];
		window.sources = {};
		for (const e of ['pagehide', 'pageshow']) addEventListener(e, (ev) => log.push(e + ' persisted=' + ev.persisted));
		const streams = {open: [EventSourcePolyfill, %q], closed: [EventSourcePolyfill, %q], native: [NativeEventSource, %q]};
		let waiting = 3;
		const timer = setTimeout(() => reject(new Error('no first message: ' + log.join(', '))), 20000);
		for (const [name, [C, key]] of Object.entries(streams)) {
			const es = sources[name] = new C('/sse/hello?end=hang&key=' + key);
			let first = true;
			es.onopen = () => log.push(name + ' open ' + es.readyState);
			es.onerror = () => log.push(name + ' error ' + es.readyState);
			es.onmessage = (e) => {
				log.push(name + ' message ' + e.data);
				if (name === 'closed') es.close();
				if (first && --waiting === 0) { clearTimeout(timer); resolve(true); }
				first = false;
			};
		}
	})`, keys["open"], keys["closed"], keys["native"]))

	if _, err := chromedp.Run(ctx, chromedp.Navigate(originsFor(t).A+"/e2e/module.html")); err != nil {
		t.Fatalf("navigating away: %v", err)
	}
	if !waitUntil(10*time.Second, func() bool { return srv.Stats(keys["open"]).Active == 0 }) {
		t.Errorf("the polyfill's stream is still served while its page is in the cache")
	}
	nativeAway := srv.Stats(keys["native"]).Active
	// chromedp's NavigateBack waits for a load event, which a page restored
	// from the cache does not fire.
	eval[bool](t, ctx, `(history.back(), true)`)
	if !evalUntil(ctx, `typeof window.log === 'object' && log.some((l) => l.startsWith('pageshow'))`, 20*time.Second) {
		t.Fatalf("the page did not come back")
	}
	if !eval[bool](t, ctx, `log.includes('pageshow persisted=true')`) {
		t.Skipf("the page was not restored from the back/forward cache: %q", eval[[]string](t, ctx, `log`))
	}
	if !evalUntil(ctx, `sources.open.readyState === 1 && log.filter((l) => l === 'open message hello').length === 2`, 20*time.Second) {
		t.Errorf("the polyfill did not reconnect: %q", eval[[]string](t, ctx, `log`))
	}
	// What follows the restore: one reestablished connection, and nothing
	// from the source that was closed before the page left.
	got := eval[[]string](t, ctx, `log.slice(log.indexOf('pageshow persisted=true') + 1).filter((l) => !l.startsWith('native'))`)
	if want := []string{"open error 0", "open open 1", "open message hello"}; strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("polyfill events after the restore: %q, want %q", got, want)
	}
	if c := srv.Stats(keys["open"]).Connections; c != 2 {
		t.Errorf("the open source made %d connections, want 2", c)
	}
	if s := srv.Stats(keys["closed"]); s.Connections != 1 || eval[int](t, ctx, `sources.closed.readyState`) != 2 {
		t.Errorf("the closed source: %+v, readyState %d; want one connection and CLOSED", s, eval[int](t, ctx, `sources.closed.readyState`))
	}
	t.Logf("native: %d active while cached; after the restore %+v, readyState %d", nativeAway, srv.Stats(keys["native"]), eval[int](t, ctx, `sources.native.readyState`))
}

// evalUntil waits until expr is true in the tab. Unlike poll it survives a
// navigation, during which evaluations fail, and a page restored from the
// back/forward cache, where chromedp's polling never answers.
func evalUntil(ctx context.Context, expr string, d time.Duration) bool {
	return waitUntil(d, func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		return err == nil && ok
	})
}

// TestListenersKeepItAlive checks the part of SSE-55 a page can see: an
// EventSource that nothing references but that has a message handler keeps
// delivering after a full garbage collection, natively and in the polyfill.
// The stream pauses after three events until the collection is done.
func TestListenersKeepItAlive(t *testing.T) {
	skipNativeOnly(t)
	ctx := newTab(t, "/e2e/page.html")
	sides := map[string]string{"NativeEventSource": newKey(t, "n"), "EventSourcePolyfill": newKey(t, "p")}
	for ctor, key := range sides {
		eval[bool](t, ctx, fmt.Sprintf(`((C, url, name) => {
			const got = window[name] = [];
			// Only the handler, which the source holds, refers to it.
			new C(url).onmessage = function () { got.push(this.readyState); if (got.length === 6) this.close(); };
			return true;
		})(%s, %q, %q)`, ctor, "/sse/numbered?n=6&pause=3:await&end=hang&key="+key, "got"+ctor))
	}
	for ctor := range sides {
		poll(t, ctx, ctor+"'s first three events", "got"+ctor+".length === 3", 20*time.Second)
	}
	measureHeap(t, ctx)
	for ctor, key := range sides {
		srv.Release(key)
		poll(t, ctx, ctor+"'s last three events after a garbage collection", "got"+ctor+".length === 6", 20*time.Second)
		if !waitUntil(5*time.Second, func() bool { return srv.Stats(key).Active == 0 }) {
			t.Errorf("%s: the stream is still served after close()", ctor)
		}
	}
}

// cachingBrowserTab starts a headless Chromium with the back/forward cache
// on, for the test's life, and returns a tab of it on url.
func cachingBrowserTab(t *testing.T, url string) context.Context {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], headless.Options(chromium, t.TempDir())...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	tctx, tcancel := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(tcancel)
	if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigating to %s: %v", url, err)
	}
	return tctx
}

package e2e

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/eventsource-wasm/eventsource/e2e/internal/headless"
	"github.com/eventsource-wasm/eventsource/server"
)

// testdata holds the test pages, the recorder and the worker scripts, served
// under /e2e/ on both origins.
//
//go:embed testdata
var testdata embed.FS

var nativeOnly = flag.Bool("native-only", false,
	"compare the native EventSource with itself: checks the harness and the server without ../dist")

var tabs = flag.Int("tabs", 4,
	"how many tests use the browser at once, each on a lane: a tab and a pair of origins of its own; "+
		"also the default of -test.parallel")

// distDir is the built polyfill, relative to this package.
const distDir = "../dist"

// tabTimeout bounds every test's browser work, so that a polyfill that hangs
// fails its own test instead of the whole binary.
const tabTimeout = 60 * time.Second

var (
	// browserCtx is the one browser of this test binary; each lane keeps
	// a tab in it.
	browserCtx context.Context
	// srv backs every origin, so a key's state is shared across them.
	srv *server.Server
	// lanes holds the lanes that no test holds (see lane).
	lanes chan *lane
	// closedOrigin is an address where nothing listens: connecting to it is
	// a network error before any response.
	closedOrigin string
	// polyfillCtor is the global that the suite compares with the native
	// EventSource.
	polyfillCtor = "EventSourcePolyfill"
)

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	if *nativeOnly {
		polyfillCtor = "EventSource"
	} else if _, err := os.Stat(filepath.Join(distDir, "eventsource-polyfill.js")); err != nil {
		return 1, fmt.Errorf("%v: the browser suite needs the built polyfill: run make build", err)
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		return 1, errors.New("chromium is not on PATH: run `make chromium` " +
			"(or `apt-get install chromium`, or put a chromium binary on PATH)")
	}
	profile, err := os.MkdirTemp("", "e2e-chromium-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(profile)

	// Keys are never reused, and tests that run at once create them
	// interleaved: no key may be forgotten while its test runs.
	srv = server.New(server.Options{Dist: distDir, MaxClients: 1 << 20})
	h := handler(srv)
	if *tabs < 1 {
		return 1, fmt.Errorf("-tabs=%d: want at least 1", *tabs)
	}
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		// The tests wait on the browser, not on this process's CPUs.
		flag.Set("test.parallel", strconv.Itoa(*tabs))
	}
	lanes = make(chan *lane, *tabs)
	for range *tabs {
		a, b := httptest.NewServer(h), httptest.NewServer(h)
		// Deferred before the browser so that they close after it:
		// streams end when the browser goes, and Close waits for them.
		defer a.Close()
		defer b.Close()
		_, portB, _ := net.SplitHostPort(b.Listener.Addr().String())
		lanes <- &lane{origins: origins{A: a.URL, B: b.URL, portB: portB}}
	}
	if closedOrigin, err = unusedOrigin(); err != nil {
		return 1, err
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], headless.Options(chromium, profile)...)
	opts = append(opts,
		// An internationalized host name for the punycode scenarios,
		// without DNS: it is origin B under another name. Names under
		// hygiene.test are the loopback too: each is its own host for
		// Chrome's limit of 6 connections per host, so that a page can
		// hold 100 streams open at once.
		chromedp.Flag("host-resolver-rules", "MAP xn--lve-6lad.example 127.0.0.1, MAP *.hygiene.test 127.0.0.1"),
		// A test's page must go when the next test on its tab navigates
		// (see lane), with its connections; no test uses the cache.
		chromedp.Flag("disable-back-forward-cache", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(ctx); err != nil {
		return 1, fmt.Errorf("starting %s: %w", chromium, err)
	}
	browserCtx = ctx
	return m.Run(), nil
}

// handler serves the test pages under /e2e/ and everything else from s.
func handler(s *server.Server) http.Handler {
	pages, err := fs.Sub(testdata, "testdata")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/e2e/", http.FileServerFS(pages))
	mux := http.NewServeMux()
	mux.Handle("/e2e/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
	mux.Handle("/", s)
	return mux
}

// unusedOrigin finds a port, releases it and returns its origin: a request
// there is refused, which is a network error and not a CORS failure.
func unusedOrigin() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr, nil
}

// pageLog collects what a tab printed and threw, shown when its test fails.
type pageLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *pageLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < 200 {
		l.lines = append(l.lines, fmt.Sprintf(format, args...))
	}
}

func (l *pageLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// origins are a lane's: origin A, which serves the test pages, and origin
// B, its cross-origin peer, both on 127.0.0.1 (a secure context, one site,
// one cookie jar) with ports of their own.
type origins struct {
	A, B string
	// portB is origin B's port, also reachable as http://élève.example
	// through the browser's host resolver rules.
	portB string
}

// lane is what a test that uses the browser holds while it runs: its own
// origins and its own tab. Chrome allows 6 connections per host and port,
// shared by every tab, so that with one origin for all the streams of one
// test could wait for connections that another test's streams hold; with a
// lane each, tests that run at once never do. The lanes also bound how many
// tests use the browser at once (-tabs).
//
// The tab outlives the test: the next test on the lane navigates it, which
// costs a third of a new tab with its renderer process (0.08 s of CPU
// instead of 0.26 s, measured here: most of a short test's). A test ends by
// loading about:blank, which unloads its page (the back/forward cache is
// off, see TestMain) and so closes its connections; after a failure the tab
// is closed instead, and the next test gets a new one, as does a test that
// asks for one (newFreshTab).
type lane struct {
	origins
	tab      context.Context // nil until a test opens it
	closeTab context.CancelFunc
}

type originsKey struct{}

// originsOf returns the origins of the lane of ctx's tab (see newTab).
func originsOf(ctx context.Context) origins {
	o, ok := ctx.Value(originsKey{}).(origins)
	if !ok {
		panic("originsOf: not the context of a tab")
	}
	return o
}

var (
	laneMu sync.Mutex
	// laneOf is the lane that each test with a tab holds until it ends.
	laneOf = map[*testing.T]*lane{}
)

// laneFor returns t's lane, waiting for a free one on t's first tab. A test
// holds one lane, whatever its number of tabs, so that two tests cannot each
// hold a lane and wait for a second; a subtest of a test with a tab must use
// its parent's tab.
func laneFor(t *testing.T) *lane {
	t.Helper()
	laneMu.Lock()
	l, ok := laneOf[t]
	laneMu.Unlock()
	if ok {
		return l
	}
	select {
	case l = <-lanes:
	case <-time.After(5 * time.Minute):
		t.Fatal("no lane came free in 5 minutes")
	}
	laneMu.Lock()
	laneOf[t] = l
	laneMu.Unlock()
	// Registered before the test's other cleanups, so it runs after them.
	t.Cleanup(func() {
		if l.tab != nil && (t.Failed() || unload(l.tab) != nil) {
			l.closeTab()
			l.tab = nil
		}
		laneMu.Lock()
		delete(laneOf, t)
		laneMu.Unlock()
		lanes <- l
	})
	return l
}

// unload replaces the tab's page with about:blank, and returns once it has.
// (chromedp.Navigate would wait for a load event that about:blank does not
// send.)
func unload(tab context.Context) error {
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	return chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			res, err := cdp.Call(ctx, tg, page.Navigate, page.NavigateParams{URL: "about:blank"})
			if err == nil && res.ErrorText != "" {
				err = errors.New(res.ErrorText)
			}
			return err
		}),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// The frame's URL changes when the new document commits.
			for {
				res, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
				if err == nil && res.FrameTree != nil && res.FrameTree.Frame.URL == "about:blank" {
					return nil
				}
				if ctx.Err() != nil {
					return fmt.Errorf("unloading the page: %v (%v)", ctx.Err(), err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}))
}

// originsFor returns the origins of t's lane, taking one if need be, for a
// test that needs them before (or without) a tab.
func originsFor(t *testing.T) origins {
	t.Helper()
	return laneFor(t).origins
}

// newTab loads page (a path of the test's origin A, see lane) in the tab of
// the test's lane, and returns a context of that tab bounded by tabTimeout,
// which also carries the lane's origins (originsOf). The page's console and
// exceptions are logged if the test fails.
func newTab(t *testing.T, page string) context.Context {
	t.Helper()
	return newTabWithin(t, page, tabTimeout)
}

// newFreshTab is newTabWithin in a new tab: for the tests that measure the
// heap, whose renderer must hold nothing of the pages of earlier tests.
func newFreshTab(t *testing.T, page string, timeout time.Duration) context.Context {
	t.Helper()
	if l := laneFor(t); l.tab != nil {
		l.closeTab()
		l.tab = nil
	}
	return newTabWithin(t, page, timeout)
}

// newTabWithin is newTab for a test whose browser work may take longer than
// tabTimeout on a loaded machine.
func newTabWithin(t *testing.T, page string, timeout time.Duration) context.Context {
	t.Helper()
	l := laneFor(t)
	if l.tab == nil {
		l.tab, l.closeTab = chromedp.NewContext(context.WithValue(browserCtx, originsKey{}, l.origins))
		// Opened on the lane's own context: the first run on a chromedp
		// context ties the tab to that run's context.
		if err := chromedp.Do(l.tab); err != nil {
			l.closeTab()
			l.tab = nil
			t.Fatalf("opening a tab: %v", err)
		}
	}
	// The test's listeners end with it: ctx is cancelled at its end.
	ctx, cancel := context.WithCancel(l.tab)
	t.Cleanup(cancel)
	log := &pageLog{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			log.add("exception: %s (%s:%d)", desc, d.URL, d.LineNumber)
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			log.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	}); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if s := log.String(); s != "" {
				t.Logf("page log:\n%s", s)
			}
		}
	})
	tctx, tcancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(tcancel)
	if err := chromedp.Do(tctx, chromedp.Navigate(l.A+page)); err != nil {
		t.Fatalf("navigating to %s: %v", page, err)
	}
	return tctx
}

// eval evaluates a JS expression in the tab, awaiting it if it is a promise,
// and decodes its JSON value into T.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", abbreviate(expr, 300), err)
	}
	return v
}

var keySeq atomic.Int64

var unsafeKey = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// newKey returns a scenario key unique in this test binary, readable in the
// server's state: the server outlives every test.
func newKey(t *testing.T, side string) string {
	name := unsafeKey.ReplaceAllString(t.Name(), "_")
	return fmt.Sprintf("%s-%s-%d", name, side, keySeq.Add(1))
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Helpers of the reliability tests that reach past the page through the
// DevTools protocol: the console, the JS heap, the engine's debug hook, and
// waiting on conditions.

// consoleEntry is one console message: Source is "page" for the page's own
// console calls (the polyfill's console.error among them) and "browser" for
// what Chrome reports by itself (native EventSource failures, failed loads).
type consoleEntry struct {
	Source, Level, Text string
}

func (e consoleEntry) String() string { return e.Source + " " + e.Level + ": " + e.Text }

// consoleLog collects a tab's console messages.
type consoleLog struct {
	mu      sync.Mutex
	entries []consoleEntry
}

// watchConsole starts collecting the console messages of the tab of ctx.
func watchConsole(t *testing.T, ctx context.Context) *consoleLog {
	t.Helper()
	l := &consoleLog{}
	if err := chromedp.Listen(ctx, func(ev any) {
		var e consoleEntry
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				if a.Type == runtime.RemoteObjectTypeString {
					var s string
					if jsonUnquote(a.Value, &s) {
						args = append(args, s)
						continue
					}
				}
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			e = consoleEntry{"page", string(ev.Type), strings.Join(args, " ")}
		case *log.EventEntryAdded:
			e = consoleEntry{"browser", string(ev.Entry.Level), ev.Entry.Text}
		default:
			return
		}
		l.mu.Lock()
		if len(l.entries) < 1000 {
			l.entries = append(l.entries, e)
		}
		l.mu.Unlock()
	}); err != nil {
		t.Fatalf("watching the console: %v", err)
	}
	return l
}

// find returns the messages of source that contain every one of the parts.
func (l *consoleLog) find(source string, parts ...string) []consoleEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []consoleEntry
	for _, e := range l.entries {
		if e.Source != source {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(e.Text, p)
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func (l *consoleLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, e := range l.entries {
		fmt.Fprintf(&b, "  %s\n", abbreviate(e.String(), 300))
	}
	return b.String()
}

// expectConsole waits until the tab has logged a message of source with all
// of parts, and fails t if none comes within a few seconds (a message is
// logged in the same task as the event it explains, but reaches us
// asynchronously).
func (l *consoleLog) expect(t *testing.T, source string, parts ...string) {
	t.Helper()
	if !waitUntil(5*time.Second, func() bool { return len(l.find(source, parts...)) > 0 }) {
		t.Errorf("no %s console message with %q; the console had:\n%s", source, parts, l)
	}
}

func jsonUnquote(raw []byte, s *string) bool {
	return json.Unmarshal(raw, s) == nil
}

// waitUntil polls cond every 5 ms until it holds or d has passed, and
// reports whether it held: a wait on a condition, never a fixed sleep.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// poll waits until the JS expression is true in the tab, failing t after d.
func poll(t *testing.T, ctx context.Context, what, expr string, d time.Duration) {
	t.Helper()
	if err := waitTrue(ctx, expr, d); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, abbreviate(expr, 200), err)
	}
}

// waitTrue evaluates the JS expression in the tab every 5 ms until it is
// true, for up to d. Not chromedp.Poll: that runs in the execution context
// that chromedp last saw for the page, which in a tab that earlier tests
// navigated was once already gone ("Cannot find context with specified
// id"); Evaluate runs in the page's current one.
func waitTrue(ctx context.Context, expr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("still false after %v", d)
			}
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// heap is the JS heap of the tab's isolate after a full garbage collection.
type heap struct {
	Used, Total float64
	// Backing is the backing storage of array buffers and external
	// strings, outside Used: the bytes of fetched chunks live there.
	Backing float64
}

func (h heap) String() string { return fmt.Sprintf("%.0f KiB", h.Used/1024) }

// measureHeap collects garbage through the DevTools protocol (twice, with
// the page's pending tasks, such as FinalizationRegistry callbacks, run in
// between) and returns Runtime.getHeapUsage.
func measureHeap(t *testing.T, ctx context.Context) heap {
	t.Helper()
	var h heap
	for i := range 3 {
		_, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			if _, err := cdp.Call(ctx, tg, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
				return chromedp.Void{}, err
			}
			if i < 2 {
				return chromedp.Void{}, nil
			}
			res, err := cdp.Call(ctx, tg, runtime.GetHeapUsage, cdp.Empty{})
			h = heap{res.UsedSize, res.TotalSize, res.BackingStorageSize}
			return chromedp.Void{}, err
		})
		if err != nil {
			t.Fatalf("measuring the heap: %v", err)
		}
		if i < 2 {
			// Let finalizers and microtasks run: two macrotask turns.
			eval[bool](t, ctx, `new Promise((r) => setTimeout(() => setTimeout(() => r(true))))`)
		}
	}
	return h
}

// heapNow is Runtime.getHeapUsage without a collection, for sampling while a
// page works.
func heapNow(ctx context.Context) (float64, error) {
	return chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (float64, error) {
		res, err := cdp.Call(ctx, tg, runtime.GetHeapUsage, cdp.Empty{})
		return res.UsedSize, err
	})
}

// engineDebug is what the polyfill's test hook reports (wasm/bridge.go).
type engineDebug struct {
	Connections int `json:"connections"`
	Funcs       int `json:"funcs"`
	Goroutines  int `json:"goroutines"`
	InBytes     int `json:"inBytes"`
	OutBytes    int `json:"outBytes"`
}

// debugHook is the JS expression of the polyfill's hidden debug method.
const debugHook = `EventSourcePolyfill[Symbol.for("eventsource-wasm.debug")]()`

// readDebug returns the engine's counters, or nil when no engine is loaded.
func readDebug(t *testing.T, ctx context.Context) *engineDebug {
	t.Helper()
	return eval[*engineDebug](t, ctx, debugHook)
}

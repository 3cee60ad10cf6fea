package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestHygieneFastReconnections: thousands of reconnections of one source
// (a stream that ends at once with retry: 0) leave the JS heap where it was
// after a warm-up; it grew from 1.29 to 1.90 MiB over 6,745 of them before
// the bridge collected by call count. Serial: it measures the heap.
func TestHygieneFastReconnections(t *testing.T) {
	skipNativeOnly(t)
	ctx := newTab(t, "/e2e/page.html")
	key := newKey(t, "r")
	eval[bool](t, ctx, fmt.Sprintf(`(() => {
		const s = globalThis.fast = {opens: 0, errors: 0};
		s.es = new EventSourcePolyfill(%s);
		s.es.onopen = () => { s.opens++; };
		s.es.onerror = () => { s.errors++; };
		return true;
	})()`, jsString("/sse/hello?retry=0&key="+key)))
	at := func(n int) heap {
		t.Helper()
		poll(t, ctx, fmt.Sprintf("%d reconnections", n), fmt.Sprintf(`fast.opens >= %d`, n), 120*time.Second)
		return measureHeap(t, ctx)
	}
	// Warm-up: the JIT, the connection pool and the tables that grow to a
	// high-water mark. Before the bridge collected by call count, the
	// glue's value table kept about 350 bytes a reconnection (2 MB over
	// 6,000); after, the heap moved by +75, +65 and +60 KiB at 3,000, 5,000
	// and 7,000 reconnections, measured from 1,000.
	warm := at(1000)
	last := at(4000)
	t.Logf("JS heap %s after 1000 reconnections, %s after 4000 (%+.1f KiB)", warm, last, (last.Used-warm.Used)/1024)
	eval[bool](t, ctx, `(fast.es.close(), true)`)
	if growth := last.Used - warm.Used; growth > 128<<10 {
		t.Errorf("the JS heap grew by %.1f KiB over 3000 reconnections", growth/1024)
	}
}

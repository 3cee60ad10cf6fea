package server

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestManyQueryKeysStayCheap: a request's per-connection parameters are
// resolved once, not by scanning the query at every write; with 3,000 query
// keys a 20,000-event stream took 45 times as long as without. The margin
// is wide, for a busy machine: the best of three runs of each, and 5 times
// plus 250 ms.
func TestManyQueryKeysStayCheap(t *testing.T) {
	s := New(Options{})
	var keys strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&keys, "&p%d.%d-=1", i, i%7)
	}
	best := func(target string) time.Duration {
		d := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
			d = min(d, time.Since(start))
			if !strings.HasSuffix(rec.Body.String(), NumberedEvent(20000, 0)) {
				t.Fatalf("%.50s...: the stream did not end with event 20000", target)
			}
		}
		return d
	}
	plain := best("/sse/numbered?n=20000")
	keyed := best("/sse/numbered?n=20000" + keys.String())
	t.Logf("20,000 events: %v, with 3,000 more query keys %v", plain, keyed)
	if keyed > 5*plain+250*time.Millisecond {
		t.Errorf("3,000 query keys made the stream take %v instead of %v", keyed, plain)
	}
}

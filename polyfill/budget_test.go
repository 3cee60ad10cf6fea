package polyfill

import (
	"bytes"
	"testing"
)

func announced(t *testing.T, o Options) *Conn {
	t.Helper()
	c := NewConn("http://example.com/", o)
	c.Connect()
	if d := c.Response(Response{Status: 200, ContentType: "text/event-stream"}); d.Action != Announce {
		t.Fatalf("announce: %+v", d)
	}
	return c
}

// TestBudgetIsolates checks that the connection whose stream would exceed a
// shared budget fails, and only that one: a healthy connection keeps
// receiving, and the memory of the failed one is given back.
func TestBudgetIsolates(t *testing.T) {
	b := NewBudget(8 << 20)
	healthy := announced(t, Options{Budget: b})
	hog := announced(t, Options{Budget: b})
	chunk := bytes.Repeat([]byte("x"), 256<<10)
	hog.Feed([]byte("data: "))
	hog.Next()
	fed := 0
	for hog.Err() == nil {
		if fed > 16<<20 {
			t.Fatalf("no budget error after %d bytes (charged %d)", fed, b.Used())
		}
		hog.Feed(chunk)
		fed += len(chunk)
		if hog.Next() {
			t.Fatal("event from an unfinished line")
		}
		if b.Used() > b.Max() {
			t.Fatalf("charged %d, over the budget %d", b.Used(), b.Max())
		}
		healthy.Feed([]byte("data: tick\n\n"))
		if !healthy.Next() || string(healthy.Event().Data) != "tick" {
			t.Fatalf("the healthy connection stopped: %v", healthy.Err())
		}
		for healthy.Next() {
		}
	}
	if err := hog.Err(); err.Kind != KindBudget || err.Limit != 8<<20 || hog.ReadyState() != Closed {
		t.Fatalf("hog: %v, %v; want KindBudget and CLOSED", err, hog.ReadyState())
	}
	// The charge is the buffers' capacity, which append grows ahead of the
	// line: the budget may run out before the line alone reaches it.
	if fed < 4<<20 {
		t.Errorf("failed after %d bytes, long before the budget was used", fed)
	}
	if b.Used() != 0 {
		t.Errorf("after the failure %d bytes stay charged", b.Used())
	}
	healthy.Feed([]byte("data: still\n\n"))
	if !healthy.Next() || healthy.ReadyState() != Open {
		t.Errorf("the healthy connection after the failure: %v", healthy.Err())
	}
}

// TestBudgetAllowance checks that ordinary streams charge nothing, and that
// a large event charges while it is buffered and is given back at the end
// of the attempt.
func TestBudgetAllowance(t *testing.T) {
	b := NewBudget(64 << 20)
	c := announced(t, Options{Budget: b})
	c.Feed(bytes.Repeat([]byte("data: 0123456789\n\n"), 1000))
	for c.Next() {
	}
	if b.Used() != 0 {
		t.Errorf("small events charged %d bytes", b.Used())
	}
	c.Feed(append([]byte("data: "), bytes.Repeat([]byte("y"), 4<<20)...))
	c.Next()
	if b.Used() < 3<<20 {
		t.Errorf("a 4 MiB unfinished line charged %d bytes", b.Used())
	}
	c.End(KindNetwork)
	if b.Used() != 0 {
		t.Errorf("after End %d bytes stay charged", b.Used())
	}
	c.Connect()
	c.Response(Response{Status: 200, ContentType: "text/event-stream"})
	c.Feed(append([]byte("data: "), bytes.Repeat([]byte("y"), 4<<20)...))
	c.Next()
	c.Close()
	if b.Used() != 0 {
		t.Errorf("after Close %d bytes stay charged", b.Used())
	}
}

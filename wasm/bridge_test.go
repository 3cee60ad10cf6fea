//go:build js && wasm

package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/hack-pad/safejs"
)

// host returns a JS object filled by a new bridge, called the way the shim
// calls it: through JS function values; and the bridge.
func host(t testing.TB) (safejs.Value, *bridge) {
	t.Helper()
	obj, err := safejs.Global().Get("Object")
	if err != nil {
		t.Fatal(err)
	}
	h, err := obj.New()
	if err != nil {
		t.Fatal(err)
	}
	b := newBridge()
	if _, err := b.export(h); err != nil {
		t.Fatal(err)
	}
	return h, b
}

func call(t testing.TB, h safejs.Value, name string, args ...any) safejs.Value {
	t.Helper()
	v, err := h.Call(name, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func str(t testing.TB, v safejs.Value) string {
	t.Helper()
	s, err := v.String()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func num(t testing.TB, v safejs.Value) int {
	t.Helper()
	n, err := v.Int()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func uint8Array(t testing.TB, b []byte) safejs.Value {
	t.Helper()
	ctor, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ctor.New(len(b))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := safejs.CopyBytesToJS(a, b); err != nil {
		t.Fatal(err)
	}
	return a
}

// announced opens a connection on h and announces a response.
func announced(t testing.TB, h safejs.Value) int {
	t.Helper()
	s := str(t, call(t, h, "open", "Uhttp://a.test/"))
	id := 0
	for _, c := range strings.TrimPrefix(strings.SplitN(s, "\n", 2)[0], "K") {
		id = id*10 + int(c-'0')
	}
	call(t, h, "connect", id)
	if got := str(t, call(t, h, "response", id, "S200\nTtext/event-stream")); got != "A" {
		t.Fatalf("response: %q, want announce", got)
	}
	return id
}

// TestBudgetAcrossConnections checks that the connection whose stream would
// exceed the engine's shared budget fails with the reason, and no other.
func TestBudgetAcrossConnections(t *testing.T) {
	h, b := host(t)
	b.budget = polyfill.NewBudget(4 << 20) // small, for a short test
	healthy := announced(t, h)
	hog := announced(t, h)
	feedJS(t, b, hog, []byte("data: "))
	chunk := []byte(strings.Repeat("x", 256<<10))
	tick := []byte("data: tick\n\n")
	var last any = ""
	for i := 0; i < 64 && !strings.Contains(last.(string), "F"); i++ {
		last = feedJS(t, b, hog, chunk)
		if got := feedJS(t, b, healthy, tick); got != "tick\r\r" && got != "\rtick\r\r" {
			t.Fatalf("healthy connection, feed %d: %q", i, got)
		}
	}
	if last != "F\nEmemory-budget\nM4194304" {
		t.Fatalf("hog: %q, want a budget failure", last)
	}
	if got := feedJS(t, b, healthy, tick).(string); !strings.Contains(got, "tick") {
		t.Errorf("healthy connection after the failure: %q", got)
	}
}

// TestLargeChunkAndRelease checks a chunk bigger than the input buffer, and
// that close releases the connection and its buffers.
func TestLargeChunkAndRelease(t *testing.T) {
	h, b := host(t)
	id := announced(t, h)
	big := strings.Repeat("x", 3*initialChunk)
	if a, _ := feedJS(t, b, id, []byte("data: "+big+"\n\n")).([]any); len(a) != 4 || a[1] != "\n\r\r\r" || a[2] != "" || a[3] != big {
		t.Fatalf("feed returned %.60q, want the event's message, the empty end of the chunk and the data", a)
	}
	call(t, h, "close", id)
	if len(b.conns) != 0 || cap(b.in) > keepBytes || cap(b.enc.buf) > keepBytes {
		t.Fatalf("after close: %d connections, buffers %d and %d bytes", len(b.conns), cap(b.in), cap(b.enc.buf))
	}
	if got := feedJS(t, b, id, []byte("data: x\n\n")); got != unknown {
		t.Fatalf("feed after close: %q", got)
	}
}

// BenchmarkFeed1KiB measures the bridge's side of feeding a 64 KiB chunk
// of 1 KiB events: the copy into the input buffer, parsing and encoding.
// The crossing itself and JS's decoding of the answer are the browser
// benchmark's (go run ./e2e/bench).
func BenchmarkFeed1KiB(b *testing.B) {
	h, br := host(b)
	id := announced(b, h)
	ev := "data: " + strings.Repeat("x", 1024-8) + "\n\n"
	chunk := []byte(strings.Repeat(ev, 64))
	b.SetBytes(int64(64 * len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		br.feedBuffer(len(chunk))
		copy(br.in, chunk)
		for n := len(chunk); ; n = -1 {
			br.feed(id, n)
			if br.enc.hdr[2] == 0 { // no more events in the chunk
				break
			}
		}
	}
	if got := br.enc.hdr[0]; got != 1 {
		b.Fatalf("%d messages for a chunk of 64 KiB, want 1", got)
	}
}

// The arguments of every option, as js/test/codec.test.mjs checks that the
// shim writes them (openArgs, responseArgs).
const (
	everyOpenItem = "Uhttp://a.test/s\nMPOST\nRalways\nIe1\nS\nL100\nE200\nD1500\nF4953959590107546\nX60000\nJ\nN5\nQ429\nQ503"
	everyResponse = "S503\nTtext/plain\nUhttp://a.test/t\nR2"
)

// TestArgs checks that open's and response's items are read into the
// engine's options and response, the factor exactly.
func TestArgs(t *testing.T) {
	url, o := openOptions(everyOpenItem)
	want := polyfill.Options{
		Method:        "POST",
		Reconnect:     polyfill.ReconnectAlways,
		Limits:        polyfill.Limits{MaxLineSize: 100, MaxEventSize: 200},
		StrictCharset: true,
		LastEventID:   "e1",
		Policy: polyfill.Policy{InitialDelay: 1500, Factor: 1.1, MaxDelay: 60000, Jitter: true,
			MaxAttempts: 5, RetryStatuses: []int{429, 503}},
	}
	if url != "http://a.test/s" || !reflect.DeepEqual(o, want) {
		t.Errorf("openOptions: %q, %+v; want %+v", url, o, want)
	}
	if r := responseOf(everyResponse); r != (polyfill.Response{Status: 503, ContentType: "text/plain", URL: "http://a.test/t", RetryAfter: "2"}) {
		t.Errorf("responseOf: %+v", r)
	}
	// Lenient: a number that is not one, an empty item, an unknown tag.
	if _, o := openOptions("L1x\n\nZ\nRsometimes\nN99999999999999999999"); !reflect.DeepEqual(o, polyfill.Options{}) {
		t.Errorf("openOptions of bad items: %+v", o)
	}
}

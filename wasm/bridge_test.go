//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"
)

// host returns a JS object filled by a new bridge, called the way the shim
// calls it: through JS function values.
func host(t testing.TB) safejs.Value {
	t.Helper()
	obj, err := safejs.Global().Get("Object")
	if err != nil {
		t.Fatal(err)
	}
	h, err := obj.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newBridge().export(h); err != nil {
		t.Fatal(err)
	}
	return h
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

func open(t testing.TB, h safejs.Value, args ...any) int {
	t.Helper()
	id := num(t, call(t, h, "open", args...))
	if got := str(t, call(t, h, "response", id, 200, "text/event-stream")); got != "" {
		t.Fatalf("response: %q, want announce", got)
	}
	return id
}

// TestFeedBatches checks the batch format: one call per chunk, all events of
// the chunk in one string, status first (SSE-33, SSE-42, SSE-46, SSE-49).
func TestFeedBatches(t *testing.T) {
	h := host(t)
	id := open(t, h, true, false, 0, 0)
	// The LF after a CR at a chunk's end is part of that line ending.
	chunks := []string{"data: a\n\nid: 7\nevent: ping\ndata: b\r", "\ndata: c\n", "\n", "data: d\n\ndata: e\n\ndata: partial"}
	want := []string{"\r\ra\r", "", "\rping\rb\nc\r7", "\r\rd\r7\r\re\r7"}
	for i, c := range chunks {
		if got := str(t, call(t, h, "feed", id, uint8Array(t, []byte(c)))); got != want[i] {
			t.Fatalf("chunk %d: batch %q, want %q", i, got, want[i])
		}
	}
	// SSE-35: the unfinished event is dropped at EOF; SSE-28: reconnect after
	// the default time; SSE-29: the last event ID to send.
	if d := num(t, call(t, h, "end", id, "eof")); d != 3000 {
		t.Fatalf("end: %d, want 3000", d)
	}
	if got := str(t, call(t, h, "lastEventId", id)); got != "7" {
		t.Fatalf("lastEventId %q, want 7", got)
	}
}

// TestInvalidUTF8PassesThrough checks that the batch carries bytes the JS
// TextDecoder turns into U+FFFD exactly as the engine would (SSE-31).
func TestInvalidUTF8PassesThrough(t *testing.T) {
	h := host(t)
	id := open(t, h)
	s := str(t, call(t, h, "feed", id, uint8Array(t, []byte("data: \xF0\x9F\x98\n\n"))))
	if s != "\r\r\uFFFD\r" {
		t.Fatalf("batch %q, want one U+FFFD", s)
	}
}

// TestResponseDecisions checks the fail reasons returned to the shim
// (SSE-21, SSE-22).
func TestResponseDecisions(t *testing.T) {
	h := host(t)
	for _, tc := range []struct {
		status int
		ct     any
		ok     bool
	}{
		{200, "text/event-stream; charset=utf-8", true},
		{200, "text/html", false},
		{200, nil, false},
		{204, "text/event-stream", false},
		{500, "text/event-stream", false},
	} {
		id := num(t, call(t, h, "open"))
		got := str(t, call(t, h, "response", id, tc.status, tc.ct))
		if (got == "") != tc.ok {
			t.Errorf("response(%d, %v) = %q, ok want %v", tc.status, tc.ct, got, tc.ok)
		}
		call(t, h, "close", id)
	}
}

// TestLimitFailsAfterDelivering checks that a line over the limit fails the
// connection and that the events before it in the same chunk still arrive.
func TestLimitFailsAfterDelivering(t *testing.T) {
	h := host(t)
	id := open(t, h, true, false, 16, 0)
	s := str(t, call(t, h, "feed", id, uint8Array(t, []byte("data: ok\n\ndata: this line is too long\n\n"))))
	parts := strings.Split(s, "\r")
	if len(parts) != 4 || parts[0] == "" || parts[2] != "ok" {
		t.Fatalf("batch %q: want a failure status then the event 'ok'", s)
	}
	if d := num(t, call(t, h, "end", id, "eof")); d != -1 {
		t.Fatalf("end after a failure: %d, want -1", d)
	}
}

// TestNoReconnect checks the option for non-GET requests and user-agent
// aborts (SSE-19a).
func TestNoReconnect(t *testing.T) {
	h := host(t)
	id := open(t, h, false)
	if d := num(t, call(t, h, "end", id, "network")); d != -1 {
		t.Fatalf("end with reconnect off: %d, want -1", d)
	}
	id = open(t, h)
	if d := num(t, call(t, h, "end", id, "abort")); d != -1 {
		t.Fatalf("end after abort: %d, want -1", d)
	}
}

// TestFeedLargeData checks the format for events of bigData bytes and more:
// their type is marked with LF and their data comes after the batch, in
// order, in an array; smaller events stay in the batch.
func TestFeedLargeData(t *testing.T) {
	h := host(t)
	id := open(t, h)
	big := strings.Repeat("b", bigData)
	small := strings.Repeat("s", bigData-1)
	stream := "data: 1\n\nevent: t\nid: 7\ndata: " + big + "\n\ndata: " + small + "\n\ndata: " + big + "\ndata: 2\n\n"
	batches, large := feedResult(t, call(t, h, "feed", id, uint8Array(t, []byte(stream))))
	if len(batches) != 1 || batches[0] != "\r\r1\r\r\nt\r\r7\r\r"+small+"\r7\r\n\r\r7" {
		t.Errorf("batches %.40q, want one", batches)
	}
	want := []string{big, big + "\n2"}
	if len(large) != len(want) {
		t.Fatalf("feed returned %d large data, want %d", len(large), len(want))
	}
	for i := range want {
		if large[i] != want[i] {
			t.Errorf("large data %d: %d bytes %.20q…, want %d bytes %.20q…", i, len(large[i]), large[i], len(want[i]), want[i])
		}
	}
	// Small events alone: a plain string again.
	if s := str(t, call(t, h, "feed", id, uint8Array(t, []byte("data: x\n\n")))); s != "\r\rx\r7" {
		t.Fatalf("batch %q after large events", s)
	}
}

// feedResult reads what feed returned: a batch string, or an array of a
// count, that many batches and the large data.
func feedResult(t testing.TB, v safejs.Value) (batches, large []string) {
	t.Helper()
	if v.Type() == safejs.TypeString {
		return []string{str(t, v)}, nil
	}
	n, err := v.Length()
	if err != nil || v.Type() != safejs.TypeObject || n < 2 {
		t.Fatalf("want a string or an array, got a %v", v.Type())
	}
	first, err := v.Index(0)
	if err != nil {
		t.Fatal(err)
	}
	count := num(t, first)
	for i := 1; i < n; i++ {
		e, err := v.Index(i)
		if err != nil {
			t.Fatal(err)
		}
		if i <= count {
			batches = append(batches, str(t, e))
		} else {
			large = append(large, str(t, e))
		}
	}
	return batches, large
}

// TestFeedCutsBatches checks that the events of a large chunk come in
// batches of about batchBytes, cut between events, with the status (here a
// limit exceeded at the end) in the last one only, and nothing lost.
func TestFeedCutsBatches(t *testing.T) {
	h := host(t)
	id := open(t, h, true, false, 2000, 0)
	var stream, whole strings.Builder
	for i := range 600 {
		d := strconv.Itoa(i) + strings.Repeat("x", 1000)
		stream.WriteString("data: " + d + "\n\n")
		whole.WriteString("\r\r" + d + "\r")
	}
	stream.WriteString("data: " + strings.Repeat("y", 3000) + "\n\n")
	batches, large := feedResult(t, call(t, h, "feed", id, uint8Array(t, []byte(stream.String()))))
	if len(batches) != 3 || len(large) != 0 {
		t.Fatalf("%d batches and %d large data, want 3 and none", len(batches), len(large))
	}
	last := batches[len(batches)-1]
	status, rest, _ := strings.Cut(last, "\r")
	if !strings.Contains(status, "maxLineSize") {
		t.Fatalf("status of the last batch: %.60q, want the limit", status)
	}
	joined := ""
	for i, b := range batches[:len(batches)-1] {
		if !strings.HasPrefix(b, "\r") || len(b) < batchBytes || len(b) > batchBytes+1100 {
			t.Errorf("batch %d: %d bytes starting %.10q, want an empty status and about %d bytes", i, len(b), b, batchBytes)
		}
		joined += b
	}
	if joined += "\r" + rest; joined != whole.String() {
		t.Errorf("the batches join to %d bytes, want the %d of all 600 events in order", len(joined), whole.Len())
	}
}

// TestLargeChunkAndRelease checks a chunk bigger than the input buffer and
// that close releases the connection.
func TestLargeChunkAndRelease(t *testing.T) {
	h := host(t)
	id := open(t, h)
	big := strings.Repeat("x", 3*initialChunk)
	batches, large := feedResult(t, call(t, h, "feed", id, uint8Array(t, []byte("data: "+big+"\n\n"))))
	if len(batches) != 1 || batches[0] != "\r\n\r\r" || len(large) != 1 || large[0] != big {
		t.Fatalf("feed returned %d batches and %d large data, want one batch and %d bytes of data", len(batches), len(large), len(big))
	}
	call(t, h, "close", id)
	d := call(t, h, "debug")
	n, err := d.Get("connections")
	if err != nil || num(t, n) != 0 {
		t.Fatalf("connections after close: %v %v", n, err)
	}
	if got := str(t, call(t, h, "feed", id, uint8Array(t, []byte("data: x\n\n")))); !strings.Contains(got, "unknown") {
		t.Fatalf("feed after close: %q", got)
	}
}

// BenchmarkFeed1KiB measures one boundary crossing per 64 KiB chunk of 1 KiB
// events, batch conversion to a JS string included.
func BenchmarkFeed1KiB(b *testing.B) {
	h := host(b)
	id := open(b, h)
	ev := "data: " + strings.Repeat("x", 1024-8) + "\n\n"
	chunk := uint8Array(b, []byte(strings.Repeat(ev, 64)))
	feed, _ := h.Get("feed")
	b.SetBytes(int64(64 * len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := feed.Invoke(id, chunk); err != nil {
			b.Fatal(err)
		}
	}
}

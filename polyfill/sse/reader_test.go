package sse_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/eventsource-wasm/eventsource/polyfill/sse"
)

func readAll(r *sse.Reader) []string {
	var out []string
	for r.Next() {
		e := r.Event()
		out = append(out, fmt.Sprintf("%s %q #%s", e.EventType(), e.Data, e.LastEventID))
	}
	return out
}

// TestReader: SSE-30..48: a body read whole or one byte per read gives the
// same events: the BOM stripped, CR, LF and CRLF lines, the unfinished last
// event dropped, the last ID and retry kept, including those of a block
// without data.
func TestReader(t *testing.T) {
	body := "\xEF\xBB\xBFretry: 1500\r\nid: 1\r\nevent: delta\r\ndata: {\"t\":\"Hel\"}\r\n\r\n" +
		": keep-alive\ndata: lo \xF0\x9F\x98\n\ndata: a\rdata: b\r\rid: 7\n\ndata: cut off"
	want := []string{`delta "{\"t\":\"Hel\"}" #1`, "message \"lo \uFFFD\" #1", `message "a\nb" #1`}
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(body),
		"bytewise": iotest.OneByteReader(strings.NewReader(body)),
		"halves":   iotest.HalfReader(strings.NewReader(body)),
	} {
		rd := sse.NewReader(r, sse.Limits{})
		if got := readAll(rd); fmt.Sprint(got) != fmt.Sprint(want) || rd.Err() != nil {
			t.Errorf("%s: %q, Err %v; want %q", name, got, rd.Err(), want)
		}
		if rd.LastEventID() != "7" || rd.ReconnectionTime() != 1500*time.Millisecond {
			t.Errorf("%s: LastEventID %q, ReconnectionTime %v", name, rd.LastEventID(), rd.ReconnectionTime())
		}
		if rd.Next() || rd.Event().Data != nil {
			t.Errorf("%s: Next after the end", name)
		}
	}
	if r := sse.NewReader(strings.NewReader(""), sse.Limits{}); r.Next() || r.Err() != nil || r.ReconnectionTime() != sse.DefaultReconnectionTime {
		t.Errorf("empty body: Err %v, ReconnectionTime %v", r.Err(), r.ReconnectionTime())
	}
}

// emptyReader returns (0, nil) forever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestReaderErrors: a read error ends the events after those before it; a
// limit is the engine's error (SSE-34); a reader that never progresses is
// given up on.
func TestReaderErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := sse.NewReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b\n"), iotest.ErrReader(boom)), sse.Limits{})
	if got := readAll(r); len(got) != 1 || !errors.Is(r.Err(), boom) {
		t.Errorf("events %q, Err %v; want one event, then %v", got, r.Err(), boom)
	}
	for _, tt := range []struct {
		body string
		lim  sse.Limits
		kind sse.Kind
		is   error
	}{
		{"data: ok\n\ndata: 0123456789abcdef\n\n", sse.Limits{MaxLineSize: 16}, sse.KindLineTooLong, polyfill.ErrLineTooLong},
		{"data: ok\n\ndata: 0123456789abcdef", sse.Limits{MaxLineSize: 16}, sse.KindLineTooLong, polyfill.ErrLineTooLong},
		{"data: ok\n\ndata: 01234\ndata: 56789\n\n", sse.Limits{MaxEventSize: 10}, sse.KindEventTooLarge, polyfill.ErrEventTooLarge},
	} {
		r := sse.NewReader(iotest.OneByteReader(strings.NewReader(tt.body)), tt.lim)
		got := readAll(r)
		var e *sse.Error
		if len(got) != 1 || !errors.As(r.Err(), &e) || e.Kind != tt.kind || !errors.Is(r.Err(), tt.is) || e.Limit != 16 && e.Limit != 10 {
			t.Errorf("%q: events %q, Err %v; want one event, then %v", tt.body, got, r.Err(), tt.kind)
		}
	}
	if r := sse.NewReader(emptyReader{}, sse.Limits{}); r.Next() || r.Err() != io.ErrNoProgress {
		t.Errorf("a reader without progress: Err %v", r.Err())
	}
}

// TestZeroAllocsPerEvent: reading events allocates nothing per event, on
// the reader path and on a stream's: a run of 20,000 events allocates no
// more than a run of 20 (what a Reader, a Stream and a request cost once).
func TestZeroAllocsPerEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	stream := func(n int) []byte {
		var b bytes.Buffer
		for i := range n {
			fmt.Fprintf(&b, "event: update\nid: %06d\ndata: {\"seq\":%06d,\ndata: \"ok\":true}\n\n", i, i)
		}
		return b.Bytes()
	}
	small, large := stream(20), stream(20_000)
	readerAllocs := func(b []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			r := sse.NewReader(bytes.NewReader(b), sse.Limits{})
			for r.Next() {
			}
		})
	}
	if a, b := readerAllocs(small), readerAllocs(large); b > a {
		t.Errorf("Reader: %v allocations for 20 events, %v for 20,000", a, b)
	}

	// The server is raw TCP writing a prepared response, so that the
	// process's allocations are the client's.
	streamAllocs := func(b []byte, events int) float64 {
		url := rawServer(t, b)
		return testing.AllocsPerRun(5, func() {
			s, err := sse.NewStream(context.Background(), url, sse.Options{Reconnect: sse.ReconnectNever})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for s.Next() {
				n++
			}
			if n != events || s.Err() != nil {
				t.Fatalf("%d events, Err %v", n, s.Err())
			}
		})
	}
	a, b := streamAllocs(small, 20), streamAllocs(large, 20_000)
	// A few allocations of the runtime's come and go between runs (more
	// under -race); one per event would be 19,980.
	if b-a > 5 {
		t.Errorf("Stream: %v allocations for 20 events, %v for 20,000", a, b)
	}
	t.Logf("Stream over loopback: %v allocations for 20 events, %v for 20,000", a, b)
}

// rawServer serves body as a chunked text/event-stream response of 64 KiB
// chunks to every connection, written from a prepared buffer, and returns
// its URL.
func rawServer(t *testing.T, body []byte) string {
	var resp bytes.Buffer
	resp.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
	for len(body) > 0 {
		n := min(len(body), 64<<10)
		fmt.Fprintf(&resp, "%x\r\n", n)
		resp.Write(body[:n])
		resp.WriteString("\r\n")
		body = body[n:]
	}
	resp.WriteString("0\r\n\r\n")
	wire := resp.Bytes()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// The request has no body: read until its empty line.
			var req []byte
			for !bytes.Contains(req, []byte("\r\n\r\n")) {
				n, err := c.Read(buf)
				if err != nil {
					break
				}
				req = append(req, buf[:n]...)
			}
			c.Write(wire)
			c.Close()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

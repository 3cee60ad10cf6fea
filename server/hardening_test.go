package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestBadParametersAreRefused: a parameter out of its bounds gets a 400 whose
// body names it and its bounds, never a panic (status=99 used to panic in
// WriteHeader and close the connection without a response) nor a silent
// clamp. A real listener, so that a panic would show as a broken
// connection.
func TestBadParametersAreRefused(t *testing.T) {
	ts := httptest.NewUnstartedServer(New(Options{}))
	var logged bytes.Buffer
	ts.Config.ErrorLog = log.New(&logged, "", 0)
	ts.Start()
	defer ts.Close()
	client := ts.Client()
	client.Timeout = time.Minute
	for _, tc := range []struct{ query, want string }{
		{"/sse/hello?status=99", "status=99: want an integer in 200..999"},
		{"/sse/hello?status=1000", "status=1000: want an integer in 200..999"},
		{"/sse/hello?status=-1", "status=-1: want an integer in 200..999"},
		{"/sse/hello?status=x", "status=x: want an integer in 200..999"},
		{"/sse/hello?key=b&status.1=99", "status=99"},
		{"/sse/hello?gap=1001", "gap=1001: want an integer in 0..1000"},
		{"/sse/numbered?n=1048577&upto=1", "n=1048577: want an integer in 0..1048576"},
		{"/sse/numbered?n=1&size=1048577", "size=1048577: want an integer in 0..1048576"},
		{"/sse/numbered?n=1&hold=30001", "hold=30001: want an integer in 0..30000"},
		{"/sse/numbered?n=1&pause=1:x", "pause=1:x: want K:D or K:await"},
		{"/sse/numbered?n=1&batch=-1", "batch=-1: want an integer in 0..1048576"},
		// One write is built in memory, so it is bounded.
		{"/sse/numbered?n=8&size=1048576&batch=0", "batch=0: one write would hold 8 events of up to 1048590 bytes, 8388720 bytes in all, above the bound of 4194304 bytes a write"},
		{"/sse/numbered?n=8&size=1048576&batch=5", "batch=5: one write would hold 5 events"},
		{"/sse/numbered?n=8&size=1048576&proxy=1", "proxy=1: one write would hold 8 events"},
		{"/sse/oversize?linesize=67108865", "linesize=67108865: want an integer in 0..67108864"},
		{"/sse/oversize?lines=1025", "lines=1025: want an integer in 0..1024"},
		{"/sse/endless?limit=268435457", "limit=268435457: want an integer in 0..268435456"},
		{"/sse/resume?per=33", "per=33: want an integer in 0..32"},
		{"/sse/tick?interval=5", "interval=5: want an integer in 10..120000"},
	} {
		resp, err := client.Get(ts.URL + tc.query)
		if err != nil {
			t.Errorf("%s: %v, want a 400", tc.query, err)
			continue
		}
		// Enough for the reason; a stream served instead may not end.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %s %q, want 400 with %q", tc.query, resp.Status, body, tc.want)
		}
	}
	// The largest stream the bounds allow is served (and streamed).
	resp, err := client.Get(ts.URL + "/sse/numbered?n=1048576&size=1048576")
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len(NumberedEvent(1, maxNumberedSize)))
	_, err = io.ReadFull(resp.Body, first)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil || string(first) != NumberedEvent(1, maxNumberedSize) {
		t.Errorf("n=1048576&size=1048576: %s, %v; want 200 and event 1", resp.Status, err)
	}
	if logged.Len() > 0 {
		t.Errorf("the server logged:\n%s", logged.String())
	}
}

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

// slowClient requests target and reads the response head and the first body
// byte, then nothing more: the server's writes stall once the socket buffers
// are full.
func slowClient(t *testing.T, addr, target string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).SetReadBuffer(16 << 10)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), nil)
	if err == nil {
		_, err = resp.Body.Read(make([]byte, 1))
	}
	if err != nil || resp.StatusCode != 200 {
		conn.Close()
		t.Fatalf("%s: %v", target, err)
	}
	return conn
}

// TestSlowClientsHoldLittleMemory: responses are streamed, not built whole,
// so clients that stop reading hold no more than a write each. 16 clients of
// a 64 MiB line used to hold 1.7 GB; the largest numbered stream that the
// bounds allow, n=2^20 events of 2^20 bytes (1 TiB), used to be built whole
// with batch=0 (now refused: a write is at most 4 MiB), and the largest
// single writes allowed are in the load too.
func TestSlowClientsHoldLittleMemory(t *testing.T) {
	ts := httptest.NewServer(New(Options{}))
	defer ts.Close()
	addr := ts.Listener.Addr().String()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 16 {
		conns = append(conns, slowClient(t, addr, "/sse/oversize?linesize=67108864"))
	}
	for _, q := range []string{"n=1048576&size=1048576", "n=3&size=1048576&batch=0", "n=3&size=1048576&proxy=1"} {
		conns = append(conns, slowClient(t, addr, "/sse/numbered?"+q))
	}
	var during runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&during)
	grown := int64(during.HeapInuse) - int64(before.HeapInuse)
	t.Logf("19 slow clients: heap in use %.1f MiB (%+.1f MiB), heap from the OS %.1f MiB, Sys %.1f MiB",
		float64(during.HeapInuse)/(1<<20), float64(grown)/(1<<20), float64(during.HeapSys)/(1<<20), float64(during.Sys)/(1<<20))
	// Each numbered client holds one write (about 1 MiB, 3 MiB and 3 MiB);
	// the rest is buffers of a few KiB per connection.
	if grown > 64<<20 {
		t.Errorf("19 slow clients grew the heap in use by %.1f MiB", float64(grown)/(1<<20))
	}
}

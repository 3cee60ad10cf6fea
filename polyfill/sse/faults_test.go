package sse_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill/sse"
	"github.com/eventsource-wasm/eventsource/server"
)

// Exactly-once delivery across faults, as the browser suite's TestDelivery
// and TestBrokenServers check it for Chrome and the polyfill: the server's
// numbered stream (server/reliability.go) publishes ids 1..n and resumes
// after Last-Event-ID; each fault must leave the client with 1..n exactly
// once, in order, with the open / error / state sequence the standard
// requires.

type fault struct {
	name    string
	query   string
	n, size int
	// expect is how many events arrive before the stream closes; 0 means n.
	expect int
	// want matches the summary: "open", "error0" / "error2", and "mA-B"
	// for each run of consecutive ids.
	want string
	// base is the origin, when not A.
	base func() string
	// onMessage and onTransition inject the fault at the right moment.
	onMessage    func(id int)
	onTransition func(tr sse.Transition, errors int)
	check        func(t *testing.T, key string, tr []sse.Transition)
}

var restartable *server.Restartable

var faults = []fault{
	// SSE-27, SSE-29, SSE-35, SSE-46: the TCP connection drops in the
	// middle of event 11: the half event is discarded, the reconnection
	// asks after id 10 and gets 11 again.
	{name: "tcp-drop-mid-event", n: 30, query: "cut.1=10&end.1=drop&end=hang&retry=20",
		want: `open m1-10 error0 open m11-30`},
	// SSE-19b, SSE-27..29: the server restarts: reconnections are refused
	// (retried, an error each) until it listens again, then the stream
	// resumes after id 20.
	{name: "server-restart", n: 40, query: "upto.1=20&end=hang&retry=30",
		base: func() string { return restartable.URL() },
		want: `open m1-20 (?:error0 ){2,}open m21-40`,
		onMessage: func(id int) {
			if id == 20 {
				restartable.Stop()
			}
		},
		onTransition: func(tr sse.Transition, errors int) {
			if errors == 2 {
				restartable.Start()
			}
		}},
	// SSE-28: a stall is not a fault: 400 ms of silence mid-stream, then
	// a response head 400 ms late; nothing is retried meanwhile.
	{name: "stall-longer-than-retry", n: 30, query: "pause.1=10:400&upto.1=20&end.1=eof&hold.2=400&end=hang&retry=100",
		want: `open m1-20 error0 open m21-30`,
		check: func(t *testing.T, key string, _ []sse.Transition) {
			if c := srv.Stats(key).Connections; c != 2 {
				t.Errorf("%d connections, want 2", c)
			}
		}},
	// SSE-24, SSE-51: a proxy that buffers: nothing for 300 ms, then the
	// head and the whole connection's events in one write.
	{name: "proxy-buffers-then-flushes", n: 30, query: "proxy=1&hold=300&upto.1=15&end.1=eof&end=hang&retry=20",
		want: `open m1-15 error0 open m16-30`},
	// SSE-27, SSE-35: a body that errors in the middle of event 11: an
	// invalid chunk header, a Content-Length never reached.
	{name: "body-error-bad-chunk", n: 20, query: "cut.1=10&end.1=badchunk&end=hang&retry=20",
		want: `open m1-10 error0 open m11-20`},
	{name: "body-error-short-content-length", n: 20, query: "cut.1=10&end.1=short&end=hang&retry=20",
		want: `open m1-10 error0 open m11-20`},
	// SSE-19b: the reconnection's response head is broken, or the
	// connection closes before any byte: a network error, retried.
	{name: "bad-head-on-reconnect", n: 20, query: "upto.1=10&end.1=eof&reset.2=bad&end=hang&retry=20",
		want: `open m1-10 error0 error0 open m11-20`},
	{name: "empty-response-on-reconnect", n: 20, query: "upto.1=10&end.1=eof&close=1&reset.2=1&end=hang&retry=20",
		want: `open m1-10 (?:error0 )+open m11-20`},
	// SSE-31, SSE-33: one byte per write, multi-byte characters split.
	{name: "one-byte-per-write", n: 50, size: 24, query: "bytewise=1&upto.1=25&end.1=eof&end=hang&retry=20",
		want: `open m1-25 error0 open m26-50`},
	// SSE-27, SSE-51: 500 events (110 KB) per write, a drop in the middle
	// of event 2501.
	{name: "large-batched-writes", n: 5000, size: 200, query: "batch=500&cut.1=2500&end.1=drop&end=hang&retry=20",
		want: `open m1-2500 error0 open m2501-5000`},
	// SSE-18, SSE-44: the reconnection time changes on every connection;
	// each delay is the server's retry.
	{name: "retry-changes", n: 40,
		query: "retry.1=100&retry.2=300&retry.3=50&upto.1=10&upto.2=20&upto.3=30&end.1=eof&end.2=eof&end.3=eof&end=hang",
		want:  `open m1-10 error0 open m11-20 error0 open m21-30 error0 open m31-40`,
		check: func(t *testing.T, _ string, trs []sse.Transition) {
			var delays []time.Duration
			for _, tr := range trs {
				if tr.State == sse.Connecting {
					delays = append(delays, tr.Delay)
				}
			}
			if fmt.Sprint(delays) != "[100ms 300ms 50ms]" {
				t.Errorf("delays %v, want the retry of each connection", delays)
			}
		}},
	// SSE-21, SSE-23: a 5xx or 4xx on reconnection stops the stream for
	// good, after 1..10 exactly once.
	{name: "status-503-on-reconnect", n: 20, expect: 10, query: "upto.1=10&end.1=eof&status.2=503&retry=20",
		want: `open m1-10 error0 error2`},
	{name: "status-429-on-reconnect", n: 20, expect: 10, query: "upto.1=10&end.1=eof&status.2=429&retry=20",
		want: `open m1-10 error0 error2`},
}

func TestFaults(t *testing.T) {
	r, err := server.NewRestartable(srv)
	if err != nil {
		t.Fatal(err)
	}
	restartable = r
	defer r.Close()
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) { runFault(t, f) })
	}
}

func runFault(t *testing.T, f fault) {
	if f.size == 0 {
		f.size = 16
	}
	expect := f.expect
	if expect == 0 {
		expect = f.n
	}
	base := originA
	if f.base != nil {
		base = f.base()
	}
	key := newKey(t)
	var tokens []string
	var trs []sse.Transition
	runStart, runEnd := -1, -1
	flush := func() {
		if runStart >= 0 {
			tokens = append(tokens, fmt.Sprintf("m%d-%d", runStart, runEnd))
			runStart = -1
		}
	}
	errors := 0
	s, err := sse.NewStream(context.Background(), fmt.Sprintf("%s/sse/numbered?key=%s&n=%d&size=%d&%s", base, key, f.n, f.size, f.query), sse.Options{
		OnTransition: func(tr sse.Transition) {
			flush()
			trs = append(trs, tr)
			if tr.State == sse.Open {
				tokens = append(tokens, "open")
				return
			}
			tokens = append(tokens, "error"+strconv.Itoa(int(tr.State)))
			errors++
			if f.onTransition != nil {
				f.onTransition(tr, errors)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seen := map[int]bool{}
	received, dup, order, prev, bad := 0, 0, 0, 0, 0
	for received < expect && s.Next() {
		e := s.Event()
		id, err := strconv.Atoi(string(e.LastEventID))
		if err != nil || string(e.Data) != server.NumberedData(id, f.size) || e.EventType() != "message" {
			if bad++; bad <= 3 {
				t.Errorf("event %q id %q: not the numbered stream's", e.Data, e.LastEventID)
			}
			continue
		}
		received++
		if seen[id] {
			dup++
		}
		if id <= prev {
			order++
		}
		seen[id], prev = true, id
		if runStart >= 0 && id == runEnd+1 {
			runEnd = id
		} else {
			flush()
			runStart, runEnd = id, id
		}
		if f.onMessage != nil {
			f.onMessage(id)
		}
	}
	if f.expect != 0 && s.Next() {
		t.Errorf("an event after the failure: %q", s.Event().Data)
	}
	flush()
	summary := strings.Join(tokens, " ")
	if !regexp.MustCompile("^(?:" + f.want + ")$").MatchString(summary) {
		t.Errorf("received %q, want %q (Err %v)", summary, f.want, s.Err())
	}
	lost := 0
	for id := 1; id <= expect; id++ {
		if !seen[id] {
			lost++
		}
	}
	if dup != 0 || lost != 0 || order != 0 || received != expect {
		t.Errorf("not exactly once in order: received %d, duplicated %d, lost %d, out of order %d", received, dup, lost, order)
	}
	if f.check != nil {
		f.check(t, key, trs)
	}
	s.Close()
	released(t, key)
	t.Logf("%s; %d connections", summary, srv.Stats(key).Connections)
}

// TestHostileInputs: invalid UTF-8 and NUL everywhere, a 1,000-digit
// retry: decoded and ignored as the standard says, with the Last-Event-ID
// of an invalid id sent as the UTF-8 of its U+FFFD (SSE-29, SSE-31,
// SSE-37, SSE-40..44).
func TestHostileInputs(t *testing.T) {
	key := newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/utf8-everywhere?as.2-=echo&key="+key, sse.Options{})
	readN(s, tp, 7)
	expectTape(t, tp, "open\n"+
		"message \"a\uFFFD\"\n"+
		"t\uFFFD \"1\"\n"+
		"message \"2\" #i\uFFFD\n"+
		"message \"\uFFFD\uFFFD\uFFFD surrogate\" #i\uFFFD\n"+
		"message \"split \u20AC euro\" #i\uFFFD\n"+
		"message \"\uFFFD\uFFFD\uFFFD\uFFFD above\" #i\uFFFD\n"+
		"message \"end \uFFFD\" #i\uFFFD")
	if s.ReconnectionTime() != 50*time.Millisecond {
		t.Errorf("ReconnectionTime %v: the invalid retry was taken", s.ReconnectionTime())
	}
	if e := echoes(t, s, 1); e[0].Headers["last-event-id"] != "i\uFFFD" {
		t.Errorf("Last-Event-ID %q", e[0].Headers["last-event-id"])
	}
	s.Close()

	key = newKey(t)
	s, tp = open(t, context.Background(), originA+"/sse/nul-everywhere?key="+key, sse.Options{})
	readN(s, tp, 4)
	expectTape(t, tp, "open\na\x00b \"1\"\nmessage \"2\" #ok\nmessage \"\\x00\\x00\" #ok\nmessage \"tail\\x00\" #ok")
	s.Close()

	for _, name := range []string{"retry-1000-digits", "retry-1000-zeros"} {
		key = newKey(t)
		s, tp = open(t, context.Background(), originA+"/sse/"+name+"?key="+key, sse.Options{})
		readN(s, tp, 2)
		expectTape(t, tp, "open\nmessage \"1\"\nerror0 ended\nopen\nmessage \"1\"")
		if s.ReconnectionTime() != 50*time.Millisecond || tp.transitions[1].Delay != 50*time.Millisecond {
			t.Errorf("%s: reconnection time %v, delay %v; want 50ms", name, s.ReconnectionTime(), tp.transitions[1].Delay)
		}
		s.Close()
	}
}

// TestCancelLeavesNothing: cancelling the context stops every stream,
// wherever it is (waiting for a response head, reading a body, waiting to
// reconnect, in the middle of a redirect chain), with the context's error,
// releases every connection on the server, and leaves no goroutine behind:
// the package starts none, and net/http's end with their connections.
func TestCancelLeavesNothing(t *testing.T) {
	transport := &httpTransport{}
	client := transport.client()
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	urls := []string{
		"/sse/hello?stall=1",                // no response head
		"/sse/hello?end=hang",               // an open body
		"/sse/tick?interval=20",             // a body that keeps sending
		"/sse/hello?retry=600000",           // the reconnection wait
		"/sse/numbered?n=1000000&batch=100", // a fast stream read slowly
		"/sse/redirect?hops=5&to=/sse/hello%3Fstall%3D1",
	}
	var wg sync.WaitGroup
	errs := make([]error, len(urls))
	keys := make([]string, len(urls))
	var ready sync.WaitGroup
	for i, u := range urls {
		keys[i] = newKey(t)
		s, err := sse.NewStream(ctx, originA+u+"&key="+keys[i], sse.Options{Client: client})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			once := sync.OnceFunc(ready.Done)
			defer once()
			for s.Next() {
				once()
				time.Sleep(time.Millisecond)
			}
			errs[i] = s.Err()
		}()
	}
	// Every stream has made its request, and each that gets events has one.
	for _, k := range keys {
		if !waitFor(10*time.Second, func() bool { return srv.Stats(k).Connections > 0 }) {
			t.Fatalf("%s made no request", k)
		}
	}
	waitReady := make(chan struct{})
	go func() { ready.Wait(); close(waitReady) }()
	select {
	case <-waitReady:
	case <-time.After(200 * time.Millisecond): // the stalled ones never get one
	}
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("streams still running 10 s after the cancellation")
	}
	for i, err := range errs {
		if err != context.Canceled {
			t.Errorf("%s: Err %v, want context.Canceled", urls[i], err)
		}
	}
	for _, k := range keys {
		released(t, k)
	}
	transport.t.CloseIdleConnections()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	// goleak-style: no goroutine of this package or of a client connection
	// is left, and no more goroutines run than before.
	var left []string
	if !waitFor(10*time.Second, func() bool {
		left = clientGoroutines()
		return len(left) == 0 && runtime.NumGoroutine() <= before
	}) {
		t.Errorf("%d goroutines, %d before the streams; left behind:\n%s", runtime.NumGoroutine(), before, strings.Join(left, "\n\n"))
	}
}

// clientGoroutines returns the stacks of the goroutines that a client left
// running: any in this package, and net/http's of a client connection.
func clientGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "eventsource/sse.") && !strings.Contains(g, "sse_test.") ||
			strings.Contains(g, "net/http.(*persistConn)") || strings.Contains(g, "net/http.(*Transport).dialConn") {
			out = append(out, g)
		}
	}
	return out
}

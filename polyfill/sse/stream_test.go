package sse_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/eventsource-wasm/eventsource/polyfill/sse"
)

// echoed is the data of the server's echo scenario.
type echoed struct {
	Conn    int               `json:"conn"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// echoes reads n echo events.
func echoes(t *testing.T, s *sse.Stream, n int) []echoed {
	t.Helper()
	var out []echoed
	for len(out) < n && s.Next() {
		var e echoed
		if err := json.Unmarshal(s.Event().Data, &e); err != nil {
			t.Fatalf("echo %q: %v", s.Event().Data, err)
		}
		out = append(out, e)
	}
	if len(out) != n {
		t.Fatalf("got %d echoes, want %d (Err %v)", len(out), n, s.Err())
	}
	return out
}

// TestReconnectLastEventID: SSE-16, SSE-27, SSE-28, SSE-29, SSE-46: the
// end of each body reconnects after the server's retry, every request has
// the standard's headers, the first none of Last-Event-ID, the others the
// last ID, kept across a response without one; "id" empties it and then no
// header is sent.
func TestReconnectLastEventID(t *testing.T) {
	key := newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/echo?retry=20&id.1=abc&id.3=&key="+key, sse.Options{})
	es := echoes(t, s, 4)
	want := []string{"", "abc", "abc", ""}
	for i, e := range es {
		if e.Conn != i+1 || e.Method != "GET" || e.Headers["accept"] != "text/event-stream" ||
			e.Headers["cache-control"] != "no-cache" || e.Headers["pragma"] != "no-cache" {
			t.Errorf("request %d: %+v", i+1, e)
		}
		if got, ok := e.Headers["last-event-id"]; got != want[i] || ok != (want[i] != "") {
			t.Errorf("request %d: Last-Event-ID %q (sent %v), want %q", i+1, got, ok, want[i])
		}
	}
	if s.LastEventID() != "" || s.ReconnectionTime() != 20*time.Millisecond {
		t.Errorf("LastEventID %q, ReconnectionTime %v", s.LastEventID(), s.ReconnectionTime())
	}
	s.Close()
	if s.Next() || s.Err() != nil || s.ReadyState() != sse.Closed {
		t.Errorf("after Close: Next true or Err %v or state %v", s.Err(), s.ReadyState())
	}
	for i, tr := range tp.transitions {
		if tr.State == sse.Connecting && (tr.Delay != 20*time.Millisecond || errKind(tr.Err) != sse.KindEnded) {
			t.Errorf("transition %d: %+v", i, tr)
		}
	}
	released(t, key)
}

// TestFailures: SSE-20, SSE-21, SSE-22, SSE-23: a status other than 200, a
// wrong type, an unfetchable scheme fail at once, with the reason in Err
// and in the CLOSED transition, and no retry (retry=20 would show one).
func TestFailures(t *testing.T) {
	for _, tt := range []struct {
		url    string
		kind   sse.Kind
		status int
		conns  int
	}{
		{"/sse/hello?status=204&retry=20", sse.KindStatus, 204, 1},
		{"/sse/hello?status=503&retry=20", sse.KindStatus, 503, 1},
		{"/sse/hello?status=302&retry=20", sse.KindStatus, 302, 1},
		{"/sse/hello?ctype=text/html&retry=20", sse.KindContentType, 200, 1},
		{"/sse/hello?ctype=none&retry=20", sse.KindContentType, 200, 1},
		{"/sse/redirect?code=302&to=/sse/hello%3Fstatus%3D404&retry=20", sse.KindStatus, 404, 2},
		{"ftp://127.0.0.1/x", sse.KindScheme, 0, 0},
		{"blob:http://127.0.0.1/x", sse.KindRequest, 0, 0},
	} {
		t.Run(tt.url, func(t *testing.T) {
			key := newKey(t)
			u := tt.url
			if strings.HasPrefix(u, "/") {
				u = originA + u + "&key=" + key
			}
			s, tp := open(t, context.Background(), u, sse.Options{})
			if s.Next() {
				t.Fatalf("an event: %q", s.Event().Data)
			}
			var e *sse.Error
			if !errors.As(s.Err(), &e) || e.Kind != tt.kind || e.Status != tt.status {
				t.Fatalf("Err %#v, want kind %v status %d", s.Err(), tt.kind, tt.status)
			}
			expectTape(t, tp, "error2 "+tt.kind.String())
			if tp.transitions[0].Err != s.Err() || s.ReadyState() != sse.Closed {
				t.Errorf("transition %+v, state %v", tp.transitions[0], s.ReadyState())
			}
			if got := srv.Stats(key).Connections; got != tt.conns {
				t.Errorf("%d requests, want %d", got, tt.conns)
			}
		})
	}
}

// TestRedirects: SSE-20, SSE-21, SSE-26: 20 redirects are followed, the
// 21st is a network error (retried, as Chromium does); a reconnection goes
// straight to the final URL.
func TestRedirects(t *testing.T) {
	key := newKey(t)
	s, _ := open(t, context.Background(), originA+"/sse/redirect?hops=20&to=/sse/echo&retry=20&key="+key, sse.Options{})
	es := echoes(t, s, 2)
	if es[0].Conn != 21 || es[1].Conn != 22 {
		t.Errorf("echoes from connections %d and %d, want 21 then 22 (the final URL)", es[0].Conn, es[1].Conn)
	}
	s.Close()

	key = newKey(t)
	// The transition, not the readyState, which is CONNECTING from the
	// start: it says that the error was decided.
	errored := make(chan struct{}, 1)
	s, tp := open(t, context.Background(), originA+"/sse/redirect?hops=21&to=/sse/hello&key="+key, sse.Options{
		OnTransition: func(tr sse.Transition) {
			if tr.State == sse.Connecting {
				select {
				case errored <- struct{}{}:
				default:
				}
			}
		},
	})
	done := make(chan bool)
	go func() { done <- s.Next() }()
	select {
	case <-errored:
	case <-time.After(10 * time.Second):
		t.Fatalf("no network error after 21 hops: %d requests", srv.Stats(key).Connections)
	}
	s.Close()
	if <-done {
		t.Error("an event after Close")
	}
	expectTape(t, tp, "error0 network")
	if e := tp.transitions[0].Err.(*sse.Error); !strings.Contains(e.Error(), "20 redirects") {
		t.Errorf("the error does not say why: %v", e)
	}
	if got := srv.Stats(key).Connections; got != 21 {
		t.Errorf("%d requests, want 21 (the first and 20 redirects)", got)
	}
}

// TestAuthorizationStaysHome: SSE-26: Authorization goes along a
// same-origin redirect, not to another origin, and a reconnection to that
// origin's final URL leaves it out too, as fetch would have on the
// redirect. Other headers go everywhere.
func TestAuthorizationStaysHome(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer secret"}, "X-Trace": {"t1"}}
	for _, tt := range []struct {
		name, to string
		auth     bool
	}{
		{"same origin", "/sse/echo", true},
		{"cross origin", originB + "/sse/echo", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := newKey(t)
			s, _ := open(t, context.Background(), originA+"/sse/redirect?code=307&to="+tt.to+"&retry=20&h=X-Trace&key="+key, sse.Options{Header: h})
			for i, e := range echoes(t, s, 2) {
				if _, ok := e.Headers["authorization"]; ok != tt.auth || e.Headers["x-trace"] != "t1" {
					t.Errorf("request %d (conn %d): headers %v; want Authorization %v", i+1, e.Conn, e.Headers, tt.auth)
				}
			}
		})
	}
}

// TestHeaderFunc: the headers function is called before each attempt, its
// headers replacing the fixed ones; an error fails the stream with it as
// the cause.
func TestHeaderFunc(t *testing.T) {
	key := newKey(t)
	n := 0
	s, _ := open(t, context.Background(), originA+"/sse/echo?retry=20&key="+key, sse.Options{
		Header: http.Header{"Authorization": {"Bearer stale"}},
		HeaderFunc: func(ctx context.Context) (http.Header, error) {
			n++
			return http.Header{"authorization": {"Bearer tok-" + string(rune('0'+n))}}, nil
		},
	})
	for i, e := range echoes(t, s, 3) {
		if want := "Bearer tok-" + string(rune('1'+i)); e.Headers["authorization"] != want {
			t.Errorf("request %d: Authorization %q, want %q", i+1, e.Headers["authorization"], want)
		}
	}
	s.Close()

	boom := errors.New("token service down")
	key = newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/hello?key="+key, sse.Options{
		HeaderFunc: func(context.Context) (http.Header, error) { return nil, boom },
	})
	if s.Next() || !errors.Is(s.Err(), boom) || errKind(s.Err()) != sse.KindRequest {
		t.Errorf("Err %v, want KindRequest caused by %v", s.Err(), boom)
	}
	expectTape(t, tp, "error2 request")
	if c := srv.Stats(key).Connections; c != 0 {
		t.Errorf("%d requests, want none", c)
	}
}

// TestControlByteID: SSE-29 [E]: Chrome sends an id with a control byte
// other than HTAB as is; net/http cannot. The reconnection then fails as a
// request that cannot be made (CLOSED, KindRequest), not as a network error
// that would be retried forever. (A Go server answers Chrome's request with
// 400, which fails too.)
func TestControlByteID(t *testing.T) {
	key := newKey(t)
	srv.SetBody(key, "retry: 20\nid: a\x01b\ndata: x\n\n")
	s, tp := open(t, context.Background(), originA+"/sse/stored?body="+key+"&key="+key, sse.Options{})
	readN(s, tp, 2)
	expectTape(t, tp, "open\nmessage \"x\" #a\x01b\nerror0 ended\nerror2 request")
	if err := s.Err(); !strings.Contains(err.Error(), "control byte") || !strings.Contains(err.Error(), "Last-Event-Id") {
		t.Errorf("Err %v does not say which header", err)
	}
	if c := srv.Stats(key).Connections; c != 1 {
		t.Errorf("%d requests, want 1", c)
	}
}

// TestMethodAndBody: the method and body of the JS shim's extension: a
// POST is not reconnected by default, and its clean end is a normal end;
// with ReconnectAlways a replayable body is sent again on each attempt.
func TestMethodAndBody(t *testing.T) {
	key := newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/echo?retry=20&key="+key, sse.Options{
		Method: "POST", Body: strings.NewReader(`{"q":1}`),
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	es := echoes(t, s, 1)
	if es[0].Method != "POST" || es[0].Body != `{"q":1}` || es[0].Headers["content-type"] != "application/json" {
		t.Errorf("request %+v", es[0])
	}
	if s.Next() || s.Err() != nil {
		t.Errorf("after the body: Next true or Err %v; want a normal end", s.Err())
	}
	expectTape(t, tp, "open\nerror2 ended")

	key = newKey(t)
	s, _ = open(t, context.Background(), originA+"/sse/echo?retry=20&key="+key, sse.Options{
		Method: "PUT", Body: strings.NewReader("again"), Reconnect: sse.ReconnectAlways,
	})
	for i, e := range echoes(t, s, 3) {
		if e.Method != "PUT" || e.Body != "again" || e.Conn != i+1 {
			t.Errorf("request %d: %+v", i+1, e)
		}
	}

	// A body that can be read once only reconnects with GetBody.
	key = newKey(t)
	calls := 0
	s, _ = open(t, context.Background(), originA+"/sse/echo?retry=20&key="+key, sse.Options{
		Method: "POST", Reconnect: sse.ReconnectAlways, Body: iotest.OneByteReader(strings.NewReader("x")),
		GetBody: func() (io.ReadCloser, error) { calls++; return io.NopCloser(strings.NewReader("fresh")), nil },
	})
	for _, e := range echoes(t, s, 2) {
		if e.Body != "fresh" {
			t.Errorf("body %q, want GetBody's", e.Body)
		}
	}
	if calls != 2 {
		t.Errorf("GetBody called %d times, want 2", calls)
	}
}

// TestNewStreamErrors: what a browser's constructor throws for, or a request
// could never carry, is NewStream's error (SSE-11).
func TestNewStreamErrors(t *testing.T) {
	for _, tt := range []struct {
		url string
		o   sse.Options
	}{
		{"/sse/hello", sse.Options{}},
		{"http://this is invalid/", sse.Options{}},
		{"http://a:99999/", sse.Options{}},
		{"http://a/", sse.Options{Method: "GET X"}},
		{"http://a/", sse.Options{Body: strings.NewReader("x")}},
		{"http://a/", sse.Options{Method: "HEAD", Body: strings.NewReader("x")}},
		{"http://a/", sse.Options{Method: "POST", Reconnect: sse.ReconnectAlways, Body: iotest.OneByteReader(strings.NewReader("x"))}},
	} {
		if s, err := sse.NewStream(context.Background(), tt.url, tt.o); err == nil {
			s.Close()
			t.Errorf("NewStream(%q, %+v) gave no error", tt.url, tt.o)
		}
	}
	s, err := sse.NewStream(context.Background(), "HTTP://Example.COM:80/a/./b/../c?q#f", sse.Options{})
	if err != nil || s.URL() != "http://example.com/a/c?q#f" || s.ReadyState() != sse.Connecting {
		t.Errorf("URL %q, err %v, state %v", s.URL(), err, s.ReadyState())
	}
}

// TestInitialLastEventID: the extension's initial ID is sent from the first
// request (SSE-29) and is the events' lastEventId until the stream sets one.
func TestInitialLastEventID(t *testing.T) {
	key := newKey(t)
	s, _ := open(t, context.Background(), originA+"/sse/echo?key="+key, sse.Options{LastEventID: "41"})
	es := echoes(t, s, 1)
	if es[0].Headers["last-event-id"] != "41" || string(s.Event().LastEventID) != "41" {
		t.Errorf("headers %v, event id %q", es[0].Headers, s.Event().LastEventID)
	}
}

// TestDataURL: SSE-19, SSE-25: a data: URL is fetched as the Fetch standard
// does, percent-encoded or base64, and its origin is opaque.
func TestDataURL(t *testing.T) {
	for _, u := range []string{"data:text/event-stream,data:%20x%0A%0A", "data:text/event-stream;base64,ZGF0YTogeAoK"} {
		var final string
		s, tp := open(t, context.Background(), u, sse.Options{Reconnect: sse.ReconnectNever, OnTransition: func(tr sse.Transition) {
			if tr.State == sse.Open {
				final = tr.Response.Request.URL.Scheme
			}
		}})
		readN(s, tp, 2)
		expectTape(t, tp, "open\nmessage \"x\"\nerror2 ended")
		if final != "data" || s.Err() != nil {
			t.Errorf("%s: response URL scheme %q, Err %v", u, final, s.Err())
		}
	}
}

// TestPolicyDelays: the policy's backoff, with the jitter drawn from an
// injected Rand: every delay is the engine's, and the stream fails after
// MaxAttempts consecutive refused connections, which no more requests
// follow (a reconnection storm is bounded by the policy).
func TestPolicyDelays(t *testing.T) {
	s, tp := open(t, context.Background(), closedOrigin+"/sse/hello", sse.Options{
		Policy: sse.Policy{InitialDelay: 10 * time.Millisecond, Factor: 2, MaxDelay: 30 * time.Millisecond, Jitter: true, MaxAttempts: 5},
		Rand:   func() float64 { return 0.5 },
	})
	if s.Next() {
		t.Fatal("an event from a closed port")
	}
	expectTape(t, tp, "error0 network\nerror0 network\nerror0 network\nerror0 network\nerror2 attempts")
	for i, want := range []time.Duration{5, 10, 15, 15} {
		if tr := tp.transitions[i]; tr.Delay != want*time.Millisecond || tr.Attempt != i+1 {
			t.Errorf("attempt %d: delay %v, want %v", tr.Attempt, tr.Delay, want*time.Millisecond)
		}
	}
	var e *sse.Error
	if !errors.As(s.Err(), &e) || e.Kind != sse.KindAttempts || e.Attempts != 5 {
		t.Errorf("Err %v, want KindAttempts after 5", s.Err())
	}
}

// TestRetryStatuses: a status of the policy reconnects after Retry-After;
// MaxAttempts bounds how many requests the server sees.
func TestRetryStatuses(t *testing.T) {
	key := newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/hello?status=503&key="+key, sse.Options{
		Policy: sse.Policy{RetryStatuses: []int{503}, MaxAttempts: 4, InitialDelay: time.Millisecond},
	})
	if s.Next() {
		t.Fatal("an event from a 503")
	}
	expectTape(t, tp, "error0 status\nerror0 status\nerror0 status\nerror2 attempts")
	if c := srv.Stats(key).Connections; c != 4 {
		t.Errorf("the server saw %d requests, want 4", c)
	}
	if e := s.Err().(*sse.Error); e.Status != 503 || tp.transitions[0].Response.StatusCode != 503 {
		t.Errorf("Err %+v", e)
	}

	// Retry-After, in seconds or as a date from the injected clock.
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for ra, want := range map[string]time.Duration{"7": 7 * time.Second, now.Add(9 * time.Second).Format(http.TimeFormat): 9 * time.Second} {
		h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", ra)
			w.WriteHeader(429)
		}))
		var delay time.Duration
		var s *sse.Stream
		s, _ = open(t, context.Background(), h.URL, sse.Options{
			Policy: sse.Policy{RetryStatuses: []int{429}},
			Now:    func() time.Time { return now },
			OnTransition: func(tr sse.Transition) {
				delay = tr.Delay
				s.Close() // inside the transition: no wait, no request
			},
		})
		if s.Next() || s.Err() != nil {
			t.Errorf("Retry-After %q: Next true or Err %v after Close", ra, s.Err())
		}
		if delay != want {
			t.Errorf("Retry-After %q: delay %v, want %v", ra, delay, want)
		}
		h.Close()
	}
}

// TestInactivityTimeout: nothing arriving for the timeout, before the
// response head or in the middle of a body, reconnects (KindInactive),
// resuming after the last ID; a stream that keeps sending does not.
func TestInactivityTimeout(t *testing.T) {
	key := newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/hello?stall.1=1&key="+key, sse.Options{
		InactivityTimeout: 200 * time.Millisecond,
		Policy:            sse.Policy{InitialDelay: time.Millisecond},
	})
	readN(s, tp, 1)
	expectTape(t, tp, "error0 inactive\nopen\nmessage \"hello\"")
	s.Close()

	key = newKey(t)
	s, tp = open(t, context.Background(), originA+"/sse/numbered?n=10&pause.1=5:10000&end=hang&retry=1&key="+key, sse.Options{
		InactivityTimeout: 300 * time.Millisecond,
	})
	readN(s, tp, 10)
	expectTape(t, tp, `open
		message "1" #1
		message "2" #2
		message "3" #3
		message "4" #4
		message "5" #5
		error0 inactive
		open
		message "6" #6
		message "7" #7
		message "8" #8
		message "9" #9
		message "10" #10`)
	s.Close()
	released(t, key)

	// 50 ms ticks against a 5 s timeout: never inactive, even on a
	// loaded machine.
	key = newKey(t)
	s, tp = open(t, context.Background(), originA+"/sse/tick?interval=50&count=8&end=hang&key="+key, sse.Options{
		InactivityTimeout: 5 * time.Second,
	})
	if n := readN(s, tp, 8); n != 8 || len(tp.transitions) != 1 {
		t.Errorf("%d ticks, transitions:\n%s", n, tp)
	}
}

// TestLimits: SSE-34: over a limit the stream fails after the events
// before it, with the limit in the error.
func TestLimits(t *testing.T) {
	for _, tt := range []struct {
		url   string
		lim   sse.Limits
		kind  sse.Kind
		limit int
		want  string
	}{
		{"/sse/oversize?before=2&lines=3&linesize=700&retry=20", sse.Limits{MaxEventSize: 1024}, sse.KindEventTooLarge, 1024,
			"open\nmessage \"small 1\" #1\nmessage \"small 2\" #2\nerror2 event-too-large"},
		{"/sse/oversize?before=1&lines=1&linesize=2000&comment=1&retry=20", sse.Limits{MaxLineSize: 1024}, sse.KindLineTooLong, 1024,
			"open\nmessage \"small 1\" #1\nerror2 line-too-long"},
		// The 16 MiB defaults: an event of 17 lines of 1 MiB, a line of
		// 20 MiB that never ends.
		{"/sse/oversize?before=1&retry=20", sse.Limits{}, sse.KindEventTooLarge, 16 << 20,
			"open\nmessage \"small 1\" #1\nerror2 event-too-large"},
		{"/sse/endless?limit=20971520&end=hang", sse.Limits{}, sse.KindLineTooLong, 16 << 20, "open\nerror2 line-too-long"},
	} {
		key := newKey(t)
		s, tp := open(t, context.Background(), originA+tt.url+"&key="+key, sse.Options{Limits: tt.lim})
		readN(s, tp, 10)
		expectTape(t, tp, tt.want)
		var e *sse.Error
		if !errors.As(s.Err(), &e) || e.Kind != tt.kind || e.Limit != tt.limit {
			t.Errorf("%s: Err %v, want %v at %d", tt.url, s.Err(), tt.kind, tt.limit)
		}
		if tt.kind == sse.KindLineTooLong && !errors.Is(s.Err(), polyfill.ErrLineTooLong) {
			t.Errorf("errors.Is(%v, ErrLineTooLong) is false", s.Err())
		}
		released(t, key)
	}
}

// TestCloseFromHandlers: SSE-51, SSE-53: Close in the open transition
// delivers nothing more; in a reconnecting transition it makes no request;
// after the first of three events of a chunk, the other two never come.
func TestCloseFromHandlers(t *testing.T) {
	key := newKey(t)
	var s *sse.Stream
	s, tp := open(t, context.Background(), originA+"/sse/hello?key="+key, sse.Options{
		OnTransition: func(tr sse.Transition) { s.Close() },
	})
	if readN(s, tp, 1) != 0 || s.Err() != nil {
		t.Errorf("after Close in onopen: %s, Err %v", tp, s.Err())
	}
	expectTape(t, tp, "open")

	key = newKey(t)
	s, tp = open(t, context.Background(), originA+"/sse/hello?retry=1&key="+key, sse.Options{
		OnTransition: func(tr sse.Transition) {
			if tr.State == sse.Connecting {
				s.Close()
			}
		},
	})
	readN(s, tp, 5)
	expectTape(t, tp, "open\nmessage \"hello\"\nerror0 ended")
	if c := srv.Stats(key).Connections; c != 1 {
		t.Errorf("%d requests after Close in the reconnecting transition, want 1", c)
	}

	key = newKey(t)
	s, tp = open(t, context.Background(), originA+"/sse/three?key="+key, sse.Options{})
	readN(s, tp, 1)
	s.Close()
	readN(s, tp, 5)
	expectTape(t, tp, "open\nmessage \"one\"")
	released(t, key)
}

// TestCloseFromAnotherGoroutine: Close unblocks a Next waiting for the body
// and releases the connection; Err stays nil.
func TestCloseFromAnotherGoroutine(t *testing.T) {
	key := newKey(t)
	s, tp := open(t, context.Background(), originA+"/sse/hello?end=hang&key="+key, sse.Options{})
	readN(s, tp, 1)
	done := make(chan bool)
	go func() { done <- s.Next() }()
	time.Sleep(20 * time.Millisecond) // let it block in a read, most likely
	s.Close()
	select {
	case got := <-done:
		if got || s.Err() != nil {
			t.Errorf("Next %v, Err %v after Close", got, s.Err())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not unblock Next")
	}
	released(t, key)
}

// TestConcurrentClose: Close and ReadyState from other goroutines while
// the loop reads events and their IDs (run under -race): the loop ends,
// and the state is CLOSED for good.
func TestConcurrentClose(t *testing.T) {
	key := newKey(t)
	s, _ := open(t, context.Background(), originA+"/sse/tick?interval=10&key="+key, sse.Options{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s.Next() {
			_ = s.Event().Data
			_ = s.LastEventID()
		}
	}()
	if !waitFor(10*time.Second, func() bool { return s.ReadyState() == sse.Open }) {
		t.Fatal("never open")
	}
	var closers sync.WaitGroup
	for range 4 {
		closers.Go(func() {
			_ = s.ReadyState()
			s.Close()
		})
	}
	closers.Wait()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not end after Close")
	}
	if s.ReadyState() != sse.Closed || s.Err() != nil {
		t.Errorf("state %v, Err %v", s.ReadyState(), s.Err())
	}
	released(t, key)
}

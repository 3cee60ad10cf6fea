package sse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill/sse"
	"github.com/eventsource-wasm/eventsource/server"
)

// srv backs origins A and B, so a key's state is shared across them, as in
// the browser suite.
var (
	srv              *server.Server
	originA, originB string
	closedOrigin     string // nothing listens there: connecting is refused
)

func TestMain(m *testing.M) {
	srv = server.New(server.Options{})
	a, b := httptest.NewServer(srv), httptest.NewServer(srv)
	originA, originB = a.URL, b.URL
	c := httptest.NewServer(http.NotFoundHandler())
	closedOrigin = c.URL
	c.Close()
	code := m.Run()
	a.Close()
	b.Close()
	os.Exit(code)
}

var keySeq atomic.Int64

// newKey returns a scenario key unique in this test binary.
func newKey(t *testing.T) string {
	return fmt.Sprintf("%s-%d", regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_"), keySeq.Add(1))
}

// tape records what an application observes of a stream: transitions as
// "open", "error0 kind" / "error2 kind", and messages as "type data #id".
type tape struct {
	t           *testing.T
	lines       []string
	transitions []sse.Transition
}

func (tp *tape) observe(tr sse.Transition) {
	tp.transitions = append(tp.transitions, tr)
	if tr.State == sse.Open {
		tp.lines = append(tp.lines, "open")
		return
	}
	kind := "?"
	if e, ok := tr.Err.(*sse.Error); ok {
		kind = e.Kind.String()
	}
	tp.lines = append(tp.lines, fmt.Sprintf("error%d %s", tr.State, kind))
}

func (tp *tape) String() string { return strings.Join(tp.lines, "\n") }

// open returns a stream of url with o, recording into tp, closed and
// checked for release when the test ends: its key's responses must all
// have ended on the server.
func open(t *testing.T, ctx context.Context, url string, o sse.Options) (*sse.Stream, *tape) {
	t.Helper()
	tp := &tape{t: t}
	user := o.OnTransition
	o.OnTransition = func(tr sse.Transition) {
		tp.observe(tr)
		if user != nil {
			user(tr)
		}
	}
	s, err := sse.NewStream(ctx, url, o)
	if err != nil {
		t.Fatalf("NewStream(%q): %v", url, err)
	}
	t.Cleanup(s.Close)
	return s, tp
}

// readN reads up to n messages, recording them on tp, and returns how many
// it got.
func readN(s *sse.Stream, tp *tape, n int) int {
	got := 0
	for got < n && s.Next() {
		e := s.Event()
		l := e.EventType() + " " + strconv.Quote(string(e.Data))
		if len(e.LastEventID) > 0 {
			l += " #" + string(e.LastEventID)
		}
		tp.lines = append(tp.lines, l)
		got++
	}
	return got
}

func expectTape(t *testing.T, tp *tape, want string) {
	t.Helper()
	var w []string
	for l := range strings.SplitSeq(strings.TrimSpace(want), "\n") {
		w = append(w, strings.TrimSpace(l))
	}
	if got := tp.String(); got != strings.Join(w, "\n") {
		t.Errorf("recorded:\n%s\nwant:\n%s", got, strings.Join(w, "\n"))
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// released checks that the server no longer serves key.
func released(t *testing.T, key string) {
	t.Helper()
	if !waitFor(5*time.Second, func() bool { return srv.Stats(key).Active == 0 }) {
		t.Errorf("the server still serves %d responses of %s", srv.Stats(key).Active, key)
	}
}

func errKind(err error) sse.Kind {
	if e, ok := err.(*sse.Error); ok {
		return e.Kind
	}
	return 0
}

// httpTransport is a transport of the test's own, so that its idle
// connections can be closed before goroutines are counted.
type httpTransport struct{ t *http.Transport }

func (h *httpTransport) client() *http.Client {
	h.t = http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Transport: h.t}
}

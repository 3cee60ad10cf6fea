package server

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func numberedEvents(from, to, size int) string {
	var b strings.Builder
	for id := from; id <= to; id++ {
		b.WriteString(NumberedEvent(id, size))
	}
	return b.String()
}

func TestNumberedData(t *testing.T) {
	for _, size := range []int{0, 1, 2, 3, 10, 11, 12, 13, 100, 4096} {
		for _, id := range []int{1, 9, 10, 12345} {
			d := NumberedData(id, size)
			if !utf8.ValidString(d) || !strings.HasPrefix(d, strconv.Itoa(id)) || len(d) > max(size, len(strconv.Itoa(id))) ||
				len(d) < size-3 {
				t.Errorf("NumberedData(%d, %d) = %q (%d bytes)", id, size, d, len(d))
			}
		}
	}
}

// referenceNumberedData is NumberedData as first written, rune by rune: the
// generator that replaced it must give the same bytes.
func referenceNumberedData(id, size int) string {
	s := strconv.Itoa(id)
	if size <= len(s)+1 {
		return s
	}
	var b strings.Builder
	b.WriteString(s)
	b.WriteByte(' ')
	for b.Len() < size {
		for _, r := range numberedPad {
			if b.Len()+utf8.RuneLen(r) > size {
				return b.String()
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestNumberedDataMatchesReference(t *testing.T) {
	for _, id := range []int{0, 1, 9, 10, 99, 12345, maxNumbered} {
		for size := range 200 {
			if got, want := NumberedData(id, size), referenceNumberedData(id, size); got != want {
				t.Fatalf("NumberedData(%d, %d) = %q, want %q", id, size, got, want)
			}
		}
		for _, size := range []int{4095, 4096, 65537, maxNumberedSize} {
			if NumberedData(id, size) != referenceNumberedData(id, size) {
				t.Fatalf("NumberedData(%d, %d) differs from the reference", id, size)
			}
			if e := NumberedEvent(id, size); len(e) > numberedEventMax(id, size) {
				t.Errorf("NumberedEvent(%d, %d) has %d bytes, above numberedEventMax %d", id, size, len(e), numberedEventMax(id, size))
			}
		}
	}
}

func TestNumberedResumesAfterLastEventID(t *testing.T) {
	s := New(Options{})
	const q = "/sse/numbered?key=k&n=5&size=20&cut.1=2&upto.2=3"
	first := serve(s, "GET", q, nil)
	e3 := NumberedEvent(3, 20)
	if want := numberedEvents(1, 2, 20) + e3[:len(e3)/2]; first.Body.String() != want {
		t.Errorf("connection 1: %q, want %q", first.Body.String(), want)
	}
	// One write per event by default; the partial event goes with the last
	// whole one.
	if len(first.pieces) != 2 {
		t.Errorf("connection 1 came in %d writes, want 2: %q", len(first.pieces), first.pieces)
	}
	second := serve(s, "GET", q, http.Header{"Last-Event-Id": {"2"}}).Body.String()
	if want := numberedEvents(3, 3, 20); second != want {
		t.Errorf("connection 2: %q, want %q", second, want)
	}
	third := serve(s, "GET", q, http.Header{"Last-Event-Id": {"3"}}).Body.String()
	if want := numberedEvents(4, 5, 20); third != want {
		t.Errorf("connection 3: %q, want %q", third, want)
	}
	// Any id can be replayed; a bad one means from the start.
	if got := serve(s, "GET", q, http.Header{"Last-Event-Id": {"x"}}).Body.String(); got != numberedEvents(1, 5, 20) {
		t.Errorf("Last-Event-ID x: %q", got)
	}
}

func TestNumberedWrites(t *testing.T) {
	s := New(Options{})
	all := numberedEvents(1, 10, 0)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"batch=4", []string{numberedEvents(1, 4, 0), numberedEvents(5, 8, 0), numberedEvents(9, 10, 0)}},
		{"batch=0", []string{all}},
		{"batch=0&retry=7", []string{"retry: 7\n", all}},
		{"pause=3:1&batch=0", []string{numberedEvents(1, 3, 0), numberedEvents(4, 10, 0)}},
		// One write, head included: the recorder sees it as one piece.
		{"proxy=1&hold=1&retry=7", []string{"retry: 7\n" + all}},
	} {
		rec := serve(s, "GET", "/sse/numbered?n=10&"+tc.query, nil)
		if !slices.Equal(rec.pieces, tc.want) {
			t.Errorf("%s: pieces %q, want %q", tc.query, rec.pieces, tc.want)
		}
	}
	rec := serve(s, "GET", "/sse/numbered?n=3&bytewise=1", nil)
	if want := numberedEvents(1, 3, 0); len(rec.pieces) != len(want) {
		t.Errorf("bytewise: %d pieces for %d bytes", len(rec.pieces), len(want))
	}
	if st := s.Stats(""); st != (Stats{}) {
		t.Errorf("anonymous requests kept state: %+v", st)
	}
}

// A CORS probe publishes nothing and escapes reset, so that a transient
// failure can be modelled.
func TestNumberedProbeAndReset(t *testing.T) {
	s := New(Options{})
	for _, mode := range []string{"no-cors", "same-origin"} {
		rec := serve(s, "GET", "/sse/numbered?key=p&reset=bad", http.Header{"Sec-Fetch-Mode": {mode}})
		if rec.Code != 200 || rec.Body.Len() != 0 {
			t.Errorf("%s probe: %d %q, want an empty 200", mode, rec.Code, rec.Body.String())
		}
	}
	if st := s.Stats("p"); st.Probes != 2 || st.Connections != 0 || st.Active != 0 || st.Bytes != 0 {
		t.Errorf("Stats %+v", st)
	}
	rec := serve(s, "GET", "/sse/numbered?key=p&n=2", http.Header{"Sec-Fetch-Mode": {"cors"}})
	if st := s.Stats("p"); st.Connections != 1 || st.Bytes != int64(rec.Body.Len()) {
		t.Errorf("Stats %+v after a %d-byte body", st, rec.Body.Len())
	}
}

// TestBrokenBodies uses a real listener: reset, badchunk and short act on
// the TCP connection.
func TestBrokenBodies(t *testing.T) {
	ts := httptest.NewServer(New(Options{}))
	defer ts.Close()
	c := ts.Client()
	for _, reset := range []string{"1", "bad"} {
		if resp, err := c.Get(ts.URL + "/sse/numbered?reset=" + reset); err == nil {
			resp.Body.Close()
			t.Errorf("reset=%s: got a response %s, want a network error", reset, resp.Status)
		}
	}
	for _, end := range []string{"badchunk", "short", "drop"} {
		resp, err := c.Get(ts.URL + "/sse/numbered?n=2&end=" + end)
		if err != nil {
			t.Fatalf("end=%s: %v", end, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil || errors.Is(err, io.EOF) || string(body) != numberedEvents(1, 2, 0) {
			t.Errorf("end=%s: body %q, error %v; want the events, then an error", end, body, err)
		}
	}
}

func TestRedirectToSelf(t *testing.T) {
	rec := serve(New(Options{}), "GET", "/sse/hello?status=301&location=self&key=l", nil)
	if rec.Code != 301 || rec.Header().Get("Location") != "/sse/hello?status=301&location=self&key=l" {
		t.Errorf("%d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestOversizeAndEndless(t *testing.T) {
	s := New(Options{})
	rec := serve(s, "GET", "/sse/oversize?before=1&lines=2&linesize=3", nil)
	if want := "id: 1\ndata: small 1\n\ndata: xxx\ndata: xxx\n\ndata: after\n\n"; rec.Body.String() != want {
		t.Errorf("oversize: %q, want %q", rec.Body.String(), want)
	}
	rec = serve(s, "GET", "/sse/oversize?lines=1&linesize=3&comment=1", nil)
	if want := ": xxx\n\ndata: after\n\n"; rec.Body.String() != want {
		t.Errorf("oversize comment: %q, want %q", rec.Body.String(), want)
	}
	rec = serve(s, "GET", "/sse/endless?limit=100000&key=e", nil)
	if body := rec.Body.String(); len(body) != 100006 || !strings.HasPrefix(body, "data: xx") || strings.ContainsAny(body, "\r\n") {
		t.Errorf("endless: %d bytes", len(body))
	}
	if st := s.Stats("e"); st.Bytes != 100006 {
		t.Errorf("endless: Stats %+v, want 100006 bytes", st)
	}
}

func TestStoredBodies(t *testing.T) {
	s := New(Options{})
	s.SetBody("b1", "data: a\r", "\n\n", "\xFF")
	rec := serve(s, "GET", "/sse/stored?body=b1", nil)
	if !slices.Equal(rec.pieces, []string{"data: a\r", "\n\n", "\xFF"}) {
		t.Errorf("pieces %q", rec.pieces)
	}
	if code := serve(s, "GET", "/sse/stored?body=nope", nil).Code; code != 404 {
		t.Errorf("unknown body: %d", code)
	}
	for i := range maxBodies + 1 {
		s.SetBody("n"+strconv.Itoa(i), "x")
	}
	if code := serve(s, "GET", "/sse/stored?body=b1", nil).Code; code != 404 {
		t.Errorf("the oldest body must be forgotten past %d: %d", maxBodies, code)
	}
}

func TestRestartable(t *testing.T) {
	r, err := NewRestartable(New(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() error {
		resp, err := c.Get(r.URL() + "/sse/numbered?n=1&key=r")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	}
	// A stream in progress breaks when the server stops.
	resp, err := c.Get(r.URL() + "/sse/numbered?n=1&end=hang&key=r")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the stream in progress did not break when the server stopped")
	}
	resp.Body.Close()
	if err := get(); err == nil {
		t.Error("connected to a stopped server")
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	if err := get(); err != nil {
		t.Errorf("after Start: %v", err)
	}
}

// end=await and pause=K:await wait for Release, which a test calls when the
// page is ready for the fault.
func TestRelease(t *testing.T) {
	ts := httptest.NewServer(New(Options{}))
	defer ts.Close()
	s := ts.Config.Handler.(*Server)
	resp, err := ts.Client().Get(ts.URL + "/sse/numbered?key=w&n=4&pause=1:await&cut=2&end=await&then=badchunk")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1024)
	n, _ := io.ReadAtLeast(resp.Body, buf, len(NumberedEvent(1, 0)))
	if got := string(buf[:n]); got != NumberedEvent(1, 0) {
		t.Fatalf("before the first release: %q", got)
	}
	s.Release("w")
	e3 := NumberedEvent(3, 0)
	want := NumberedEvent(2, 0) + e3[:len(e3)/2]
	n, _ = io.ReadAtLeast(resp.Body, buf, len(want))
	if got := string(buf[:n]); got != want {
		t.Fatalf("after the first release: %q, want %q", got, want)
	}
	s.Release("w")
	if rest, err := io.ReadAll(resp.Body); err == nil || len(rest) != 0 {
		t.Errorf("after the second release: %q, %v; want a broken body", rest, err)
	}
}

// pause=0:await holds every event until Release, after the head: a client
// sees the response open first.
func TestPauseAfterHead(t *testing.T) {
	ts := httptest.NewServer(New(Options{}))
	defer ts.Close()
	s := ts.Config.Handler.(*Server)
	resp, err := ts.Client().Get(ts.URL + "/sse/numbered?key=h&n=2&pause=0:await")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if s.Stats("h").Bytes != 0 {
		t.Errorf("%d bytes written before the release", s.Stats("h").Bytes)
	}
	s.Release("h")
	if body, err := io.ReadAll(resp.Body); err != nil || string(body) != numberedEvents(1, 2, 0) {
		t.Errorf("after the release: %q, %v", body, err)
	}
}

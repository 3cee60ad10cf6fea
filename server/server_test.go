package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// flushRecorder records the body as the pieces that each Flush delivered,
// which is what a browser can see of chunk boundaries.
type flushRecorder struct {
	*httptest.ResponseRecorder
	pieces []string
	done   int
}

func newFlushRecorder() *flushRecorder {
	return &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
}

func (f *flushRecorder) Flush() {
	body := f.Body.String()
	if len(body) > f.done {
		f.pieces = append(f.pieces, body[f.done:])
		f.done = len(body)
	}
	f.ResponseRecorder.Flush()
}

// serve runs one request through s without a network.
func serve(s *Server, method, target string, header http.Header) *flushRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := newFlushRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestStreamIsFlushedPerChunk(t *testing.T) {
	s := New(Options{})
	rec := serve(s, "GET", "/sse/crlf-split?retry=50", nil)
	want := append([]string{"retry: 50\n"}, streams["crlf-split"]...)
	if !slices.Equal(rec.pieces, want) {
		t.Errorf("flushed pieces %q, want %q", rec.pieces, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
}

func TestBytewiseFlushesEveryByte(t *testing.T) {
	s := New(Options{})
	rec := serve(s, "GET", "/sse/utf8?bytewise=1", nil)
	body := strings.Join(streams["utf8"], "")
	if len(rec.pieces) != len(body) || strings.Join(rec.pieces, "") != body {
		t.Errorf("got %d pieces for %d bytes: %q", len(rec.pieces), len(body), rec.pieces)
	}
}

func TestResponseShapeParameters(t *testing.T) {
	s := New(Options{})
	for _, tc := range []struct {
		query      string
		status     int
		ctypes     []string
		location   string
		connection string
	}{
		{query: "", status: 200, ctypes: []string{"text/event-stream"}},
		{query: "status=204", status: 204, ctypes: []string{"text/event-stream"}},
		{query: "status=302&location=/x", status: 302, ctypes: []string{"text/event-stream"}, location: "/x"},
		{query: "ctype=none", status: 200, ctypes: nil},
		{query: "ctype=x%20bogus", status: 200, ctypes: []string{"x bogus"}},
		{query: "ctype=text/event-stream&ctype=text/html", status: 200, ctypes: []string{"text/event-stream", "text/html"}},
		{query: "close=1", status: 200, ctypes: []string{"text/event-stream"}, connection: "close"},
	} {
		rec := serve(s, "GET", "/sse/hello?"+tc.query, nil)
		h := rec.Result().Header
		if rec.Code != tc.status || !slices.Equal(h.Values("Content-Type"), tc.ctypes) ||
			h.Get("Location") != tc.location || h.Get("Connection") != tc.connection {
			t.Errorf("%q: status %d, Content-Type %q, Location %q, Connection %q; want %d %q %q %q", tc.query,
				rec.Code, h.Values("Content-Type"), h.Get("Location"), h.Get("Connection"),
				tc.status, tc.ctypes, tc.location, tc.connection)
		}
	}
}

func TestPerConnectionParameters(t *testing.T) {
	s := New(Options{})
	// Connection 1 plain, 2 exact, 3 and 4 from the 3- range, 5 from the
	// larger 5- range.
	const target = "/sse/hello?key=k&status=201&status.2=202&status.3-=203&status.5-=205&status.1-=299"
	var got []int
	for range 5 {
		got = append(got, serve(s, "GET", target, nil).Code)
	}
	if want := []int{299, 202, 203, 203, 205}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if st := s.Stats("k"); st.Connections != 5 {
		t.Errorf("Stats %+v, want 5 connections", st)
	}
	// Without a key nothing is kept: every request is connection 1.
	for range 2 {
		if code := serve(s, "GET", "/sse/hello?status.2=204", nil).Code; code != 200 {
			t.Errorf("anonymous request answered %d, want 200", code)
		}
	}
}

func TestAsSwitchesScenario(t *testing.T) {
	s := New(Options{})
	first := serve(s, "GET", "/sse/unfinished?key=u&as.2-=echo", nil).Body.String()
	if first != strings.Join(streams["unfinished"], "") {
		t.Errorf("connection 1: %q", first)
	}
	second := serve(s, "GET", "/sse/unfinished?key=u&as.2-=echo", http.Header{"Last-Event-Id": {"1"}}).Body.String()
	if !strings.Contains(second, `"conn":2`) || !strings.Contains(second, `"last-event-id":"1"`) {
		t.Errorf("connection 2 is not an echo of the request: %q", second)
	}
}

func TestEcho(t *testing.T) {
	s := New(Options{})
	req := httptest.NewRequest("POST", "/sse/echo/sub/?key=e&id=7&h=X-Extra", strings.NewReader("payload"))
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("X-Extra", "x")
	req.Header.Set("Content-Type", "text/plain")
	rec := newFlushRecorder()
	s.ServeHTTP(rec, req)
	body := rec.Body.String()
	id, data, ok := strings.Cut(body, "\ndata: ")
	if !ok || id != "id: 7" || !strings.HasSuffix(data, "\n\n") {
		t.Fatalf("body %q", body)
	}
	var e echoed
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &e); err != nil {
		t.Fatal(err)
	}
	want := echoed{Conn: 1, Method: "POST", Path: "/sse/echo/sub/", Body: "payload", Headers: map[string]string{
		"accept": "text/event-stream", "authorization": "Bearer t", "content-type": "text/plain", "x-extra": "x"}}
	if e.Conn != want.Conn || e.Method != want.Method || e.Path != want.Path || e.Body != want.Body ||
		len(e.Headers) != len(want.Headers) {
		t.Errorf("echo %+v, want %+v", e, want)
	}
	for k, v := range want.Headers {
		if e.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, e.Headers[k], v)
		}
	}
}

func TestRedirect(t *testing.T) {
	s := New(Options{})
	loc := func(target string) (int, string) {
		rec := serve(s, "GET", target, nil)
		return rec.Code, rec.Header().Get("Location")
	}
	code, l := loc("/sse/redirect?code=307,308&to=/sse/echo%3Fa%3D1&key=r&retry=50")
	if code != 307 || l != "/sse/redirect?code=308&key=r&retry=50&to=%2Fsse%2Fecho%3Fa%3D1" {
		t.Errorf("hop 1: %d %q", code, l)
	}
	code, l = loc(l)
	if code != 308 || l != "/sse/echo?a=1&key=r&retry=50" {
		t.Errorf("hop 2: %d %q", code, l)
	}
	code, l = loc("/sse/redirect?hops=3&to=http://other.example/sse/hello")
	if code != 302 || l != "/sse/redirect?hops=2&to=http%3A%2F%2Fother.example%2Fsse%2Fhello" {
		t.Errorf("hops: %d %q", code, l)
	}
	code, l = loc("/sse/redirect?hops=1&to=http://other.example/sse/hello&acao=origin")
	if code != 302 || l != "http://other.example/sse/hello?acao=origin" {
		t.Errorf("last hop: %d %q", code, l)
	}
	if st := s.Stats("r"); st.Connections != 2 {
		t.Errorf("redirect hops count as connections: %+v", st)
	}
}

func TestResumeReplaysAfterLastEventID(t *testing.T) {
	s := New(Options{})
	first := serve(s, "GET", "/sse/resume?key=k&cut=1", nil).Body.String()
	if want := "id: 1\ndata: n=1 conn=1\n\nid: 2\ndata: n=2 conn=1\n\nid: 3\ndata: n=3 conn=1\n"; first != want {
		t.Errorf("connection 1: %q, want %q", first, want)
	}
	second := serve(s, "GET", "/sse/resume?key=k", http.Header{"Last-Event-Id": {"2"}}).Body.String()
	if want := "id: 3\ndata: n=3 conn=1\n\nid: 4\ndata: n=4 conn=2\n\nid: 5\ndata: n=5 conn=2\n\n"; second != want {
		t.Errorf("connection 2: %q, want %q", second, want)
	}
	// The buffer is bounded: after many connections only the newest
	// maxReplay events can come back.
	for range 40 {
		serve(s, "GET", "/sse/resume?key=k&per=32", http.Header{"Last-Event-Id": {"999999"}})
	}
	all := serve(s, "GET", "/sse/resume?key=k&per=0", nil).Body.String()
	if n := strings.Count(all, "id: "); n != maxReplay {
		t.Errorf("a full replay sent %d events, want the bound %d", n, maxReplay)
	}
}

func TestCORS(t *testing.T) {
	s := New(Options{})
	origin := http.Header{"Origin": {"http://a.example"}}
	h := serve(s, "GET", "/sse/hello?acao=origin&acac=true", origin).Header()
	if h.Get("Access-Control-Allow-Origin") != "http://a.example" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("acao=origin: %v", h)
	}
	h = serve(s, "GET", "/sse/hello?acao=", origin).Header()
	if v, ok := h["Access-Control-Allow-Origin"]; !ok || len(v) != 1 || v[0] != "" {
		t.Errorf("acao= must send an empty header: %v", h)
	}
	h = serve(s, "GET", "/sse/hello", origin).Header()
	if _, ok := h["Access-Control-Allow-Origin"]; ok {
		t.Errorf("no acao must send no CORS header: %v", h)
	}

	pre := http.Header{"Origin": {"http://a.example"}, "Access-Control-Request-Method": {"GET"}}
	rec := serve(s, "OPTIONS", "/sse/echo?key=c&acao=origin", pre)
	if rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Headers") != defaultAcH ||
		rec.Header().Get("Access-Control-Allow-Methods") != "GET, POST" {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	rec = serve(s, "OPTIONS", "/sse/echo?key=c&acao=origin&acah=", pre)
	if _, ok := rec.Header()["Access-Control-Allow-Headers"]; ok {
		t.Errorf("acah= must allow no header: %v", rec.Header())
	}
	serve(s, "GET", "/sse/echo?key=c", http.Header{"Sec-Fetch-Mode": {"no-cors"}})
	if st := s.Stats("c"); st.Connections != 0 || st.Preflights != 2 || st.Probes != 1 || st.Active != 0 {
		t.Errorf("Stats %+v: preflights and no-cors probes are not connections", st)
	}
}

// TestConnectionEnds uses a real listener: drop, abort and hang act on the
// TCP connection.
func TestConnectionEnds(t *testing.T) {
	ts := httptest.NewServer(New(Options{}))
	defer ts.Close()
	c := ts.Client()

	resp, err := c.Get(ts.URL + "/sse/hello?end=drop")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(body) != "data: hello\n\n" {
		t.Errorf("end=drop: body %q, error %v; want the body, then unexpected EOF", body, err)
	}

	for _, abort := range []string{"1", "bad"} {
		if resp, err := c.Get(ts.URL + "/sse/hello?abort=" + abort); err == nil {
			resp.Body.Close()
			t.Errorf("abort=%s: got a response %s, want a network error", abort, resp.Status)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/sse/hello?end=hang", nil)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: hello\n" {
		t.Errorf("end=hang: %q, %v", line, err)
	}
	// Leaving must end the handler, or ts.Close would wait for it.
	cancel()
	resp.Body.Close()
}

func TestUnknownScenario(t *testing.T) {
	if code := serve(New(Options{}), "GET", "/sse/nope", nil).Code; code != 404 {
		t.Errorf("status %d, want 404", code)
	}
	if !slices.IsSorted(ScenarioNames()) || !slices.Contains(ScenarioNames(), "echo") || !slices.Contains(ScenarioNames(), "hello") {
		t.Errorf("ScenarioNames: %q", ScenarioNames())
	}
}

func TestClientStateIsBounded(t *testing.T) {
	s := New(Options{MaxClients: 2})
	for _, k := range []string{"a", "b", "c"} {
		serve(s, "GET", "/sse/hello?key="+k, nil)
	}
	if s.Stats("a") != (Stats{}) || s.Stats("b").Connections != 1 || s.Stats("c").Connections != 1 {
		t.Errorf("a %+v b %+v c %+v: the oldest key must be forgotten", s.Stats("a"), s.Stats("b"), s.Stats("c"))
	}
}

func writeDist(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"eventsource-polyfill.js":    "plain js",
		"eventsource-polyfill.js.br": "brotli js",
		"eventsource-polyfill.js.gz": "gzip js",
		"eventsource-polyfill.d.ts":  "types",
		"eventsource.wasm":           "\x00asm",
		"eventsource.wasm.gz":        "gzip wasm",
		"sub/inner.mjs":              "module",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDistServesPrecompressed(t *testing.T) {
	dir := writeDist(t)
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "escape.js")); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Dist: dir})
	for _, tc := range []struct {
		path, accept          string
		status                int
		body, encoding, ctype string
	}{
		{"/dist/eventsource-polyfill.js", "", 200, "plain js", "", "text/javascript; charset=utf-8"},
		{"/dist/eventsource-polyfill.js", "gzip, deflate, br", 200, "brotli js", "br", "text/javascript; charset=utf-8"},
		{"/dist/eventsource-polyfill.js", "gzip", 200, "gzip js", "gzip", "text/javascript; charset=utf-8"},
		{"/dist/eventsource-polyfill.js", "br;q=0, gzip", 200, "gzip js", "gzip", "text/javascript; charset=utf-8"},
		{"/dist/eventsource-polyfill.js", "br;q=0.2, gzip;q=0.8", 200, "gzip js", "gzip", "text/javascript; charset=utf-8"},
		{"/dist/eventsource-polyfill.js", "*", 200, "brotli js", "br", "text/javascript; charset=utf-8"},
		{"/dist/eventsource-polyfill.js", "*;q=0", 200, "plain js", "", "text/javascript; charset=utf-8"},
		{"/dist/eventsource.wasm", "br, gzip", 200, "gzip wasm", "gzip", "application/wasm"},
		{"/dist/eventsource.wasm", "identity", 200, "\x00asm", "", "application/wasm"},
		{"/dist/eventsource-polyfill.d.ts", "", 200, "types", "", "text/plain; charset=utf-8"},
		{"/dist/sub/inner.mjs", "br", 200, "module", "", "text/javascript; charset=utf-8"},
		{"/dist/missing.js", "", 404, "", "", ""},
		{"/dist/sub", "", 404, "", "", ""},
		{"/dist/escape.js", "", 404, "", "", ""},
	} {
		rec := serve(s, "GET", tc.path, http.Header{"Accept-Encoding": {tc.accept}})
		h := rec.Header()
		if rec.Code != tc.status {
			t.Errorf("%s (%q): status %d, want %d", tc.path, tc.accept, rec.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if rec.Body.String() != tc.body || h.Get("Content-Encoding") != tc.encoding || h.Get("Content-Type") != tc.ctype ||
			h.Get("Vary") != "Accept-Encoding" || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s (%q): body %q, Content-Encoding %q, Content-Type %q, Vary %q, Cache-Control %q",
				tc.path, tc.accept, rec.Body, h.Get("Content-Encoding"), h.Get("Content-Type"), h.Get("Vary"), h.Get("Cache-Control"))
		}
	}
	// Revalidation works, which is what no-cache asks of the browser.
	rec := serve(s, "GET", "/dist/eventsource-polyfill.js", nil)
	lm := rec.Header().Get("Last-Modified")
	rec = serve(s, "GET", "/dist/eventsource-polyfill.js", http.Header{"If-Modified-Since": {lm}})
	if rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", rec.Code)
	}
	if code := serve(New(Options{}), "GET", "/dist/eventsource-polyfill.js", nil).Code; code != 404 {
		t.Errorf("no Dist: status %d, want 404", code)
	}
}

// TestDistCacheControl checks that DistCacheControl replaces the default
// header, as the benchmark's "no-store" does, and nothing else.
func TestDistCacheControl(t *testing.T) {
	s := New(Options{Dist: writeDist(t), DistCacheControl: "no-store"})
	rec := serve(s, "GET", "/dist/eventsource.wasm", http.Header{"Accept-Encoding": {"gzip"}})
	h := rec.Header()
	if rec.Code != 200 || h.Get("Cache-Control") != "no-store" || h.Get("Content-Encoding") != "gzip" || rec.Body.String() != "gzip wasm" {
		t.Errorf("status %d, Cache-Control %q, Content-Encoding %q, body %q", rec.Code, h.Get("Cache-Control"), h.Get("Content-Encoding"), rec.Body)
	}
}

func TestDemo(t *testing.T) {
	ts := httptest.NewServer(New(Options{DemoToken: "tok"}))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "/dist/eventsource-polyfill.js") ||
		!strings.Contains(string(page), "new EventSource('/demo/native')") {
		t.Errorf("demo page: %s", resp.Status)
	}

	get := func(path, auth string) (*http.Response, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		var b strings.Builder
		for resp.StatusCode == 200 && !strings.HasSuffix(b.String(), "\n\n") {
			line, err := r.ReadString('\n')
			b.WriteString(line)
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	if resp, _ := get("/demo/stream", ""); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("without a token: %s", resp.Status)
	}
	if resp, _ := get("/demo/stream", "Bearer wrong"); resp.StatusCode != 401 {
		t.Errorf("with a wrong token: %s", resp.Status)
	}
	for _, c := range []struct{ path, auth string }{{"/demo/stream", "Bearer tok"}, {"/demo/native", ""}} {
		resp, first := get(c.path, c.auth)
		if resp.StatusCode != 200 || !strings.HasPrefix(first, "retry: 1000\nid: 1\ndata: {\"n\":1,") {
			t.Errorf("%s: %s, first event %q", c.path, resp.Status, first)
		}
	}
}

// TestLastEventIDFromQuery checks that the resuming scenarios take the last
// event ID from the lastEventId query parameter when the header is absent,
// and that retryafter sets Retry-After.
func TestLastEventIDFromQuery(t *testing.T) {
	s := New(Options{})
	for _, tc := range []struct{ target, header, want string }{
		{"/sse/tick?count=1&interval=10&lastEventId=41", "", "id: 42\n"},
		{"/sse/tick?count=1&interval=10&lastEventId=41", "7", "id: 8\n"},
		{"/sse/tick?count=1&interval=10", "", "id: 1\n"},
	} {
		req := httptest.NewRequest("GET", tc.target, nil)
		if tc.header != "" {
			req.Header.Set("Last-Event-ID", tc.header)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if body := rec.Body.String(); !strings.HasPrefix(body, tc.want) {
			t.Errorf("%s with Last-Event-ID %q: body %q, want it to start with %q", tc.target, tc.header, body, tc.want)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/sse/hello?status=503&retryafter=2", nil))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("status %d, Retry-After %q; want 503 and 2", rec.Code, rec.Header().Get("Retry-After"))
	}
}

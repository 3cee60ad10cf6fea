package server

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// call is one scenario request: the query, the connection number of its key
// and the response helpers that every scenario shares.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	q    url.Values
	key  string
	conn int // 1 for the key's first request
	// probe: the request is a fetch()-based client's CORS probe
	// (Sec-Fetch-Mode no-cors or same-origin), not a connection.
	probe bool
	// params holds the values of the parameters given per connection
	// (name.N, name.M-) that apply to conn; see resolve.
	params map[string][]string
	// bad says why the first parameter out of its bounds is; the
	// scenario answers the request with a 400 instead (see refused).
	bad string
	// Read once per request, as they are used at every write.
	status   int
	gap      time.Duration
	bytewise bool
}

// Limits that keep a misbehaving test from tying up the server.
const (
	maxGap     = time.Second
	maxHang    = 2 * time.Minute
	maxBody    = 1 << 16
	minTick    = 10 * time.Millisecond
	defaultAcH = "authorization, content-type, last-event-id"
	// maxWrite bounds the bytes that one write of a response holds in
	// memory (numbered's batch and proxy); longer bodies are streamed.
	maxWrite = 4 << 20
)

// values returns the query values of name that apply to this connection:
// name.N for exactly this one, else name.M- for the largest M not after it,
// else plain name.
func (c *call) values(name string) []string {
	if c.params == nil {
		c.resolve()
	}
	if v, ok := c.params[name]; ok {
		return v
	}
	return c.q[name]
}

// resolve finds, in one pass over the query, the per-connection values that
// apply to conn, which must be known by then. A lookup must not scan the
// query: a stream looks parameters up at every write, and a query of 3,000
// keys once made a 20,000-event stream take 4.5 s instead of 0.1 s.
func (c *call) resolve() {
	c.params = map[string][]string{}
	from := map[string]int{} // the M of the name.M- chosen so far
	conn := strconv.Itoa(c.conn)
	for k, v := range c.q {
		// Neither N nor M can hold a dot, so the last one ends the name.
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			continue
		}
		name, suffix := k[:i], k[i+1:]
		if suffix == conn {
			c.params[name], from[name] = v, math.MaxInt // beats any range
			continue
		}
		m, ok := strings.CutSuffix(suffix, "-")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(m)
		if best, seen := from[name]; err == nil && n >= 0 && n <= c.conn && (!seen || n > best) {
			c.params[name], from[name] = v, n
		}
	}
}

// param is the first value of name for this connection, and whether any was
// given: an empty value is a value (acao= sends an empty header).
func (c *call) param(name string) (string, bool) {
	v := c.values(name)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// get is param with a default for an absent parameter.
func (c *call) get(name, def string) string {
	if v, ok := c.param(name); ok {
		return v
	}
	return def
}

// number is an integer parameter without bounds; bad or absent values give
// def.
func (c *call) number(name string, def int) int {
	if n, err := strconv.Atoi(c.get(name, "")); err == nil {
		return n
	}
	return def
}

// integer is an integer parameter in lo..hi; absent, it is def. Any other
// value is refused (see reject) rather than clamped, so that a test never
// runs with a value other than the one it asked for.
func (c *call) integer(name string, def, lo, hi int) int {
	v, ok := c.param(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		c.reject("%s=%s: want an integer in %d..%d", name, v, lo, hi)
		return def
	}
	return n
}

// reject records why the request is refused; the first reason wins.
func (c *call) reject(format string, args ...any) {
	if c.bad == "" {
		c.bad = fmt.Sprintf(format, args...)
	}
}

// refused answers a request that reject was called for with a 400 that says
// why, and reports whether it did. Scenarios call it before the response
// head.
func (c *call) refused() bool {
	if c.bad == "" {
		return false
	}
	http.Error(c.w, "bad parameter "+c.bad+" (see package server's doc)", http.StatusBadRequest)
	return true
}

// readShared reads the parameters that every response uses at every write.
func (c *call) readShared() {
	c.status = c.integer("status", http.StatusOK, 200, 999)
	c.gap = time.Duration(c.integer("gap", 0, 0, int(maxGap/time.Millisecond))) * time.Millisecond
	c.bytewise = c.flag("bytewise")
}

// flag reads a switch; "true" is accepted because it reads better in URLs
// written by hand.
func (c *call) flag(name string) bool {
	v, _ := c.param(name)
	return v == "1" || v == "true"
}

// cors sets the CORS response headers that the query asks for. Without acao
// none is sent, which is how a test gets a failing cross-origin request.
// acao=origin&acac=true trusts any origin with credentials, which is why
// the server belongs on the loopback.
func (c *call) cors(preflight bool) {
	acao, ok := c.param("acao")
	if !ok {
		return
	}
	h := c.w.Header()
	h.Add("Vary", "Origin")
	if acao == "origin" {
		// After a cross-origin redirect the browser sends Origin: null,
		// and echoing it is what lets such a request pass.
		acao = c.r.Header.Get("Origin")
	}
	h.Set("Access-Control-Allow-Origin", acao)
	if c.get("acac", "") == "true" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if preflight {
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		if acah := c.get("acah", defaultAcH); acah != "" {
			h.Set("Access-Control-Allow-Headers", acah)
		}
	}
}

// head writes the status line and headers of a stream response and flushes
// them, so that the client sees the response before any body byte.
func (c *call) head() {
	c.writeHead()
	c.flush()
}

// writeHead writes the status line and headers without flushing them, so
// that they may go out together with the body.
func (c *call) writeHead() {
	h := c.w.Header()
	switch ct := c.values("ctype"); {
	case len(ct) == 0:
		h.Set("Content-Type", "text/event-stream")
	case len(ct) == 1 && ct[0] == "none":
		// A nil value stops net/http from sniffing a type of its own.
		h["Content-Type"] = nil
	default:
		h["Content-Type"] = ct
	}
	h.Set("Cache-Control", "no-store")
	if c.flag("close") {
		// A browser silently retries a request whose reused connection
		// dies before the response; a fresh connection makes the next
		// abort a network error that the page can see.
		h.Set("Connection", "close")
	}
	if loc, ok := c.param("location"); ok {
		if loc == "self" {
			loc = c.r.URL.RequestURI() // a redirect loop
		}
		h.Set("Location", loc)
	}
	if ra, ok := c.param("retryafter"); ok {
		h.Set("Retry-After", ra)
	}
	if c.get("end", "") == "short" || (c.get("end", "") == "await" && c.get("then", "") == "short") {
		// More than will ever come: the body ends short (see end).
		h.Set("Content-Length", strconv.Itoa(1<<30))
	}
	c.w.WriteHeader(c.status)
}

// flush pushes what was written to the client and pauses for gap, so that
// consecutive chunks arrive in separate reads. It reports false once the
// client is gone.
func (c *call) flush() bool {
	if err := http.NewResponseController(c.w).Flush(); err != nil {
		return false
	}
	if c.gap <= 0 {
		return c.r.Context().Err() == nil
	}
	return wait(c.r.Context(), c.gap)
}

// write sends the chunks, flushing after each one, or after each byte with
// bytewise=1. It reports false once the client is gone.
func (c *call) write(chunks ...string) bool {
	for _, chunk := range chunks {
		if !writeChunk(c, chunk) {
			return false
		}
	}
	return true
}

// writeChunk is write for one chunk, which may be a reused buffer.
func writeChunk[T string | []byte](c *call, chunk T) bool {
	for len(chunk) > 0 {
		n := len(chunk)
		if c.bytewise {
			n = 1
		}
		if !put(c, chunk[:n]) || !c.flush() {
			return false
		}
		chunk = chunk[n:]
	}
	return true
}

// put writes p without flushing it and counts it in the key's Bytes.
func put[T string | []byte](c *call, p T) bool {
	var err error
	switch p := any(p).(type) {
	case string:
		_, err = io.WriteString(c.w, p)
	case []byte:
		_, err = c.w.Write(p)
	}
	if err != nil {
		return false
	}
	c.s.withClient(c.key, func(cl *client) { cl.Bytes += int64(len(p)) })
	return true
}

// xs is the filler of the oversize and endless scenarios, shared so that a
// long line costs no memory of its own.
var xs = strings.Repeat("x", 64<<10)

// writeLine sends field, size bytes of x and a newline as one chunk (flushed
// at its end, or after every byte with bytewise=1) without ever holding the
// line in memory. It reports false once the client is gone.
func (c *call) writeLine(field string, size int) bool {
	out := put[string]
	if c.bytewise {
		out = writeChunk[string]
	}
	if !out(c, field) {
		return false
	}
	for size > 0 {
		n := min(size, len(xs))
		if !out(c, xs[:n]) {
			return false
		}
		size -= n
	}
	return out(c, "\n") && (c.bytewise || c.flush())
}

// end finishes the response as the end parameter asks.
func (c *call) end() {
	end := c.get("end", "eof")
	if end == "await" {
		// The test decides when: after Server.Release, end as then says.
		if !c.await() {
			return
		}
		end = c.get("then", "drop")
	}
	switch end {
	case "drop":
		c.drop()
	case "hang":
		wait(c.r.Context(), maxHang)
	case "badchunk":
		c.breakFraming()
	case "short":
		// The Content-Length that head declared is never reached.
		c.drop()
	}
}

// await blocks until [Server.Release] is called for the key, and reports
// false if the client left first or after maxHang.
func (c *call) await() bool {
	var gate chan struct{}
	c.s.withClient(c.key, func(cl *client) {
		if cl.gate == nil {
			cl.gate = make(chan struct{}, 16)
		}
		gate = cl.gate
	})
	t := time.NewTimer(maxHang)
	defer t.Stop()
	select {
	case <-gate:
		return true
	case <-c.r.Context().Done():
	case <-t.C:
	}
	return false
}

// breakFraming ends a chunked body with bytes that are not a chunk header:
// the client sees a body that errors mid-stream (Chrome: invalid chunked
// encoding), which, like a dropped connection, is a network error after the
// response (SSE-27).
func (c *call) breakFraming() {
	conn, buf, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	buf.WriteString("not a chunk size\r\n\r\n")
	buf.Flush()
}

// drop closes the TCP connection under the response. Whatever was flushed
// stays delivered, but a chunked body is left unterminated, which the client
// sees as a network error rather than a clean end of body (SSE-27).
func (c *call) drop() {
	conn, _, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		// HTTP/2 cannot hijack; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// badResponse sends a response head that no browser accepts (conflicting
// Content-Length headers) and closes the connection: a network error before
// any response that, unlike a plain close, is never retried behind the
// client's back.
func (c *call) badResponse() {
	conn, buf, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" +
		"Content-Length: 1\r\nContent-Length: 2\r\n\r\n")
	buf.Flush()
}

// stream is the whole life of a simple scenario: headers, chunks, end. A
// retry parameter comes first as its own chunk, so that any scenario can make
// its client reconnect quickly.
func (c *call) stream(chunks ...string) {
	c.head()
	if c.writeRetry() && c.write(chunks...) {
		c.end()
	}
}

func (c *call) writeRetry() bool {
	if r, ok := c.param("retry"); ok {
		return c.write("retry: " + r + "\n")
	}
	return true
}

// wait blocks for d or until ctx ends, and reports whether d passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// lastEventID returns the request's last event ID: its Last-Event-ID header,
// or, when it has none, its lastEventId query parameter, which a client
// sends instead when a cross-origin server does not allow the header in its
// preflight (the polyfill's lastEventIdParam option, event-source-polyfill,
// Mercure).
func (c *call) lastEventID() string {
	if v := c.r.Header.Values("Last-Event-ID"); len(v) > 0 {
		return v[0]
	}
	return c.r.URL.Query().Get("lastEventId")
}

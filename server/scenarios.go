package server

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// streams are the scenarios whose body is fixed. Each string is one chunk:
// the server flushes after it, so a byte sequence split between two strings
// reaches the client in two pieces (given a gap). Comments name the rules.
var streams = map[string][]string{
	// The smallest stream that opens and delivers (SSE-24, SSE-49).
	"hello": {"data: hello\n\n"},
	// Three events in one chunk: close() in the first handler must
	// suppress the other two (SSE-51, SSE-53).
	"three": {"data: one\n\ndata: two\n\nid: 3\ndata: three\n\n"},
	// Data buffer rules (SSE-36, SSE-42, SSE-47, SSE-48).
	"data": {"data: line1\ndata: line2\n\n" +
		"data\n\n" +
		"data:\n\n" +
		"data\ndata\n\n" +
		"event: nothing\n\n" +
		"data: a\ndata:\ndata: b\n\n"},
	// Field splitting and exact field names (SSE-38, SSE-39, SSE-40, SSE-45).
	"fields": {"data:no-space\n\n" +
		"data:  two spaces\n\n" +
		"data:\ttab\n\n" +
		"data: a:b: c\n\n" +
		"Data: x\n data: x\ndata : x\nda-ta: x\ndata_5: x\ndataa: x\nfoobar: x\n" +
		"data\x00: x\n\uFEFFdata: x\nfoobar\nretry: x\n\n" +
		"data: end\n\n"},
	// Comments of every shape: bare colon, NUL, 2 KiB, each line ending
	// (SSE-33, SSE-34, SSE-37).
	"comments": {":\n: comment\n:\x00nul\n:" + strings.Repeat("x", 2048) + "\n" +
		"data: 1\n: crlf\r\ndata: 2\r: cr\r\r\n" +
		"data: 3\n:\n\n"},
	// NUL is an ordinary character of a value (SSE-42).
	"nul": {"data: a\x00b\n\ndata: \x00\n\n"},
	// Event types: custom, default, empty, last wins, reset by a dispatch
	// without data, case-sensitive (SSE-41, SSE-47, SSE-49, SSE-50).
	"types": {"event: custom\ndata: 1\n\n" +
		"data: 2\n\n" +
		"event:\ndata: 3\n\n" +
		"event: a\nevent: b\ndata: 4\n\n" +
		"event: dropped\n\n" +
		"data: 5\n\n" +
		"event: Custom\ndata: 6\n\n"},
	// Reserved names are just types: a MessageEvent named error reaches
	// error listeners while OPEN (SSE-52).
	"reserved-types": {"event: error\ndata: e\n\nevent: open\ndata: o\n\nevent: message\ndata: m\n\n"},
	// The last event ID: persistence, reset, id-only blocks, NUL, spaces,
	// non-ASCII, id after data (SSE-43, SSE-46).
	"ids": {"id: 1\ndata: a\n\n" +
		"data: b\n\n" +
		"id:\ndata: c\n\n" +
		"id: 2\n\n" +
		"data: d\n\n" +
		"id\ndata: e\n\n" +
		"id: 3\ndata: f\n\n" +
		"id: x\x00y\ndata: g\n\n" +
		"id:  spaced \ndata: h\n\n" +
		"id: \u2026\ndata: i\n\n" +
		"data: j\nid: late\n\n"},
	// CR, LF and CRLF mixed; "\r\r\n\n" ends three lines (SSE-33).
	"newlines": {"data: a\rdata: b\ndata: c\r\n\rdata: d\r\r\n\ndata: e\n\r\n"},
	// The CR and the LF of one CRLF in different chunks: the LF must not
	// count as an empty line (SSE-33).
	"crlf-split": {"data: a\r", "\ndata: b\r", "\n\r", "\ndata: c\r", "\r", "\n"},
	// Multi-byte characters; with bytewise=1 each one is split (SSE-31).
	"utf8": {"data: h\u00e9llo w\u00f6rld \u20ac \U0001F600\n\nid: \u00fc\ndata: ok\r\n\r\n"},
	// Invalid UTF-8, some of it split across chunks: one U+FFFD per
	// maximal subpart (SSE-31).
	"utf8-invalid": {"data: a\xE2\x82", "\n\n", "data: \xF0\x9F", "\x98\x80\n\n",
		"data: \xC0\x80|\xED\xA0\x80|\xF4\x90\x80\x80|\xFF|\xE2\x28\xA1|\xF0\x9F\x98\n\n"},
	// Byte order marks (SSE-32): stripped once at the very start, even split;
	// a second or later one makes its line's field name unknown.
	"bom":        {"\xEF\xBB\xBFdata: 1\n\n"},
	"bom-split":  {"\xEF", "\xBB", "\xBFdata: 1\n\n"},
	"bom-double": {"\xEF\xBB\xBF\xEF\xBB\xBFdata: 1\n\ndata: 2\n\n"},
	"bom-late":   {"data: 1\n\n\xEF\xBB\xBFdata: 2\n\ndata: 3\n\n"},
	// A U+FEFF that begins data is data, in a short event and in one large
	// enough to cross the wasm bridge as a string of its own (SSE-32).
	"data-bom": {"data: \uFEFFsmall\n\ndata: \uFEFF" + strings.Repeat("x", 40000) + "\n\n"},
	// Every response re-arms BOM detection (SSE-30, SSE-32).
	"bom-reconnect": {"\xEF\xBB\xBFretry: 50\ndata: 1\n\n"},
	// The body ends inside an event: it is dropped and its id is not
	// committed (SSE-35, SSE-46).
	"unfinished": {"retry: 50\nid: 1\ndata: first\n\nid: 2\ndata: unfinished"},
	// Retry values (SSE-44). Bogus ones would be slow if taken; the good
	// ones keep reconnections fast.
	"retry-bogus": {"retry: 50\nretry: 99999x\nretry: -99999\nretry: +99999\nretry: 99999.5\n" +
		"retry:  99999\nretry: 9e9\nretry: \u0669\u0669\u0669\u0669\u0669\ndata: 1\n\n"},
	"retry-zeros":    {"retry: 0050\ndata: 1\n\n"},
	"retry-reset":    {"retry: 50\nretry\ndata: 1\n\n"},
	"retry-overflow": {"retry: 50\nretry: 99999999999999999999999\ndata: 1\n\n"},
	// Just above 2^31-1 ms: a JS timer would fire at once if not clamped.
	"retry-long": {"retry: 2147483648\ndata: 1\n\n"},
	// Bodies that carry no event (SSE-27): retry-only sets a short delay
	// for the empty ones that follow.
	"retry-only": {"retry: 50\n"},
	"empty":      {},
	// A 128 KiB line (SSE-34).
	"long": {"data: " + strings.Repeat("x", 1<<17) + "\n\n"},
	// Many events in one chunk, dispatched in order (SSE-51).
	"many": {manyEvents(300)},

	// Hostile bodies of the reliability tests. Invalid UTF-8 in every part
	// of the stream, some of it split across chunks (SSE-31, SSE-40,
	// SSE-41, SSE-43, SSE-44): a field name, an event type, an id (sent
	// back as Last-Event-ID with U+FFFD), a comment, a retry value, a
	// surrogate, a code point above U+10FFFF, a truncated sequence before
	// CR and before LF, and a BOM-like pair at the start.
	"utf8-everywhere": {"retry: 50\n\xFF\xFEdata: bom-like\n\n",
		"data: a\xC3\n\n",
		"da\xFFta: x\n\n",
		"event: t\xE2\x82\ndata: 1\n\n",
		"id: i\xF0\x9F\x98\ndata: 2\n\n",
		": comment \xFF\xFE\n",
		"retry: 5\xFF\n",
		"data: \xED\xA0\x80 surrogate\r\n\r\n",
		"data: split \xE2", "\x82", "\xAC euro\n\n",
		"data: \xF4\x90\x80\x80 above\n\n",
		"data: end \xC0\r", "\n\r\n"},
	// NUL in every part of the stream (SSE-37, SSE-40, SSE-42, SSE-43,
	// SSE-44): a field name, an event type, an id (ignored), data, a
	// comment, a retry value, a line that is just NUL.
	"nul-everywhere": {"retry: 50\ndata\x00: ignored\n\n",
		"event: a\x00b\ndata: 1\n\n",
		"id: ok\n",
		"id: x\x00y\ndata: 2\n\n",
		"data: \x00\x00\n\n",
		": \x00 comment\n",
		"retry: 1\x000\n",
		"\x00\n",
		"data: tail\x00\n\n"},
	// A retry of 1,000 digits, too big for any integer type: ignored, the
	// 50 before it stays (SSE-44).
	"retry-1000-digits": {"retry: 50\nretry: " + strings.Repeat("9", 1000) + "\ndata: 1\n\n"},
	// A retry of 1,000 digits that means 50: leading zeros are decimal,
	// and no overflow (SSE-44); the default would be 3000 ms.
	"retry-1000-zeros": {"retry: " + strings.Repeat("0", 998) + "50\ndata: 1\n\n"},
}

func manyEvents(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "data: %d\n\n", i)
	}
	return b.String()
}

// dynamic are the scenarios whose response depends on the request or on the
// key's state.
var dynamic = map[string]func(*call){
	"echo":     echo,
	"redirect": redirect,
	"resume":   resume,
	"tick":     tick,
	// The reliability tests' (reliability.go).
	"numbered": numbered,
	"oversize": oversize,
	"endless":  endless,
	"stored":   stored,
}

// ScenarioNames lists the registered scenarios in sorted order.
func ScenarioNames() []string {
	names := make([]string, 0, len(streams)+len(dynamic))
	for n := range streams {
		names = append(names, n)
	}
	for n := range dynamic {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func lookup(name string) func(*call) {
	if f, ok := dynamic[name]; ok {
		return f
	}
	if chunks, ok := streams[name]; ok {
		return func(c *call) { c.stream(chunks...) }
	}
	return nil
}

func (s *Server) serveScenario(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c := &call{s: s, w: w, r: r, q: q, key: q.Get("key")}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		// A preflight is not a connection, but it sees the parameters of
		// the request it precedes.
		s.withClient(c.key, func(cl *client) {
			cl.Preflights++
			c.conn = cl.Connections + 1
		})
		c.cors(true)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// A fetch()-based client probes in no-cors mode, or in same-origin
	// mode for a same-origin URL; an EventSource request is always cors.
	mode := r.Header.Get("Sec-Fetch-Mode")
	c.probe = mode == "no-cors" || mode == "same-origin"
	s.withClient(c.key, func(cl *client) {
		cl.Active++
		if c.probe {
			cl.Probes++
			c.conn = cl.Connections
			return
		}
		cl.Connections++
		c.conn = cl.Connections
	})
	defer s.withClient(c.key, func(cl *client) { cl.Active-- })
	f := lookup(c.get("as", r.PathValue("name")))
	reset := ""
	if !c.probe {
		reset = c.get("reset", "")
	}
	c.readShared()
	switch {
	case f == nil:
		http.Error(w, "unknown scenario; see server.ScenarioNames", http.StatusNotFound)
	case c.refused():
	case c.get("abort", "") == "bad" || reset == "bad":
		c.badResponse()
	case c.flag("abort") || reset == "1":
		c.drop()
	case c.flag("stall"):
		wait(r.Context(), maxHang)
	default:
		c.cors(false)
		f(c)
	}
}

// echoHeaders are the request headers that echo reports by default; h adds
// more.
var echoHeaders = []string{"Accept", "Last-Event-ID", "Cache-Control", "Pragma",
	"Authorization", "Origin", "Content-Type", "Cookie"}

// echoed is the data of an echo event. Only present headers appear, so an
// absent Last-Event-ID is visible as a missing key.
type echoed struct {
	Conn    int               `json:"conn"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

// echo answers with one event describing the request (SSE-15, SSE-16,
// SSE-29). An id parameter adds an id line, so that the next connection's
// Last-Event-ID can be checked.
func echo(c *call) {
	body, _ := io.ReadAll(io.LimitReader(c.r.Body, maxBody))
	e := echoed{Conn: c.conn, Method: c.r.Method, Path: c.r.URL.Path,
		Headers: map[string]string{}, Body: string(body)}
	for _, h := range slices.Concat(echoHeaders, c.values("h")) {
		if v := c.r.Header.Values(h); len(v) > 0 {
			e.Headers[strings.ToLower(h)] = strings.Join(v, ", ")
		}
	}
	data, err := json.Marshal(e)
	if err != nil {
		http.Error(c.w, err.Error(), http.StatusInternalServerError)
		return
	}
	var event string
	if id, ok := c.param("id"); ok {
		event = "id: " + id + "\n"
	}
	c.stream(event + "data: " + string(data) + "\n\n")
}

// redirect answers with a 3xx. code is a comma-separated list, one status per
// hop; hops=N repeats the first code N times instead. The last hop goes to
// "to" (default /sse/hello), which inherits the query, key included, so the
// target shares the client state and the per-connection parameters (SSE-21,
// SSE-25, SSE-26). "to" may be any URL: an open redirect, fine on the
// loopback only (see the package doc).
func redirect(c *call) {
	codes := strings.Split(c.get("code", "302"), ",")
	code, err := strconv.Atoi(codes[0])
	if err != nil || code < 300 || code > 399 {
		code = http.StatusFound
	}
	next := url.URL{Path: c.r.URL.Path}
	q := url.Values{}
	for k, v := range c.q {
		q[k] = v
	}
	switch hops := c.number("hops", 0); {
	case hops > 1:
		q.Set("hops", strconv.Itoa(hops-1))
	case hops == 0 && len(codes) > 1:
		q.Set("code", strings.Join(codes[1:], ","))
	default:
		to, err := url.Parse(c.get("to", "/sse/hello"))
		if err != nil {
			http.Error(c.w, err.Error(), http.StatusBadRequest)
			return
		}
		next = *to
		tq := to.Query()
		for k, v := range c.q {
			if _, own := tq[k]; !own && k != "code" && k != "hops" && k != "to" && k != "as" {
				tq[k] = v
			}
		}
		q = tq
	}
	next.RawQuery = q.Encode()
	c.w.Header().Set("Location", next.String())
	c.w.WriteHeader(code)
}

// resume streams numbered events and replays from the key's buffer the ones
// after the request's Last-Event-ID, as a resumable server does. Each
// connection generates per new events (0..32, default 2); cut=1 adds one more
// written without its final empty line, so it is unfinished when the body
// ends and must come back as a replay (SSE-27, SSE-29, SSE-35). An event's
// data names the connection that generated it, which tells a replay apart.
func resume(c *call) {
	per := c.integer("per", 2, 0, maxReplay/2)
	if c.refused() {
		return
	}
	last, _ := strconv.Atoi(c.lastEventID())
	var send []replayEvent
	cut := c.flag("cut")
	c.s.withClient(c.key, func(cl *client) {
		for _, e := range cl.replay {
			if e.id > last {
				send = append(send, e)
			}
		}
		fresh := per
		if cut {
			fresh++
		}
		for range fresh {
			cl.nextID++
			e := replayEvent{id: cl.nextID, conn: c.conn}
			cl.replay = append(cl.replay, e)
			send = append(send, e)
		}
		if n := len(cl.replay); n > maxReplay {
			cl.replay = slices.Clone(cl.replay[n-maxReplay:])
		}
	})
	chunks := make([]string, len(send))
	for i, e := range send {
		chunks[i] = fmt.Sprintf("id: %d\ndata: n=%d conn=%d\n\n", e.id, e.id, e.conn)
	}
	if cut && len(chunks) > 0 {
		chunks[len(chunks)-1] = strings.TrimSuffix(chunks[len(chunks)-1], "\n")
	}
	c.stream(chunks...)
}

// tick sends an event every interval milliseconds (10..120000, default 500),
// count of them (default: until the client leaves), numbered on from
// Last-Event-ID so that a reconnection resumes the count.
func tick(c *call) {
	interval := time.Duration(c.integer("interval", 500, int(minTick/time.Millisecond), int(maxHang/time.Millisecond))) * time.Millisecond
	count := c.integer("count", 0, 0, math.MaxInt)
	if c.refused() {
		return
	}
	n, _ := strconv.Atoi(c.lastEventID())
	c.head()
	if !c.writeRetry() {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := 0; count <= 0 || i < count; i++ {
		n++
		now := time.Now().UTC().Format(time.RFC3339Nano)
		if !c.write(fmt.Sprintf("id: %d\ndata: {\"n\":%d,\"time\":%q}\n\n", n, n, now)) {
			return
		}
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			return
		}
	}
	c.end()
}

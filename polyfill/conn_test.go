package polyfill

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// connStep is one thing a host does with a Conn, and what it must see.
type connStep struct {
	op     string // "state", "response", "body", "end", "close", "request", "retry"
	status int    // response
	ctype  string // response
	body   string // body: fed in one chunk, read to the end
	why    Kind   // end
	act    Action // response, end: the decision
	state  ReadyState
	events []ev   // body
	err    error  // body: Err afterwards
	hdr    string // request: the Last-Event-ID value, "" meaning no header
	url    string // response: the final URL; request: the URL wanted, if set
	ms     int    // retry: ReconnectionTime
}

func response(status int, ctype string, act Action, st ReadyState) connStep {
	return connStep{op: "response", status: status, ctype: ctype, act: act, state: st}
}
func body(s string, evs ...ev) connStep {
	return connStep{op: "body", body: s, events: evs, state: Open}
}
func end(why Kind, act Action, st ReadyState) connStep {
	return connStep{op: "end", why: why, act: act, state: st}
}
func header(v string) connStep { return connStep{op: "request", hdr: v} }
func retryIs(ms int) connStep  { return connStep{op: "retry", ms: ms} }

var (
	closeStep = connStep{op: "close", state: Closed}
	failStep  = end(KindRequest, Fail, Closed)
	ok200     = response(200, "text/event-stream", Announce, Open)
	eof       = end(KindEnded, Reestablish, Connecting)
)

type connTest struct {
	rules string
	name  string
	opts  Options
	steps []connStep
}

var connTests = []connTest{
	{rules: "SSE-16 SSE-17 SSE-18 SSE-29", name: "new", steps: []connStep{
		{op: "state", state: Connecting}, header(""), retryIs(3000)}},
	{rules: "SSE-19 SSE-24 SSE-57", name: "announce", steps: []connStep{ok200, body("data: a\n\n", msg("a", ""))}},
	{rules: "SSE-24 SSE-27 SSE-28 SSE-57", name: "EOF reestablishes, open again", steps: []connStep{
		ok200, body("data: a\n\n", msg("a", "")), eof, ok200, body("data: b\n\n", msg("b", "")), eof}},
	{rules: "SSE-27", name: "empty 200 body loops", steps: []connStep{ok200, eof, ok200, eof, ok200, eof}},
	{rules: "SSE-27 SSE-19", name: "network error mid-body reestablishes", steps: []connStep{
		ok200, body("data: a\n\ndata: b\n", msg("a", "")), end(KindNetwork, Reestablish, Connecting)}},
	{rules: "SSE-19 SSE-20 SSE-57", name: "network error before a response retries", steps: []connStep{
		end(KindNetwork, Reestablish, Connecting), end(KindNetwork, Reestablish, Connecting), ok200}},
	{rules: "SSE-19 SSE-20 SSE-23", name: "aborted before a response fails", steps: []connStep{
		end(KindAborted, Fail, Closed), response(200, "text/event-stream", Fail, Closed)}},
	{rules: "SSE-20 SSE-23", name: "CORS failure fails", steps: []connStep{
		end(KindCORS, Fail, Closed), end(KindNetwork, Fail, Closed)}},
	{rules: "SSE-20 SSE-23", name: "aborted mid-body fails", steps: []connStep{
		ok200, body("data: a\n\n", msg("a", "")), end(KindAborted, Fail, Closed), end(KindEnded, Fail, Closed)}},
	{rules: "SSE-21 SSE-23", name: "failure is final", steps: []connStep{
		response(204, "text/event-stream", Fail, Closed), response(200, "text/event-stream", Fail, Closed),
		end(KindEnded, Fail, Closed), end(KindNetwork, Fail, Closed)}},
	{rules: "SSE-22 SSE-23", name: "bad type after reconnecting fails", steps: []connStep{
		ok200, eof, response(200, "text/html", Fail, Closed), end(KindEnded, Fail, Closed)}},
	{rules: "SSE-53", name: "close while open", steps: []connStep{
		ok200, closeStep, end(KindEnded, Fail, Closed), response(200, "text/event-stream", Fail, Closed)}},
	{rules: "SSE-53 SSE-28", name: "close during the reconnection wait", steps: []connStep{
		ok200, eof, closeStep, response(200, "text/event-stream", Fail, Closed), end(KindNetwork, Fail, Closed)}},
	{rules: "SSE-53 SSE-17", name: "close before the first request", steps: []connStep{
		closeStep, response(200, "text/event-stream", Fail, Closed), end(KindNetwork, Fail, Closed)}},
	{rules: "SSE-23", name: "host fail", steps: []connStep{ok200, failStep, end(KindEnded, Fail, Closed)}},
	{rules: "SSE-27", name: "ReconnectNever", opts: Options{Reconnect: ReconnectNever}, steps: []connStep{
		ok200, body("data: a\n\n", msg("a", "")), end(KindEnded, Fail, Closed), response(200, "text/event-stream", Fail, Closed)}},
	{rules: "SSE-19", name: "ReconnectNever on network error", opts: Options{Reconnect: ReconnectNever}, steps: []connStep{
		end(KindNetwork, Fail, Closed)}},
	{rules: "SSE-27", name: "POST does not reconnect", opts: Options{Method: "POST"}, steps: []connStep{
		ok200, end(KindEnded, Fail, Closed)}},
	{rules: "SSE-27", name: "POST with ReconnectAlways", opts: Options{Method: "POST", Reconnect: ReconnectAlways}, steps: []connStep{
		ok200, eof, ok200}},

	{rules: "SSE-26", name: "reconnections request the final URL", steps: []connStep{
		{op: "request", url: "http://example.com/sse"},
		{op: "response", status: 200, ctype: "text/event-stream", url: "http://example.com/moved", act: Announce, state: Open},
		eof, {op: "request", url: "http://example.com/moved"},
		{op: "response", status: 200, ctype: "text/event-stream", url: "http://other.test/final", act: Announce, state: Open},
		end(KindNetwork, Reestablish, Connecting), {op: "request", url: "http://other.test/final"}}},

	// SSE-29: the Last-Event-ID header.
	{rules: "SSE-29 SSE-30 SSE-46", name: "id persists across End and Response", steps: []connStep{
		ok200, header(""), body("id: 1\ndata: a\n\n", msg("a", "1")), header("1"), eof, header("1"),
		ok200, header("1"), body("data: b\n\n", msg("b", "1")), eof, header("1")}},
	{rules: "SSE-29 SSE-43", name: "empty id sends no header", steps: []connStep{
		ok200, body("id: 1\n\n"), header("1"), body("id\n\n"), header(""), eof, header(""),
		ok200, body("id: 2\n\nid:\n\n"), end(KindNetwork, Reestablish, Connecting), header("")}},
	{rules: "SSE-29 SSE-43", name: "NUL ids never sent", steps: []connStep{
		ok200, body("id: a\x00b\ndata: x\n\n", msg("x", "")), header(""),
		body("id: 1\n\nid: \x00\n\n"), eof, header("1")}},
	{rules: "SSE-29 SSE-35", name: "unfinished id not sent", steps: []connStep{
		ok200, body("id: 1\n\nid: 2\ndata: x\n"), eof, header("1"), ok200, body("\n"), header("1")}},
	{rules: "SSE-29 SSE-31", name: "header is the decoded id", steps: []connStep{
		ok200, body("id: …\n\n"), header("…"), body("id: a\xF0\x9F\x98\n\n"), header("a\uFFFD")}},
	{rules: "SSE-29 SSE-16", name: "initial id sent from the first request", opts: Options{LastEventID: "7"}, steps: []connStep{
		header("7"), ok200, body("data: a\n\n", msg("a", "7")), body("id\n\n"), header("")}},
	{rules: "SSE-29", name: "initial id that no header can carry", opts: Options{LastEventID: "a\nb"}, steps: []connStep{
		header(""), ok200, body("data: a\n\n", msg("a", "a\nb"))}},

	// SSE-18/44: the reconnection time.
	{rules: "SSE-18 SSE-44 SSE-30", name: "retry persists", steps: []connStep{
		retryIs(3000), ok200, body("retry: 500\n"), retryIs(500), eof, retryIs(500), ok200, retryIs(500),
		body("retry: x\n"), retryIs(500), body("retry\n"), retryIs(3000), body("retry: 99999999999\n"), retryIs(MaxRetry)}},
	{rules: "SSE-44 SSE-35", name: "retry in an unfinished event", steps: []connStep{
		ok200, body("data: a\nretry: 10\n"), end(KindNetwork, Reestablish, Connecting), retryIs(10)}},
	{rules: "SSE-30 SSE-35", name: "Response starts afresh", steps: []connStep{
		ok200, body("event: e\ndata: a\n\xEF\xBB"), eof, ok200, body("\xEF\xBB\xBF\ndata: b\n\n", msg("b", ""))}},
	{rules: "SSE-18 SSE-44", name: "initial delay until a retry field", opts: Options{Policy: Policy{InitialDelay: 250}}, steps: []connStep{
		retryIs(250), ok200, body("retry: 40\n"), retryIs(40), body("retry\n"), retryIs(250)}},

	// Limits: the connection fails on a parser error, after the events before.
	{rules: "SSE-34", name: "line too long", opts: Options{Limits: Limits{MaxLineSize: 16}}, steps: []connStep{
		ok200, {op: "body", body: "data: a\n\ndata: 0123456789abcdef\n\ndata: b\n\n", events: []ev{msg("a", "")}, err: ErrLineTooLong, state: Closed},
		{op: "body", body: "data: c\n\n", err: ErrLineTooLong, state: Closed}, end(KindEnded, Fail, Closed)}},
	{rules: "SSE-42 SSE-34", name: "event too large", opts: Options{Limits: Limits{MaxEventSize: 10}}, steps: []connStep{
		ok200, {op: "body", body: "data: a\n\ndata: 01234\ndata: 56789\n\n", events: []ev{msg("a", "")}, err: ErrEventTooLarge, state: Closed},
		end(KindEnded, Fail, Closed)}},
}

func runConnStep(t *testing.T, c *Conn, i int, s connStep) {
	t.Helper()
	where := fmt.Sprintf("step %d (%s)", i, s.op)
	switch s.op {
	case "response":
		d := c.Response(Response{Status: s.status, ContentType: s.ctype, URL: s.url})
		if d.Action != s.act {
			t.Fatalf("%s: Response(%d, %q) = %v, want %v", where, s.status, s.ctype, d.Action, s.act)
		}
		if d.Action == Announce && d.Err != nil {
			t.Errorf("%s: announce with error %v", where, d.Err)
		}
	case "body":
		c.Feed([]byte(s.body))
		var got []ev
		for c.Next() {
			e := c.Event()
			typ := string(e.Type)
			if typ == "" {
				typ = "message"
			}
			got = append(got, ev{typ, string(e.Data), string(e.LastEventID)})
		}
		if fmt.Sprint(got) != fmt.Sprint(s.events) {
			t.Errorf("%s: events %q, want %q", where, got, s.events)
		}
		var err error
		if c.Err() != nil {
			err = c.Err()
		}
		if !errors.Is(err, s.err) || (err == nil) != (s.err == nil) {
			t.Errorf("%s: Err() = %v, want %v", where, err, s.err)
		}
	case "end":
		d := c.End(s.why)
		if d.Action != s.act {
			t.Fatalf("%s: End(%v) = %v, want %v", where, s.why, d.Action, s.act)
		}
	case "state": // only check it
	case "close":
		c.Close()
	case "request":
		r, err := c.Connect()
		if err != nil {
			t.Fatalf("%s: Connect() failed: %v", where, err)
		}
		if r.LastEventID != s.hdr {
			t.Errorf("%s: Connect().LastEventID = %q; want %q", where, r.LastEventID, s.hdr)
		}
		if s.url != "" && r.URL != s.url {
			t.Errorf("%s: Connect().URL = %q; want %q", where, r.URL, s.url)
		}
		return
	case "retry":
		if got := c.ReconnectionTime(); got != s.ms {
			t.Errorf("%s: ReconnectionTime() = %d, want %d", where, got, s.ms)
		}
		return
	}
	if got := c.ReadyState(); got != s.state {
		t.Fatalf("%s: ReadyState() = %v, want %v", where, got, s.state)
	}
	if got := c.ReadyState(); s.op == "response" || s.op == "end" {
		if want := s.act.State(); got != want {
			t.Errorf("%s: the decision shows %v, the connection is %v", where, want, got)
		}
	}
}

func TestConn(t *testing.T) {
	for _, tt := range connTests {
		t.Run(tt.rules+"/"+tt.name, func(t *testing.T) {
			for _, raw := range []bool{false, true} {
				// A raw host decodes events itself; the connection's
				// decisions and header must not change.
				o := tt.opts
				o.RawText = raw
				c := NewConn("http://example.com/sse", o)
				for i, s := range tt.steps {
					runConnStep(t, c, i, s)
				}
			}
		})
	}
}

// TestConnStatus covers SSE-19c and SSE-21: only 200 is accepted.
func TestConnStatus(t *testing.T) {
	for _, status := range []int{0, 100, 199, 201, 204, 205, 206, 210, 226, 299, 301, 302, 304, 307, 400, 404, 410, 500, 503, 999} {
		c := NewConn("http://example.com/", Options{})
		d := c.Response(Response{Status: status, ContentType: "text/event-stream"})
		if d.Action != Fail || c.ReadyState() != Closed || d.Err == nil || d.Err.Kind != KindStatus || d.Err.Status != status {
			t.Errorf("SSE-21: status %d: %+v, state %v; want Fail with KindStatus", status, d, c.ReadyState())
		} else if !strings.Contains(d.Err.Error(), fmt.Sprint(status)) {
			t.Errorf("SSE-21: status %d: message %q does not name it", status, d.Err)
		}
	}
}

// TestConnMIME covers SSE-22: the Fetch "extract a MIME type" rules, the
// essence compared with text/event-stream, and the charset only under
// StrictCharset (Chrome), where anything but utf-8 fails.
func TestConnMIME(t *testing.T) {
	tests := []struct {
		ctype      string
		ok, strict bool // accepted by default, and with StrictCharset
	}{
		{"text/event-stream", true, true},
		{"TEXT/Event-Stream; charset=utf-8", true, true},
		{"text/event-stream;", true, true},
		{"text/event-stream ; foo=bar", true, true},
		{" \ttext/event-stream\t ", true, true},
		{"text/event-stream, text/html", false, false}, // the last parsable value wins
		{"text/html, text/event-stream", true, true},
		{"text/event-stream, x bogus", true, true}, // unparsable values are skipped
		{"text/event-stream, */*", true, true},     // */* is skipped
		{"text/event-stream, x y/z", true, true},   // a type that is not a token does not parse
		{"text/event-stream, te<t/html", true, true},
		{"text/event-stream; charset=\"a\\\", text/html; x=\"", true, false}, // \" does not end the quoted string
		{"text/event-stream, ", true, true},
		{"x bogus", false, false},
		{"text/x-bogus", false, false},
		{"text/event-streams", false, false},
		{"text/event-stream/x", false, false},
		{"text /event-stream", false, false},
		{"text/ event-stream", false, false}, // only trailing whitespace is removed from the subtype
		{"text/event stream", false, false},
		{"\"text/event-stream\"", false, false},
		{"/event-stream", false, false},
		{"text/", false, false},
		{"", false, false},
		{",", false, false},
		{"*/*", false, false},
		{"text/event-stream; charset=windows-1252", true, false},
		{"text/event-stream; charset=utf8", true, false},
		{"text/event-stream; charset=iso-8859-1", true, false},
		{"text/event-stream; charset=UTF-8", true, true},
		{"text/event-stream; charset=\"UTF-8\"", true, true},
		{"text/event-stream; charset=\"utf\\-8\"", true, true},
		{"text/event-stream; CHARSET=utf-8; charset=latin1", true, true}, // the first charset parameter counts
		{"text/event-stream; charset=latin1; charset=utf-8", true, false},
		{"text/event-stream; charset=", true, true}, // an empty unquoted value is skipped
		{"text/event-stream; charset; charset=utf-8", true, true},
		{"text/event-stream; charset=\"utf-8, text/html\"", true, false}, // a comma in quotes does not split
		{"text/event-stream; charset=\"a,b\", text/html", false, false},
		{"text/html; charset=latin1, text/event-stream", true, true}, // another essence resets the charset
		{"text/event-stream; charset=latin1, text/event-stream", true, false},
		{"text/event-stream; charset=utf-8, TEXT/EVENT-STREAM", true, true},
		// Fetch remembers the charset of the first value of a run with one
		// essence; a later value's own charset applies to that value only.
		{"text/event-stream; charset=utf-8, text/event-stream; charset=latin1, text/event-stream", true, true},
		{"text/event-stream; charset=latin1, text/event-stream; charset=utf-8, text/event-stream", true, false},
		{"text/event-stream; charset=latin1, text/event-stream; charset=utf-8", true, true},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			want := tt.ok
			if strict {
				want = tt.strict
			}
			c := NewConn("http://example.com/", Options{StrictCharset: strict})
			d := c.Response(Response{Status: 200, ContentType: tt.ctype})
			if got := d.Action == Announce; got != want {
				t.Errorf("SSE-22: Content-Type %q, strict %v: %v (%v), want ok=%v", tt.ctype, strict, d.Action, d.Err, want)
				continue
			}
			if !want && (d.Err == nil || d.Err.Kind != KindContentType || d.Err.ContentType != tt.ctype || d.Err.Error() == "") {
				t.Errorf("SSE-22: Content-Type %q: error %v, want KindContentType naming it", tt.ctype, d.Err)
			}
		}
	}
}

// TestConnClosedError checks that a closed connection refuses a response,
// and a new attempt, without an error about either.
func TestConnClosedError(t *testing.T) {
	c := NewConn("http://example.com/", Options{})
	c.Close()
	if d := c.Response(Response{Status: 200, ContentType: "text/event-stream"}); d.Action != Fail || d.Err != nil {
		t.Errorf("Response after Close = %+v; want Fail without an error", d)
	}
	if _, err := c.Connect(); err != nil || c.ReadyState() != Closed {
		t.Errorf("Connect after Close: %v, %v", err, c.ReadyState())
	}
}

// TestConnZeroValue checks that a zero Conn behaves as a new one, bar the
// URL: it has none to request.
func TestConnZeroValue(t *testing.T) {
	var c Conn
	steps := []connStep{{op: "state", state: Connecting}, ok200, body("id: 1\ndata: a\n\n", msg("a", "1")), eof, retryIs(3000)}
	for i, s := range steps {
		runConnStep(t, &c, i, s)
	}
	if c.LastEventID() != "1" {
		t.Errorf("LastEventID() = %q", c.LastEventID())
	}
	if _, err := c.Connect(); err == nil || err.Kind != KindScheme {
		t.Errorf("Connect() without a URL: %v, want KindScheme", err)
	}
}

// TestRuleCoverageConn checks that every rule of the checklist's sections B
// and C (constructor, connection outcome) in which the engine has a part is
// named by a connection test row.
func TestRuleCoverageConn(t *testing.T) {
	seen := map[int]bool{}
	for _, tt := range connTests {
		for _, m := range ruleID.FindAllStringSubmatch(tt.rules, -1) {
			n, _ := strconv.Atoi(m[1])
			seen[n] = true
		}
	}
	for _, n := range engineRules(t, "B", "C") {
		if !seen[n] {
			t.Errorf("no connection test covers SSE-%d", n)
		}
	}
}

// held is what the parser keeps of the body between calls: the partial
// line (in the line buffer, or streamed into the data buffer) and the
// unread input.
func held(p *Parser) int { return len(p.line) + len(p.data) + len(p.in) - p.pos }

// TestLimitEndlessDataLine feeds a data line that never ends, 4 KiB at a
// time, past the event limit and up to the line limit: the parser holds no
// more than the event limit and a chunk, since an event that large can only
// fail, and fails on the line limit as with any other line.
func TestLimitEndlessDataLine(t *testing.T) {
	const event, line, chunk = 64 << 10, 1 << 20, 4 << 10
	p := NewParser(Limits{MaxLineSize: line, MaxEventSize: event})
	p.Feed([]byte("data: x\ndata: "))
	p.Next()
	buf := bytes.Repeat([]byte("y"), chunk)
	fed := 0
	for p.Err() == nil && fed <= line+chunk {
		p.Feed(buf)
		fed += chunk
		if p.Next() {
			t.Fatal("an event from an unfinished line")
		}
		if h := p.buffered(); h > 2*event+chunk {
			t.Fatalf("holds %d bytes after %d fed, the event limit %d", h, fed, event)
		}
	}
	if !errors.Is(p.Err(), ErrLineTooLong) || fed <= line-len("data: ") {
		t.Fatalf("Err() = %v after %d bytes, want the line limit %d", p.Err(), fed, line)
	}
}

// TestLimitEndlessLine feeds a line that never ends, 1 KiB at a time: the
// parser must stop at the limit, holding no more than the limit and one
// chunk, and keep nothing of what is fed after the error.
func TestLimitEndlessLine(t *testing.T) {
	const limit, chunk = 64 << 10, 1 << 10
	for _, prefix := range []string{"data: ", ":", "\xEF\xBB\xBF", "\xEF\xBB", ""} {
		p := NewParser(Limits{MaxLineSize: limit})
		buf := bytes.Repeat([]byte("x"), chunk)
		p.Feed([]byte(prefix))
		p.Next()
		fed := len(prefix)
		for p.Err() == nil {
			if fed > limit+chunk {
				t.Fatalf("%q: no error after %d bytes", prefix, fed)
			}
			p.Feed(buf)
			fed += chunk
			if p.Next() {
				t.Fatalf("%q: event from an unfinished line", prefix)
			}
			if h := held(p); h > limit+chunk {
				t.Fatalf("%q: holds %d bytes after %d fed", prefix, h, fed)
			}
		}
		if !errors.Is(p.Err(), ErrLineTooLong) {
			t.Fatalf("%q: Err() = %v", prefix, p.Err())
		}
		lineLen := fed - len(bom)*btoi(prefix == bom)
		if lineLen <= limit || lineLen > limit+chunk {
			t.Errorf("%q: error after a %d-byte line, want it in the first chunk past %d", prefix, lineLen, limit)
		}
		// The error is sticky and the parser keeps nothing more.
		for range 100 {
			p.Feed(buf)
			if p.Next() {
				t.Fatalf("%q: event after the error", prefix)
			}
			p.Feed([]byte("\n\ndata: x\n\n"))
			if p.Next() {
				t.Fatalf("%q: event after the error", prefix)
			}
		}
		if h := held(p); h > limit+chunk {
			t.Errorf("%q: holds %d bytes after more input following the error", prefix, h)
		}
		if !errors.Is(p.Err(), ErrLineTooLong) {
			t.Errorf("%q: error not sticky: %v", prefix, p.Err())
		}
		// Reset clears the error and the line.
		p.Reset()
		p.Feed([]byte("data: ok\n\n"))
		if !p.Next() || string(p.Event().Data) != "ok" || p.Err() != nil || held(p) != 0 {
			t.Errorf("%q: after Reset: %q, %v, holds %d", prefix, p.Event().Data, p.Err(), held(p))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestLimitDefault checks that the zero Limits mean the documented
// defaults, with an endless line in 64 KiB chunks.
func TestLimitDefault(t *testing.T) {
	var p Parser
	buf := bytes.Repeat([]byte("y"), 64<<10)
	fed := 0
	for p.Err() == nil && fed <= DefaultMaxLineSize {
		p.Feed(buf)
		fed += len(buf)
		for p.Next() {
		}
	}
	if !errors.Is(p.Err(), ErrLineTooLong) || fed != DefaultMaxLineSize+len(buf) {
		t.Errorf("after %d bytes: Err() = %v, want ErrLineTooLong after %d", fed, p.Err(), DefaultMaxLineSize+len(buf))
	}
	p.Reset()
	// 16 data lines of 1 MiB each, LF included, fill the data buffer
	// exactly; one more byte does not fit.
	line := append(append([]byte("data: "), bytes.Repeat([]byte("z"), 1<<20-1)...), '\n')
	big := bytes.Repeat(line, DefaultMaxEventSize>>20)
	p.Feed(append(big, '\n'))
	if !p.Next() || len(p.Event().Data) != DefaultMaxEventSize-1 || p.Err() != nil {
		t.Fatalf("largest event: Err() = %v", p.Err())
	}
	p.Feed(append(big, "data\n\n"...))
	if p.Next() || !errors.Is(p.Err(), ErrEventTooLarge) {
		t.Errorf("event over the default limit: Err() = %v", p.Err())
	}
}

// TestLimitNothingLost checks that every event completed before the
// offending line is delivered, whatever the chunking, and that the error is
// sticky until Reset.
func TestLimitNothingLost(t *testing.T) {
	stream := "data: 1\n\nid: 2\ndata: 2\n\nevent: e\ndata: 3\n\n: " + strings.Repeat("-", 40) + "\ndata: 4\n\n"
	want := []string{"1", "2", "3"}
	for _, size := range []int{1, 2, 3, 7, 16, 1000} {
		p := NewParser(Limits{MaxLineSize: 32})
		var got []string
		for s := stream; len(s) > 0; {
			n := min(size, len(s))
			p.Feed([]byte(s[:n]))
			s = s[n:]
			for p.Next() {
				got = append(got, string(p.Event().Data))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || !errors.Is(p.Err(), ErrLineTooLong) || p.LastEventID() != "2" {
			t.Errorf("chunks of %d: events %q, Err() = %v, LastEventID %q; want %q, ErrLineTooLong, \"2\"",
				size, got, p.Err(), p.LastEventID(), want)
		}
	}
}

// TestReadyStateValues checks that the states have the values of the
// EventSource constants (SSE-6), which the bridge hands to JS as they are.
func TestReadyStateValues(t *testing.T) {
	if Connecting != 0 || Open != 1 || Closed != 2 {
		t.Errorf("CONNECTING, OPEN, CLOSED = %d, %d, %d; want 0, 1, 2", Connecting, Open, Closed)
	}
}

// TestConnReset checks that Reset starts a fresh body mid-stream: the
// unfinished event is dropped, a BOM may come again, and the state, the last
// event ID and the reconnection time stay.
func TestConnReset(t *testing.T) {
	c := NewConn("about:event-stream", Options{})
	c.Response(Response{Status: 200, ContentType: "text/event-stream"})
	c.Feed([]byte("retry: 70\nid: 4\ndata: kept\n\ndata: dropped\nda"))
	for c.Next() {
	}
	c.Reset()
	c.Feed([]byte("\xEF\xBB\xBFta: fresh\n\n"))
	var got []string
	for c.Next() {
		got = append(got, string(c.Event().Data)+"/"+string(c.Event().LastEventID))
	}
	if fmt.Sprint(got) != "[]" || c.ReadyState() != Open || c.LastEventID() != "4" || c.ReconnectionTime() != 70 {
		t.Errorf("after Reset: %v, %v, id %q, retry %d", got, c.ReadyState(), c.LastEventID(), c.ReconnectionTime())
	}
	c.Feed([]byte("data: x\n\n"))
	if !c.Next() || string(c.Event().Data) != "x" {
		t.Errorf("after Reset and a fresh line: %q", c.Event().Data)
	}
}

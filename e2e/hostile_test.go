package e2e

import "testing"

// Hostile and broken servers: each must give the specified outcome, with a
// console message that says why where the standard allows one, and never a
// hang or a crash of the page. The native EventSource runs beside the
// polyfill wherever the two are comparable.
//
// Already covered by scenarios_test.go, and not repeated here: statuses
// 204, 205, 299, 404, 500 and 503 (status-*), a 3xx without Location, 21
// redirects (redirect-21-hops), a missing, unparsable or other Content-Type
// (ctype-*), a refused connection (network-error-refused), invalid UTF-8 in
// data (utf8-invalid), NUL in data and comments (nul-in-data, comments), a
// retry of 23 digits (retry-overflow), an empty body (empty-body-loop).

// hostileScenarios run through runScenario: both sides at once in one tab.
var hostileScenarios = []scenario{
	// SSE-29, SSE-31, SSE-40, SSE-41, SSE-43, SSE-44: invalid UTF-8 in a
	// field name, an event type, an id, a comment, a retry value and data,
	// split across chunks; the reconnection (an echo) shows the
	// Last-Event-ID sent for the invalid id: its U+FFFD as UTF-8.
	{name: "invalid-utf8-everywhere", url: "/sse/utf8-everywhere?as.2-=echo&key={key}",
		spec: spec{Types: []string{"t\uFFFD"}, Stop: stop{Messages: 8}},
		want: "open 1\n" +
			"message 1 \"a\uFFFD\"\n" +
			"t\uFFFD 1 \"1\"\n" +
			"message 1 \"2\" id=\"i\uFFFD\"\n" +
			"message 1 \"\uFFFD\uFFFD\uFFFD surrogate\" id=\"i\uFFFD\"\n" +
			"message 1 \"split \u20AC euro\" id=\"i\uFFFD\"\n" +
			"message 1 \"\uFFFD\uFFFD\uFFFD\uFFFD above\" id=\"i\uFFFD\"\n" +
			"message 1 \"end \uFFFD\" id=\"i\uFFFD\"\n" +
			"error 0\nopen 1\n" +
			`message 1 "{"conn":2,"method":"GET","path":"/sse/utf8-everywhere","headers":{"accept":"text/event-stream","cache-control":"no-cache","last-event-id":"i` +
			"\uFFFD" + `","pragma":"no-cache"}}" id="i` + "\uFFFD\"\n" +
			"final 1"},
	// SSE-37, SSE-40, SSE-42, SSE-43, SSE-44: NUL in a field name, an event
	// type, an id (ignored: the previous id is sent again), data, a
	// comment, a retry value, a line of its own.
	{name: "nul-everywhere", url: "/sse/nul-everywhere?as.2-=echo&key={key}",
		spec: spec{Types: []string{"a\x00b"}, Stop: stop{Messages: 5}},
		want: `open 1
			a` + "\x00" + `b 1 "1"
			message 1 "2" id="ok"
			message 1 "\x00\x00" id="ok"
			message 1 "tail\x00" id="ok"
			error 0
			open 1
			message 1 "{"conn":2,"method":"GET","path":"/sse/nul-everywhere","headers":{"accept":"text/event-stream","cache-control":"no-cache","last-event-id":"ok","pragma":"no-cache"}}" id="ok"
			final 1`},
	// SSE-44: a retry of 1,000 nines is ignored; the 50 ms before it stays
	// (see retry-bogus in scenarios_test.go for how that is told).
	{name: "retry-1000-digits", url: "/sse/retry-1000-digits?key={key}", spec: spec{Stop: stop{Messages: 2}, Timeout: 20000},
		serial: true, check: reconnectsBefore(2500),
		want: "open 1\nmessage 1 \"1\"\nerror 0\nopen 1\nmessage 1 \"1\"\nfinal 1"},
	// SSE-44: 998 zeros then 50 is 50 ms: leading zeros do not overflow.
	{name: "retry-1000-digits-leading-zeros", url: "/sse/retry-1000-zeros?key={key}", spec: spec{Stop: stop{Messages: 2}, Timeout: 20000},
		serial: true, check: reconnectsBefore(2500),
		want: "open 1\nmessage 1 \"1\"\nerror 0\nopen 1\nmessage 1 \"1\"\nfinal 1"},
	// SSE-22, SSE-23: common wrong types fail at once, without a retry,
	// and both say why in the console.
	{name: "ctype-text-plain", url: "/sse/hello?ctype=text/plain&retry=50&key={key}", spec: spec{Grace: 150},
		want: "error 2\nfinal 2", check: connections(1),
		console: [2][]string{{`MIME type ("text/plain")`, "Aborting"}, {`MIME type ("text/plain")`, "Aborting"}}},
	{name: "ctype-octet-stream", url: "/sse/hello?ctype=application/octet-stream&retry=50&key={key}", spec: spec{Grace: 150},
		want: "error 2\nfinal 2", check: connections(1),
		console: [2][]string{{`MIME type ("application/octet-stream")`}, {`MIME type ("application/octet-stream")`}}},
	// ctype-missing of scenarios_test.go, for its console messages.
	{name: "ctype-missing-says-why", url: "/sse/hello?ctype=none&key={key}",
		want:    "error 2\nfinal 2",
		console: [2][]string{{"MIME type", "Aborting"}, {"no Content-Type", "Aborting"}}},
	// SSE-19b, SSE-20, SSE-21: a 301 to itself: after 20 redirects the
	// request fails as a network error, which Chromium retries (see
	// redirect-21-hops).
	{name: "redirect-loop-301", url: "/sse/hello?status=301&location=self&key={key}", spec: spec{Stop: stop{Errors: 1}},
		want: "error 0\nfinal 0", check: connections(21),
		console: [2][]string{{"ERR_TOO_MANY_REDIRECTS"}}},
	// SSE-19b, SSE-20, SSE-59: a known difference. A cross-origin
	// reconnection gets a broken response head, and the polyfill's no-cors
	// probe that follows is answered: fetch() gives the same TypeError for
	// a network error and a CORS failure, so the polyfill takes it for the
	// latter and closes, where native retries. (Same-origin URLs are asked
	// without redirects first, see bad-head-on-reconnect.)
	{name: "cross-origin-transient-error-on-reconnect",
		url:  "{B}/sse/numbered?n=3&upto.1=1&end.1=eof&reset.2=bad&end=hang&retry=50&acao=origin&key={key}",
		spec: spec{Stop: stop{Messages: 3}},
		native: `open 1
			message 1 "1" id="1" origin=B
			error 0
			error 0
			open 1
			message 1 "2" id="2" origin=B
			message 1 "3" id="3" origin=B
			final 1`,
		polyfill: `open 1
			message 1 "1" id="1" origin=B
			error 0
			error 2
			final 2`},

	// The polyfill's limits, which native lacks (SSE-34: the standard sets
	// none): over a limit the connection fails (SSE-23) after the events
	// before it, and the console says which limit.
	{name: "max-event-size", url: "/sse/oversize?before=2&lines=3&linesize=700&retry=50&key={key}",
		init: "{maxEventSize: 1024}", spec: spec{Stop: stop{Messages: 4}, Grace: 150, Brief: true},
		native: `open 1
			message 1 "small 1" id="1"
			message 1 "small 2" id="2"
			message 1 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" id="2"
			message 1 "after" id="2"
			final 1`,
		polyfill: `open 1
			message 1 "small 1" id="1"
			message 1 "small 2" id="2"
			error 2
			final 2`,
		console: [2][]string{nil, {"exceeds maxEventSize (1024 bytes)"}}},
	// A comment line counts as a line.
	{name: "max-line-size", url: "/sse/oversize?before=1&lines=1&linesize=2000&comment=1&retry=50&key={key}",
		init: "{maxLineSize: 1024}", spec: spec{Stop: stop{Messages: 2}, Grace: 150},
		native:   "open 1\nmessage 1 \"small 1\" id=\"1\"\nmessage 1 \"after\" id=\"1\"\nfinal 1",
		polyfill: "open 1\nmessage 1 \"small 1\" id=\"1\"\nerror 2\nfinal 2",
		console:  [2][]string{nil, {"exceeds maxLineSize (1024 bytes)"}}},
	// The 16 MiB default: an event of 17 lines of 1 MiB.
	{name: "default-limit-17-MiB-event", url: "/sse/oversize?before=1&retry=50&key={key}",
		spec: spec{Stop: stop{Messages: 3}, Grace: 150, Brief: true, Timeout: 20000},
		native: `open 1
			message 1 "small 1" id="1"
			message 1 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" id="1"
			message 1 "after" id="1"
			final 1`,
		polyfill: "open 1\nmessage 1 \"small 1\" id=\"1\"\nerror 2\nfinal 2",
		console:  [2][]string{nil, {"exceeds maxEventSize (16777216 bytes)"}},
		check: func(t *testing.T, side string, rec recording, _ string) {
			if side == "native" && len(rec.Events) > 2 && rec.Events[2].Len != 17<<20+16 {
				t.Errorf("native: the big event has %d characters, want %d", rec.Events[2].Len, 17<<20+16)
			}
		}},
	// SSE-34: a line that never ends. Native buffers it without limit
	// (here 4 MiB, then the server waits) and stays OPEN until the
	// recorder's timeout; the polyfill fails once it passes maxLineSize,
	// within a timeout of its own that only fails it (on a loaded machine
	// 16 MiB took the polyfill more than 4 s).
	{name: "endless-line", url: "/sse/endless?limit=4194304&end=hang&key={key}",
		init: "{maxLineSize: 65536}", spec: spec{Timeout: 1500}, polyfillTimeout: 15000,
		native:   "open 1\nfinal 1 timeout",
		polyfill: "open 1\nerror 2\nfinal 2",
		console:  [2][]string{nil, {"exceeds maxLineSize (65536 bytes)"}}},
	// The same at the 16 MiB default, with 20 MiB sent.
	{name: "endless-line-default-limit", url: "/sse/endless?limit=20971520&end=hang&key={key}",
		spec: spec{Timeout: 4000}, polyfillTimeout: 30000,
		native:   "open 1\nfinal 1 timeout",
		polyfill: "open 1\nerror 2\nfinal 2",
		console:  [2][]string{nil, {"exceeds maxLineSize (16777216 bytes)"}},
		check: func(t *testing.T, side string, _ recording, key string) {
			t.Logf("%s: the server wrote %d bytes of the endless line before the source closed", side, srv.Stats(key).Bytes)
		}},
}

// TestHostileServers runs its scenarios as TestDifferential does.
func TestHostileServers(t *testing.T) {
	for _, sc := range hostileScenarios {
		t.Run(sc.name, func(t *testing.T) {
			if !sc.serial {
				t.Parallel()
			}
			runScenario(t, sc)
		})
	}
}

// brokenDeliveries are servers that break a numbered stream: after the
// failure the stream must go on exactly once, or stop for good as the
// standard says, with the events before it delivered exactly once.
var brokenDeliveries = []delivery{
	// SSE-19b, SSE-28, SSE-59: the reconnection's response ends before any
	// byte (the TCP connection closes at once). Native retries; so must
	// the polyfill, although its CORS probe (an answered request) follows
	// the failure: the server's failure was transient. Chromium may also
	// retry such a request by itself when it went on a reused idle
	// connection (close=1 makes that rarer, not impossible: seen once, on
	// both sides, in about 30 runs), hence one error or more, and the
	// console says ERR_EMPTY_RESPONSE only when native saw the failure.
	{name: "empty-response-on-reconnect", n: 20, query: "upto.1=10&end.1=eof&close=1&reset.2=1&end=hang&retry=50",
		want:    `open m1-10 (?:error0 )+open m11-20`,
		console: [2][]string{{"ERR_EMPTY_RESPONSE"}}, consoleIf: `error0 error0`},
	// The same with a broken response head, which is never retried
	// silently: exactly one more error.
	{name: "bad-head-on-reconnect", n: 20, query: "upto.1=10&end.1=eof&reset.2=bad&end=hang&retry=50",
		want: `open m1-10 error0 error0 open m11-20`},
	// SSE-27, SSE-35: a body that errors mid-stream, in the middle of event
	// 11: an invalid chunk header, then a Content-Length never reached.
	{name: "body-error-bad-chunk", n: 20, query: "cut.1=10&end.1=await&then=badchunk&end=hang&retry=50", inject: releaseAt(10),
		want:    `open m1-10 error0 open m11-20`,
		console: [2][]string{{"ERR_INVALID_CHUNKED_ENCODING"}}},
	{name: "body-error-short-content-length", n: 20, query: "cut.1=10&end.1=await&then=short&end=hang&retry=50", inject: releaseAt(10),
		want:    `open m1-10 error0 open m11-20`,
		console: [2][]string{{"ERR_CONTENT_LENGTH_MISMATCH"}}},
	// SSE-21, SSE-23, SSE-28: a 5xx or 4xx on reconnection stops the
	// source for good, after events 1..10 exactly once.
	{name: "status-503-on-reconnect", n: 20, expect: 10, query: "upto.1=10&end.1=eof&status.2=503&retry=50",
		want:    `open m1-10 error0 error2`,
		console: [2][]string{{"status of 503"}, {"status 503 that is not 200"}}},
	{name: "status-429-on-reconnect", n: 20, expect: 10, query: "upto.1=10&end.1=eof&status.2=429&retry=50",
		want:    `open m1-10 error0 error2`,
		console: [2][]string{{"status of 429"}, {"status 429 that is not 200"}}},
}

func TestBrokenServers(t *testing.T) {
	t.Parallel()
	for _, d := range brokenDeliveries {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			runDelivery(t, d)
		})
	}
}

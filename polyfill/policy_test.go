package polyfill

import (
	"strings"
	"testing"
	"time"
)

// failures runs n attempts that end in a network error before any response
// and returns their decisions.
func failures(c *Conn, n int) []Decision {
	var ds []Decision
	for range n {
		if _, err := c.Connect(); err != nil || c.ReadyState() == Closed {
			break
		}
		ds = append(ds, c.End(KindNetwork))
	}
	return ds
}

// TestPolicyStandard checks that the zero policy is the standard's: the
// reconnection time every time, for ever (SSE-28).
func TestPolicyStandard(t *testing.T) {
	c := NewConn("http://example.com/", Options{})
	for i, d := range failures(c, 50) {
		if d.Action != Reestablish || d.Delay != DefaultRetry || d.Err.Kind != KindNetwork {
			t.Fatalf("attempt %d: %+v", i+1, d)
		}
	}
}

// TestPolicyBackoff checks exponential growth from the reconnection time,
// the cap, and the reset after an announced response.
func TestPolicyBackoff(t *testing.T) {
	c := NewConn("http://example.com/", Options{Policy: Policy{InitialDelay: 100, Factor: 2, MaxDelay: 1000}})
	want := []int{100, 200, 400, 800, 1000, 1000}
	for i, d := range failures(c, len(want)) {
		if d.Delay != want[i] {
			t.Errorf("attempt %d: delay %d, want %d", i+1, d.Delay, want[i])
		}
	}
	c.Connect()
	c.Response(Response{Status: 200, ContentType: "text/event-stream"})
	c.Feed([]byte("retry: 50\n"))
	for c.Next() {
	}
	// The server's retry is the new base; the announce reset the count.
	if d := c.End(KindEnded); d.Delay != 50 {
		t.Errorf("after an announce: delay %d, want 50", d.Delay)
	}
	if ds := failures(c, 3); ds[0].Delay != 50 || ds[1].Delay != 100 || ds[2].Delay != 200 {
		t.Errorf("after an announce: delays %d %d %d, want 50 100 200", ds[0].Delay, ds[1].Delay, ds[2].Delay)
	}
}

// TestPolicyJitter checks full jitter: the delay scaled by the random value,
// so between 0 and the backoff delay.
func TestPolicyJitter(t *testing.T) {
	r := 0.0
	c := NewConn("http://example.com/", Options{
		Policy: Policy{InitialDelay: 1000, Factor: 3, Jitter: true},
		Rand:   func() float64 { r += 0.25; return r - 0.25 },
	})
	want := []int{0, 750, 4500, 20250}
	for i, d := range failures(c, len(want)) {
		if d.Delay != want[i] {
			t.Errorf("attempt %d: delay %d, want %d", i+1, d.Delay, want[i])
		}
	}
	// The real source stays within the bounds.
	c = NewConn("http://example.com/", Options{Policy: Policy{InitialDelay: 1000, Jitter: true}})
	for i, d := range failures(c, 200) {
		if d.Delay < 0 || d.Delay > 1000 {
			t.Fatalf("attempt %d: delay %d outside [0, 1000]", i+1, d.Delay)
		}
	}
}

// TestPolicyMaxAttempts checks that consecutive failed attempts are bounded
// and that an announced response starts the count again.
func TestPolicyMaxAttempts(t *testing.T) {
	c := NewConn("http://example.com/", Options{Policy: Policy{MaxAttempts: 3}})
	ds := failures(c, 10)
	if len(ds) != 3 || ds[1].Action != Reestablish || ds[2].Action != Fail || ds[2].Err.Kind != KindAttempts || ds[2].Err.Attempts != 3 {
		t.Fatalf("decisions %+v; want 2 reestablishes, then Fail with KindAttempts after 3", ds)
	}
	if !strings.Contains(ds[2].Err.Error(), "3 consecutive") || c.ReadyState() != Closed {
		t.Errorf("message %q, state %v", ds[2].Err, c.ReadyState())
	}
	c = NewConn("http://example.com/", Options{Policy: Policy{MaxAttempts: 2}})
	for range 5 {
		failures(c, 1)
		c.Connect()
		if d := c.Response(Response{Status: 200, ContentType: "text/event-stream"}); d.Action != Announce {
			t.Fatalf("announce: %+v", d)
		}
		if d := c.End(KindEnded); d.Action != Reestablish {
			t.Fatalf("after an announce: %+v", d)
		}
	}
}

// TestPolicyRetryStatuses checks that only the listed statuses reestablish,
// after Retry-After when present, and count as attempts.
func TestPolicyRetryStatuses(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
	tests := []struct {
		status     int
		retryAfter string
		act        Action
		delay      int
	}{
		{503, "", Reestablish, 3000},
		{503, "7", Reestablish, 7000},
		{429, "  0 ", Reestablish, 0},
		{503, "Tue, 01 Dec 2026 10:00:12 GMT", Reestablish, 12000},
		{503, "Tue, 01 Dec 2026 09:00:00 GMT", Reestablish, 0},
		{503, "soon", Reestablish, 3000},
		{503, "Tue, 01 Dec 2026 10:00:12 UTC", Reestablish, 3000},
		{503, "99999999999999999999", Reestablish, MaxRetry / 1000 * 1000},
		{500, "5", Fail, 0},
		{404, "", Fail, 0},
	}
	for _, tt := range tests {
		c := NewConn("http://example.com/", Options{
			Policy: Policy{RetryStatuses: []int{429, 503}},
			Now:    func() int64 { return now },
		})
		c.Connect()
		d := c.Response(Response{Status: tt.status, RetryAfter: tt.retryAfter, ContentType: "text/event-stream"})
		if d.Action != tt.act || d.Delay != tt.delay || d.Err == nil || d.Err.Kind != KindStatus || d.Err.Status != tt.status {
			t.Errorf("%d Retry-After %q: %+v; want %v after %d with KindStatus", tt.status, tt.retryAfter, d, tt.act, tt.delay)
		}
	}
	c := NewConn("http://example.com/", Options{Policy: Policy{RetryStatuses: []int{503}, MaxAttempts: 2}})
	c.Connect()
	c.Response(Response{Status: 503})
	c.Connect()
	if d := c.Response(Response{Status: 503}); d.Action != Fail || d.Err.Kind != KindAttempts || d.Err.Status != 503 {
		t.Errorf("second 503 with MaxAttempts 2: %+v", d)
	}
}

// TestEndedIsNotAFailure checks that a connection that does not reconnect
// ends a clean body as KindEnded, and a broken one as KindNetwork.
func TestEndedIsNotAFailure(t *testing.T) {
	for _, why := range []Kind{KindEnded, KindNetwork, KindInactive} {
		c := NewConn("http://example.com/", Options{Method: "POST"})
		c.Connect()
		c.Response(Response{Status: 200, ContentType: "text/event-stream"})
		if d := c.End(why); d.Action != Fail || d.Err.Kind != why {
			t.Errorf("POST ended by %v: %+v", why, d)
		}
	}
	c := NewConn("http://example.com/", Options{})
	if d := c.End(KindInactive); d.Action != Reestablish || d.Err.Kind != KindInactive {
		t.Errorf("GET inactive: %+v", d)
	}
}

// TestConnectRequests checks what Connect asks the host to fetch: the final
// URL after a redirect (SSE-26), whether it is the constructor URL's origin,
// and whether a failure needs classifying.
func TestConnectRequests(t *testing.T) {
	c := NewConn("http://a.test:8080/s?x#f", Options{})
	r, _ := c.Connect()
	if r.URL != "http://a.test:8080/s?x#f" || !r.SameOrigin || r.Attempt != 1 || !r.Classify {
		t.Errorf("first request %+v", r)
	}
	c.Response(Response{Status: 200, ContentType: "text/event-stream", URL: "http://b.test/s"})
	c.End(KindEnded)
	r, _ = c.Connect()
	if r.URL != "http://b.test/s" || r.SameOrigin || r.Attempt != 1 {
		t.Errorf("after a cross-origin redirect: %+v", r)
	}
	c.Response(Response{Status: 200, ContentType: "text/event-stream", URL: "http://a.test:8080/t"})
	c.End(KindNetwork)
	if r, _ = c.Connect(); r.URL != "http://a.test:8080/t" || !r.SameOrigin {
		t.Errorf("back on the first origin: %+v", r)
	}
	for _, o := range []Options{{Method: "POST"}, {Method: "GET", Reconnect: ReconnectNever}, {Method: "PUT", Reconnect: ReconnectAlways}} {
		c := NewConn("http://a.test/", o)
		if r, _ := c.Connect(); r.Classify {
			t.Errorf("%+v: Classify, want false", o)
		}
	}
	if r, _ := NewConn("http://a.test/", Options{Method: "HEAD", Reconnect: ReconnectAlways}).Connect(); !r.Classify {
		t.Errorf("HEAD with reconnection: not classified")
	}
}

// TestConnectRefuses checks the URLs Connect fails: schemes a host cannot
// fetch (SSE-20) and URLs longer than Chrome's limit.
func TestConnectRefuses(t *testing.T) {
	long := "http://a.test/" + strings.Repeat("x", MaxURLLength)
	for url, kind := range map[string]Kind{
		"ftp://a.test/": KindScheme, "about:blank": KindScheme, "javascript:1": KindScheme, "mailto:x@y": KindScheme,
		"": KindScheme, long: KindURLTooLong,
	} {
		c := NewConn(url, Options{})
		if _, err := c.Connect(); err == nil || err.Kind != kind || c.ReadyState() != Closed {
			t.Errorf("%.40q: %v, state %v; want %v and CLOSED", url, err, c.ReadyState(), kind)
		}
	}
	for _, url := range []string{"https://a.test/", "HTTP://a.test/", "data:text/event-stream,x", "blob:http://a.test/uuid",
		"http://a.test/" + strings.Repeat("x", MaxURLLength-len("http://a.test/"))} {
		if _, err := NewConn(url, Options{}).Connect(); err != nil {
			t.Errorf("%.40q: %v", url, err)
		}
	}
}

func TestOrigin(t *testing.T) {
	for url, want := range map[string]string{
		"http://a.test/x":              "http://a.test",
		"https://a.test:8443?q":        "https://a.test:8443",
		"http://u:p@a.test:81/#x":      "http://a.test:81",
		"http://[::1]:8080/p":          "http://[::1]:8080",
		"blob:https://a.test/1-2-3":    "https://a.test",
		"blob:null/1-2-3":              "",
		"data:text/event-stream,hello": "",
		"file:///tmp/x":                "",
		"nonsense":                     "",
		"http:":                        "",
	} {
		if got := origin(url); got != want {
			t.Errorf("origin(%q) = %q, want %q", url, got, want)
		}
	}
}

// TestIMFFixdate cross-checks the date parser with the time package.
func TestIMFFixdate(t *testing.T) {
	for _, v := range []string{"Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Tue, 29 Feb 2000 23:59:59 GMT",
		"Fri, 31 Dec 9999 12:00:00 GMT", "Mon, 01 Mar 2100 00:00:01 GMT", "Sat, 28 Feb 1600 10:10:10 GMT"} {
		want, err := time.Parse(time.RFC1123, v)
		got, ok := parseIMFFixdate(v)
		if err != nil || !ok || got != want.Unix() {
			t.Errorf("%q: %d, %v; want %d (%v)", v, got, ok, want.Unix(), err)
		}
	}
	for _, v := range []string{"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 0x Nov 1994 08:49:37 GMT"} {
		if _, ok := parseIMFFixdate(v); ok {
			t.Errorf("%q parsed", v)
		}
	}
}

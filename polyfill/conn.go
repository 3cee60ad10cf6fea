package polyfill

import (
	"math/rand/v2"
	"time"
)

// ReadyState is the readyState of an EventSource (SSE-6, SSE-57).
type ReadyState uint8

// The ready states, with the values of the EventSource constants.
const (
	Connecting ReadyState = 0
	Open       ReadyState = 1
	Closed     ReadyState = 2
)

// Action is what the host must do next with a connection.
type Action uint8

// The outcomes of a response, an end of body or a network error (SSE-19).
const (
	// Announce: set readyState to OPEN, fire open, read the body (SSE-24).
	Announce Action = iota + 1
	// Fail: set readyState to CLOSED, fire error, never reconnect (SSE-23).
	Fail
	// Reestablish: set readyState to CONNECTING, fire error, wait
	// [Decision.Delay] and call [Conn.Connect] again (SSE-28).
	Reestablish
)

// State returns the ready state the host shows once it performs a.
func (a Action) State() ReadyState {
	switch a {
	case Announce:
		return Open
	case Reestablish:
		return Connecting
	}
	return Closed
}

// Decision is what the host does after a response or the end of an attempt.
type Decision struct {
	// Action is what to do; Action.State() is the readyState to show.
	Action Action
	// Delay is the wait in milliseconds before the next attempt, for
	// Reestablish.
	Delay int
	// Err says why, for Fail and Reestablish; nil when announcing, and for
	// a Fail of a connection that was already closed.
	Err *Error
}

// Reconnect says whether a connection is reestablished after its body ends
// or a network error (SSE-27).
type Reconnect uint8

// The reconnection choices of [Options.Reconnect].
const (
	// ReconnectAuto reconnects GET requests only, so that a request with
	// side effects is never repeated silently.
	ReconnectAuto Reconnect = iota
	// ReconnectAlways reconnects whatever the method.
	ReconnectAlways
	// ReconnectNever fails where the standard would reestablish; the clean
	// end of a body is then a normal end (KindEnded).
	ReconnectNever
)

// Limits of what a host can ask for.
const (
	// MaxURLLength is the longest URL a connection requests, Chrome's limit
	// (url::kMaxURLChars): a longer one fails with KindURLTooLong.
	MaxURLLength = 2 << 20
	// MaxLimit is the largest value of a field of [Limits] that a host
	// should accept: an event this large is near the longest string a
	// JavaScript engine can make.
	MaxLimit = 256 << 20
)

// Policy is the reconnection policy, an extension of the standard, whose
// policy is the zero value: wait the reconnection time, retry forever, fail
// on any status but 200.
type Policy struct {
	// InitialDelay is the reconnection time in milliseconds until the
	// server's retry field sets one; 0 means DefaultRetry.
	InitialDelay int
	// Factor multiplies the delay after each consecutive failed attempt:
	// the nth waits the reconnection time × Factor^(n-1). 0 and 1 keep
	// the delay constant.
	Factor float64
	// MaxDelay caps the delay in milliseconds; 0 means no cap but MaxRetry.
	MaxDelay int
	// Jitter waits a uniformly random time between 0 and the delay ("full
	// jitter"), so that clients do not reconnect in step.
	Jitter bool
	// MaxAttempts fails the connection after that many consecutive
	// attempts without an announced response; 0 means no limit.
	MaxAttempts int
	// RetryStatuses are the response statuses that reestablish the
	// connection instead of failing it, after the response's Retry-After
	// when it has one, else the delay.
	RetryStatuses []int
}

// Options configure a [Conn]. The zero value is the standard's behaviour.
type Options struct {
	// Method is the request method; "" means GET. It decides what
	// ReconnectAuto does.
	Method string
	// Reconnect says whether to reestablish the connection.
	Reconnect Reconnect
	// Limits bound the memory one response can make the parser hold.
	Limits Limits
	// Budget, when set, bounds the memory the parsers of every connection
	// sharing it hold together.
	Budget *Budget
	// StrictCharset fails a response whose Content-Type names a charset
	// other than utf-8, as Chrome does; the standard ignores the charset
	// (SSE-22).
	StrictCharset bool
	// RawText leaves the text of events undecoded, for a host that decodes
	// it with a WHATWG UTF-8 decoder itself (see [Parser.SetRaw]). The
	// last event ID ([Conn.LastEventID]) is decoded either way.
	RawText bool
	// LastEventID is the initial last event ID string, sent as
	// Last-Event-ID from the first request: an extension, for resuming a
	// stream after a restart. The standard starts with "".
	LastEventID string
	// Policy is the reconnection policy.
	Policy Policy
	// Rand returns a uniform random number in [0, 1) for the jitter; nil
	// uses math/rand/v2.
	Rand func() float64
	// Now returns the current time in Unix milliseconds, for a Retry-After
	// date; nil uses the system clock.
	Now func() int64
}

// Request is what the host fetches for one attempt.
type Request struct {
	// URL is the URL to fetch: the constructor's URL, and after a response
	// the final URL of the last response (SSE-26).
	URL string
	// LastEventID is the value of the Last-Event-ID header, "" meaning no
	// header (SSE-16, SSE-29). It is text; the header carries its UTF-8
	// bytes.
	LastEventID string
	// Attempt counts the attempts since the last announced response,
	// starting at 1.
	Attempt int
	// SameOrigin reports whether URL has the origin of the constructor's
	// URL. When it does not, the host leaves out the request headers that
	// fetch drops on a cross-origin redirect (Authorization): a
	// reconnection goes straight to the final URL and must not send there
	// what the redirect would not have.
	SameOrigin bool
	// Classify reports whether the host should tell a CORS failure from a
	// network error when the request fails without a response: only when
	// the two lead to different decisions, and only for GET and HEAD,
	// which a probe may repeat.
	Classify bool
}

// Conn is the connection model of one EventSource: it decides, and the host
// performs. The host calls [Conn.Connect] for each attempt and fetches the
// [Request] it returns; [Conn.Response] for the response; [Conn.Feed] and
// [Conn.Next] for each chunk of an announced body; and [Conn.End] when the
// attempt ends without a response, or its body ends. Each decision says
// what to show and do next. The last event ID and the reconnection time
// persist across attempts.
type Conn struct {
	p        Parser
	opts     Options
	state    ReadyState
	origin   string // of the constructor's URL
	url      string // of the next request
	attempts int    // since the last announce
	charged  int    // bytes charged to opts.Budget
	err      *Error // sticky: why Next stopped
	id       string // LastEventID's cache, for idRaw
	idRaw    []byte
}

// NewConn returns a connection to url, a URL the host has parsed and
// serialized (the WHATWG URL parser's output), in the CONNECTING state
// (SSE-17).
func NewConn(url string, o Options) *Conn {
	c := &Conn{opts: o, state: Connecting, url: url, origin: origin(url)}
	c.p.limits = o.Limits
	c.p.raw = o.RawText
	if o.LastEventID != "" {
		// The initial ID may hold what a parsed one cannot (NUL, CR, LF);
		// Connect leaves such an ID out, as the header could not carry it.
		c.p.id = append(c.p.id, o.LastEventID...)
	}
	c.p.Reset()
	return c
}

// ReadyState returns the current ready state.
func (c *Conn) ReadyState() ReadyState { return c.state }

// Connect starts an attempt: it returns the request to fetch, or fails the
// connection with KindScheme or KindURLTooLong (or a nil *Error when it is
// already closed).
func (c *Conn) Connect() (Request, *Error) {
	if c.state == Closed {
		return Request{}, nil
	}
	var err *Error
	switch {
	case !fetchable(c.url):
		err = &Error{Kind: KindScheme}
	case len(c.url) > MaxURLLength:
		err = &Error{Kind: KindURLTooLong}
	}
	if err != nil {
		c.close()
		return Request{}, err
	}
	c.attempts++
	r := Request{
		URL:        c.url,
		Attempt:    c.attempts,
		SameOrigin: origin(c.url) == c.origin && c.origin != "",
		Classify:   c.reconnects() && (c.opts.Method == "" || c.opts.Method == "GET" || c.opts.Method == "HEAD"),
	}
	if id := c.LastEventID(); headerSafe(id) {
		r.LastEventID = id
	}
	return r, nil
}

// Response is what the host knows of a response, after following redirects.
type Response struct {
	// Status is the HTTP status.
	Status int
	// ContentType is the Content-Type header, several values joined by
	// ", ", or "" when absent.
	ContentType string
	// URL is the response's final URL; "" means the request's.
	URL string
	// RetryAfter is the Retry-After header, "" when absent.
	RetryAfter string
}

// Response decides on a response (SSE-19c/d, SSE-21, SSE-22): status 200
// with a text/event-stream MIME essence is announced; a status of
// [Policy.RetryStatuses] is reestablished; anything else fails.
func (c *Conn) Response(r Response) Decision {
	if c.state == Closed {
		return Decision{Action: Fail}
	}
	if r.URL != "" {
		c.url = r.URL // SSE-26
	}
	if r.Status != 200 {
		err := &Error{Kind: KindStatus, Status: r.Status}
		for _, s := range c.opts.Policy.RetryStatuses {
			if s == r.Status {
				d := c.reestablish(err)
				if d.Action == Reestablish {
					if ms, ok := c.retryAfter(r.RetryAfter); ok {
						d.Delay = ms
					}
				}
				return d
			}
		}
		return c.fail(err)
	}
	essence, charset, ok := extractMIME(r.ContentType)
	if !ok || essence != "text/event-stream" ||
		(c.opts.StrictCharset && charset != "" && !asciiEqualFold(charset, "utf-8")) {
		return c.fail(&Error{Kind: KindContentType, Status: r.Status, ContentType: r.ContentType})
	}
	c.p.Reset() // SSE-30
	c.state = Open
	c.attempts = 0
	return Decision{Action: Announce}
}

// Feed hands the connection the next chunk of an announced body; see
// [Parser.Feed]. It is ignored unless the connection is open.
func (c *Conn) Feed(chunk []byte) {
	if c.state == Open {
		c.p.Feed(chunk)
	}
}

// Next advances to the next event of the fed chunk (see [Parser.Next]).
// When it returns false with [Conn.Err] set, a limit or the budget was
// exceeded and the connection has failed (CLOSED): the host fails it after
// dispatching the events before.
func (c *Conn) Next() bool {
	if c.state != Open {
		return false
	}
	if c.p.Next() {
		return true
	}
	if err := c.p.Err(); err != nil {
		kind, limit := KindEventTooLarge, c.p.maxEvent()
		if err == ErrLineTooLong {
			kind, limit = KindLineTooLong, c.p.maxLine()
		}
		c.err = &Error{Kind: kind, Limit: limit}
		c.close()
		return false
	}
	if b := c.opts.Budget; b != nil && !c.charge() {
		c.err = &Error{Kind: KindBudget, Limit: b.max}
		c.close()
	}
	return false
}

// Event returns the event of the last successful [Conn.Next]; its slices
// are valid until the next call of Next, Feed, Response, End or Close.
func (c *Conn) Event() Event { return c.p.Event() }

// Err returns why Next stopped the connection, or nil.
func (c *Conn) Err() *Error { return c.err }

// End decides what follows the end of an attempt (SSE-19a/b, SSE-27): why
// says what ended it. KindEnded is the clean end of an announced body;
// KindNetwork a request that failed or a body that broke off; KindInactive
// a host's inactivity timeout: these are reestablished unless the
// connection does not reconnect. KindAborted, KindCORS, KindRequest and
// KindEngine fail it. The unfinished event is discarded (SSE-35).
func (c *Conn) End(why Kind) Decision {
	c.p.Reset()
	c.uncharge()
	if c.state == Closed {
		return Decision{Action: Fail}
	}
	err := &Error{Kind: why}
	switch why {
	case KindEnded, KindNetwork, KindInactive:
		if c.reconnects() {
			return c.reestablish(err)
		}
	}
	return c.fail(err)
}

// Reset discards what the parser holds of the current body, the unfinished
// line and event (SSE-35), so that the next chunk starts a fresh body, BOM
// included; the ready state, the last event ID and the reconnection time
// stay. It is EventSource.reset() of whatwg/html PR #12272, for a host that
// pipes one stream after another into a connection.
func (c *Conn) Reset() {
	c.p.Reset()
	c.uncharge()
}

// Close is EventSource.close() (SSE-53): closed for good; the host aborts
// its request and drops queued events. It releases the parser's buffers.
func (c *Conn) Close() { c.close() }

// LastEventID returns the last event ID string (SSE-46), decoded, kept
// across attempts: what the next request sends as Last-Event-ID unless it
// is empty (SSE-29). It allocates only when the ID has changed.
func (c *Conn) LastEventID() string {
	if string(c.p.id) != string(c.idRaw) {
		c.idRaw = append(c.idRaw[:0], c.p.id...)
		c.id = c.p.LastEventID()
	}
	return c.id
}

// ReconnectionTime returns the reconnection time in milliseconds: the
// server's last retry field (SSE-44), else [Policy.InitialDelay], else
// DefaultRetry.
func (c *Conn) ReconnectionTime() int {
	if c.p.retry == 0 && c.opts.Policy.InitialDelay > 0 {
		return min(c.opts.Policy.InitialDelay, MaxRetry)
	}
	return c.p.ReconnectionTime()
}

func (c *Conn) reconnects() bool {
	switch c.opts.Reconnect {
	case ReconnectAlways:
		return true
	case ReconnectNever:
		return false
	}
	return c.opts.Method == "" || c.opts.Method == "GET"
}

func (c *Conn) reestablish(err *Error) Decision {
	p := &c.opts.Policy
	if p.MaxAttempts > 0 && c.attempts >= p.MaxAttempts {
		return c.fail(&Error{Kind: KindAttempts, Status: err.Status, Attempts: c.attempts})
	}
	c.state = Connecting
	delay := float64(c.ReconnectionTime())
	if p.Factor > 1 {
		for i := 1; i < c.attempts && delay < MaxRetry; i++ {
			delay *= p.Factor
		}
	}
	if p.MaxDelay > 0 && delay > float64(p.MaxDelay) {
		delay = float64(p.MaxDelay)
	}
	delay = min(delay, MaxRetry)
	if p.Jitter {
		r := rand.Float64
		if c.opts.Rand != nil {
			r = c.opts.Rand
		}
		delay *= r()
	}
	return Decision{Action: Reestablish, Delay: int(delay), Err: err}
}

func (c *Conn) fail(err *Error) Decision {
	c.close()
	return Decision{Action: Fail, Err: err}
}

func (c *Conn) close() {
	c.state = Closed
	c.p.Reset()
	c.p.line, c.p.data, c.p.decoded = nil, nil, nil
	c.uncharge()
}

func (c *Conn) now() int64 {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now().UnixMilli()
}

// headerSafe reports whether s can be a header value: no NUL, CR or LF. A
// parsed ID never has them (SSE-43); an initial one might.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' {
			return false
		}
	}
	return s != ""
}

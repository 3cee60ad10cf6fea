package polyfill

import "errors"

var errClosed = errors.New("eventsource: the connection is closed")

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
	// [Conn.ReconnectionTime] and fetch again (SSE-28).
	Reestablish
)

// Cause says why a response body, or the attempt to get one, ended.
type Cause uint8

// The causes a host reports to [Conn.End].
const (
	// EOF: the body of an announced response ended cleanly (SSE-27).
	EOF Cause = iota + 1
	// NetworkError: the request failed or the body broke off (SSE-19b,
	// SSE-27). It is retried.
	NetworkError
	// Aborted: the user agent cancelled the request, or retrying is known
	// to be futile, such as a failed CORS check (SSE-19a, SSE-20).
	Aborted
)

// Options configure a [Conn]. The zero value is the standard's behaviour.
type Options struct {
	// Limits bound the memory one response can make the parser hold.
	Limits Limits
	// NoReconnect fails the connection where the standard would reestablish
	// it, so that a non-GET request is never silently repeated.
	NoReconnect bool
	// StrictCharset fails a response whose Content-Type names a charset
	// other than utf-8, as Chrome does; the standard ignores the charset
	// (SSE-22).
	StrictCharset bool
}

// Conn is the connection model of one EventSource: its ready state, the
// decisions on each response (SSE-19..28) and the parser of its bodies, with
// the last event ID and reconnection time they share. The host performs the
// requests and calls its methods in order: [Conn.Response] for each
// response, [Conn.Feed] and [Conn.Next] for each chunk of an announced body,
// and [Conn.End] when the body or the request ends.
type Conn struct {
	Parser
	opts  Options
	state ReadyState
}

// NewConn returns a connection in the CONNECTING state (SSE-17).
func NewConn(o Options) *Conn {
	c := &Conn{opts: o, state: Connecting}
	c.limits = o.Limits
	c.Reset()
	return c
}

// ReadyState returns the current ready state.
func (c *Conn) ReadyState() ReadyState { return c.state }

// Response decides on a response, after the host has followed redirects
// (SSE-19c/d, SSE-21, SSE-22): status 200 with a text/event-stream MIME
// essence is announced, anything else fails. contentType is the value of the
// Content-Type header, several values joined by ", ", or "" when absent. A
// failure returns a [*ResponseError] saying why.
func (c *Conn) Response(status int, contentType string) (Action, error) {
	if c.state == Closed {
		return Fail, errClosed
	}
	if status != 200 {
		return c.failWith(&ResponseError{Status: status, ContentType: contentType})
	}
	essence, charset, ok := extractMIME(contentType)
	if !ok || essence != "text/event-stream" ||
		(c.opts.StrictCharset && charset != "" && !asciiEqualFold(charset, "utf-8")) {
		return c.failWith(&ResponseError{Status: status, ContentType: contentType})
	}
	c.Reset() // SSE-30
	c.state = Open
	return Announce, nil
}

func (c *Conn) failWith(err error) (Action, error) {
	c.state = Closed
	return Fail, err
}

// End decides what follows the end of a body or of a request (SSE-19a/b,
// SSE-27): Reestablish, unless the cause is [Aborted], the connection is
// closed or the options say NoReconnect. The unfinished event is discarded
// (SSE-35).
func (c *Conn) End(cause Cause) Action {
	c.Reset()
	if c.state == Closed || cause == Aborted || c.opts.NoReconnect {
		c.state = Closed
		return Fail
	}
	c.state = Connecting
	return Reestablish
}

// Fail closes the connection because the host gave up on it, for example
// after [Parser.Err] reported a limit exceeded (SSE-23).
func (c *Conn) Fail() { c.state = Closed }

// Close is EventSource.close() (SSE-53): the connection is closed for good;
// the host aborts its request and drops queued events.
func (c *Conn) Close() { c.state = Closed }

// LastEventIDHeader returns the value of the Last-Event-ID header for the
// next request, and whether to send the header at all: only when the last
// event ID string is not empty (SSE-29). The first request never sends it
// (SSE-16); that is the host's to know. The value is the UTF-8 encoding of
// the decoded ID even when the parser is raw.
func (c *Conn) LastEventIDHeader() (string, bool) {
	if len(c.id) == 0 {
		return "", false
	}
	return string(appendDecoded(nil, c.id)), true
}

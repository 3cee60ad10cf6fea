package sse

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
)

// Options configure a [Stream]. The zero value is the standard's
// EventSource: GET, reconnect forever after the reconnection time, fail on
// any status but 200, 16 MiB limits, http.DefaultClient.
type Options struct {
	// Client makes the requests; nil means http.DefaultClient. The stream
	// uses a copy whose CheckRedirect follows up to 20 redirects, as fetch
	// does, and drops Authorization once a redirect leaves the origin
	// (then calls the Client's own CheckRedirect, if any). A Client.Timeout
	// bounds each whole attempt, body included: a stream outliving it
	// breaks off and reconnects.
	Client *http.Client
	// Header is sent with every request. The stream sets Accept:
	// text/event-stream, Cache-Control: no-cache and Pragma: no-cache
	// (SSE-16) unless Header has them, and Last-Event-ID as the engine
	// decides (SSE-29), replacing any given here. Authorization is left out
	// of a request whose URL is not of the constructor URL's origin (a
	// reconnection to the final URL of a cross-origin redirect, SSE-26).
	Header http.Header
	// HeaderFunc, when set, is called before each attempt; its headers are
	// added to Header's, replacing those of the same name: a token
	// refreshed for every reconnection. An error fails the stream with
	// KindRequest and the error as its Cause.
	HeaderFunc func(ctx context.Context) (http.Header, error)
	// Method is the request method; "" means GET. Streams of another
	// method do not reconnect unless Reconnect is ReconnectAlways.
	Method string
	// Body is the request body, not allowed with GET or HEAD. A
	// *bytes.Buffer, *bytes.Reader or *strings.Reader is replayable (its
	// content when NewStream was called is sent each time); any other
	// reader can be sent once only, which NewStream refuses with
	// ReconnectAlways unless GetBody is set.
	Body io.Reader
	// GetBody, when set, returns a fresh copy of the body for each
	// attempt, as http.Request.GetBody does; Body is then ignored.
	GetBody func() (io.ReadCloser, error)
	// Reconnect says whether the end or break of a body reconnects.
	Reconnect Reconnect
	// LastEventID is the initial last event ID, sent as Last-Event-ID from
	// the first request: an extension, for resuming a stream that a
	// previous process read. The standard starts with "".
	LastEventID string
	// Policy is the reconnection policy, an extension; the zero value is
	// the standard's.
	Policy Policy
	// InactivityTimeout, when positive, breaks off an attempt that
	// receives nothing (no response head, no body byte) for that long and
	// reconnects as after a network error (KindInactive). A server's
	// keep-alive comments count as something.
	InactivityTimeout time.Duration
	// Limits bound a line and an event's data; zero fields mean 16 MiB.
	Limits Limits
	// StrictCharset fails a response whose Content-Type names a charset
	// other than utf-8, as Chrome does; the standard ignores the charset
	// and always decodes UTF-8 (SSE-22).
	StrictCharset bool
	// OnTransition, when set, is called with each open and error
	// transition, in the goroutine that calls Next and in order with the
	// events: the same sequence a browser gives with its open and error
	// events. It may call Close.
	OnTransition func(Transition)
	// Rand returns a uniform random number in [0, 1) for the policy's
	// jitter; nil uses math/rand/v2.
	Rand func() float64
	// Now returns the current time, for a Retry-After date; nil uses
	// time.Now.
	Now func() time.Time
}

// Policy is the reconnection policy, an extension of the standard, whose
// policy is the zero value: wait the reconnection time, retry forever, fail
// on any status but 200. The engine computes every delay from it.
type Policy struct {
	// InitialDelay is the reconnection time until the server's retry
	// field sets one; 0 means DefaultReconnectionTime.
	InitialDelay time.Duration
	// Factor multiplies the delay after each consecutive failed attempt:
	// the nth waits the reconnection time × Factor^(n-1). 0 and 1 keep
	// the delay constant.
	Factor float64
	// MaxDelay caps the delay; 0 means no cap.
	MaxDelay time.Duration
	// Jitter waits a uniformly random time between 0 and the delay ("full
	// jitter"), so that clients do not reconnect in step.
	Jitter bool
	// MaxAttempts fails the stream after that many consecutive attempts
	// without an opened response (KindAttempts); 0 means no limit.
	MaxAttempts int
	// RetryStatuses are the response statuses that reconnect instead of
	// failing, after the response's Retry-After when it has one, else the
	// delay; for example 429, 502, 503.
	RetryStatuses []int
}

// Transition is a change of a [Stream]'s ready state that a browser
// reports with an event: open (State Open), error while reconnecting (State
// Connecting) and error when closed for good (State Closed). Close and a
// context's cancellation make none, as close() fires no event (SSE-53).
type Transition struct {
	// State is the ready state from now on.
	State ReadyState
	// Err says why, for Connecting and Closed: an *Error. Its Kind is
	// KindEnded for the clean end of a stream that does not reconnect.
	Err error
	// Delay is the wait before the next attempt, for Connecting.
	Delay time.Duration
	// Attempt counts the attempts since the last opened response,
	// starting at 1: the attempt that opened, failed or will be retried.
	Attempt int
	// Response is the attempt's response when it had one: for Open, the
	// response being read (its status, header and, in Request.URL, the
	// final URL after redirects); do not read or close its Body.
	Response *http.Response
}

// engineOptions returns what the engine reads of o.
func (o *Options) engineOptions() polyfill.Options {
	p := o.Policy
	eo := polyfill.Options{
		Method:        o.Method,
		Reconnect:     o.Reconnect,
		Limits:        o.Limits,
		StrictCharset: o.StrictCharset,
		LastEventID:   o.LastEventID,
		Policy: polyfill.Policy{
			InitialDelay:  toMillis(p.InitialDelay),
			Factor:        p.Factor,
			MaxDelay:      toMillis(p.MaxDelay),
			Jitter:        p.Jitter,
			MaxAttempts:   p.MaxAttempts,
			RetryStatuses: p.RetryStatuses,
		},
		Rand: o.Rand,
	}
	if eo.Rand == nil {
		eo.Rand = rand.Float64
	}
	if now := o.Now; now != nil {
		eo.Now = func() int64 { return now().UnixMilli() }
	}
	return eo
}

package sse

import (
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
)

// Event is one dispatched event (SSE-49). Its slices alias the buffers of
// the [Stream] or [Reader] that returned it and are valid until its next
// call of Next (or Close); use [Event.Clone] to keep one.
type Event struct {
	// Type is the event type; empty means "message" (SSE-41, SSE-49).
	Type []byte
	// Data is the event's data, without its last LF (SSE-48).
	Data []byte
	// LastEventID is the last event ID string when the event was
	// dispatched (SSE-46).
	LastEventID []byte
}

// EventType returns the event type as a browser names it: "message" when
// the stream gave none. It allocates for any other type.
func (e Event) EventType() string {
	if len(e.Type) == 0 {
		return "message"
	}
	return string(e.Type)
}

// Clone returns a copy of e that owns its bytes.
func (e Event) Clone() Event {
	return Event{Type: clone(e.Type), Data: clone(e.Data), LastEventID: clone(e.LastEventID)}
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// ReadyState is the readyState of a [Stream] (SSE-57).
type ReadyState = polyfill.ReadyState

// The ready states, with the values of the EventSource constants.
const (
	// Connecting: before the first response, and while reconnecting.
	Connecting = polyfill.Connecting
	// Open: a response was announced and its body is being read.
	Open = polyfill.Open
	// Closed: the stream failed, ended without reconnection, or was closed.
	Closed = polyfill.Closed
)

// Reconnect says whether a [Stream] reconnects after its body ends or
// breaks (SSE-27).
type Reconnect = polyfill.Reconnect

// The choices of [Options.Reconnect].
const (
	// ReconnectAuto reconnects GET streams only, so that a request with
	// side effects is never repeated silently.
	ReconnectAuto = polyfill.ReconnectAuto
	// ReconnectAlways reconnects whatever the method; the body must then
	// be replayable (see [Options.Body]).
	ReconnectAlways = polyfill.ReconnectAlways
	// ReconnectNever ends the stream when its body ends: Next returns
	// false with a nil Err.
	ReconnectNever = polyfill.ReconnectNever
)

// Limits bound the memory one response can make the parser hold; a zero
// field means the default of 16 MiB (SSE-34). A stream that exceeds one
// fails with an [Error] of kind KindLineTooLong or KindEventTooLarge.
type Limits = polyfill.Limits

// Error is why a stream failed or is reconnecting: the engine's [Kind],
// the facts that go with it (Status, ContentType, Limit, Attempts) and, in
// Cause, the net/http or I/O error behind it when there is one. Every error
// that Err returns or a [Transition] carries is an *Error, except a
// context's own error after its cancellation.
type Error = polyfill.Error

// Kind says what happened; see [Error].
type Kind = polyfill.Kind

// The kinds of [Error] that this package reports.
const (
	// KindNetwork: the request failed before a response, or the body
	// broke off. Reconnected.
	KindNetwork = polyfill.KindNetwork
	// KindEnded: the body ended. Reconnected; for a stream that does not
	// reconnect, a normal end that Err does not report.
	KindEnded = polyfill.KindEnded
	// KindStatus: the status is not 200, or one of [Policy.RetryStatuses]
	// (then reconnected).
	KindStatus = polyfill.KindStatus
	// KindContentType: the response is not text/event-stream.
	KindContentType = polyfill.KindContentType
	// KindLineTooLong: a line exceeded [Limits.MaxLineSize].
	KindLineTooLong = polyfill.KindLineTooLong
	// KindEventTooLarge: an event's data exceeded [Limits.MaxEventSize].
	KindEventTooLarge = polyfill.KindEventTooLarge
	// KindScheme: the URL's scheme cannot be fetched.
	KindScheme = polyfill.KindScheme
	// KindURLTooLong: the URL is longer than polyfill.MaxURLLength.
	KindURLTooLong = polyfill.KindURLTooLong
	// KindRequest: the request could not be made: a header that net/http
	// cannot send, an error of [Options.HeaderFunc] or [Options.GetBody], a
	// blob: URL. Fails: retrying would be futile.
	KindRequest = polyfill.KindRequest
	// KindInactive: nothing arrived for [Options.InactivityTimeout].
	// Reconnected.
	KindInactive = polyfill.KindInactive
	// KindAttempts: [Policy.MaxAttempts] consecutive attempts failed.
	KindAttempts = polyfill.KindAttempts
)

// DefaultReconnectionTime is the reconnection time until the server or
// [Policy.InitialDelay] sets one: Chrome's 3 seconds (SSE-18).
const DefaultReconnectionTime = polyfill.DefaultRetry * time.Millisecond

func millis(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// toMillis converts d for the engine, rounding a positive duration below a
// millisecond up rather than to zero, which would mean "the default".
func toMillis(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return int(min(ms, polyfill.MaxRetry))
}

package polyfill

import "strconv"

// Kind says why a connection attempt ended or failed. The engine reports the
// kinds it decides ([Conn.Response], [Conn.Next], [Conn.End]); hosts report
// the others through a [Cause] or use them for failures of their own, so
// that every error of a connection has one of these names.
type Kind uint8

// The kinds of [Error]. Their String values are the reason codes of the
// shim's error events; they never change.
const (
	// KindNetwork: the request failed before a response, or the body broke
	// off (SSE-19b, SSE-27). Reestablished.
	KindNetwork Kind = iota + 1
	// KindEnded: the body ended cleanly (SSE-27). Reestablished, or, for a
	// connection that does not reconnect, the stream is over: a normal end,
	// not a failure.
	KindEnded
	// KindAborted: the user agent aborted the request (SSE-19a), such as
	// window.stop(). Fails.
	KindAborted
	// KindCORS: the response failed the CORS check (SSE-20). Fails.
	KindCORS
	// KindStatus: the final response's status is not 200 (SSE-21), or it is
	// a status the policy retries. [Error.Status] has it.
	KindStatus
	// KindContentType: the final response is not text/event-stream, or
	// names a charset other than UTF-8 under [Options.StrictCharset]
	// (SSE-22). [Error.ContentType] has the header.
	KindContentType
	// KindLineTooLong: a line exceeded [Limits.MaxLineSize] (SSE-34).
	// [Error.Limit] has the limit.
	KindLineTooLong
	// KindEventTooLarge: an event's data exceeded [Limits.MaxEventSize].
	// [Error.Limit] has the limit.
	KindEventTooLarge
	// KindBudget: the connection would have made the engine hold more than
	// its [Budget] allows across all connections. [Error.Limit] has the
	// budget.
	KindBudget
	// KindScheme: the URL's scheme is not one a host can fetch (SSE-20).
	KindScheme
	// KindURLTooLong: the URL exceeds [MaxURLLength], which Chrome refuses.
	KindURLTooLong
	// KindRequest: the host could not build or send the request (invalid
	// headers, a headers function that threw). Fails.
	KindRequest
	// KindInactive: nothing arrived for the host's inactivity timeout.
	// Reestablished.
	KindInactive
	// KindAttempts: the attempt failed and [Policy.MaxAttempts] consecutive
	// attempts have been made. Fails.
	KindAttempts
	// KindEngine: the host's engine could not be loaded or stopped.
	KindEngine
)

var kindNames = [...]string{
	KindNetwork:       "network",
	KindEnded:         "ended",
	KindAborted:       "aborted",
	KindCORS:          "cors",
	KindStatus:        "status",
	KindContentType:   "content-type",
	KindLineTooLong:   "line-too-long",
	KindEventTooLarge: "event-too-large",
	KindBudget:        "memory-budget",
	KindScheme:        "scheme",
	KindURLTooLong:    "url-too-long",
	KindRequest:       "request",
	KindInactive:      "inactive",
	KindAttempts:      "attempts",
	KindEngine:        "engine",
}

// String returns the kind's reason code, such as "network" or "status".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// Error is why a connection failed or is being reestablished: a [Kind] and
// the facts that go with it. Its message is composed in Error, the one place
// for Go callers; the JS shim composes its console messages from the same
// fields.
type Error struct {
	// Kind says what happened.
	Kind Kind
	// Status is the HTTP status of the response, when there was one.
	Status int
	// ContentType is the response's Content-Type header, for
	// KindContentType ("" when absent).
	ContentType string
	// Limit is the limit in bytes that was exceeded, for KindLineTooLong,
	// KindEventTooLarge and KindBudget.
	Limit int
	// Attempts is the number of consecutive attempts made, for KindAttempts.
	Attempts int
	// Cause is the host's own error behind the kind, when it has one: the
	// network error of a failed request or body, or what made a request
	// impossible. The engine never sets it; a host adds it to the Err of
	// the decision it got, and it shows at the end of the message.
	Cause error
}

// Error returns a message in the words a browser console uses where Chrome
// has one, followed by the [Error.Cause] when there is one.
func (e *Error) Error() string {
	if e.Cause != nil {
		return e.message() + ": " + e.Cause.Error()
	}
	return e.message()
}

// Unwrap returns the [Error.Cause], so that errors.Is and errors.As see
// the host's error too.
func (e *Error) Unwrap() error { return e.Cause }

func (e *Error) message() string {
	switch e.Kind {
	case KindStatus:
		return "EventSource's response has a status " + strconv.Itoa(e.Status) +
			" that is not 200. Aborting the connection."
	case KindContentType:
		if e.ContentType == "" {
			return "EventSource's response has no Content-Type; it must be \"text/event-stream\". Aborting the connection."
		}
		return "EventSource's response has a MIME type (\"" + e.ContentType +
			"\") that is not \"text/event-stream\". Aborting the connection."
	case KindLineTooLong:
		return "eventsource: a line of the stream exceeds the maximum line size (" + strconv.Itoa(e.Limit) + " bytes)"
	case KindEventTooLarge:
		return "eventsource: an event's data exceeds the maximum event size (" + strconv.Itoa(e.Limit) + " bytes)"
	case KindBudget:
		return "eventsource: the stream would make the engine hold more than its memory budget (" + strconv.Itoa(e.Limit) + " bytes)"
	case KindScheme:
		return "eventsource: only http:, https:, data: and blob: URLs can be fetched"
	case KindURLTooLong:
		return "eventsource: the URL is longer than " + strconv.Itoa(MaxURLLength) + " characters"
	case KindAttempts:
		return "eventsource: giving up after " + strconv.Itoa(e.Attempts) + " consecutive failed attempts"
	case KindEnded:
		return "eventsource: the stream ended"
	}
	return "eventsource: " + e.Kind.String()
}

// Is reports whether target is the sentinel error of e's kind, so that
// errors.Is(err, ErrLineTooLong) holds for a limit error of a [Conn].
func (e *Error) Is(target error) bool {
	switch target {
	case ErrLineTooLong:
		return e.Kind == KindLineTooLong
	case ErrEventTooLarge:
		return e.Kind == KindEventTooLarge
	}
	return false
}

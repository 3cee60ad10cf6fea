package sse

import (
	"io"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
)

// Reader reads the events of one event stream body that the caller already
// has, such as the response of a streaming LLM API: no request, no
// reconnection. It decodes the body as the WHATWG UTF-8 decoder does
// (SSE-31) with the engine's parser, and is read like a bufio.Scanner:
//
//	r := sse.NewReader(resp.Body, sse.Limits{})
//	for r.Next() {
//		handle(r.Event().Data)
//	}
//	if err := r.Err(); err != nil { ... }
//
// It reads the body in chunks of up to 64 KiB and allocates nothing per
// event. It does not close the body.
type Reader struct {
	r       io.Reader
	p       *polyfill.Parser
	buf     []byte
	ev      Event
	readErr error
	err     error
	done    bool
	empty   int // consecutive empty reads
}

// maxEmptyReads is how many reads returning nothing in a row make a reader
// give up with io.ErrNoProgress, as bufio.Scanner does.
const maxEmptyReads = 100

// NewReader returns a Reader of the events of r, with the given limits
// (zero fields mean 16 MiB).
func NewReader(r io.Reader, limits Limits) *Reader {
	return &Reader{r: r, p: polyfill.NewParser(limits)}
}

// Next advances to the next event and reports whether there is one. It
// returns false at the end of the body, whose unfinished event is dropped
// (SSE-35), or on an error: Err says which.
func (r *Reader) Next() bool {
	for !r.done {
		if r.p.Next() {
			r.ev = Event(r.p.Event())
			return true
		}
		if err := r.p.Err(); err != nil {
			kind, limit := polyfill.KindEventTooLarge, r.p.Limits().MaxEventSize
			if err == polyfill.ErrLineTooLong {
				kind, limit = polyfill.KindLineTooLong, r.p.Limits().MaxLineSize
			}
			r.finish(&polyfill.Error{Kind: kind, Limit: limit})
			break
		}
		if r.readErr != nil {
			if r.readErr == io.EOF {
				r.finish(nil)
			} else {
				r.finish(r.readErr)
			}
			break
		}
		if r.buf == nil {
			r.buf = make([]byte, readSize)
		}
		n, err := r.r.Read(r.buf)
		if n > 0 {
			r.empty = 0
			r.p.Feed(r.buf[:n])
		} else if err == nil {
			if r.empty++; r.empty >= maxEmptyReads {
				err = io.ErrNoProgress
			}
		}
		r.readErr = err
	}
	return false
}

func (r *Reader) finish(err error) {
	r.done, r.err, r.ev = true, err, Event{}
	r.buf = nil
}

// Event returns the event of the last Next that returned true; its slices
// are valid until the next call of Next.
func (r *Reader) Event() Event { return r.ev }

// Err returns why Next returned false: nil at the end of the body, the
// body's read error, or an *Error of kind KindLineTooLong or
// KindEventTooLarge when the stream exceeded a limit.
func (r *Reader) Err() error { return r.err }

// LastEventID returns the last event ID string so far (SSE-46), including
// that of a block without data: the ID to resume from with a new request's
// Last-Event-ID. It allocates the string.
func (r *Reader) LastEventID() string { return r.p.LastEventID() }

// ReconnectionTime returns the reconnection time the stream asked for with
// its last retry field, or DefaultReconnectionTime (SSE-44).
func (r *Reader) ReconnectionTime() time.Duration { return millis(r.p.ReconnectionTime()) }

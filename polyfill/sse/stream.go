package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
)

// readSize is the buffer of one body read: what a network read delivers at
// most, as the engine's benchmarks feed it.
const readSize = 64 << 10

var (
	errClosed   = errors.New("sse: stream closed")
	errInactive = errors.New("sse: no byte arrived for the inactivity timeout")
	errFinished = errors.New("sse: stream finished")
)

// Stream is an EventSource: the events of a URL, across reconnections.
// Read it with Next, Event and Err in one goroutine; Close and ReadyState
// may be called from any goroutine. A Stream does its I/O in the goroutine
// that calls Next, and starts none of its own: a server that sends faster
// than the caller reads is held back by TCP, not buffered here.
type Stream struct {
	url    string
	opts   Options
	client *http.Client
	conn   *polyfill.Conn
	// ctx ends with the caller's context, with Close (errClosed), or when
	// the stream is over (errFinished); every request is made under it.
	ctx    context.Context
	cancel context.CancelCauseFunc

	state  atomic.Uint32 // ReadyState
	busy   atomic.Bool   // Next is running
	closed atomic.Bool

	// Owned by the goroutine in Next.
	getBody  func() (io.ReadCloser, error)
	body     io.ReadCloser   // the announced response's body, nil between attempts
	actx     context.Context // the attempt's context, nil between attempts
	acancel  context.CancelCauseFunc
	idle     *time.Timer         // the attempt's inactivity timer, or nil
	readErr  error               // how the body ended, once its last chunk is parsed
	waiting  bool                // the next attempt waits for delay
	delay    time.Duration       // the reconnection wait
	wait     *time.Timer         // for the reconnection wait
	attempt  int                 // of the current request
	buf      []byte              // the body read buffer
	ev       Event               // the current event
	err      error               // why the stream stopped
	done     bool                // Next returns false from now on
	released bool                // the resources are released
	request  polyfill.Request    // of the current attempt
	parsed   map[string]*url.URL // reconnection URLs, parsed once each
}

// NewStream returns a stream of the events of rawURL, in the CONNECTING
// state; the first request is made by the first call of Next (SSE-17). It
// returns an error, and no stream, for what a browser's constructor would
// throw for or a request could never carry: a URL that is not absolute or
// that Go's URL parser refuses, an invalid method, a body with GET or HEAD,
// or a body that cannot be replayed with ReconnectAlways. ctx bounds the
// whole stream: its cancellation closes it, and Err then returns the
// context's error.
func NewStream(ctx context.Context, rawURL string, o Options) (*Stream, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if o.Method == "" {
		o.Method = http.MethodGet
	}
	if !validName(o.Method) {
		return nil, fmt.Errorf("sse: invalid method %q", o.Method)
	}
	s := &Stream{url: u.String(), opts: o, getBody: o.GetBody}
	if s.getBody == nil && o.Body != nil {
		if s.getBody = replayable(o.Body); s.getBody == nil {
			once := o.Body
			s.getBody = func() (io.ReadCloser, error) {
				if once == nil {
					return nil, errors.New("sse: the body cannot be sent again")
				}
				r := once
				once = nil
				return io.NopCloser(r), nil
			}
			if o.Reconnect == ReconnectAlways {
				return nil, errors.New("sse: a Body that is not replayable needs GetBody to reconnect")
			}
		}
	}
	if s.getBody != nil && (o.Method == http.MethodGet || o.Method == http.MethodHead) {
		return nil, fmt.Errorf("sse: a %s request has no body", o.Method)
	}
	base := o.Client
	if base == nil {
		base = http.DefaultClient
	}
	c := *base
	c.CheckRedirect = redirectPolicy(base.CheckRedirect)
	s.client = &c
	s.conn = polyfill.NewConn(s.url, o.engineOptions())
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	return s, nil
}

// URL returns the stream's URL as parsed and serialized by NewStream; it
// never changes, even after redirects (SSE-13).
func (s *Stream) URL() string { return s.url }

// ReadyState returns the current ready state. It may be called from any
// goroutine.
func (s *Stream) ReadyState() ReadyState { return ReadyState(s.state.Load()) }

// LastEventID returns the last event ID string (SSE-46): what the next
// request sends as Last-Event-ID unless it is empty. Call it from the
// goroutine that calls Next, or from OnTransition.
func (s *Stream) LastEventID() string { return s.conn.LastEventID() }

// ReconnectionTime returns the reconnection time: the server's last retry
// field, else [Policy.InitialDelay], else DefaultReconnectionTime (SSE-18,
// SSE-44). Call it from the goroutine that calls Next, or from
// OnTransition.
func (s *Stream) ReconnectionTime() time.Duration { return millis(s.conn.ReconnectionTime()) }

// Event returns the event of the last Next that returned true. Its slices
// are valid until the next call of Next or Close.
func (s *Stream) Event() Event { return s.ev }

// Err returns why Next returned false: nil after Close, or after the end
// of a stream that does not reconnect; the context's error after its
// cancellation; else an *Error, the failure that closed the stream (a
// status, a content type, a limit, KindAttempts...).
func (s *Stream) Err() error { return s.err }

// Close closes the stream for good (SSE-53): Next returns false from then
// on, without a transition. It may be called from any goroutine, and from
// OnTransition; calling it again does nothing. It cancels the stream's
// context, which makes net/http close the connection at once and unblocks
// a Next waiting for it; the goroutine that calls Next releases the rest on
// its way out (or at its next call).
func (s *Stream) Close() {
	if s.closed.Swap(true) {
		return
	}
	s.state.Store(uint32(Closed))
	s.cancel(errClosed)
}

// Next makes requests and reads the body until the next event, and
// reports whether there is one. It returns false when the stream is
// closed, failed or over: Err says which. Transitions are reported to
// OnTransition from inside Next, in order with the events.
func (s *Stream) Next() bool {
	if !s.busy.CompareAndSwap(false, true) {
		panic("sse: Stream.Next called concurrently")
	}
	defer s.busy.Store(false)
	if s.next() {
		return true
	}
	s.release()
	return false
}

func (s *Stream) next() bool {
	for {
		if s.done {
			return false
		}
		if s.closed.Load() || s.ctx.Err() != nil {
			s.stop()
			return false
		}
		switch {
		case s.body != nil:
			if s.conn.Next() {
				s.ev = Event(s.conn.Event())
				return true
			}
			if e := s.conn.Err(); e != nil {
				// A limit: the engine has closed the connection, after the
				// events before it (SSE-34).
				s.finishAttempt()
				s.perform(polyfill.Decision{Action: polyfill.Fail, Err: e}, nil)
				continue
			}
			if s.readErr != nil {
				s.bodyEnded()
				continue
			}
			n, err := s.body.Read(s.buf)
			if n > 0 {
				if s.idle != nil {
					s.idle.Reset(s.opts.InactivityTimeout)
				}
				s.conn.Feed(s.buf[:n])
			}
			if err != nil {
				s.readErr = err // after the events of this chunk
			}
		case s.waiting:
			if s.wait == nil {
				s.wait = time.NewTimer(s.delay)
			} else {
				s.wait.Reset(s.delay)
			}
			select {
			case <-s.wait.C:
				s.waiting = false
			case <-s.ctx.Done():
				s.wait.Stop()
			}
		default:
			s.connect()
		}
	}
}

// connect makes one attempt (SSE-19): the engine's request, its response
// and the engine's decision on it.
func (s *Stream) connect() {
	req, cerr := s.conn.Connect()
	if cerr != nil {
		s.perform(polyfill.Decision{Action: polyfill.Fail, Err: cerr}, nil)
		return
	}
	s.request, s.attempt = req, req.Attempt
	actx, cancel := context.WithCancelCause(s.ctx)
	s.actx, s.acancel = actx, cancel
	if d := s.opts.InactivityTimeout; d > 0 {
		s.idle = time.AfterFunc(d, func() { cancel(errInactive) })
	}
	hreq, err := s.newRequest(actx, req)
	if err != nil {
		s.finishAttempt()
		s.end(polyfill.KindRequest, err)
		return
	}
	var resp *http.Response
	switch u := hreq.URL; u.Scheme {
	case "data":
		resp, err = dataResponse(u, hreq)
	case "blob":
		s.finishAttempt()
		s.end(polyfill.KindRequest, errBlob)
		return
	default:
		resp, err = s.client.Do(hreq)
	}
	if err != nil {
		inactive := context.Cause(actx) == errInactive
		s.finishAttempt()
		if s.ctx.Err() != nil {
			return // closed or canceled: no decision, no transition
		}
		kind := polyfill.KindNetwork
		if inactive {
			kind = polyfill.KindInactive
		}
		s.end(kind, err)
		return
	}
	if s.idle != nil {
		s.idle.Reset(s.opts.InactivityTimeout)
	}
	d := s.conn.Response(polyfill.Response{
		Status:      resp.StatusCode,
		ContentType: strings.Join(resp.Header.Values("Content-Type"), ", "),
		URL:         serialize(resp.Request.URL),
		RetryAfter:  resp.Header.Get("Retry-After"),
	})
	if d.Action == polyfill.Announce {
		if s.buf == nil {
			s.buf = make([]byte, readSize)
		}
		s.body, s.readErr = resp.Body, nil
		s.setState(Open)
		s.notify(Transition{State: Open, Attempt: s.attempt, Response: resp})
		return
	}
	// Let a short error body go, so that the connection can be reused.
	io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
	s.finishAttempt()
	s.perform(d, resp)
}

// newRequest builds the request of one attempt: the engine's URL and
// Last-Event-ID, the options' method, headers and body (SSE-15, SSE-16,
// SSE-29).
func (s *Stream) newRequest(ctx context.Context, req polyfill.Request) (*http.Request, error) {
	u := s.parsed[req.URL]
	if u == nil {
		var err error
		if u, err = url.Parse(req.URL); err != nil {
			return nil, err
		}
		if s.parsed == nil {
			s.parsed = map[string]*url.URL{}
		}
		if len(s.parsed) > 16 {
			clear(s.parsed)
		}
		s.parsed[req.URL] = u
	}
	h := make(http.Header, len(s.opts.Header)+4)
	mergeHeader(h, s.opts.Header)
	if f := s.opts.HeaderFunc; f != nil {
		more, err := f(ctx)
		if err != nil {
			return nil, fmt.Errorf("sse: HeaderFunc: %w", err)
		}
		mergeHeader(h, more)
	}
	for _, d := range [...][2]string{{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}, {"Pragma", "no-cache"}} {
		if _, ok := h[d[0]]; !ok {
			h[d[0]] = []string{d[1]}
		}
	}
	delete(h, "Last-Event-Id")
	if req.LastEventID != "" {
		// The engine's decoded ID, sent as its UTF-8 bytes (SSE-29).
		h["Last-Event-Id"] = []string{req.LastEventID}
	}
	if !req.SameOrigin {
		delete(h, "Authorization")
	}
	if err := checkHeader(h); err != nil {
		return nil, err
	}
	hreq := (&http.Request{
		Method:     s.opts.Method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       u.Host,
	}).WithContext(ctx)
	if s.getBody != nil {
		body, err := s.getBody()
		if err != nil {
			return nil, fmt.Errorf("sse: GetBody: %w", err)
		}
		hreq.Body, hreq.GetBody, hreq.ContentLength = body, s.getBody, -1
		if sz, ok := lengthOf(s.opts.Body); ok && s.opts.GetBody == nil {
			hreq.ContentLength = sz
		}
	}
	return hreq, nil
}

func lengthOf(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len()), true
	}
	return 0, false
}

// bodyEnded hands the engine the end of the announced body (SSE-27): a
// clean end, a network error, or the inactivity timeout.
func (s *Stream) bodyEnded() {
	err := s.readErr
	inactive := s.actx != nil && context.Cause(s.actx) == errInactive
	s.finishAttempt()
	if s.ctx.Err() != nil {
		return
	}
	switch {
	case err == io.EOF:
		s.end(polyfill.KindEnded, nil)
	case inactive:
		s.end(polyfill.KindInactive, err)
	default:
		s.end(polyfill.KindNetwork, err)
	}
}

// end asks the engine what follows the end of an attempt, and performs it.
func (s *Stream) end(why polyfill.Kind, cause error) {
	d := s.conn.End(why)
	if d.Err != nil && cause != nil {
		d.Err.Cause = cause
	}
	s.perform(d, nil)
}

// perform carries out a decision to reestablish or fail (SSE-23, SSE-28).
func (s *Stream) perform(d polyfill.Decision, resp *http.Response) {
	switch d.Action {
	case polyfill.Reestablish:
		s.setState(Connecting)
		s.delay, s.waiting = millis(d.Delay), true
		s.notify(Transition{State: Connecting, Err: d.Err, Delay: s.delay, Attempt: s.attempt, Response: resp})
	case polyfill.Fail:
		s.done = true
		s.state.Store(uint32(Closed))
		if d.Err != nil && d.Err.Kind != polyfill.KindEnded {
			s.err = d.Err
		}
		var err error
		if d.Err != nil {
			err = d.Err
		}
		s.notify(Transition{State: Closed, Err: err, Attempt: s.attempt, Response: resp})
		s.cancel(errFinished)
	}
}

func (s *Stream) notify(t Transition) {
	if f := s.opts.OnTransition; f != nil && !s.closed.Load() {
		f(t)
	}
}

// stop ends the stream after Close or the context's cancellation: no
// decision and no transition, as for close() (SSE-53).
func (s *Stream) stop() {
	s.done = true
	s.state.Store(uint32(Closed))
	s.conn.Close()
	if !s.closed.Load() && context.Cause(s.ctx) != errClosed {
		s.err = s.ctx.Err()
	}
	s.ev = Event{}
}

// finishAttempt ends the current attempt: closes its body, cancels its
// context and stops its inactivity timer.
func (s *Stream) finishAttempt() {
	if s.body != nil {
		s.body.Close()
		s.body = nil
	}
	s.readErr = nil
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
	if s.acancel != nil {
		s.acancel(nil)
		s.actx, s.acancel = nil, nil
	}
}

// release frees what the stream holds once Next has returned false.
func (s *Stream) release() {
	if s.released {
		return
	}
	s.released = true
	s.finishAttempt()
	if s.wait != nil {
		s.wait.Stop()
	}
	s.conn.Close()
	s.cancel(errFinished)
	s.ev, s.buf = Event{}, nil
}

// setState shows st, unless Close has closed the stream meanwhile: CLOSED
// is for good.
func (s *Stream) setState(st ReadyState) {
	for {
		old := s.state.Load()
		if old == uint32(Closed) || s.state.CompareAndSwap(old, uint32(st)) {
			return
		}
	}
}

//go:build js && wasm

package main

import (
	"slices"
	"strconv"
	"unsafe"

	"github.com/eventsource-wasm/eventsource/polyfill"
)

// The message codec: what every bridge call returns to the shim, and the one
// place it is written (the shim's js/src/codec.js reads it; the fixtures in
// testdata/codec.json are checked by both sides).
//
// A message is a string of fields separated by CR, which no parsed value
// contains: zero or more events of three fields each, then one trailer
// field.
//
//	message = *( type CR data CR lastEventId CR ) trailer
//	trailer = [ item *( LF item ) ]
//	item    = tag value          ; one ASCII letter, then text without CR or LF
//
// A type is "" for "message". A type that begins with LF is the type of an
// event whose data travels separately: its data field is empty and its data
// is the next of the large strings (see below).
//
// The trailer's items, each at most once:
//
//	A        announce: OPEN, fire open
//	R<ms>    reestablish: CONNECTING, fire error, wait ms, connect again
//	F        fail: CLOSED, fire error
//	E<kind>  why, a polyfill.Kind name ("status", "network", "ended", ...)
//	S<n>     the HTTP status of the response involved
//	T<type>  the response's Content-Type, for E content-type
//	M<n>     the limit in bytes that was exceeded
//	N<n>     the attempt number (connect) or the attempts made (E attempts)
//	I<id>    the last event ID string now, when it is not the last event's
//	Y<ms>    the reconnection time now, when it changed
//	K<n>     the connection's handle (open)
//	U<url>   the URL to fetch (connect)
//	L<id>    the Last-Event-ID header to send (connect)
//	O        the URL has the constructor URL's origin (connect)
//	C        tell a CORS failure from a network error (connect)
//
// Most calls return one message as a string. feed, the call per chunk,
// crosses as two WebAssembly exports with numbers for arguments (feed.go):
// JS copies the chunk into the engine's memory, and decodes the answer from
// there (see header; js/src/codec.js's feeder). What JS makes of it is the
// message as a string, or an array when a chunk completes many or large
// events:
//
//	[n, message 1, …, message n, large 1, …, large m]
//
// Messages are cut between events once one reaches batchBytes (only the last
// has a trailer), and the data of an event of bigData bytes or more is a
// string of its own after them, in order. Chromium's TextDecoder makes
// strings of a megabyte or more about three times slower than smaller ones,
// and a fetch chunk can be 2 MiB; a string of its own is never scanned by
// split nor copied into a message first.
const (
	batchBytes = 256 << 10
	bigData    = 32 << 10
)

// encoder builds messages in one buffer shared by every call: JS calls the
// bridge one call at a time, and reads each answer before its next call.
type encoder struct {
	buf   []byte
	start int    // of the message being built
	cuts  []int  // where each message but the first begins (feed)
	large []byte // the data of the event that travels separately, or nil (feed)
	items int    // trailer items written
	// lastID locates the last event's ID in buf, for the I item.
	lastID, lastIDEnd int
	hdr               []uint32 // feed's answer (see header)
}

func (e *encoder) reset() {
	e.buf, e.start, e.cuts, e.large, e.items = e.buf[:0], 0, e.cuts[:0], nil, 0
	e.lastID, e.lastIDEnd = -1, -1
}

// event appends one event, cutting the message first if it is full. It
// reports whether the event's data travels separately (large): the call
// must then end before the next event, which may reuse the data's buffer.
func (e *encoder) event(ev polyfill.Event) bool {
	if len(e.buf)-e.start >= batchBytes {
		e.cuts = append(e.cuts, len(e.buf))
		e.start = len(e.buf)
	}
	data, mark := ev.Data, 0
	if len(data) >= bigData {
		e.large, data, mark = data, nil, 1 // the type begins with LF
	}
	// One reservation for the three fields and their CRs, then copies: an
	// append per piece, each with its growth path, made this the largest
	// function of the bridge, and it is no faster.
	i := len(e.buf)
	n := i + mark + len(ev.Type) + len(data) + len(ev.LastEventID) + 3
	b := slices.Grow(e.buf, n-i)[:n]
	if mark != 0 {
		b[i] = '\n'
		i++
	}
	i += copy(b[i:], ev.Type)
	b[i] = '\r'
	i++
	i += copy(b[i:], data)
	b[i] = '\r'
	i++
	e.lastID = i
	i += copy(b[i:], ev.LastEventID)
	e.lastIDEnd = i
	b[i] = '\r'
	e.buf = b
	return mark != 0
}

// header lays out feed's answer in memory for JS, as uint32s: the number m
// of messages, the number l (0 or 1) of large data, 1 if the chunk has more
// events (JS calls feed again to continue) or 0, then m pairs of address
// and length of the messages and l pairs of the large data. It returns the
// header's address. The memory is JS's to read until the next call.
func (e *encoder) header(more bool) uint32 {
	h := append(e.hdr[:0], uint32(len(e.cuts)+1), 0, 0)
	prev := 0
	for _, c := range append(e.cuts, len(e.buf)) {
		h = append(h, address(e.buf)+uint32(prev), uint32(c-prev))
		prev = c
	}
	if e.large != nil {
		h[1] = 1
		h = append(h, address(e.large), uint32(len(e.large)))
	}
	if more {
		h[2] = 1
	}
	e.hdr = h
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(h))))
}

// address is where b's bytes are in the module's memory (below 4 GiB).
func address(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

// lastEventID reports the ID of the last event of the message, if any.
func (e *encoder) lastEventID() (string, bool) {
	if e.lastID < e.start {
		return "", false
	}
	return unsafe.String(unsafe.SliceData(e.buf[e.lastID:]), e.lastIDEnd-e.lastID), true
}

// item appends a trailer item. It is not inlined: a dozen call sites each
// carrying two appends (their growth paths included) made 10 KB of wasm,
// and no call is per event.
//
//go:noinline
func (e *encoder) item(tag byte, value string) {
	if e.items > 0 {
		e.buf = append(e.buf, '\n')
	}
	e.items++
	e.buf = append(e.buf, tag)
	e.buf = append(e.buf, value...)
}

func (e *encoder) flag(tag byte) { e.item(tag, "") }

func (e *encoder) number(tag byte, n int) {
	e.item(tag, "")
	e.buf = strconv.AppendInt(e.buf, int64(n), 10)
}

// decision appends the items of a decision of the engine.
func (e *encoder) decision(d polyfill.Decision) {
	switch d.Action {
	case polyfill.Announce:
		e.flag('A')
	case polyfill.Reestablish:
		e.number('R', d.Delay)
	default:
		e.flag('F')
	}
	if err := d.Err; err != nil {
		e.item('E', err.Kind.String())
		if err.Status != 0 {
			e.number('S', err.Status)
		}
		if err.Kind == polyfill.KindContentType {
			e.item('T', err.ContentType)
		}
		if err.Limit != 0 {
			e.number('M', err.Limit)
		}
		if err.Attempts != 0 {
			e.number('N', err.Attempts)
		}
	}
}

// finish returns the message built since reset, for syscall/js to convert
// to a JS string as the call returns.
func (e *encoder) finish() any {
	if len(e.buf) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(e.buf), len(e.buf))
}

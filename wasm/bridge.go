//go:build js && wasm

package main

import (
	"runtime"
	"strconv"
	"unsafe"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/hack-pad/safejs"
)

// bridge holds every connection of one Go instance and the buffers they
// share. JS calls it synchronously and one call at a time, so one input and
// one output buffer serve all connections.
type bridge struct {
	conns  map[int]*polyfill.Conn
	nextID int
	in     []byte // the chunk being parsed
	out    []byte // the batch being built
	funcs  []safejs.Func
	// traffic counts the bytes fed and returned since the last collect.
	traffic int
}

// Buffer sizes: in grows to the largest chunk seen; memory above keepBytes is
// given back after the call that needed it.
const (
	initialChunk = 64 << 10
	// batchBytes is the size from which feed cuts its batches, and bigData
	// the size from which an event's data goes to JS as a string of its own
	// (see feed).
	batchBytes = 256 << 10
	bigData    = 32 << 10
	keepBytes  = 1 << 20
	// collectBytes of traffic between collections bound what the glue's
	// value table holds (see collect).
	collectBytes = 16 << 20
)

func newBridge() *bridge {
	return &bridge{conns: make(map[int]*polyfill.Conn), in: make([]byte, initialChunk)}
}

// export sets the bridge's functions on host and returns how many it set.
func (b *bridge) export(host safejs.Value) (int, error) {
	exports := []struct {
		name string
		fn   func(args []safejs.Value) any
	}{
		{"open", b.open},
		{"response", b.response},
		{"feed", b.feed},
		{"end", b.end},
		{"lastEventId", b.lastEventID},
		{"close", b.close},
		{"debug", b.debug},
	}
	for _, e := range exports {
		fn := e.fn
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any { return fn(args) })
		if err != nil {
			return len(b.funcs), err
		}
		b.funcs = append(b.funcs, f)
		if err := host.Set(e.name, f); err != nil {
			return len(b.funcs), err
		}
	}
	return len(b.funcs), nil
}

// open(reconnect, strictCharset, maxLineSize, maxEventSize) → id.
func (b *bridge) open(args []safejs.Value) any {
	o := polyfill.Options{
		NoReconnect:   !boolArg(args, 0, true),
		StrictCharset: boolArg(args, 1, false),
		Limits: polyfill.Limits{
			MaxLineSize:  intArg(args, 2),
			MaxEventSize: intArg(args, 3),
		},
	}
	c := polyfill.NewConn(o)
	// The shim decodes each batch with TextDecoder, the WHATWG decoder, which
	// gives the same text as decoding here would (see Parser.SetRaw).
	c.SetRaw(true)
	b.nextID++
	b.conns[b.nextID] = c
	return b.nextID
}

// response(id, status, contentType) → "" to announce, else why it failed.
func (b *bridge) response(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil {
		return "EventSource: unknown connection"
	}
	ct, _ := stringArg(args, 2)
	if _, err := c.Response(intArg(args, 1), ct); err != nil {
		return err.Error()
	}
	return ""
}

// feed(id, chunk Uint8Array) → the events the chunk completed: "" for none;
// else a batch, a string of a status and then type, data and last event ID
// of each event, joined by CR, which no parsed value contains. A non-empty
// status means the connection has failed, after the events before it.
//
// Two things make feed return an array instead, [n, batch 1 … batch n,
// data 1 … data m]:
//   - Batches are cut between events every batchBytes, the first n-1
//     with an empty status. Chromium's TextDecoder makes a string of a
//     megabyte or more about three times slower than smaller ones (4 to
//     7 GB/s up to 768 KiB, 1.5 GB/s from 1 MiB), and a fetch chunk can be
//     2 MiB.
//   - The data of an event of bigData bytes or more is not in its batch:
//     its type is prefixed with LF (which no type contains), its data is
//     empty, and the data follows the batches, in order. Splitting a batch
//     in JS scans all of it, a quarter of the time spent on megabyte
//     events; a string of its own is never scanned, nor copied into a
//     batch first. Events that large are few, so the extra crossings per
//     event do not count.
func (b *bridge) feed(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil || len(args) < 2 {
		return "EventSource: unknown connection"
	}
	n, err := b.copyIn(args[1])
	if err != nil {
		return "EventSource: cannot read the response chunk: " + err.Error()
	}
	c.Feed(b.in[:n])
	if b.traffic += n; b.traffic > collectBytes {
		// Before this call adds its own values: they are still in use.
		b.collect()
	}
	out := b.out[:0]
	start := 0        // of the batch being built, in out
	var batches []any // nil, or [n, the batches cut so far]
	var large []any   // the data of events of bigData bytes or more
	for c.Next() {
		if len(out)-start >= batchBytes {
			// Converted now: out may move as it grows.
			if v, err := safejs.ValueOf(unsafe.String(&out[start], len(out)-start)); err == nil {
				if batches == nil {
					batches = []any{0}
				}
				batches = append(batches, v)
				b.traffic += len(out) - start
				start = len(out)
			}
		}
		ev := c.Event()
		out = append(out, '\r')
		if len(ev.Data) >= bigData {
			// Converted now: the next event may reuse the data's buffer.
			if v, err := safejs.ValueOf(unsafe.String(&ev.Data[0], len(ev.Data))); err == nil {
				b.traffic += len(ev.Data)
				large = append(large, v)
				out = append(out, '\n')
				out = append(out, ev.Type...)
				out = append(out, '\r', '\r')
				out = append(out, ev.LastEventID...)
				continue
			}
		}
		out = append(out, ev.Type...)
		out = append(out, '\r')
		out = append(out, ev.Data...)
		out = append(out, '\r')
		out = append(out, ev.LastEventID...)
	}
	if err := c.Err(); err != nil {
		// Rare: the status goes in front of the last batch's events.
		c.Fail()
		last := append([]byte(limitMessage(err, c.Limits())), out[start:]...)
		out = append(out[:start], last...)
	}
	b.out = out
	if len(out) == start && batches == nil {
		return ""
	}
	b.traffic += len(out) - start
	// Converted to a JS string before anything can touch the buffer again.
	s := unsafe.String(unsafe.SliceData(out[start:]), len(out)-start)
	// A buffer above keepBytes is kept while batches need most of it (a
	// stream of large events would otherwise grow one from nothing on every
	// call) and given back after a batch that needs under a quarter, or when
	// the response ends (shrink).
	if cap(out) > keepBytes && len(out) < cap(out)/4 {
		b.out = nil
	}
	if batches == nil && large == nil {
		return s
	}
	if batches == nil {
		batches = []any{0}
	}
	batches = append(batches, s)
	batches[0] = len(batches) - 1
	return append(batches, large...)
}

// limitMessage says which limit the stream exceeded, naming the shim's
// option, for the console.
func limitMessage(err error, l polyfill.Limits) string {
	what, option, size := "an event's data", "maxEventSize", l.MaxEventSize
	if err == polyfill.ErrLineTooLong {
		what, option, size = "a line", "maxLineSize", l.MaxLineSize
	}
	return "EventSource: " + what + " of the stream exceeds " + option + " (" +
		strconv.Itoa(size) + " bytes); the connection is closed."
}

// copyIn copies a Uint8Array into b.in, growing it for a larger chunk; the
// length is read only when the chunk may not have fit, to save a call to JS.
func (b *bridge) copyIn(chunk safejs.Value) (int, error) {
	n, err := safejs.CopyBytesToGo(b.in, chunk)
	if err != nil || n < len(b.in) {
		return n, err
	}
	size, err := chunk.Length()
	if err != nil || size <= n {
		return n, err
	}
	b.in = make([]byte, size)
	return safejs.CopyBytesToGo(b.in, chunk)
}

// end(id, cause) → the delay in ms before reconnecting, or -1 to fail.
func (b *bridge) end(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil {
		return -1
	}
	cause := polyfill.NetworkError
	switch s, _ := stringArg(args, 1); s {
	case "eof":
		cause = polyfill.EOF
	case "abort":
		cause = polyfill.Aborted
	}
	if c.End(cause) == polyfill.Fail {
		return -1
	}
	b.shrink()
	return c.ReconnectionTime()
}

// lastEventId(id) → the Last-Event-ID header to send, "" for none.
func (b *bridge) lastEventID(args []safejs.Value) any {
	if c := b.conn(args); c != nil {
		v, _ := c.LastEventIDHeader()
		return v
	}
	return ""
}

// close(id) forgets the connection.
func (b *bridge) close(args []safejs.Value) any {
	if c := b.conn(args); c != nil {
		c.Close()
		id, _ := args[0].Int()
		delete(b.conns, id)
		if len(b.conns) == 0 {
			b.collect() // idle: give back what the calls left (see collect)
		}
	}
	b.shrink()
	return nil
}

// collect runs Go's collector and lets the finalizers run. syscall/js keeps
// every JS value that crosses the bridge (each call's event and arguments,
// the chunks fed in, the batch strings returned) referenced in the glue's
// value table until the finalizer of its js.Value runs, and the engine
// allocates so little that Go's collector might not run for gigabytes of
// stream: the page would keep every chunk and batch (measured: 150 MB
// streamed, 96 MB of them still held). So feed collects after every
// collectBytes of traffic, and close after the last connection.
func (b *bridge) collect() {
	b.traffic = 0
	runtime.GC()
	runtime.Gosched()
}

// debug() → what the bridge holds, for leak tests.
func (b *bridge) debug(args []safejs.Value) any {
	return map[string]any{
		"connections": len(b.conns),
		"funcs":       len(b.funcs),
		"goroutines":  runtime.NumGoroutine(),
		"inBytes":     cap(b.in),
		"outBytes":    cap(b.out),
	}
}

// shrink gives back buffers grown for unusually large chunks or batches.
func (b *bridge) shrink() {
	if cap(b.in) > keepBytes {
		b.in = make([]byte, initialChunk)
	}
	if cap(b.out) > keepBytes {
		b.out = nil
	}
}

func (b *bridge) conn(args []safejs.Value) *polyfill.Conn {
	if len(args) == 0 {
		return nil
	}
	id, err := args[0].Int()
	if err != nil {
		return nil
	}
	return b.conns[id]
}

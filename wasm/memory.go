//go:build js && wasm

package main

import (
	"runtime"
	"strconv"

	"github.com/hack-pad/safejs"
)

// Buffer sizes: in grows to the largest chunk seen; memory above keepBytes is
// given back after the call that needed it.
const (
	initialChunk = 64 << 10
	keepBytes    = 1 << 20
	// collectBytes of traffic or collectCalls calls between collections
	// bound what the glue's value table holds (see collect).
	collectBytes = 16 << 20
	collectCalls = 4096
)

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

// keepOrRelease keeps an encoder buffer above keepBytes while messages need
// most of it (a stream of large events would otherwise grow one from nothing
// on every call) and gives it back after a message that needs under a
// quarter; shrink gives it back when a response ends.
func (b *bridge) keepOrRelease() {
	if c := cap(b.enc.buf); c > keepBytes && len(b.enc.buf) < c/4 {
		b.enc.buf = nil
	}
}

// shrink gives back buffers grown for unusually large chunks or messages.
func (b *bridge) shrink() {
	if cap(b.in) > keepBytes {
		b.in = make([]byte, initialChunk)
	}
	if cap(b.enc.buf) > keepBytes {
		b.enc.buf = nil
	}
}

// collect runs Go's collector and lets the finalizers run. syscall/js keeps
// every JS value that crosses the bridge (each call's event and arguments,
// the chunks fed in, the strings returned) referenced in the glue's value
// table until the finalizer of its js.Value runs, and the engine allocates
// so little that Go's collector might not run for gigabytes of stream: the
// page would keep every chunk and message (measured: 150 MB streamed, 96 MB
// of them still held). Many small calls hold little each but add up: 6,000
// reconnections of a one-event stream held 2 MB. So the bridge collects
// after every collectBytes of traffic or collectCalls calls, and when the
// last connection closes.
func (b *bridge) collect() {
	b.traffic, b.calls = 0, 0
	runtime.GC()
	runtime.Gosched()
}

// debug() returns what the bridge holds, for leak tests, as space-separated
// numbers: connections, funcs, goroutines, inBytes, outBytes, budgetBytes,
// then what each connection's parser holds. debug("crash") makes the engine
// panic, for the tests of what the shim does when its engine dies.
func (b *bridge) debug(args []safejs.Value) any {
	if stringArg(args, 0) == "crash" {
		panic("eventsource-wasm: crash requested by the debug hook")
	}
	out := make([]byte, 0, 64)
	for _, n := range []int{len(b.conns), len(b.funcs), runtime.NumGoroutine(), cap(b.in), cap(b.enc.buf), b.budget.Used()} {
		out = strconv.AppendInt(append(out, ' '), int64(n), 10)
	}
	for _, c := range b.conns {
		out = strconv.AppendInt(append(out, ' '), int64(c.c.Buffered()), 10)
	}
	return string(out[1:])
}

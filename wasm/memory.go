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
	// collectCalls calls between collections bound what the glue's value
	// table holds (see collect).
	collectCalls = 1024
)

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
// every JS value that crosses the bridge's functions (each call's event and
// arguments, the strings returned) referenced in the glue's value table
// until the finalizer of its js.Value runs, and the engine allocates so
// little that Go's collector might not run for a long time: 6,000
// reconnections of a one-event stream held 2 MB. So the bridge collects
// after every collectCalls calls and when the last connection closes: about
// 100 bytes of JS values a call, so at most about 100 KB held, for a
// collection every 340 or so reconnections (connect, response and end).
// feed makes no JS values (feed.go): chunks and messages are never held
// (before it, 150 MB streamed held 96 MB).
func (b *bridge) collect() {
	b.calls = 0
	runtime.GC()
	runtime.Gosched()
}

// debug() returns what the bridge holds, for leak tests, as space-separated
// numbers: connections, funcs, goroutines, inBytes, outBytes, budgetBytes,
// then the bytes of body each connection's parser holds (Conn.Held).
// debug("crash") makes the engine panic, for the tests of what the shim
// does when its engine dies.
func (b *bridge) debug(args []safejs.Value) any {
	if stringArg(args, 0) == "crash" {
		panic("eventsource-wasm: crash requested by the debug hook")
	}
	out := make([]byte, 0, 64)
	for _, n := range []int{len(b.conns), len(b.funcs), runtime.NumGoroutine(), cap(b.in), cap(b.enc.buf), b.budget.Used()} {
		out = strconv.AppendInt(append(out, ' '), int64(n), 10)
	}
	for _, c := range b.conns {
		out = strconv.AppendInt(append(out, ' '), int64(c.c.Held()), 10)
	}
	return string(out[1:])
}

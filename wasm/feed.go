//go:build js && wasm

package main

import "github.com/eventsource-wasm/eventsource/polyfill"

// feed, the one call per chunk of a body, is two WebAssembly exports that
// take and return numbers, not a syscall/js function: a call through
// syscall/js makes JS values of its event, arguments and result, each with
// a finalizer (runtime.addspecial alone was 28% of a one-event chunk's call
// under Node) and held by the glue until Go's collector has run, which the
// bridge then had to force every 16 MiB. Measured under Node, a call for a
// one-event chunk took 32 to 49 µs that way, and 1.3 to 1.5 µs this way,
// JS decoding the answer included.
//
// JS asks feedBuffer for room for the chunk, copies the chunk there, then
// calls feed(id, n) and reads the answer from the memory feed returns
// (encoder.header). When the answer holds large data, which lives in the
// parser's buffer that the next event may reuse, feed stops after that
// event and says so; JS reads the data and calls feed(id, -1) to go on
// with the same chunk. js/src/codec.js's feeder is the other side.

// active is the bridge that main exported, which the exports serve.
var active *bridge

//go:wasmexport feedBuffer
func feedBuffer(n int32) uint32 { return active.feedBuffer(int(n)) }

//go:wasmexport feed
func feed(id, n int32) uint32 { return active.feed(int(id), int(n)) }

// feedBuffer returns the address of the input buffer, with room for n bytes.
func (b *bridge) feedBuffer(n int) uint32 {
	b.keepOrRelease()
	if n > len(b.in) {
		b.in = make([]byte, n)
	}
	return address(b.in)
}

// feed parses the first n bytes of the input buffer for connection id, or
// goes on with the chunk of the last call for n < 0: the events it
// completes, then I and Y, and F with E and M if a limit or the budget was
// exceeded. See encoder.header for the answer.
func (b *bridge) feed(id, n int) uint32 {
	b.enc.reset()
	c := b.conns[id]
	switch {
	case c == nil:
		b.enc.buf = append(b.enc.buf, unknown...)
		return b.enc.header(false)
	case n > len(b.in):
		b.enc.buf = append(b.enc.buf, "F\nErequest"...) // a bug of the shim
		return b.enc.header(false)
	case n >= 0:
		c.c.Feed(b.in[:n])
	}
	for c.c.Next() {
		if b.enc.event(c.c.Event()) {
			return b.enc.header(true)
		}
	}
	b.report(c)
	if err := c.c.Err(); err != nil {
		b.enc.decision(polyfill.Decision{Action: polyfill.Fail, Err: err})
	}
	return b.enc.header(false)
}

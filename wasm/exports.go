//go:build js && wasm

package main

import (
	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/hack-pad/safejs"
)

// The calls the shim makes (js/src/engine.js lists the same names). Each
// returns a message of the codec (codec.go) unless it says otherwise.
var exports = []struct {
	name string
	call func(b *bridge, args []safejs.Value) any
}{
	{"open", (*bridge).open},
	{"connect", (*bridge).connect},
	{"response", (*bridge).response},
	{"end", (*bridge).end},
	{"reset", (*bridge).reset},
	{"close", (*bridge).close},
	{"debug", (*bridge).debug},
}

// export sets the bridge's functions on host and returns how many it set.
func (b *bridge) export(host safejs.Value) (int, error) {
	for _, e := range exports {
		call := e.call
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			if b.calls++; b.calls > collectCalls {
				b.collect()
			}
			return call(b, args)
		})
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

// unknown is the message of a call on a connection the bridge does not
// know (closed, or from a previous engine): fail.
const unknown = "F\nEengine"

// open(init) creates a connection: init is a string of the items of the
// options the shim validated (args.go). Returns K with the handle, and I
// and Y.
func (b *bridge) open(args []safejs.Value) any {
	url, o := openOptions(stringArg(args, 0))
	o.RawText = true // the shim decodes with TextDecoder (see Parser.SetRaw)
	o.Budget = b.budget
	c := &conn{c: polyfill.NewConn(url, o)}
	c.id = c.c.LastEventID()
	c.retry = c.c.ReconnectionTime()
	b.nextID++
	b.conns[b.nextID] = c
	b.enc.reset()
	b.enc.number('K', b.nextID)
	b.enc.item('I', c.id)
	b.enc.number('Y', c.retry)
	return b.enc.finish()
}

// connect(id) starts an attempt: U, L, N, O and C, or F with E.
func (b *bridge) connect(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil {
		return unknown
	}
	r, err := c.c.Connect()
	b.enc.reset()
	if err != nil || c.c.ReadyState() == polyfill.Closed {
		b.enc.decision(polyfill.Decision{Action: polyfill.Fail, Err: err})
		return b.enc.finish()
	}
	b.enc.item('U', r.URL)
	if r.LastEventID != "" {
		b.enc.item('L', r.LastEventID)
	}
	b.enc.number('N', r.Attempt)
	if r.SameOrigin {
		b.enc.flag('O')
	}
	if r.Classify {
		b.enc.flag('C')
	}
	return b.enc.finish()
}

// response(id, items) decides on a response, whose status, Content-Type,
// final URL and Retry-After are items (args.go): A, R or F, with E, S and
// T.
func (b *bridge) response(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil || len(args) < 2 {
		return unknown
	}
	d := c.c.Response(responseOf(stringArg(args, 1)))
	b.enc.reset()
	b.enc.decision(d)
	return b.enc.finish()
}

// end(id, kind) decides what follows the end of an attempt: R or F, with
// E. kind is a polyfill.Kind name: "ended", "network", "aborted", "cors",
// "inactive", "request" or "engine".
func (b *bridge) end(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil {
		return unknown
	}
	why := polyfill.KindNetwork
	name := stringArg(args, 1)
	for _, k := range []polyfill.Kind{polyfill.KindEnded, polyfill.KindAborted, polyfill.KindCORS,
		polyfill.KindInactive, polyfill.KindRequest, polyfill.KindEngine} {
		if k.String() == name {
			why = k
		}
	}
	d := c.c.End(why)
	b.shrink()
	b.enc.reset()
	b.enc.decision(d)
	return b.enc.finish()
}

// reset(id) discards the unfinished line and event of the current body
// (Conn.Reset); it returns an empty message.
func (b *bridge) reset(args []safejs.Value) any {
	c := b.conn(args)
	if c == nil {
		return unknown
	}
	c.c.Reset()
	return ""
}

// close(id) forgets the connection; it returns nothing.
func (b *bridge) close(args []safejs.Value) any {
	if c := b.conn(args); c != nil {
		c.c.Close()
		id, _ := args[0].Int()
		delete(b.conns, id)
		if len(b.conns) == 0 {
			b.collect() // idle: give back what the calls left (see collect)
		}
	}
	b.shrink()
	return nil
}

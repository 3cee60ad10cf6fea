//go:build js && wasm

package main

import (
	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/hack-pad/safejs"
)

// bridge holds every connection of one Go instance and the buffers they
// share. JS calls it synchronously and one call at a time, so one input
// buffer and one encoder serve all connections.
type bridge struct {
	conns  map[int]*conn
	nextID int
	budget *polyfill.Budget
	in     []byte // the chunk being parsed
	enc    encoder
	funcs  []safejs.Func
	calls  int // of the bridge's functions since the last collect
}

// conn is one connection and what JS has been told of it, so that a
// message reports the last event ID and the reconnection time only when
// they change.
type conn struct {
	c     *polyfill.Conn
	id    string
	retry int
}

// budgetBytes bounds what the parsers of all connections of the engine hold
// together beyond their allowance: a quarter of wasm32's 4 GiB, leaving room
// for the collector's garbage and the strings on their way to JS.
const budgetBytes = 1 << 30

func newBridge() *bridge {
	return &bridge{
		conns:  make(map[int]*conn),
		budget: polyfill.NewBudget(budgetBytes),
		in:     make([]byte, initialChunk),
	}
}

func (b *bridge) conn(args []safejs.Value) *conn {
	if len(args) == 0 {
		return nil
	}
	id, err := args[0].Int()
	if err != nil {
		return nil
	}
	return b.conns[id]
}

// report appends the I and Y items for what changed since JS last heard.
func (b *bridge) report(c *conn) {
	id := c.c.LastEventID()
	if last, ok := b.enc.lastEventID(); ok {
		if id != last {
			b.enc.item('I', id)
		}
	} else if id != c.id {
		b.enc.item('I', id)
	}
	c.id = id
	if ms := c.c.ReconnectionTime(); ms != c.retry {
		b.enc.number('Y', ms)
		c.retry = ms
	}
}

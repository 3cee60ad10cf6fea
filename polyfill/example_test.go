package polyfill_test

import (
	"fmt"

	"github.com/eventsource-wasm/eventsource/polyfill"
)

// A Parser is fed the body chunk by chunk, split anywhere, and yields each
// event as soon as its empty line arrives.
func ExampleParser() {
	var p polyfill.Parser
	chunks := []string{
		"\xEF\xBB\xBFretry: 5000\nid: 1\nevent: gre",
		"et\ndata: hello\r",
		"\ndata: world\r\n\r",
		"\n: keep-alive\n\ndata: bye\n\ndata: unfinished\n",
	}
	for _, chunk := range chunks {
		p.Feed([]byte(chunk))
		for p.Next() {
			e := p.Event() // valid until the next call; copy what must outlive it
			typ := string(e.Type)
			if typ == "" {
				typ = "message"
			}
			fmt.Printf("%s %q id=%q\n", typ, e.Data, e.LastEventID)
		}
		if err := p.Err(); err != nil {
			fmt.Println("stopped:", err)
			return
		}
	}
	fmt.Println("last event ID:", p.LastEventID())
	fmt.Println("reconnection time:", p.ReconnectionTime(), "ms")
	// Output:
	// greet "hello\nworld" id="1"
	// message "bye" id="1"
	// last event ID: 1
	// reconnection time: 5000 ms
}

// A Conn decides what the host does for each attempt, response and end of
// a body; the host only performs. The last event ID and the reconnection
// time carry from one attempt to the next.
func ExampleConn() {
	c := polyfill.NewConn("https://example.com/updates", polyfill.Options{})
	req, _ := c.Connect()
	fmt.Printf("GET %s Last-Event-ID=%q\n", req.URL, req.LastEventID)

	d := c.Response(polyfill.Response{Status: 200, ContentType: "text/event-stream; charset=utf-8"})
	fmt.Println("announce:", d.Action == polyfill.Announce, "state:", d.Action.State() == polyfill.Open)

	c.Feed([]byte("id: 42\nretry: 1500\ndata: tick\n\nid: 43\ndata: cut off"))
	for c.Next() {
		e := c.Event()
		fmt.Printf("message %q id=%q\n", e.Data, e.LastEventID)
	}

	// The body ends cleanly: reconnect after the reconnection time, sending
	// the last dispatched ID (the unfinished event's 43 was discarded).
	d = c.End(polyfill.KindEnded)
	fmt.Println("reestablish:", d.Action == polyfill.Reestablish, "after", d.Delay, "ms")
	req, _ = c.Connect()
	fmt.Printf("GET %s Last-Event-ID=%q\n", req.URL, req.LastEventID)

	// A 204 tells the client to stop.
	d = c.Response(polyfill.Response{Status: 204})
	fmt.Println("fail:", d.Action == polyfill.Fail, "closed:", c.ReadyState() == polyfill.Closed)
	fmt.Println(d.Err.Kind, d.Err)
	// Output:
	// GET https://example.com/updates Last-Event-ID=""
	// announce: true state: true
	// message "tick" id="42"
	// reestablish: true after 1500 ms
	// GET https://example.com/updates Last-Event-ID="42"
	// fail: true closed: true
	// status EventSource's response has a status 204 that is not 200. Aborting the connection.
}

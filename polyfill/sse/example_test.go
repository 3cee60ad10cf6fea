package sse_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/eventsource-wasm/eventsource/polyfill/sse"
	"github.com/eventsource-wasm/eventsource/server"
)

// A stream reconnects by itself and resumes after the last event ID. This
// demo server's resume scenario cuts its first response in the middle of
// event 3; the reconnection sends Last-Event-ID: 2 and the server replays
// event 3 before new ones.
func ExampleNewStream() {
	demo := httptest.NewServer(server.New(server.Options{}))
	defer demo.Close()

	ctx := context.Background() // cancel it to stop the stream
	s, err := sse.NewStream(ctx, demo.URL+"/sse/resume?cut=1&retry=10&key=example", sse.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for n := 0; n < 5 && s.Next(); n++ {
		e := s.Event() // valid until the next call of Next
		fmt.Printf("%s %q id=%s\n", e.EventType(), e.Data, e.LastEventID)
	}
	if err := s.Err(); err != nil {
		panic(err)
	}
	fmt.Println("resume from", s.LastEventID(), "after", s.ReconnectionTime())
	// Output:
	// message "n=1 conn=1" id=1
	// message "n=2 conn=1" id=2
	// message "n=3 conn=1" id=3
	// message "n=4 conn=2" id=4
	// message "n=5 conn=2" id=5
	// resume from 5 after 10ms
}

// A Reader reads the events of a body you already have, such as a
// streaming LLM response to a POST: no reconnection, nothing allocated per
// event.
func ExampleNewReader() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, delta := range []string{"Hel", "lo", ", world"} {
			fmt.Fprintf(w, "data: {\"delta\":%q}\n\n", delta)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer api.Close()

	resp, err := http.Post(api.URL+"/v1/chat", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	r := sse.NewReader(resp.Body, sse.Limits{}) // 16 MiB limits
	var text strings.Builder
	for r.Next() {
		data := r.Event().Data
		if string(data) == "[DONE]" {
			break
		}
		var chunk struct{ Delta string }
		if err := json.Unmarshal(data, &chunk); err != nil {
			panic(err)
		}
		text.WriteString(chunk.Delta)
	}
	if err := r.Err(); err != nil {
		panic(err)
	}
	fmt.Println(text.String())
	// Output:
	// Hello, world
}

// HeaderFunc is called before each attempt, so that every reconnection
// carries a fresh token. The demo server's echo scenario answers each
// request with what it received.
func ExampleOptions_headerFunc() {
	demo := httptest.NewServer(server.New(server.Options{}))
	defer demo.Close()

	tokens := 0
	refresh := func(ctx context.Context) (http.Header, error) {
		tokens++ // a real program asks its token source, with ctx
		return http.Header{"Authorization": {fmt.Sprintf("Bearer token-%d", tokens)}}, nil
	}
	s, err := sse.NewStream(context.Background(), demo.URL+"/sse/echo?retry=10&key=tokens", sse.Options{HeaderFunc: refresh})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for n := 0; n < 3 && s.Next(); n++ {
		var req struct {
			Conn    int
			Headers map[string]string
		}
		json.Unmarshal(s.Event().Data, &req)
		fmt.Printf("request %d: %s\n", req.Conn, req.Headers["authorization"])
	}
	// Output:
	// request 1: Bearer token-1
	// request 2: Bearer token-2
	// request 3: Bearer token-3
}

// OnTransition reports what a browser reports with its open and error
// events, in order with the events: open, error while reconnecting
// (CONNECTING), error when closed for good (CLOSED). Here the server ends
// the first response, then answers 204, which tells a client to stop.
func ExampleTransition() {
	demo := httptest.NewServer(server.New(server.Options{}))
	defer demo.Close()

	s, err := sse.NewStream(context.Background(), demo.URL+"/sse/hello?retry=10&status.2-=204&key=transitions", sse.Options{
		OnTransition: func(tr sse.Transition) {
			switch tr.State {
			case sse.Open:
				fmt.Println("open:", tr.Response.Status)
			case sse.Connecting:
				fmt.Printf("error, reconnecting in %v: %v\n", tr.Delay, tr.Err)
			case sse.Closed:
				fmt.Println("error, closed:", tr.Err)
			}
		},
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for s.Next() {
		fmt.Printf("message %q\n", s.Event().Data)
	}
	var e *sse.Error
	if errors.As(s.Err(), &e) && e.Kind == sse.KindStatus {
		fmt.Println("stopped by status", e.Status)
	}
	// Output:
	// open: 200 OK
	// message "hello"
	// error, reconnecting in 10ms: eventsource: the stream ended
	// error, closed: EventSource's response has a status 204 that is not 200. Aborting the connection.
	// stopped by status 204
}

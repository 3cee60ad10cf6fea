// Package server is the HTTP server of eventsource-wasm's demo and browser
// tests. It serves the built polyfill from a dist directory (precompressed
// variants included), a demo page that compares the polyfill with the native
// EventSource, and a registry of Server-Sent Events scenarios that reproduce
// the stream and connection rules of the checklist (SSE-SPEC.md at the
// repository root) so that a browser can be observed against each of them.
//
// # Scenarios
//
// A scenario answers /sse/{name} (any method; a trailing path such as
// /sse/echo/x is accepted so that cookies can be scoped by path). Query
// parameters shape every scenario:
//
//	key        client key: per-key state (connection count, replay buffer);
//	           without it each request is connection 1 and nothing is kept
//	as         serve another scenario instead of {name}
//	status     response status, 200..999 (default 200)
//	ctype      Content-Type; repeat for several headers, "none" for no header
//	location   Location header (for 3xx statuses)
//	retry      prepend "retry: N" to the body
//	bytewise   1: flush after every byte instead of after every chunk
//	gap        milliseconds (0..1000) to pause after each flush, so that
//	           chunks reach the client in separate reads
//	end        after the body: eof (default), drop (close the TCP connection
//	           without finishing the chunked body), hang (stay open)
//	abort      1: close the TCP connection before any response (a browser
//	           may retry that silently on a reused connection); bad: send a
//	           response head with two different Content-Length headers,
//	           which a browser rejects as a network error without retrying
//	close      1: Connection: close, so the next request opens a new
//	           connection (browsers retry a dead reused one silently)
//	stall      1: send nothing and wait until the client goes away
//	acao       Access-Control-Allow-Origin: "origin" echoes the request's
//	           Origin, anything else is sent verbatim (even empty); absent
//	           means no CORS headers at all
//	acac       "true": Access-Control-Allow-Credentials: true
//	retryafter Retry-After header of the response
//	acah       Access-Control-Allow-Headers of preflights (default
//	           "authorization, content-type, last-event-id")
//
// More parameters, for the reliability tests:
//
//	reset      like abort (1 or bad), but for connections only: a CORS
//	           probe that follows still gets its answer, as it would from
//	           a server whose failure was transient
//	end        also badchunk (break the chunked framing after the body) and
//	           short (declare a Content-Length longer than the body, then
//	           close the connection): a body that errors mid-stream; and
//	           await: wait for Server.Release, then end as then says
//	then       how end=await ends (default drop)
//	location   "self" redirects to the request's own URL, a redirect loop
//
// The scenarios that resume (numbered, resume, tick) read the last event ID
// from the Last-Event-ID header or, when there is none, from a lastEventId
// query parameter, which a client sends when a cross-origin server does not
// allow the header in its preflight.
//
// Any parameter p can be given per connection: p.N applies only to the Nth
// connection of the key, p.N- to the Nth and later ones, and plain p to the
// rest. For example as.2-=echo makes every reconnection an echo, and
// status.3=204 tells the client to stop on its third connection.
//
// # Bounds
//
// So that no request can take the server down, the integer parameters below
// have bounds, and a value outside them, or not an integer, gets a 400 whose
// body names the parameter and its bounds, never a silent clamp:
//
//	any        status 200..999 (a 1xx is not a final status), gap 0..1000 ms
//	numbered   n, size, upto, cut, batch 0..1048576; hold 0..30000 ms;
//	           pause K:D with D 0..120000 ms, or K:await
//	oversize   before 0..1000, lines 0..1024, linesize 0..67108864 (64
//	           MiB); lines is lowered so that lines × linesize <= 64 MiB
//	endless    limit 0..268435456 (256 MiB)
//	resume     per 0..32
//	tick       interval 10..120000 ms, count >= 0
//
// Bodies are generated as they are written: a client that does not read
// holds at most one write of memory. The only write built whole is
// numbered's (batch events, or the whole body with batch=0 or proxy=1), and
// it is bounded to 4 MiB: a request for more gets a 400.
//
// # Safety
//
// This is a test server, meant for the loopback: echo?acao=origin&acac=true
// lets any origin read the response with the user's credentials, and
// redirect?to= redirects anywhere (an open redirect). Command sse-server
// refuses to listen on a non-loopback address unless told to.
package server

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// Options configures a [Server].
type Options struct {
	// Dist is the directory served under /dist/, normally the built dist/.
	// Empty disables /dist/.
	Dist string
	// DistCacheControl is the Cache-Control header of /dist/ responses.
	// Empty means "no-cache": the browser revalidates every time, so that a
	// rebuilt polyfill is never hidden by a cached one during development.
	// The benchmark sets "no-store", so that no page starts from a cached
	// engine (and V8's code cache for it).
	DistCacheControl string
	// DemoToken is the bearer token that the demo's authenticated stream
	// requires. Empty means "demo-token".
	DemoToken string
	// MaxClients bounds how many client keys keep scenario state; beyond
	// it the least recently created key is forgotten. Zero means 1024.
	MaxClients int
}

// Server serves the dist directory, the demo and the scenarios. It is an
// [http.Handler]; one Server may back several listeners, which is how the
// browser tests get two origins that share client state.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu      sync.Mutex
	clients map[string]*client
	order   []string // keys by creation, oldest first, for eviction

	bodies    map[string][]string // SetBody
	bodyOrder []string            // names by creation, oldest first

	demoShared atomic.Int64 // open /demo/shared streams
}

// Stats is what a Server has seen for one client key.
type Stats struct {
	// Connections counts scenario requests other than CORS preflights
	// and no-cors requests, redirect hops included. It numbers the
	// connections for per-connection parameters.
	Connections int
	// Preflights counts CORS preflight requests (OPTIONS with
	// Access-Control-Request-Method).
	Preflights int
	// Probes counts requests made in no-cors or same-origin mode
	// (Sec-Fetch-Mode: no-cors or same-origin; an EventSource request is
	// always cors), such as the request a fetch()-based client sends to
	// tell a CORS failure from a network error. They are answered like a
	// connection but do not count as one.
	Probes int
	// Active counts the scenario responses (probes included) still being
	// served: a client that closed its EventSource must bring it back to
	// zero, which is how a test sees that a connection was released.
	Active int
	// Bytes counts the body bytes written to the key's responses, flushed
	// or not: compared with what a page has received, it tells how much
	// is buffered in between.
	Bytes int64
}

// client is the per-key state. The replay buffer holds the numbered events
// that the resume scenario generated, so that a reconnection carrying
// Last-Event-ID gets exactly the events after that id.
type client struct {
	Stats
	replay []replayEvent
	nextID int
	gate   chan struct{} // Release tokens for end=await and pause=K:await
}

// replayEvent is one generated event of the resume scenario; conn records the
// connection that first sent it, which tells a replay from a fresh event.
type replayEvent struct {
	id, conn int
}

const (
	defaultMaxClients = 1024
	// maxReplay bounds each key's replay buffer; a client that falls further
	// behind misses events, as with any real server's bounded history.
	maxReplay = 64
)

// New returns a Server configured by opts.
func New(opts Options) *Server {
	if opts.DemoToken == "" {
		opts.DemoToken = "demo-token"
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = defaultMaxClients
	}
	if opts.DistCacheControl == "" {
		opts.DistCacheControl = "no-cache"
	}
	s := &Server{opts: opts, clients: make(map[string]*client)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dist/", s.serveDist)
	mux.HandleFunc("GET /{$}", s.serveDemoPage)
	mux.HandleFunc("GET /demo/stream", s.serveDemoStream)
	mux.HandleFunc("GET /demo/native", s.serveDemoStream)
	mux.HandleFunc("GET /demo/shared", s.serveDemoShared)
	mux.HandleFunc("GET /demo/connections", s.serveDemoConnections)
	mux.HandleFunc("/sse/{name}", s.serveScenario)
	mux.HandleFunc("/sse/{name}/{rest...}", s.serveScenario)
	s.mux = mux
	return s
}

// ServeHTTP implements [http.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Stats reports what the Server has seen for key; a key never seen, or
// already forgotten, gives zero Stats.
func (s *Server) Stats(key string) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[key]; c != nil {
		return c.Stats
	}
	return Stats{}
}

// Release lets one response of key that waits (end=await, or
// pause=K:await in the numbered scenario) go on: a test injects a fault at
// the moment it chooses, such as when the page has received every event so
// far. A release with nobody waiting is kept for the next one (up to 16).
func (s *Server) Release(key string) {
	s.withClient(key, func(cl *client) {
		if cl.gate == nil {
			cl.gate = make(chan struct{}, 16)
		}
		select {
		case cl.gate <- struct{}{}:
		default:
		}
	})
}

// withClient runs f on key's state under the lock, creating the state and
// evicting the oldest key when the bound is reached. An empty key gets a
// throwaway state, so anonymous requests are always connection 1.
func (s *Server) withClient(key string, f func(*client)) {
	if key == "" {
		f(&client{})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[key]
	if c == nil {
		if len(s.order) >= s.opts.MaxClients {
			delete(s.clients, s.order[0])
			s.order = append(s.order[:0], s.order[1:]...)
		}
		c = &client{}
		s.clients[key] = c
		s.order = append(s.order, key)
	}
	f(c)
}

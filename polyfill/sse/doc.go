// Package sse is a Server-Sent Events client for Go programs built on this
// module's protocol engine, [polyfill.Conn]: the same parser and connection
// model that run as WebAssembly under the browser polyfill, so a Go program
// sees a stream exactly as the standard's EventSource (and Chrome) does.
//
// There are two ways in:
//
//   - [NewStream] is an EventSource: it connects to a URL, reconnects after
//     the reconnection time with Last-Event-ID, and reports the open and
//     error transitions a browser reports, with the extensions of the JS
//     shim (request headers, fixed or from a function; method and body;
//     an initial last event ID; a reconnection policy; an inactivity
//     timeout; size limits; an injectable *http.Client).
//   - [NewReader] reads the events of an io.Reader you already have, such
//     as the body of a streaming LLM response: one body, no reconnection.
//
// Both are read like a [bufio.Scanner]: Next advances to the next event,
// Event returns it, Err says why Next stopped. Not an iter.Seq2[Event,
// error]: a stream has errors it recovers from by reconnecting, which are
// transitions to observe ([Options.OnTransition]), and the one that ends it;
// a Seq2 would either yield the first kind as errors, which the usual
// `if err != nil { return err }` takes for the end, or hide them. The loop
// also keeps the stream's state (LastEventID, ReconnectionTime, ReadyState)
// on the value being read, and an event's lifetime is Scanner.Bytes's:
// until the next call of Next. The engine decides
// everything the standard decides (what to fetch, what Last-Event-ID to
// send, whether a response opens, fails or is retried, how long to wait);
// this package performs its decisions with net/http and makes none of its
// own.
//
// An [Event]'s slices alias the client's buffers and are valid until the
// next call of Next: reading the events costs no allocation, and
// [Event.Clone] copies one that must outlive that.
//
// Rule ids such as SSE-29 refer to the project's checklist of the
// standard's rules, SSE-SPEC.md at the repository root.
package sse

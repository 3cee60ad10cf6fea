// Package polyfill is the EventSource protocol engine: a pure-Go, incremental
// parser for the text/event-stream format and the connection model of the
// WHATWG HTML standard's "Server-sent events" section.
//
// The engine decides; it does no I/O. A host (the wasm bridge in a browser, or
// a test) performs the requests, feeds each response body to a [Conn] chunk by
// chunk, dispatches the events it yields, and acts on the [Action] it returns
// for a response, an end of body or a network error.
//
// Rule ids such as SSE-33 in comments refer to the project's checklist of the
// standard's rules, SSE-SPEC.md at the repository root.
package polyfill

// Package e2e is the browser suite of eventsource-wasm. It drives headless
// Chromium through chromedp against pages served by package server on two
// origins, and runs every scenario twice, with the native EventSource and
// with EventSourcePolyfill, requiring the two recordings to agree.
//
// The package has only tests; the Chromium options it shares with the
// benchmark command in e2e/bench live in e2e/internal/headless. Run
// `make build` (the suite needs ../dist), then `go test ./e2e/`.
// `go test ./e2e/ -args -native-only` compares the native EventSource with
// itself, which checks the harness and the server without a build.
package e2e

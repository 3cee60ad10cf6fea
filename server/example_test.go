package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/eventsource-wasm/eventsource/server"
)

func get(url string, header http.Header) (*http.Response, string) {
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// A scenario is a path under /sse/ shaped by query parameters; retry makes a
// client reconnect quickly.
func ExampleNew() {
	ts := httptest.NewServer(server.New(server.Options{}))
	defer ts.Close()

	resp, body := get(ts.URL+"/sse/hello?retry=50", nil)
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	fmt.Printf("%q\n", body)
	// Output:
	// 200 OK text/event-stream
	// "retry: 50\ndata: hello\n\n"
}

// A key gives a client its own connection count, so that a parameter can
// apply to one connection (status.2) or from one on (status.3-). Active is
// zero once a body has been read to its end; a 204 response ends at its
// headers, so a client may see it before the server has counted it done.
func ExampleServer_Stats() {
	s := server.New(server.Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()

	for range 3 {
		resp, _ := get(ts.URL+"/sse/hello?key=client-1&status.2=204&status.3-=503", nil)
		fmt.Println(resp.Status)
	}
	fmt.Printf("%+v\n", s.Stats("client-1"))
	// Output:
	// 200 OK
	// 204 No Content
	// 503 Service Unavailable
	// {Connections:3 Preflights:0 Probes:0 Active:0 Bytes:26}
}

// The echo scenario reports the request, and an id parameter sets the ID
// that a reconnection sends back as Last-Event-ID.
func ExampleNew_echo() {
	ts := httptest.NewServer(server.New(server.Options{}))
	defer ts.Close()

	_, body := get(ts.URL+"/sse/echo?key=c&id=42", http.Header{"Accept": {"text/event-stream"}})
	fmt.Print(body)
	_, body = get(ts.URL+"/sse/echo?key=c", http.Header{"Last-Event-Id": {"42"}})
	fmt.Print(body)
	// Output:
	// id: 42
	// data: {"conn":1,"method":"GET","path":"/sse/echo","headers":{"accept":"text/event-stream"}}
	//
	// data: {"conn":2,"method":"GET","path":"/sse/echo","headers":{"last-event-id":"42"}}
}

// Files under /dist/ come precompressed when the client accepts it, with the
// type of the original file.
func ExampleNew_dist() {
	dist, _ := os.MkdirTemp("", "dist")
	defer os.RemoveAll(dist)
	os.WriteFile(filepath.Join(dist, "eventsource.wasm"), []byte("\x00asm..."), 0o644)
	os.WriteFile(filepath.Join(dist, "eventsource.wasm.br"), []byte("(brotli)"), 0o644)

	ts := httptest.NewServer(server.New(server.Options{Dist: dist}))
	defer ts.Close()

	for _, accept := range []string{"gzip, br", "gzip"} {
		resp, body := get(ts.URL+"/dist/eventsource.wasm", http.Header{"Accept-Encoding": {accept}})
		fmt.Printf("%s: %s %q %q %q\n", accept, resp.Header.Get("Content-Type"),
			resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), body)
	}
	// Output:
	// gzip, br: application/wasm "br" "Accept-Encoding" "(brotli)"
	// gzip: application/wasm "" "Accept-Encoding" "\x00asm..."
}

func ExampleScenarioNames() {
	fmt.Println(server.ScenarioNames()[:4])
	// Output:
	// [bom bom-double bom-late bom-reconnect]
}

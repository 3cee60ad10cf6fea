package server

import (
	"crypto/subtle"
	_ "embed"
	"net/http"
	"net/url"
)

// demoPage is the page at /: the polyfill with an Authorization header next
// to the native EventSource, which cannot send one.
//
//go:embed demo.html
var demoPage []byte

func (s *Server) serveDemoPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(demoPage)
}

// serveDemoStream is the demo's clock. /demo/stream insists on the bearer
// token, which only the polyfill can send; /demo/native is open to all.
func (s *Server) serveDemoStream(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/demo/stream" {
		want := []byte("Bearer " + s.opts.DemoToken)
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sse-demo"`)
			http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
	}
	c := &call{s: s, w: w, r: r, q: url.Values{"retry": {"1000"}}, conn: 1}
	c.readShared()
	tick(c)
}

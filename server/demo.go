package server

import (
	"crypto/subtle"
	_ "embed"
	"encoding/json"
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

// serveDemoShared is the clock of the demo's shared panel, which every tab
// of the demo receives through one connection (the polyfill's shared
// option); it counts its open connections for /demo/connections.
func (s *Server) serveDemoShared(w http.ResponseWriter, r *http.Request) {
	s.demoShared.Add(1)
	defer s.demoShared.Add(-1)
	c := &call{s: s, w: w, r: r, q: url.Values{"retry": {"1000"}}, conn: 1}
	c.readShared()
	tick(c)
}

// serveDemoConnections reports how many /demo/shared streams are open:
// {"shared": N}. The demo page shows it, 1 however many tabs share it.
func (s *Server) serveDemoConnections(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]int64{"shared": s.demoShared.Load()})
}

package main

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"sync"
)

//go:embed page
var pageFiles embed.FS

var startupPage = template.Must(template.ParseFS(pageFiles, "page/startup.html"))

// benchServer serves the benchmark page, the scripts under test and the
// workload streams, and carries jobs to the pages and results back.
//
// Every response is Cache-Control: no-store: a script or a wasm module that
// the HTTP cache (and with it V8's code cache) kept from an earlier page would
// make startup look better than a first visit. Startup pages also add a
// nonce to every URL.
type benchServer struct {
	dist      string // the polyfill's dist/ directory
	peers     string // the esbuild bundles of the npm peers
	workloads map[string]*workload
	quit      chan struct{} // closed on shutdown; ends long polls and held streams

	mu       sync.Mutex
	sessions map[string]*session
	served   map[int]bool      // job IDs whose stream was served
	encoded  map[string]string // dist file -> how it was last served
}

// A session is the conversation with one page: the page posts a result and
// receives its next job in the response.
type session struct {
	jobs    chan job
	results chan result
	startup *job // the job a startup page runs as soon as it loads
}

func newBenchServer(dist, peers string, ws []*workload) *benchServer {
	s := &benchServer{
		dist: dist, peers: peers,
		workloads: map[string]*workload{},
		quit:      make(chan struct{}),
		sessions:  map[string]*session{},
		served:    map[int]bool{},
		encoded:   map[string]string{},
	}
	for _, w := range ws {
		s.workloads[w.name] = w
	}
	return s
}

func (s *benchServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bench/{$}", s.serveEmbedded("page/index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /bench/harness.js", s.serveEmbedded("page/harness.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /bench/startup", s.serveStartup)
	mux.HandleFunc("POST /bench/next", s.serveNext)
	mux.HandleFunc("GET /bench/sse/{workload}", s.serveStream)
	mux.Handle("GET /dist/", s.distHandler())
	mux.HandleFunc("GET /peers/{file}", s.servePeer)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		// Cross-origin isolation gives the pages a 5 µs performance.now()
		// instead of 100 µs, which the latency figures need. Everything is
		// same-origin, so nothing else changes.
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		mux.ServeHTTP(w, r)
	})
}

// shutdown releases every request that waits for a job or holds a stream.
func (s *benchServer) shutdown() { close(s.quit) }

// newSession registers a page's session under key.
func (s *benchServer) newSession(key string, startup *job) *session {
	sess := &session{jobs: make(chan job), results: make(chan result), startup: startup}
	s.mu.Lock()
	s.sessions[key] = sess
	s.mu.Unlock()
	return sess
}

func (s *benchServer) dropSession(key string) {
	s.mu.Lock()
	delete(s.sessions, key)
	s.mu.Unlock()
}

func (s *benchServer) session(key string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[key]
}

func (s *benchServer) serveEmbedded(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := pageFiles.ReadFile(name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Write(b)
	}
}

// serveStartup renders the fresh page of one startup measurement: the
// harness and the one script under test as ordinary parser-blocking tags,
// then the job, inline.
func (s *benchServer) serveStartup(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("s")
	sess := s.session(key)
	if sess == nil || sess.startup == nil {
		http.NotFound(w, r)
		return
	}
	j := *sess.startup
	j.Session = key
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err := startupPage.Execute(w, struct {
		Nonce  string
		Script string
		Job    job
	}{j.Nonce, implByKey(j.Impl).script, j})
	if err != nil {
		// The page then never reports, and the job times out with this.
		fmt.Fprintln(os.Stderr, "bench: startup page:", err)
	}
}

// serveNext takes the result a page posts (if any) to the orchestrator and
// answers with the page's next job. A startup page posts with last=1 and is
// given nothing more.
func (s *benchServer) serveNext(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r.URL.Query().Get("s"))
	if sess == nil {
		http.Error(w, "no such session", http.StatusGone)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if len(body) > 0 {
		var res result
		if err := json.Unmarshal(body, &res); err != nil {
			res = result{Error: "undecodable result: " + err.Error()}
		}
		select {
		case sess.results <- res:
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		}
	}
	if r.URL.Query().Get("last") == "1" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	select {
	case j := <-sess.jobs:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(j)
	case <-r.Context().Done():
	case <-s.quit:
	}
}

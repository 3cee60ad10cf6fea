package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/eventsource-wasm/eventsource/server"
)

// distHandler serves dist/ through package server's handler, as the demo and
// the browser suite get it: precompressed when the browser accepts it, as a
// production server would, but with no-store so that every page fetches and
// compiles the engine afresh. What each file was served as is kept for the
// report.
func (s *benchServer) distHandler() http.Handler {
	h := server.New(server.Options{Dist: s.dist, DistCacheControl: "no-store"})
	// The repeat-visit startup asks for cache=1: a production server's
	// cacheable response, so that V8 keeps the wasm's compiled code.
	cached := server.New(server.Options{Dist: s.dist, DistCacheControl: "public, max-age=3600"})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		if r.URL.Query().Get("cache") == "1" {
			cached.ServeHTTP(cw, r)
			return
		}
		h.ServeHTTP(cw, r)
		if cw.status != http.StatusOK {
			return
		}
		how := cmp.Or(w.Header().Get("Content-Encoding"), "identity") + ", " + groupThousands(int(cw.n)) + " bytes"
		s.mu.Lock()
		s.encoded[strings.TrimPrefix(r.URL.Path, "/dist/")] = how
		s.mu.Unlock()
	})
}

// countingWriter counts the body bytes of a response and keeps its status.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *countingWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// checkDist refuses a dist/ whose precompressed variants are older than
// their file: the server would send the old engine to any browser that
// accepts the encoding, and the figures would measure an old build.
func checkDist(dist string) error {
	files, err := filepath.Glob(filepath.Join(dist, "*"))
	if err != nil {
		return err
	}
	for _, f := range files {
		ext := path.Ext(f)
		if ext != ".br" && ext != ".gz" {
			continue
		}
		variant, err1 := os.Stat(f)
		plain, err2 := os.Stat(strings.TrimSuffix(f, ext))
		if err1 != nil || err2 != nil {
			continue
		}
		if variant.ModTime().Before(plain.ModTime()) {
			return fmt.Errorf("%s is older than %s: run make build", f, strings.TrimSuffix(f, ext))
		}
	}
	return nil
}

// servePeer serves the esbuild bundles of the npm implementations.
func (s *benchServer) servePeer(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if path.Ext(name) != ".js" {
		http.NotFound(w, r)
		return
	}
	// os.OpenInRoot keeps the name inside the directory.
	f, err := os.OpenInRoot(s.peers, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(b)
}

// servedDist reports how each dist file was last served.
func (s *benchServer) servedDist() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.encoded)
}

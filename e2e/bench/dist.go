package main

import (
	"cmp"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// distTypes are the types of what dist/ holds; instantiateStreaming insists
// on application/wasm.
var distTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
}

// serveDist serves dist/, preferring a precompressed .br or .gz variant that
// the browser accepts, as a production server would. A variant older than
// the file itself is stale (a rebuilt engine whose copies were not
// recompressed) and is not served: it would measure an old build. What was
// chosen, and why, is kept for the report.
func (s *benchServer) serveDist(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ctype, ok := distTypes[path.Ext(name)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	plain, err := statIn(s.dist, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	accept := r.Header.Get("Accept-Encoding")
	var skipped []string
	for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}, {"", ""}} {
		if enc.token != "" && !acceptsEncoding(accept, enc.token) {
			continue
		}
		b, mod, err := readIn(s.dist, name+enc.ext)
		if err != nil {
			continue
		}
		if enc.token != "" && mod.Before(plain.ModTime()) {
			skipped = append(skipped, name+enc.ext+" (older than "+name+": stale, not served)")
			continue
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		if enc.token != "" {
			h.Set("Content-Encoding", enc.token)
		}
		h.Set("Content-Length", strconv.Itoa(len(b)))
		how := cmp.Or(enc.token, "identity") + ", " + groupThousands(len(b)) + " bytes"
		if skipped != nil {
			how += "; " + strings.Join(skipped, ", ")
		}
		s.mu.Lock()
		s.encoded[name] = how
		s.mu.Unlock()
		w.Write(b)
		return
	}
	http.NotFound(w, r)
}

// servePeer serves the esbuild bundles of the npm implementations.
func (s *benchServer) servePeer(w http.ResponseWriter, r *http.Request) {
	b, _, err := readIn(s.peers, r.PathValue("file"))
	if err != nil || path.Ext(r.PathValue("file")) != ".js" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(b)
}

// readIn reads the file name of dir and its modification time;
// os.OpenInRoot keeps the name inside dir.
func readIn(dir, name string) ([]byte, time.Time, error) {
	f, err := os.OpenInRoot(dir, name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	b, err := io.ReadAll(f)
	return b, fi.ModTime(), err
}

// statIn is os.Stat of the file name of dir, kept inside dir.
func statIn(dir, name string) (os.FileInfo, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.Stat(name)
}

// acceptsEncoding reports whether an Accept-Encoding header lists token with
// a non-zero weight. Browsers send plain lists; "*" is not needed here.
func acceptsEncoding(header, token string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), token) {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// servedDist reports how each dist file was last served.
func (s *benchServer) servedDist() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.encoded)
}

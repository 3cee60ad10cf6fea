package server

import (
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
)

// distTypes pins the types of the files that dist/ holds. The system's MIME
// table is not trusted for them: many map .ts to MPEG transport streams, and
// WebAssembly.instantiateStreaming insists on application/wasm.
var distTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
	".ts":   "text/plain; charset=utf-8",
	".map":  "application/json",
	".json": "application/json",
	".html": "text/html; charset=utf-8",
}

// encodings are the precompressed variants, in order of preference when the
// client accepts both equally.
var encodings = []struct{ name, ext string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

func contentType(name string) string {
	ext := path.Ext(name)
	if t, ok := distTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serveDist serves opts.Dist, preferring a precompressed X.br or X.gz next to
// X when the client accepts it. Files are opened through os.OpenInRoot, so no
// request path can leave the directory.
func (s *Server) serveDist(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/dist/")
	if s.opts.Dist == "" || name == "" || strings.HasSuffix(name, "/") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", s.opts.DistCacheControl)
	h.Add("Vary", "Accept-Encoding")
	accepted := acceptedEncodings(r.Header.Get("Accept-Encoding"))
	for _, enc := range encodings {
		if !accepted[enc.name] {
			continue
		}
		if s.serveFile(w, r, name+enc.ext, contentType(name), enc.name) {
			return
		}
	}
	if !s.serveFile(w, r, name, contentType(name), "") {
		http.NotFound(w, r)
	}
}

// serveFile serves one regular file of the dist directory with the given
// type and encoding, and reports false if there is no such file.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name, ctype, encoding string) bool {
	f, err := os.OpenInRoot(s.opts.Dist, name)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	if encoding != "" {
		h.Set("Content-Encoding", encoding)
	}
	http.ServeContent(w, r, name, fi.ModTime(), f)
	return true
}

// acceptedEncodings reads Accept-Encoding and returns the codings of
// [encodings] that the client takes, so that "br;q=0" or "*;q=0" refuse one.
// When both are accepted with different weights, the lighter one is dropped
// so that the client's preference wins over ours.
func acceptedEncodings(header string) map[string]bool {
	q := map[string]float64{}
	star, hasStar := 0.0, false
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		weight := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					weight = f
				}
			}
		}
		if coding == "*" {
			star, hasStar = weight, true
			continue
		}
		q[coding] = weight
	}
	best := 0.0
	weights := map[string]float64{}
	for _, enc := range encodings {
		w, ok := q[enc.name]
		if !ok && hasStar {
			w, ok = star, true
		}
		if ok && w > 0 {
			weights[enc.name] = w
			best = max(best, w)
		}
	}
	out := map[string]bool{}
	for name, w := range weights {
		out[name] = w == best
	}
	return out
}

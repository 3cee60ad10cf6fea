package sse

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// maxRedirects is fetch's limit (SSE-20); net/http's default is 10.
const maxRedirects = 20

var (
	errTooManyRedirects = errors.New("sse: stopped after 20 redirects")
	errBlob             = errors.New("sse: blob: URLs exist only in a browser")
)

// parseURL parses an absolute URL and serializes it as the WHATWG URL
// parser would for the parts the engine compares: the scheme and host
// lowercased, the default port dropped, dot segments removed. Go's parser
// is not the WHATWG parser (SSE-13): a host it refuses, a port out of
// range, or a URL without a scheme is an error here.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if !u.IsAbs() {
		return nil, fmt.Errorf("sse: %q is not an absolute URL", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n > 65535 {
			return nil, fmt.Errorf("sse: %q: port out of range", raw)
		}
	}
	normalize(u)
	if u.Opaque == "" && u.Path != "" {
		*u = *u.ResolveReference(u) // removes dot segments, keeps the rest
	}
	return u, nil
}

// normalize lowercases an ASCII host and drops the scheme's default port.
func normalize(u *url.URL) {
	h := strings.ToLower(u.Host)
	switch {
	case u.Scheme == "http" && strings.HasSuffix(h, ":80"):
		h = strings.TrimSuffix(h, ":80")
	case u.Scheme == "https" && strings.HasSuffix(h, ":443"):
		h = strings.TrimSuffix(h, ":443")
	}
	u.Host = h
}

// serialize returns the URL the engine is told of a response.
func serialize(u *url.URL) string {
	c := *u
	normalize(&c)
	return c.String()
}

// originOf is the origin of an http(s) URL, scheme://host[:port], or "null".
func originOf(u *url.URL) string {
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "null"
	}
	c := *u
	normalize(&c)
	return c.Scheme + "://" + c.Host
}

// redirectPolicy returns the CheckRedirect of a stream's client: fetch's
// limit of 20 redirects, Authorization dropped once a hop leaves its
// origin (Fetch, HTTP-redirect fetch), then the client's own check.
func redirectPolicy(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return errTooManyRedirects
		}
		// net/http copies the first request's headers to every hop, so
		// the whole chain is checked each time.
		prev := originOf(via[0].URL)
		for _, r := range append(via[1:len(via):len(via)], req) {
			o := originOf(r.URL)
			if o != prev {
				req.Header.Del("Authorization")
				break
			}
			prev = o
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// replayable returns a GetBody for the body types whose content can be
// sent again, as http.NewRequest does, or nil.
func replayable(body io.Reader) func() (io.ReadCloser, error) {
	switch v := body.(type) {
	case *bytes.Buffer:
		b := v.Bytes()
		return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	case *bytes.Reader:
		snap := *v
		return func() (io.ReadCloser, error) { r := snap; return io.NopCloser(&r), nil }
	case *strings.Reader:
		snap := *v
		return func() (io.ReadCloser, error) { r := snap; return io.NopCloser(&r), nil }
	}
	return nil
}

// checkHeader reports the first header that net/http would refuse to send:
// a name that is not a token, or a value with a control byte other than
// HTAB. Chrome sends such values (SSE-29); net/http cannot, so the request
// fails as one that cannot be made, not as a network error retried forever.
func checkHeader(h http.Header) error {
	for k, vv := range h {
		if !validName(k) {
			return fmt.Errorf("sse: invalid header name %q", k)
		}
		for _, v := range vv {
			for i := 0; i < len(v); i++ {
				if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
					return fmt.Errorf("sse: the value of header %q has a control byte (0x%02x) that net/http cannot send", k, c)
				}
			}
		}
	}
	return nil
}

func validName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 0x80 || !tokenChar[c] {
			return false
		}
	}
	return true
}

var tokenChar = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// mergeHeader adds src to dst, each name replacing dst's values.
func mergeHeader(dst, src http.Header) {
	for k, v := range src {
		dst[textproto.CanonicalMIMEHeaderKey(k)] = append([]string(nil), v...)
	}
}

// dataResponse is fetch's scheme fetch of a data: URL (the Fetch
// standard's data: URL processor): 200 with the URL's MIME type and its
// decoded body. A URL that cannot be processed is a network error.
func dataResponse(u *url.URL, req *http.Request) (*http.Response, error) {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	s := strings.TrimPrefix(c.String(), "data:")
	mime, body, ok := strings.Cut(s, ",")
	if !ok {
		return nil, errors.New("sse: a data: URL without a comma")
	}
	mime = strings.Trim(mime, " \t\n\f\r")
	data := percentDecode(body)
	if m, ok := cutSuffixFold(strings.TrimRight(mime, " "), "base64"); ok && strings.HasSuffix(strings.TrimRight(m, " "), ";") {
		m = strings.TrimRight(m, " ")
		mime = m[:len(m)-1]
		var err error
		if data, err = forgivingBase64(data); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(mime, ";") {
		mime = "text/plain" + mime
	}
	if mime == "" {
		mime = "text/plain;charset=US-ASCII"
	}
	return &http.Response{
		Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {mime}},
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)),
		Request:       req,
	}, nil
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// forgivingBase64 is the Infra standard's forgiving-base64 decode.
func forgivingBase64(b []byte) ([]byte, error) {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			return -1
		}
		return r
	}, string(b))
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(s, "=")
		s = strings.TrimSuffix(s, "=")
	}
	if len(s)%4 == 1 || strings.Contains(s, "=") {
		return nil, errors.New("sse: a data: URL with invalid base64")
	}
	return base64.RawStdEncoding.DecodeString(s)
}

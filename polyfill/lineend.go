//go:build !wasm

package polyfill

import "bytes"

// lineEnd returns the index in p.in of the next CR or LF at or after p.pos,
// or len(p.in) if there is none. It remembers where it found each, so a chunk
// with many lines and no CR is searched for CR once, not once per line:
// bytes.IndexByte is vectorised here, and two passes beat one that looks for
// both bytes (see lineend_wasm.go for wasm).
func (p *Parser) lineEnd() int {
	if p.lf < p.pos {
		p.lf = len(p.in)
		if i := bytes.IndexByte(p.in[p.pos:], '\n'); i >= 0 {
			p.lf = p.pos + i
		}
	}
	if p.cr < p.pos {
		p.cr = len(p.in)
		if i := bytes.IndexByte(p.in[p.pos:], '\r'); i >= 0 {
			p.cr = p.pos + i
		}
	}
	return min(p.lf, p.cr)
}

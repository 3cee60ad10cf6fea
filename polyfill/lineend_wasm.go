//go:build wasm

package polyfill

import (
	"math/bits"
	"unsafe"
)

// lineEnd returns the index in p.in of the next CR or LF at or after p.pos,
// or len(p.in) if there is none. On wasm, bytes.IndexByte reads 4 bytes at a
// time and needs a pass for each byte; one pass that looks for both, 8 bytes
// at a time, is faster (BenchmarkParseRaw under Node: 1KiB 2.17 → 2.45 GB/s,
// 1MiB 2.73 → 2.96 GB/s, fields +19%). p.lf and p.cr are not used.
func (p *Parser) lineEnd() int {
	return p.pos + indexLineEnd(p.in[p.pos:])
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// indexLineEnd returns the index of the first CR or LF in b, or len(b).
//
// For each 8-byte word v, (x - ones) &^ x & highs, with x = v ^ (ones * c),
// has the high bit of a byte set where v has c, and maybe above such a byte
// (a borrow), never below the first one; so the lowest bit set in the union
// of the CR and LF masks is the first line end in the word.
func indexLineEnd(b []byte) int {
	n := len(b)
	i := 0
	if n >= 8 {
		base := unsafe.Pointer(unsafe.SliceData(b))
		for ; i <= n-8; i += 8 {
			v := *(*uint64)(unsafe.Add(base, i)) // little-endian; unaligned loads are fine in wasm
			lf := v ^ (ones * '\n')
			cr := v ^ (ones * '\r')
			if m := ((lf-ones)&^lf | (cr-ones)&^cr) & highs; m != 0 {
				return i + bits.TrailingZeros64(m)/8
			}
		}
	}
	for ; i < n; i++ {
		if c := b[i]; c == '\n' || c == '\r' {
			return i
		}
	}
	return n
}

//go:build wasm

package polyfill

import (
	"bytes"
	"testing"
)

// TestIndexLineEnd checks the word-at-a-time search against a byte loop: CR
// and LF at every offset of words and tails, alone and together, among the
// bytes that differ from them in one bit (0x8A, 0x8D, 0x0B, 0x0C, 0x0E,
// 0x02), which a wrong mask would take for them.
func TestIndexLineEnd(t *testing.T) {
	ref := func(b []byte) int {
		if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
			return i
		}
		return len(b)
	}
	fills := []byte{'a', 0x8A, 0x8D, 0x0B, 0x0C, 0x0E, 0x02, 0xFF, 0x00}
	for _, fill := range fills {
		for n := 0; n <= 80; n++ { // the two-word start, two four-word steps, words, bytes
			b := bytes.Repeat([]byte{fill}, n)
			if got := indexLineEnd(b); got != n {
				t.Fatalf("fill %#x, %d bytes, none: %d", fill, n, got)
			}
			for i := 0; i < n; i++ {
				for _, c := range []byte{'\n', '\r'} {
					b := bytes.Repeat([]byte{fill}, n)
					b[i] = c
					if i+3 < n {
						b[i+3] = '\r' ^ '\n' ^ c // the other one, later
					}
					if got, want := indexLineEnd(b[:n]), ref(b[:n]); got != want {
						t.Fatalf("fill %#x, %d bytes, %q at %d: %d, want %d", fill, n, c, i, got, want)
					}
					// And from an unaligned start.
					if i > 0 {
						if got, want := indexLineEnd(b[1:n]), ref(b[1:n]); got != want {
							t.Fatalf("fill %#x, %d bytes from 1, %q at %d: %d, want %d", fill, n, c, i, got, want)
						}
					}
				}
			}
		}
	}
}

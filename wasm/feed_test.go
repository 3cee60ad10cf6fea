//go:build js && wasm

package main

import (
	"testing"
	"unsafe"

	"github.com/hack-pad/safejs"
)

// feedJS does what the shim's feeder (js/src/codec.js) does with the two
// exports, and returns what it returns: the chunk copied to the address
// feedBuffer gives, feed called until it has no more, and the answers read
// as JS reads them, by address and length, into a message or
// [n, messages…, large…]. The addresses are checked against the bridge's
// buffers, which is where the bytes are read from.
func feedJS(t testing.TB, b *bridge, id int, chunk []byte) any {
	t.Helper()
	p := b.feedBuffer(len(chunk))
	if p != address(b.in) || len(b.in) < len(chunk) {
		t.Fatalf("feedBuffer(%d): %#x, the input buffer is at %#x with %d bytes", len(chunk), p, address(b.in), len(b.in))
	}
	copy(b.in, chunk)
	var messages, large []any
	for n := len(chunk); ; n = -1 {
		h := b.feed(id, n)
		hdr := b.enc.hdr
		if h != uint32(uintptr(unsafe.Pointer(unsafe.SliceData(hdr)))) || len(hdr) < 3 {
			t.Fatalf("feed answered %#x, the header is at %#x", h, uintptr(unsafe.Pointer(unsafe.SliceData(hdr))))
		}
		m, l, more := int(hdr[0]), int(hdr[1]), hdr[2]
		if len(hdr) != 3+2*(m+l) || l > 1 || more > 1 || more == 1 && l == 0 {
			t.Fatalf("header %v", hdr)
		}
		base := address(b.enc.buf)
		for i := range m {
			off, n := int(hdr[3+2*i]-base), int(hdr[4+2*i])
			if n > 0 && (off < 0 || off+n > len(b.enc.buf)) {
				t.Fatalf("message %d at %#x+%d, outside the encoder's buffer", i, hdr[3+2*i], n)
			}
			messages = append(messages, decodeJS(t, b.enc.buf[off:off+n]))
		}
		if l == 1 {
			if hdr[3+2*m] != address(b.enc.large) || int(hdr[4+2*m]) != len(b.enc.large) {
				t.Fatalf("large data at %#x+%d, want the event's data", hdr[3+2*m], hdr[4+2*m])
			}
			large = append(large, decodeJS(t, b.enc.large))
		}
		if more == 0 {
			break
		}
	}
	if len(messages) == 1 && len(large) == 0 {
		return messages[0]
	}
	return append(append([]any{float64(len(messages))}, messages...), large...)
}

// decodeJS decodes b as the shim does: with TextDecoder, a leading U+FEFF
// kept.
func decodeJS(t testing.TB, b []byte) string {
	t.Helper()
	ctor, err := safejs.Global().Get("TextDecoder")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := safejs.ValueOf(map[string]any{"ignoreBOM": true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ctor.New("utf-8", opts)
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Call("decode", uint8Array(t, b))
	if err != nil {
		t.Fatal(err)
	}
	return str(t, v)
}

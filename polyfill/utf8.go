package polyfill

import "unicode/utf8"

// appendDecoded appends b to dst decoded the way the WHATWG UTF-8 decoder
// does it (SSE-31): every maximal subpart of an ill-formed sequence becomes
// one U+FFFD. Go's own conversions give one U+FFFD per bad byte instead, so
// "\xF0\x9F\x98" would become three replacement characters, not one.
func appendDecoded(dst, b []byte) []byte {
	for len(b) > 0 {
		// Copy the longest valid prefix in one go.
		i := validPrefix(b)
		dst = append(dst, b[:i]...)
		b = b[i:]
		if len(b) == 0 {
			break
		}
		n := maximalSubpart(b)
		dst = append(dst, "\uFFFD"...)
		b = b[n:]
	}
	return dst
}

// validPrefix returns the length of the longest prefix of b that is valid
// UTF-8.
func validPrefix(b []byte) int {
	i := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}

// maximalSubpart returns how many bytes at the start of b, which does not
// begin with a valid UTF-8 sequence, form one maximal subpart: the lead byte
// plus the continuation bytes that could still have completed it. The byte
// ranges are those of the WHATWG decoder, which also exclude overlong forms,
// surrogates and code points above U+10FFFF.
func maximalSubpart(b []byte) int {
	lo, hi := byte(0x80), byte(0xBF)
	need := 0
	switch lead := b[0]; {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead >= 0xE0 && lead <= 0xEF:
		need = 2
		if lead == 0xE0 {
			lo = 0xA0
		} else if lead == 0xED {
			hi = 0x9F
		}
	case lead >= 0xF0 && lead <= 0xF4:
		need = 3
		if lead == 0xF0 {
			lo = 0x90
		} else if lead == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(b) && b[n] >= lo && b[n] <= hi {
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}

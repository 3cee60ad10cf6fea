package polyfill

// extractMIME extracts the MIME type from a Content-Type header value the way
// Fetch does (SSE-22): of several comma-separated values the last parsable
// one wins. Its charset is its own charset parameter or, when it has none,
// the one of the value that began the run of values with its essence. It
// returns the lowercased essence and the charset, or ok false when no value
// parses.
func extractMIME(header string) (essence, charset string, ok bool) {
	var first string // Fetch's "charset": set only when the essence changes
	for more := true; more; {
		var value string
		value, header, more = cutCommaOutsideQuotes(header)
		e, cs, hasCS, good := parseMIME(value)
		if !good || e == "*/*" {
			continue
		}
		if e != essence || !ok {
			first = cs
		}
		charset = first
		if hasCS {
			charset = cs
		}
		essence, ok = e, true
	}
	return essence, charset, ok
}

// cutCommaOutsideQuotes cuts s around its first comma that is not inside a
// quoted string.
func cutCommaOutsideQuotes(s string) (before, after string, found bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// parseMIME parses one MIME type as the MIME Sniffing standard does, far
// enough to know its essence and charset parameter.
func parseMIME(s string) (essence, charset string, hasCharset, ok bool) {
	s = trimHTTPSpace(s)
	mime := s
	i := 0
	for i < len(s) && s[i] != '/' {
		i++
	}
	typ := s[:i]
	if i == len(s) || typ == "" || !isToken(typ) {
		return "", "", false, false
	}
	s = s[i+1:]
	i = 0
	for i < len(s) && s[i] != ';' {
		i++
	}
	sub := trimHTTPSpaceRight(s[:i]) // "text/ html" is not a MIME type
	if sub == "" || !isToken(sub) {
		return "", "", false, false
	}
	// The type, the slash and the subtype are contiguous: one lowercasing.
	essence = asciiLower(mime[:len(typ)+1+len(sub)])
	s = s[i:]
	for len(s) > 0 {
		s = trimHTTPSpaceLeft(s[1:]) // skip ';'
		i = 0
		for i < len(s) && s[i] != ';' && s[i] != '=' {
			i++
		}
		name := asciiLower(s[:i])
		s = s[i:]
		if len(s) > 0 && s[0] == ';' {
			continue
		}
		if len(s) == 0 {
			break
		}
		s = s[1:] // skip '='
		var value string
		if len(s) > 0 && s[0] == '"' {
			value, s = collectQuoted(s)
			for len(s) > 0 && s[0] != ';' {
				s = s[1:]
			}
		} else {
			i = 0
			for i < len(s) && s[i] != ';' {
				i++
			}
			value, s = trimHTTPSpace(s[:i]), s[i:]
			if value == "" {
				continue
			}
		}
		if name == "charset" && !hasCharset && isQuotedStringValue(value) {
			charset, hasCharset = value, true
		}
	}
	return essence, charset, hasCharset, true
}

// collectQuoted reads a quoted string at the start of s, returning its value
// with escapes resolved, and the rest of s.
func collectQuoted(s string) (string, string) {
	var b []byte
	i := 1
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			b = append(b, s[i])
			continue
		}
		if c == '"' {
			i++
			break
		}
		b = append(b, c)
	}
	return string(b), s[i:]
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c <= ' ' || c == 0x7F {
			return false
		}
		switch c {
		case '"', '(', ')', ',', '/', ':', ';', '<', '=', '>', '?', '@', '[', '\\', ']', '{', '}':
			return false
		}
	}
	return true
}

// isQuotedStringValue reports whether s holds only HTTP quoted-string token
// code points (tab, space..~, and 0x80..0xFF).
func isQuotedStringValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\t' && (c < ' ' || c == 0x7F) {
			return false
		}
	}
	return true
}

func isHTTPSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimHTTPSpaceLeft(s string) string {
	for len(s) > 0 && isHTTPSpace(s[0]) {
		s = s[1:]
	}
	return s
}

func trimHTTPSpaceRight(s string) string {
	for len(s) > 0 && isHTTPSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func trimHTTPSpace(s string) string {
	return trimHTTPSpaceRight(trimHTTPSpaceLeft(s))
}

// asciiLower is not inlined: its six copies made 1.7 KB of wasm, for
// calls made once per response.
//
//go:noinline
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func asciiEqualFold(a, b string) bool {
	return len(a) == len(b) && asciiLower(a) == asciiLower(b)
}

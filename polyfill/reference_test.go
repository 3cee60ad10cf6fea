package polyfill

import (
	"math/big"
	"strings"
)

// This file holds a deliberately simple reference implementation of the
// event stream parser, written from the spec text and independent of
// parser.go and utf8.go: it decodes a whole body first, strips one BOM,
// splits the text into lines and interprets them one by one. It is slow and
// obviously right, which is what the table, split and fuzz tests compare the
// engine against.

// refRune is one code point decoded by refDecode, with the number of body
// bytes it stands for: a U+FFFD stands for a whole maximal subpart. The byte
// counts let the reference model the engine's byte limits.
type refRune struct {
	r rune
	n int
}

// refDecode is the Encoding standard's UTF-8 decoder, transcribed as its
// byte-by-byte state machine (bytes needed/seen, lower/upper boundary), run
// to the end of the queue. It uses neither unicode/utf8 nor utf8.go.
func refDecode(b []byte) []refRune {
	var out []refRune
	var cp rune
	needed, seen, start := 0, 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(b); {
		c := b[i]
		if needed == 0 {
			start = i
			i++
			switch {
			case c <= 0x7F:
				out = append(out, refRune{rune(c), 1})
			case 0xC2 <= c && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case 0xE0 <= c && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				}
				if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0x0F)
			case 0xF0 <= c && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				}
				if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x07)
			default:
				out = append(out, refRune{0xFFFD, 1})
			}
			continue
		}
		if c < lower || c > upper {
			// Error; the byte is "restored to the stream": it is read
			// again, as the start of a new sequence.
			out = append(out, refRune{0xFFFD, i - start})
			cp, needed, seen, lower, upper = 0, 0, 0, 0x80, 0xBF
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		i++
		if seen == needed {
			out = append(out, refRune{cp, i - start})
			cp, needed, seen = 0, 0, 0
		}
	}
	if needed != 0 {
		out = append(out, refRune{0xFFFD, len(b) - start}) // end of queue mid-sequence
	}
	return out
}

// refString decodes b with refDecode.
func refString(b []byte) string {
	return runesString(refDecode(b))
}

func runesString(rs []refRune) string {
	var sb strings.Builder
	for _, r := range rs {
		sb.WriteRune(r.r)
	}
	return sb.String()
}

func runesBytes(rs []refRune) int {
	n := 0
	for _, r := range rs {
		n += r.n
	}
	return n
}

// ev is a dispatched event as text, the way a page sees it.
type ev struct {
	Type, Data, ID string
}

// result is everything a run over one or more bodies observes.
type result struct {
	events []ev
	errs   []error // per body: the error that stopped it, or nil
	id     string  // final last event ID string
	retry  int     // final reconnection time, ms
}

// refState is what persists across bodies (SSE-30).
type refState struct {
	id    string
	retry int
}

// refParse interprets each body in turn, as separate responses of one
// EventSource. lim is modelled in body bytes as the engine documents it:
// a line (terminator excluded) longer than MaxLineSize, or a data buffer
// (one LF per line included) growing past MaxEventSize, stops the body.
func refParse(bodies [][]byte, lim Limits) result {
	maxLine, maxEvent := 16<<20, 16<<20
	if lim.MaxLineSize > 0 {
		maxLine = lim.MaxLineSize
	}
	if lim.MaxEventSize > 0 {
		maxEvent = lim.MaxEventSize
	}
	st := refState{retry: 3000}
	var res result
	for _, body := range bodies {
		evs, err := refBody(&st, body, maxLine, maxEvent)
		res.events = append(res.events, evs...)
		res.errs = append(res.errs, err)
	}
	res.id, res.retry = st.id, st.retry
	return res
}

func refBody(st *refState, body []byte, maxLine, maxEvent int) ([]ev, error) {
	text := refDecode(body)
	if len(text) > 0 && text[0].r == 0xFEFF {
		text = text[1:] // the decoder's BOM sniffing: one, at the start
	}
	// Split into lines at CRLF, CR or LF; what follows the last line ending
	// is the unfinished line.
	var lines [][]refRune
	for {
		i := 0
		for i < len(text) && text[i].r != '\r' && text[i].r != '\n' {
			i++
		}
		if i == len(text) {
			break
		}
		lines = append(lines, text[:i])
		if text[i].r == '\r' && i+1 < len(text) && text[i+1].r == '\n' {
			i++
		}
		text = text[i+1:]
	}
	unfinished := text

	var evs []ev
	var data []refRune
	dataBytes := 0
	typ, idBuf := "", st.id
	for _, line := range lines {
		if runesBytes(line) > maxLine {
			return evs, ErrLineTooLong
		}
		s := runesString(line)
		if s == "" {
			// Dispatch.
			st.id = idBuf
			if len(data) == 0 {
				typ = ""
				continue
			}
			d := runesString(data)
			d = strings.TrimSuffix(d, "\n")
			t := typ
			if t == "" {
				t = "message"
			}
			evs = append(evs, ev{t, d, st.id})
			data, dataBytes, typ = nil, 0, ""
			continue
		}
		if s[0] == ':' {
			continue
		}
		name, value := s, ""
		var valueRunes []refRune
		if i := strings.IndexByte(s, ':'); i >= 0 {
			name, value = s[:i], s[i+1:]
			valueRunes = line[len([]rune(name))+1:]
			if strings.HasPrefix(value, " ") {
				value, valueRunes = value[1:], valueRunes[1:]
			}
		}
		switch name {
		case "event":
			typ = value
		case "data":
			n := runesBytes(valueRunes)
			if dataBytes+n+1 > maxEvent {
				return evs, ErrEventTooLarge
			}
			data = append(data, valueRunes...)
			data = append(data, refRune{'\n', 1})
			dataBytes += n + 1
		case "id":
			if !strings.Contains(value, "\x00") {
				idBuf = value
			}
		case "retry":
			if value == "" {
				st.retry = 3000
				break
			}
			if strings.Trim(value, "0123456789") != "" {
				break
			}
			v, _ := new(big.Int).SetString(value, 10)
			if v.BitLen() > 64 {
				break
			}
			if v.Cmp(big.NewInt(2147483647)) > 0 {
				v.SetInt64(2147483647)
			}
			st.retry = int(v.Int64())
		}
	}
	// A body that is so far a proper prefix of a BOM has no line yet: those
	// bytes may still be stripped, and the end of the body drops them.
	if len(body) < 3 && strings.HasPrefix("\xEF\xBB\xBF", string(body)) {
		unfinished = nil
	}
	if runesBytes(unfinished) > maxLine {
		return evs, ErrLineTooLong
	}
	return evs, nil
}

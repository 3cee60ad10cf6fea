package polyfill

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// Field is the name of a field of the event stream format that means
// something (SSE-40). Names are compared byte for byte: no case folding, no
// trimming, so "Data" and " data" are unknown fields.
type Field string

// The fields of the event stream format; every other name is ignored (SSE-45).
const (
	FieldEvent Field = "event"
	FieldData  Field = "data"
	FieldID    Field = "id"
	FieldRetry Field = "retry"
)

// Defaults of [Limits] and of the reconnection time.
const (
	// DefaultMaxLineSize is the default limit of one line, in bytes.
	DefaultMaxLineSize = 16 << 20
	// DefaultMaxEventSize is the default limit of one event's data, in bytes.
	DefaultMaxEventSize = 16 << 20
	// DefaultRetry is the initial reconnection time in milliseconds, Chrome's
	// choice (SSE-18); an empty retry field restores it (SSE-44).
	DefaultRetry = 3000
	// MaxRetry is the largest reconnection time in milliseconds. Larger
	// values are clamped to it: a JS timer treats anything above 2^31-1 ms
	// as about zero (SSE-44).
	MaxRetry = 1<<31 - 1
)

// Errors that stop a [Parser]. They are sticky: once one is returned by
// [Parser.Err], the parser yields no more events until [Parser.Reset].
var (
	// ErrLineTooLong means a line grew past [Limits.MaxLineSize] before its
	// line ending arrived.
	ErrLineTooLong = errors.New("eventsource: line exceeds the maximum line size")
	// ErrEventTooLarge means an event's data grew past
	// [Limits.MaxEventSize] before it was dispatched.
	ErrEventTooLarge = errors.New("eventsource: event data exceeds the maximum event size")
)

// Limits protect memory against a hostile or broken server. The standard sets
// no limit (SSE-34); a zero field means the default.
type Limits struct {
	// MaxLineSize is the longest line, in bytes, line ending excluded.
	MaxLineSize int
	// MaxEventSize is the largest data buffer of one event, in bytes,
	// counting one LF per data line.
	MaxEventSize int
}

// Event is one dispatched event. Its slices alias the parser's buffers and are
// valid only until the next call to [Parser.Next], [Parser.Feed] or
// [Parser.Reset]; copy what must outlive that.
type Event struct {
	// Type is the event type; empty means "message" (SSE-49).
	Type []byte
	// Data is the data buffer without its last LF (SSE-48).
	Data []byte
	// LastEventID is the last event ID string at dispatch (SSE-46).
	LastEventID []byte
}

// The byte order mark, stripped once at the start of each body (SSE-32).
const bom = "\xEF\xBB\xBF"

// Parser interprets one event stream after another, incrementally, like
// bufio.Scanner but fed from outside: [Parser.Feed] hands it the next chunk of
// the response body, of any size and split at any byte, and [Parser.Next]
// advances to each event that chunk completes.
//
// Chunk boundaries never change the result: a CR at the end of one chunk and
// an LF at the start of the next are one line ending, and a BOM or a UTF-8
// sequence may be split anywhere. Output text is decoded as the WHATWG UTF-8
// decoder would decode the body (SSE-31).
//
// The last event ID and the reconnection time persist across responses;
// [Parser.Reset] starts a new response (SSE-30) and discards an unfinished
// event (SSE-35). The zero Parser is ready to use with the default limits.
type Parser struct {
	limits Limits

	in     []byte // the chunk being parsed; in[pos:] is unread
	pos    int
	lf, cr int  // index in 'in' of the next LF and CR, len(in) if none, -1 if not yet searched
	skipLF bool // the last line ended with a CR at the very end of a chunk (SSE-33)
	bomN   int  // bytes of a BOM matched so far at the start of the body
	bomEnd bool // the start of the body is behind us

	line  []byte // a line split across chunks, accumulated
	data  []byte // data buffer, each value followed by LF (SSE-42)
	typ   []byte // event type buffer (SSE-41)
	idBuf []byte // last event ID buffer (SSE-43)
	id    []byte // last event ID string (SSE-46)
	retry int    // reconnection time in ms, 0 meaning DefaultRetry

	// A long data line split across chunks goes straight to data instead
	// of line (see streamData): lineLen counts its bytes so far for the
	// line limit, and overflow records that its value no longer fits the
	// event limit, so its bytes are only counted.
	streaming bool
	overflow  bool
	lineLen   int

	raw     bool   // skip decoding: the host decodes with a WHATWG decoder
	decoded []byte // scratch for decoding an invalid event
	ev      Event
	err     error
}

// NewParser returns a parser with the given limits.
func NewParser(l Limits) *Parser {
	return &Parser{limits: l}
}

// SetRaw makes the parser leave its output undecoded: invalid UTF-8 stays in
// Event fields as it came. Decoding that output with the WHATWG UTF-8 decoder
// (the browser's TextDecoder) gives exactly the text the parser would have
// produced, because every value is cut from the body at ASCII bytes; a host
// that decodes anyway saves a pass over the data.
func (p *Parser) SetRaw(raw bool) { p.raw = raw }

func (p *Parser) maxLine() int {
	if p.limits.MaxLineSize > 0 {
		return p.limits.MaxLineSize
	}
	return DefaultMaxLineSize
}

func (p *Parser) maxEvent() int {
	if p.limits.MaxEventSize > 0 {
		return p.limits.MaxEventSize
	}
	return DefaultMaxEventSize
}

// Limits returns the limits in force, with the defaults filled in.
func (p *Parser) Limits() Limits {
	return Limits{MaxLineSize: p.maxLine(), MaxEventSize: p.maxEvent()}
}

// Feed hands the parser the next chunk of the body. The parser reads chunk in
// place until [Parser.Next] returns false, so the caller must not modify it
// before then. Feeding before Next has returned false keeps the unread rest
// of the previous chunk (copied) ahead of the new one. Once the parser has
// stopped with an error, Feed discards chunk until [Parser.Reset].
func (p *Parser) Feed(chunk []byte) {
	if p.err != nil {
		return // stopped: keep nothing until Reset
	}
	if p.pos < len(p.in) {
		// Rare: keep the unread rest, owned, ahead of the new chunk.
		rest := make([]byte, 0, len(p.in)-p.pos+len(chunk))
		chunk = append(append(rest, p.in[p.pos:]...), chunk...)
	}
	p.in, p.pos, p.lf, p.cr = chunk, 0, -1, -1
}

// Next advances to the next event of the fed input and reports whether there
// is one; [Parser.Event] returns it. It returns false when the input is used
// up (feed more) or when the parser has stopped with an error ([Parser.Err]).
// A retry field takes effect as soon as its line is read (SSE-44), whether or
// not an event follows.
func (p *Parser) Next() bool {
	if p.err != nil {
		return false
	}
	for p.pos < len(p.in) {
		if !p.bomEnd && !p.skipBOM() {
			break
		}
		if p.skipLF {
			p.skipLF = false
			if p.in[p.pos] == '\n' {
				p.pos++
				continue
			}
		}
		end := p.lineEnd()
		if end == len(p.in) {
			// No line ending in this chunk: keep the partial line.
			seg := p.in[p.pos:]
			p.pos = end
			if p.streaming {
				if !p.streamData(seg, false) {
					return false
				}
				break
			}
			if len(p.line)+len(seg) > p.maxLine() {
				p.fail(ErrLineTooLong)
				return false
			}
			p.line = append(grow(p.line, len(seg)), seg...)
			if len(p.line) >= streamLine && bytes.HasPrefix(p.line, []byte("data:")) {
				p.startStream()
			}
			break
		}
		line := p.in[p.pos:end]
		p.pos = end + 1
		if p.in[end] == '\r' {
			// SSE-33: CRLF is one line ending, even split across chunks.
			if p.pos == len(p.in) {
				p.skipLF = true
			} else if p.in[p.pos] == '\n' {
				p.pos++
			}
		}
		if p.streaming {
			if !p.streamData(line, true) {
				return false
			}
			continue
		}
		if len(p.line) > 0 {
			line = append(grow(p.line, len(line)), line...)
			p.line = line[:0]
		}
		if len(line) > p.maxLine() {
			p.fail(ErrLineTooLong)
			return false
		}
		if p.processLine(line) {
			return true
		}
		if p.err != nil {
			return false
		}
	}
	p.in, p.pos = nil, 0
	return false
}

// streamLine is the length from which a data line split across chunks is
// appended to the data buffer as it comes, rather than accumulated whole in
// the line buffer and then copied: a large event then touches half the
// memory (in wasm, fresh memory is what makes the first large event slow)
// and is copied once.
const streamLine = 32 << 10

// startStream moves the partial data line of the line buffer, which has at
// least one byte after "data:", to the data buffer and streams the rest of
// the line there.
func (p *Parser) startStream() {
	line := p.line
	p.line = p.line[:0]
	value := line[len("data:"):]
	if value[0] == ' ' {
		value = value[1:]
	}
	p.streaming, p.overflow, p.lineLen = true, false, len(line)-len(value)
	p.streamData(value, false)
}

// streamData appends seg, the next bytes of a streamed data line, and at
// the line's end (last) its LF. It applies the limits exactly as a whole
// line would meet them: the line limit as soon as it is exceeded, the event
// limit when the line ends (a line that outgrows both fails on the line).
// It reports false if the parser stopped.
func (p *Parser) streamData(seg []byte, last bool) bool {
	if p.lineLen += len(seg); p.lineLen > p.maxLine() {
		p.fail(ErrLineTooLong)
		return false
	}
	if !p.overflow && len(p.data)+len(seg)+1 > p.maxEvent() {
		p.overflow = true
	}
	if !p.overflow {
		p.data = append(grow(p.data, len(seg)+1), seg...)
	}
	if !last {
		return true
	}
	p.streaming = false
	if p.overflow {
		p.fail(ErrEventTooLarge)
		return false
	}
	p.data = append(p.data, '\n')
	return true
}

// skipBOM consumes the bytes of a leading BOM (SSE-32) and reports whether
// the start of the body is behind us. Bytes that began like a BOM but turn
// out not to be one are ordinary text at the start of the first line.
func (p *Parser) skipBOM() bool {
	for p.pos < len(p.in) {
		if p.in[p.pos] != bom[p.bomN] {
			p.line = append(p.line, bom[:p.bomN]...)
			p.bomEnd = true
			return true
		}
		p.pos++
		p.bomN++
		if p.bomN == len(bom) {
			p.bomEnd = true
			return true
		}
	}
	return false
}

// processLine interprets one complete line (SSE-36..45) and reports whether
// it dispatched an event.
func (p *Parser) processLine(line []byte) bool {
	if len(line) == 0 {
		return p.dispatch() // SSE-36
	}
	if line[0] == ':' {
		return false // SSE-37: a comment
	}
	name, value := line, line[len(line):]
	if i := bytes.IndexByte(line, ':'); i >= 0 { // SSE-38; else SSE-39
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch Field(name) {
	case FieldEvent: // SSE-41
		p.typ = append(p.typ[:0], value...)
	case FieldData: // SSE-42
		if len(p.data)+len(value)+1 > p.maxEvent() {
			p.fail(ErrEventTooLarge)
			return false
		}
		p.data = append(grow(p.data, len(value)+1), value...)
		p.data = append(p.data, '\n')
	case FieldID: // SSE-43
		if bytes.IndexByte(value, 0) < 0 {
			p.idBuf = append(p.idBuf[:0], value...)
		}
	case FieldRetry: // SSE-44
		if ms, ok := parseRetry(value); ok {
			p.retry = ms
		}
	}
	return false // SSE-45: any other field is ignored
}

// parseRetry parses a retry value (SSE-44): ASCII digits only, base 10,
// leading zeros allowed; empty restores the default, as Chrome does; a number
// too big for uint64 is ignored and one above MaxRetry is clamped.
func parseRetry(v []byte) (ms int, ok bool) {
	if len(v) == 0 {
		return 0, true
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if n > MaxRetry {
		n = MaxRetry
	}
	if n == 0 {
		// Keep 0 distinct from "default" in the field.
		return -1, true
	}
	return int(n), true
}

// dispatch runs the dispatch steps (SSE-46..50) and reports whether they
// produced an event.
func (p *Parser) dispatch() bool {
	p.id = append(p.id[:0], p.idBuf...) // SSE-46: every time, buffer kept
	if len(p.data) == 0 {
		p.typ = p.typ[:0] // SSE-47
		return false
	}
	p.ev = Event{Type: p.typ, Data: p.data[:len(p.data)-1], LastEventID: p.id}
	if !p.raw {
		p.decode()
	}
	// SSE-50: the buffers are emptied but keep their memory, which the event
	// still uses until the next call.
	p.data, p.typ = p.data[:0], p.typ[:0]
	return true
}

// decode replaces the event's fields by their decoded text where they are not
// valid UTF-8, which is rare: valid input costs one validating pass.
func (p *Parser) decode() {
	if utf8.Valid(p.ev.Data) && utf8.Valid(p.ev.Type) && utf8.Valid(p.ev.LastEventID) {
		return
	}
	d := appendDecoded(p.decoded[:0], p.ev.Data)
	nd := len(d)
	d = appendDecoded(d, p.ev.Type)
	nt := len(d)
	d = appendDecoded(d, p.ev.LastEventID)
	p.decoded = d
	p.ev = Event{Type: d[nd:nt:nt], Data: d[:nd:nd], LastEventID: d[nt:]}
}

func (p *Parser) fail(err error) {
	p.err = err
	p.in, p.pos = nil, 0
}

// Event returns the event that the last successful [Parser.Next] produced.
func (p *Parser) Event() Event { return p.ev }

// Err returns the error that stopped the parser, or nil.
func (p *Parser) Err() error { return p.err }

// LastEventID returns the last event ID string (SSE-46): the ID of the last
// dispatched block, kept across responses, decoded even when the parser is
// raw. It is what a reconnection sends as Last-Event-ID, unless it is empty
// (SSE-29).
func (p *Parser) LastEventID() string {
	if utf8.Valid(p.id) {
		return string(p.id)
	}
	return string(appendDecoded(nil, p.id))
}

// ReconnectionTime returns the reconnection time in milliseconds: DefaultRetry
// until a retry field sets it (SSE-18, SSE-44), at most MaxRetry.
func (p *Parser) ReconnectionTime() int {
	switch {
	case p.retry == 0:
		return DefaultRetry
	case p.retry < 0:
		return 0
	}
	return p.retry
}

// Reset readies the parser for a new response body (SSE-30): the unfinished
// line and event are discarded (SSE-35), the BOM may come again, the last
// event ID buffer restarts from the last event ID string, and the sticky
// error is cleared. The last event ID and the reconnection time persist.
func (p *Parser) Reset() {
	p.in, p.pos, p.lf, p.cr = nil, 0, -1, -1
	p.skipLF, p.bomN, p.bomEnd = false, 0, false
	p.streaming, p.overflow, p.lineLen = false, false, 0
	p.line, p.data, p.typ = shrink(p.line), shrink(p.data), p.typ[:0]
	p.idBuf = append(p.idBuf[:0], p.id...)
	p.ev, p.err = Event{}, nil
}

// buffered returns the bytes of memory the parser's own buffers hold
// between chunks.
func (p *Parser) buffered() int {
	return cap(p.line) + cap(p.data) + cap(p.typ) + cap(p.idBuf) + cap(p.id) + cap(p.decoded)
}

// grow returns b with room for n more bytes. Past 256 KiB, append grows a
// slice by a quarter at a time, so a line of 8 MiB accumulated from 64 KiB
// chunks would allocate about five times its size; in wasm each fresh
// allocation first grows the module's memory, the cost of the first large
// event. Doubling allocates at most twice the size.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), max(2*cap(b), len(b)+n))
	copy(nb, b)
	return nb
}

// keepBytes is how much buffer memory a parser keeps across responses; a
// buffer grown past it by one huge line or event is given back on Reset.
const keepBytes = 1 << 20

func shrink(b []byte) []byte {
	if cap(b) > keepBytes {
		return nil
	}
	return b[:0]
}

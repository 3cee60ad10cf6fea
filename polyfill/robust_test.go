package polyfill

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestZeroParser checks that the zero Parser is ready to use and that
// every method is safe before any input.
func TestZeroParser(t *testing.T) {
	var p Parser
	if p.Next() || p.Err() != nil || p.LastEventID() != "" || p.ReconnectionTime() != DefaultRetry {
		t.Fatalf("zero Parser: Next true or Err %v, LastEventID %q, ReconnectionTime %d", p.Err(), p.LastEventID(), p.ReconnectionTime())
	}
	if e := p.Event(); e.Type != nil || e.Data != nil || e.LastEventID != nil {
		t.Errorf("zero Parser: Event() = %+v", e)
	}
	p.Reset()
	p.Reset()
	p.SetRaw(true)
	p.SetRaw(false)
	p.Feed(nil)
	p.Feed([]byte{})
	if p.Next() || p.Next() {
		t.Fatal("event from empty input")
	}
	p.Feed([]byte("\xEF\xBB\xBFdata: ok\n\n"))
	if !p.Next() || string(p.Event().Data) != "ok" {
		t.Fatalf("zero Parser after Reset: %q, %v", p.Event().Data, p.Err())
	}
	// Next without Feed, again and again.
	for range 3 {
		if p.Next() {
			t.Fatal("Next true without input")
		}
	}
}

// TestFeedBeforeDrained feeds chunks without reading all events first:
// the unread rest must be kept, in order, ahead of the new chunk.
func TestFeedBeforeDrained(t *testing.T) {
	var p Parser
	p.Feed([]byte("data: a\n\ndata: b\n\ndata: c"))
	p.Feed([]byte("\r"))
	p.Feed([]byte("\n\r\n"))
	p.Feed(nil)
	var got []string
	for p.Next() {
		got = append(got, string(p.Event().Data))
		p.Feed([]byte("data: x\r")) // after every event, before Next returns false
	}
	p.Feed([]byte("\n")) // the LF of the last CR: no empty line
	for p.Next() {
		got = append(got, string(p.Event().Data))
	}
	p.Feed([]byte("\r"))
	for p.Next() {
		got = append(got, string(p.Event().Data))
	}
	if want := []string{"a", "b", "c", "x\nx\nx"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestBadInput throws hostile streams at the parser: none may panic, and the
// result must match the reference. The streams mix fragments that matter
// to the parser (field names, separators, line endings, BOM and UTF-8
// pieces, NUL, digits) with random bytes.
func TestBadInput(t *testing.T) {
	frags := []string{
		"data", "event", "id", "retry", ":", " ", "  ", "\t", "\r", "\n", "\r\n", "\x00",
		"\xEF\xBB\xBF", "\xEF", "\xBB", "\xBF", "\xF0\x9F", "\x98", "\x80", "\xC0", "\xED\xA0",
		"\xF4\x90", "\xFF", "é", "😀", "0", "7", "18446744073709551616", "x", "Data",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		var sb strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(8) == 0 {
				sb.WriteByte(byte(rng.Uint32()))
			} else {
				sb.WriteString(frags[rng.IntN(len(frags))])
			}
		}
		stream := []byte(sb.String())
		lim := Limits{}
		if i%3 == 0 {
			lim = Limits{MaxLineSize: 1 + rng.IntN(24), MaxEventSize: 1 + rng.IntN(48)}
		}
		bodies := [][]byte{stream}
		if i%2 == 0 {
			k := rng.IntN(len(stream) + 1)
			bodies = [][]byte{stream[:k], stream[k:]}
		}
		var chunked [][][]byte
		for _, b := range bodies {
			chunked = append(chunked, randomChunks(rng, b))
		}
		raw, eager := i%5 == 0, i%7 == 0
		got := runEngine(t, NewParser(lim), chunked, raw, eager)
		if d := diffResult(got, refParse(bodies, lim)); d != "" {
			t.Fatalf("stream %q, bodies %d, limits %+v, raw=%v eager=%v:\n%s", stream, len(bodies), lim, raw, eager, d)
		}
	}
}

// TestBadRetry covers hostile retry values: huge digit strings, overflow
// at every length around 2^64, and junk after digits.
func TestBadRetry(t *testing.T) {
	for _, v := range []string{
		strings.Repeat("9", 1000), strings.Repeat("1", 100_000), "1" + strings.Repeat("0", 20),
		"18446744073709551616", "18446744073709551620", "36893488147419103232",
		strings.Repeat("9", 20), "9\x00", "\xEF\xBC\x91", "1\u00A0", "1 ", "-0",
	} {
		var p Parser
		p.Feed([]byte("retry: 1234\nretry: " + v + "\n"))
		if p.Next() || p.Err() != nil || p.ReconnectionTime() != 1234 {
			t.Errorf("retry %.30q: ReconnectionTime %d, Err %v; want 1234 kept", v, p.ReconnectionTime(), p.Err())
		}
	}
}

// TestInvalidUTF8Everywhere puts invalid UTF-8 in every position of a
// line: it must be decoded, never make a name match, and never panic.
func TestInvalidUTF8Everywhere(t *testing.T) {
	bad := []string{"\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xED\xA0\x80", "\x80", "\xC0\x80", "\xEF\xBB"}
	for _, b := range bad {
		for _, tmpl := range []string{
			"%sdata: x\n\n", "d%sata: x\n\n", "data%s: x\n\n", "data:%s x\n\n", "data: %s\n\n",
			"data: x%s\n\n", "event: %s\ndata: x\n\n", "id: %s\ndata: x\n\n", "retry: 1%s\n", ":%s\n",
			"data: x\n%s\n", "data: x\n\n%s",
		} {
			stream := strings.ReplaceAll(tmpl, "%s", b)
			for _, raw := range []bool{false, true} {
				got := runEngine(t, NewParser(Limits{}), [][][]byte{{[]byte(stream)}}, raw, false)
				if d := diffResult(got, refParse([][]byte{[]byte(stream)}, Limits{})); d != "" {
					t.Errorf("%q raw=%v:\n%s", stream, raw, d)
				}
			}
		}
	}
}

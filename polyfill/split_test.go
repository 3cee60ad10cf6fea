package polyfill

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// splitInput is one case of the split invariance test.
type splitInput struct {
	name   string
	bodies [][]byte
	limits Limits
}

func splitInputs() []splitInput {
	var in []splitInput
	for _, tt := range parserTests {
		in = append(in, splitInput{tt.rules + "/" + tt.name, joined(tt.bodiesOf()), tt.limits})
	}
	for i, s := range fuzzSeeds {
		in = append(in,
			splitInput{fmt.Sprintf("seed %d", i), [][]byte{[]byte(s)}, Limits{}},
			splitInput{fmt.Sprintf("seed %d, small limits", i), [][]byte{[]byte(s)}, Limits{MaxLineSize: 8, MaxEventSize: 12}})
	}
	return in
}

// cutAt cuts every body at the given offsets, clipped to its length, so
// that a cut may also give an empty chunk.
func cutAt(bodies [][]byte, offs ...int) [][][]byte {
	var out [][][]byte
	for _, b := range bodies {
		var chunks [][]byte
		prev := 0
		for _, o := range offs {
			o = min(max(o, prev), len(b))
			chunks = append(chunks, b[prev:o])
			prev = o
		}
		out = append(out, append(chunks, b[prev:]))
	}
	return out
}

func bytewise(bodies [][]byte) [][][]byte {
	var out [][][]byte
	for _, b := range bodies {
		var chunks [][]byte
		for i := range b {
			chunks = append(chunks, b[i:i+1])
		}
		out = append(out, chunks)
	}
	return out
}

// TestSplitInvariance checks that chunk boundaries never change the result:
// for every table stream and fuzz seed, every cut in two, every cut in three
// for short streams, and one byte at a time give the same events, last
// event ID, reconnection time and errors as the whole stream, decoded or
// raw, fed lazily or eagerly.
func TestSplitInvariance(t *testing.T) {
	for _, in := range splitInputs() {
		want := runEngine(t, NewParser(in.limits), cutAt(in.bodies), false, false)
		n := 0
		for _, b := range in.bodies {
			n = max(n, len(b))
		}
		check := func(desc string, bodies [][][]byte) {
			for _, mode := range [...]struct{ raw, eager bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
				got := runEngine(t, NewParser(in.limits), bodies, mode.raw, mode.eager)
				if d := diffResult(got, want); d != "" {
					t.Fatalf("%s: %s, raw=%v eager=%v:\n%s", in.name, desc, mode.raw, mode.eager, d)
				}
			}
		}
		// Long streams are cut near both ends and at a sample in between.
		step := max(1, (n-128)/64)
		for i := 0; i <= n; i++ {
			if i > 64 && i < n-64 && i%step != 0 {
				continue
			}
			check(fmt.Sprintf("cut at %d", i), cutAt(in.bodies, i))
		}
		if n <= 40 {
			for i := 0; i <= n; i++ {
				for j := i; j <= n; j++ {
					check(fmt.Sprintf("cut at %d, %d", i, j), cutAt(in.bodies, i, j))
				}
			}
		}
		check("bytewise", bytewise(in.bodies))
	}
}

// TestSplitLongDataLines cross-checks the streaming of long data lines
// (streamLine and up, see Parser.streamData) against whole bodies, where no
// line is ever partial: the same events, IDs and errors, for values with
// and without the space, every line ending, invalid UTF-8 around the
// switch, data lines before and after, and limits that a line or an event
// meets just below, at and just above.
func TestSplitLongDataLines(t *testing.T) {
	long := func(n int, fill byte) string { return strings.Repeat(string(fill), n) }
	v := streamLine + 100
	bodies := []string{
		"data: " + long(v, 'a') + "\n\n",
		"data:" + long(v, 'b') + "\r\n\r\n",
		"data:" + long(v, ' ') + "\r\r",
		"data: x\ndata: " + long(3*streamLine, 'c') + "\ndata: y\nid: 7\n\n",
		"data: " + long(streamLine-6, 'd') + "\n\ndata: " + long(streamLine-5, 'e') + "\n\n",
		"data: " + long(v, 'f') + "\xE2\x82" + long(10, 'g') + "\xFF\n\n",
		"data: " + long(v, 'h') + "\n", // the body ends before the event does
		"data: " + long(v, 'i'),        // and before the line does
		"Data: " + long(v, 'j') + "\ndata: k\n\n",
		"data " + long(v, 'l') + "\n\ndata: m\n\n",
		"event: big\ndata: " + long(2*streamLine, 'n') + "\n\nretry: 5\ndata: " + long(v, 'o') + "\r\n\r\n",
	}
	limits := []Limits{{}}
	for _, d := range []int{-7, -6, -1, 0, 1} {
		limits = append(limits,
			Limits{MaxLineSize: v + 6 + d},
			Limits{MaxEventSize: v + 1 + d},
			Limits{MaxLineSize: v + 6 + d, MaxEventSize: v + 1 + d},
			Limits{MaxEventSize: 3*streamLine + 6 + d},
			// The event is over its limit long before the line is over its.
			Limits{MaxLineSize: v + 6 + d, MaxEventSize: streamLine + 10})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for bi, body := range bodies {
		b := []byte(body)
		for _, l := range limits {
			whole := [][][]byte{{b}}
			for _, mode := range [...]struct{ raw, eager bool }{{false, false}, {true, true}} {
				want := runEngine(t, NewParser(l), whole, mode.raw, mode.eager)
				cuts := [][]int{{streamLine}, {streamLine + 5}, {streamLine + 6}, {streamLine + 7}, {len(b) - 1}, {len(b) - 2}}
				for range 20 {
					var offs []int
					for o := r.IntN(4096); o < len(b); o += 1 + r.IntN(16<<10) {
						offs = append(offs, o)
					}
					cuts = append(cuts, offs)
				}
				for _, offs := range cuts {
					got := runEngine(t, NewParser(l), cutAt([][]byte{b}, offs...), mode.raw, mode.eager)
					if d := diffResult(got, want); d != "" {
						t.Fatalf("body %d, limits %+v, raw=%v, cuts %v:\n%s", bi, l, mode.raw, offs, d)
					}
				}
			}
		}
	}
}

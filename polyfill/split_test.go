package polyfill

import (
	"fmt"
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

package e2e

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// Fuzzing the whole path: random event streams, valid and hostile, split at
// random points, go through the server (Server.SetBody) to the native
// EventSource and to the polyfill side by side; the recordings must be
// identical (SSE-30..52: everything a body can make an EventSource do).
//
// Stream i of a run depends only on the seed and i, so a failure is
// reproduced by the command it prints. `make test` runs 30 streams with
// seed 1; a longer run:
//
//	go test ./e2e -run PathFuzz -pathfuzz.n=500 -pathfuzz.seed=$(date +%s)
var (
	pathFuzzN    = flag.Int("pathfuzz.n", 30, "number of random streams of TestPathFuzz")
	pathFuzzSeed = flag.Uint64("pathfuzz.seed", 1, "seed of TestPathFuzz; 0 picks one from the clock")
)

// Pieces of the random streams. Values mix ASCII, the field separator and
// spaces, NUL, valid multi-byte text, invalid UTF-8 (lone continuation and
// lead bytes, truncated sequences, a surrogate, overlong, above U+10FFFF)
// and BOMs.
var (
	fuzzFields = []string{"data", "data", "data", "data", "data", "data", "event", "id", "retry", "Data", "dat", "foo", "\uFEFFdata", "da\x00ta", "data ", ""}
	fuzzAtoms  = []string{"a", "b", "z", "0", "7", ":", " ", "  ", "\t", "\x00", "é", "€", "😀",
		"\xFF", "\x80", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xED\xA0\x80", "\xC0\x80", "\xF4\x90\x80\x80", "\xEF\xBB\xBF"}
	fuzzTypes  = []string{"", "message", "a", "b", "open", "error", "é", "t\xFF"}
	fuzzRetry  = []string{"0", "5", "30", "007", "", "1x", "-1", "99999999999999999999999"}
	fuzzBreaks = []string{"\n", "\n", "\r", "\r\n"}
	fuzzStarts = []string{"", "", "", "\xEF\xBB\xBF", "\xEF\xBB\xBF\xEF\xBB\xBF", "\xEF\xBB", "\xEF"}
)

// fuzzListened are the event types the recorder listens to, besides open,
// message and error: each generated type as the browser decodes it.
var fuzzListened = []string{"a", "b", "é", "t\uFFFD"}

// fuzzStream returns stream i of seed: its bytes and the chunks it is
// written in.
func fuzzStream(seed uint64, i int) (string, []string) {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	value := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(pick(fuzzAtoms))
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString(pick(fuzzStarts))
	for range 1 + r.IntN(12) {
		switch k := r.IntN(10); {
		case k == 0: // a blank line: dispatch
		case k == 1: // a comment
			b.WriteString(":" + value())
		case k == 2:
			b.WriteString("event: " + pick(fuzzTypes))
		case k == 3:
			b.WriteString("retry: " + pick(fuzzRetry))
		case k == 4: // a field without a colon
			b.WriteString(pick(fuzzFields))
		default:
			f := pick(fuzzFields)
			sep := ":"
			if r.IntN(2) == 0 {
				sep = ": "
			}
			b.WriteString(f + sep + value())
		}
		b.WriteString(pick(fuzzBreaks))
		if r.IntN(2) == 0 {
			b.WriteString(pick(fuzzBreaks)) // end the event
		}
	}
	if r.IntN(4) > 0 {
		b.WriteString("\n\n") // most streams end their last event
	}
	s := b.String()
	// Up to 8 split points, anywhere, also inside a CRLF, a BOM or a
	// multi-byte sequence.
	var cuts []int
	for range r.IntN(9) {
		if len(s) > 1 {
			cuts = append(cuts, 1+r.IntN(len(s)-1))
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var chunks []string
	prev := 0
	for _, c := range cuts {
		chunks = append(chunks, s[prev:c])
		prev = c
	}
	return s, append(chunks, s[prev:])
}

func TestPathFuzz(t *testing.T) {
	t.Parallel()
	seed := *pathFuzzSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	n := *pathFuzzN
	ctx := newTab(t, "/e2e/page.html")
	eval[bool](t, ctx, warmUp)
	var bytes, events int
	for i := range n {
		t.Run(fmt.Sprintf("stream-%d", i), func(t *testing.T) {
			stream, chunks := fuzzStream(seed, i)
			name := fmt.Sprintf("pathfuzz-%d-%d", seed, i)
			srv.SetBody(name, chunks...)
			keys := [2]string{newKey(t, "n"), newKey(t, "p")}
			var calls [2]string
			for j, ctor := range [2]string{"EventSource", polyfillCtor} {
				// The end of the body is the end of the recording: its
				// error event (reconnection) stops it.
				s := spec{Ctor: ctor, Types: fuzzListened, Stop: stop{Errors: 1}, Timeout: 10000}
				calls[j] = s.js(jsString(fmt.Sprintf("/sse/stored?body=%s&gap=2&key=%s", name, keys[j])))
			}
			recs := eval[[2]recording](t, ctx, "Promise.all(["+calls[0]+", "+calls[1]+"])")
			bytes += len(stream)
			for _, e := range recs[0].Events {
				if e.Msg {
					events++
				}
			}
			var lines [2][]string
			for j := range recs {
				lines[j] = renderer{o: originsOf(ctx), key: keys[j]}.lines(recs[j])
			}
			if !equal(lines[0], lines[1]) || recs[0].TimedOut {
				t.Errorf("seed %d, stream %d: native and polyfill disagree on %q written as %q\n%s"+
					"reproduce: go test ./e2e -run 'TestPathFuzz/stream-%d$' -pathfuzz.seed=%d -pathfuzz.n=%d",
					seed, i, stream, chunks, sideBySide("native", lines[0], "polyfill", lines[1]), i, seed, i+1)
			}
		})
	}
	t.Logf("seed %d: %d streams, %d bytes, %d events dispatched by each side", seed, n, bytes, events)
}

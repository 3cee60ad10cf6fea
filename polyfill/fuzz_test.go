package polyfill

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// fuzzSeeds are nasty streams on top of the table rows: lone CRs where a
// chunk may end, BOM fragments, invalid and truncated UTF-8, NUL, huge and
// bogus retry values, unfinished events.
var fuzzSeeds = []string{
	"",
	"\r", "\n", "\r\n", "\n\r", "\r\r\n\n", "\r\r\r\n\n\n",
	"data: a\r", "data: a\r\n", "data: a\r\r", "data: a\r\n\r", "data: a\n\r\n",
	"data:a\rdata:b\r\n\rdata:c\n\n",
	"\xEF", "\xEF\xBB", "\xEF\xBB\xBF", "\xEF\xBB\xBF\xEF\xBB\xBF", "\xEF\xBB\xBF\xEF\xBB",
	"\xEF\xBB\xBF\r\n", "\xEF\xBB\r", "\xEF\xBBdata: x\n\n", "\xEF\xBB\xBFdata: x\r\r",
	"data: \xF0\x9F\x98\n\n", "data: \xED\xA0\x80\r\r", "data: \xF0\x9F\x98\x80\n\n",
	"data: \xC0\x80\x80\xBF\xFE\xFF\xF5\n\n", "data: \xE2\x82\rdata: \xE2\x82\xAC\r\r",
	"event: \xE2\x82\nid: \xF4\x90\ndata: \xF4\x8F\xBF\xBF\n\n",
	"d\xC3\xA1ta: x\n\n\xC3data: y\n\n",
	"data:\x00\n\nid:\x00\n\n:\x00\n\x00\n\n", "id: a\x00\ndata: x\n\n",
	"retry: 18446744073709551616\n", "retry: 18446744073709551615\n",
	"retry: 2147483648\n", "retry: 0\n", "retry\n", "retry: \n", "retry:  \n",
	"retry: " + strings.Repeat("9", 1000) + "\n",
	"retry: " + strings.Repeat("0", 1000) + "12\n",
	"id: 1\ndata: a\n\nid: 2\ndata: b",
	"id: 1\ndata: a\n\nid: 2\ndata: b\n",
	"event: x\nid: é\ndata: \xE2\x82\n\n",
	"data\ndata\n\n", "data\n\n", "id\n\n", "event\n\n", ":\n\n",
	"data: 0123456789abcdef0123456789abcdef\n\n",
	"data: 0123456789\ndata: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n",
}

// seedStreams returns every stream the fuzz targets start from: the nasty
// seeds and each table row's bodies, concatenated.
func seedStreams() []string {
	seeds := append([]string(nil), fuzzSeeds...)
	for _, tt := range parserTests {
		var b []byte
		for _, body := range joined(tt.bodiesOf()) {
			b = append(b, body...)
		}
		if len(b) <= 4096 {
			seeds = append(seeds, string(b))
		}
	}
	return seeds
}

// fuzzLimits turns a fuzz argument into limits: 0 means the defaults, any
// other value gives small limits that short inputs do reach.
func fuzzLimits(v uint16) Limits {
	if v == 0 {
		return Limits{}
	}
	return Limits{MaxLineSize: int(v&0xFF) + 1, MaxEventSize: int(v>>8) + 1}
}

// randomChunks cuts b into chunks of random size, empty ones included.
func randomChunks(rng *rand.Rand, b []byte) [][]byte {
	max := 1 << rng.IntN(8)
	chunks := [][]byte{}
	for len(b) > 0 {
		n := min(rng.IntN(max+1), len(b))
		chunks = append(chunks, b[:n])
		b = b[n:]
	}
	return append(chunks, b) // an empty chunk at the end, too
}

// FuzzParserDifferential compares the engine with the reference
// implementation (reference_test.go): the stream is one response, or two
// when seed says so, cut into random chunks, parsed raw or decoded, fed
// lazily or eagerly, with default or small limits.
func FuzzParserDifferential(f *testing.F) {
	for i, s := range seedStreams() {
		f.Add([]byte(s), uint64(i), uint16(0))
		f.Add([]byte(s), uint64(i)*0x9E3779B97F4A7C15, uint16(0x0810))
	}
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64, limits uint16) {
		rng := rand.New(rand.NewPCG(seed, seed>>8))
		lim := fuzzLimits(limits)
		bodies := [][]byte{stream}
		if seed&1 != 0 {
			k := rng.IntN(len(stream) + 1)
			bodies = [][]byte{stream[:k], stream[k:]}
		}
		var chunked [][][]byte
		for _, b := range bodies {
			chunked = append(chunked, randomChunks(rng, b))
		}
		raw, eager := seed&2 != 0, seed&4 != 0
		got := runEngine(t, NewParser(lim), chunked, raw, eager)
		want := refParse(bodies, lim)
		if d := diffResult(got, want); d != "" {
			t.Fatalf("stream %q, bodies %d, raw=%v eager=%v limits=%+v:\n%s", stream, len(bodies), raw, eager, lim, d)
		}
	})
}

// FuzzParserSplit checks that chunk boundaries never matter: the stream cut
// at the points the fuzzer chooses gives what the whole stream gives. cuts
// are chunk sizes modulo 16, used in turn; mode selects raw output, eager
// feeding and small limits.
func FuzzParserSplit(f *testing.F) {
	for i, s := range seedStreams() {
		f.Add([]byte(s), []byte{1}, uint8(0))
		f.Add([]byte(s), []byte{byte(i), 0, 3, 1, 7}, uint8(i))
	}
	f.Fuzz(func(t *testing.T, stream, cuts []byte, mode uint8) {
		lim := Limits{}
		if mode&4 != 0 {
			lim = Limits{MaxLineSize: 16, MaxEventSize: 32}
		}
		want := runEngine(t, NewParser(lim), [][][]byte{{stream}}, false, false)
		got := runEngine(t, NewParser(lim), [][][]byte{cutBySizes(stream, cuts)}, mode&1 != 0, mode&2 != 0)
		if d := diffResult(got, want); d != "" {
			t.Fatalf("stream %q, cuts %v, mode %d:\n%s", stream, cuts, mode, d)
		}
	})
}

// cutBySizes cuts b into chunks of the sizes in cuts (each modulo 16, used
// cyclically); all-zero or no cuts mean one byte at a time.
func cutBySizes(b, cuts []byte) [][]byte {
	sum := 0
	for _, c := range cuts {
		sum += int(c % 16)
	}
	if sum == 0 {
		cuts = []byte{1}
	}
	var chunks [][]byte
	for i := 0; len(b) > 0; i++ {
		n := min(int(cuts[i%len(cuts)]%16), len(b))
		chunks = append(chunks, b[:n])
		b = b[n:]
	}
	return chunks
}

package polyfill

import (
	"strconv"
	"strings"
	"testing"
)

// benchStreams are the four workloads of BENCHMARKS.md's narrative.
// Each is fed in 64 KiB chunks, as a network read delivers it.
var benchStreams = []struct {
	name   string
	stream string
	events int
}{
	{"tiny", strings.Repeat("data: 123456\n\n", 100_000), 100_000},
	{"1KiB", strings.Repeat("data: "+strings.Repeat("x", 1024)+"\n\n", 2_000), 2_000},
	{"1MiB", strings.Repeat("data: "+strings.Repeat("y", 1<<20)+"\n\n", 8), 8},
	{"fields", fieldsStream(20_000), 20_000},
}

// fieldsStream returns n events with a type, an id and three data lines.
func fieldsStream(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("event: update\nid: ")
		b.WriteString(strconv.Itoa(i))
		b.WriteString("\ndata: {\"user\":\"alice\",\ndata: \"seq\":")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(",\ndata: \"ok\":true}\n\n")
	}
	return b.String()
}

const benchChunk = 64 << 10

// BenchmarkParse reports throughput (MB/s), events per second and
// allocations per event for each workload, decoding as the Go API does.
func BenchmarkParse(b *testing.B) {
	for _, w := range benchStreams {
		b.Run(w.name, func(b *testing.B) { benchParse(b, w.stream, w.events, false) })
	}
}

// BenchmarkParseRaw is the same with SetRaw, as the wasm bridge runs it: the
// browser's TextDecoder decodes instead.
func BenchmarkParseRaw(b *testing.B) {
	for _, w := range benchStreams {
		b.Run(w.name, func(b *testing.B) { benchParse(b, w.stream, w.events, true) })
	}
}

func benchParse(b *testing.B, stream string, events int, raw bool) {
	in := []byte(stream)
	p := NewParser(Limits{})
	p.SetRaw(raw)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var got, sum int
	// One long body: every stream ends at an event boundary, so feeding it
	// again continues the same body, as a server streaming for hours would.
	for b.Loop() {
		got = 0
		for off := 0; off < len(in); off += benchChunk {
			p.Feed(in[off:min(off+benchChunk, len(in))])
			for p.Next() {
				got++
				sum += len(p.Event().Data)
			}
		}
	}
	if got != events || p.Err() != nil {
		b.Fatalf("got %d events (err %v), want %d", got, p.Err(), events)
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	_ = sum
}

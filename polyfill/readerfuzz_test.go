package polyfill_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/eventsource-wasm/eventsource/polyfill/sse"
)

// chunkReader returns its chunks one per Read, empty ones included.
type chunkReader struct {
	chunks [][]byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	if r.chunks[0] = r.chunks[0][n:]; len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// FuzzReaderReference compares package sse's one-shot Reader with the
// reference parser (reference_test.go): a body read in random chunks
// (empty reads included), with the default or small limits, gives the
// reference's events, its error, last event ID and reconnection time
// (SSE-30..50).
func FuzzReaderReference(f *testing.F) {
	for i, s := range polyfill.SeedStreams() {
		f.Add([]byte(s), uint64(i), uint16(0))
		f.Add([]byte(s), uint64(i)*0x9E3779B97F4A7C15, uint16(0x0810))
	}
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64, limits uint16) {
		rng := rand.New(rand.NewPCG(seed, seed>>8))
		lim := polyfill.FuzzLimits(limits)
		var chunks [][]byte
		maxChunk := 1 << rng.IntN(8)
		for b := stream; len(b) > 0; {
			n := min(rng.IntN(maxChunk+1), len(b))
			chunks = append(chunks, b[:n])
			b = b[n:]
		}
		r := sse.NewReader(&chunkReader{chunks: chunks}, lim)
		var got []polyfill.RefEvent
		for r.Next() {
			e := r.Event()
			got = append(got, polyfill.RefEvent{Type: e.EventType(), Data: string(e.Data), ID: string(e.LastEventID)})
		}
		want, wantErr, wantID, wantRetry := polyfill.RefParse(stream, lim)
		gotErr := r.Err()
		if gotErr == io.ErrNoProgress {
			t.Skip("more than 100 empty reads in a row")
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || !errors.Is(gotErr, wantErr) || (gotErr == nil) != (wantErr == nil) ||
			r.LastEventID() != wantID || r.ReconnectionTime() != time.Duration(wantRetry)*time.Millisecond {
			t.Fatalf("stream %q in %d chunks, limits %+v:\ngot  %q err %v id %q retry %v\nwant %q err %v id %q retry %dms",
				stream, len(chunks), lim, got, gotErr, r.LastEventID(), r.ReconnectionTime(), want, wantErr, wantID, wantRetry)
		}
	})
}

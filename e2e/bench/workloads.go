package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kinds of workload, which decide what the page measures.
const (
	kindThroughput = "throughput" // time from opening to the last event
	kindLatency    = "latency"    // per-event delay against the server's clock
	kindStartup    = "startup"    // fresh page to first event
	kindCold       = "cold"       // fresh page, large events one by one: each one's delay
)

// A workload is one stream that every implementation reads.
type workload struct {
	name  string // URL path element and result key
	title string // column heading
	kind  string
	// typ is the event type the page listens for ("message" or a custom one,
	// through addEventListener where the implementation has it).
	typ string
	// body is the whole stream, precomputed so that serving it costs one
	// large write and nothing that could be mistaken for client time.
	body []byte
	sum  checksum // what a correct client adds up

	// samples is how many times each implementation runs it per round:
	// startup is noisier (a new renderer process each time) and cheap.
	samples int
	// repeat: a startup measured on the third visit of the same URLs, served
	// cacheable, so that the HTTP cache and V8's code cache for the wasm
	// apply, as on a user's repeat visit.
	repeat bool

	// Latency and cold: events sent one by one, interval apart, each
	// carrying the server's wall clock; cold pads each to size bytes.
	events   int
	interval time.Duration
	size     int
}

// checksum is what the page adds up over the events it receives. An
// implementation that drops, duplicates, truncates or mangles events gets
// a different sum; that shows as an error, never as a fast time. Data is
// ASCII, so JavaScript's UTF-16 lengths and character codes equal Go's bytes.
type checksum struct {
	Count int     `json:"count"` // events of the listened-for type
	Len   float64 `json:"len"`   // total length of event.data
	Mid   float64 `json:"mid"`   // sum of the middle character code of each data
	IDs   float64 `json:"ids"`   // sum of Number(lastEventId)
	Bytes float64 `json:"bytes"` // body bytes (checked for the ceiling only)
}

// add accounts for one event as the page does.
func (c *checksum) add(data string, id int) {
	c.Count++
	c.Len += float64(len(data))
	if data != "" {
		c.Mid += float64(data[len(data)/2])
	}
	c.IDs += float64(id)
}

// sizes are the workload dimensions; quick mode shrinks them.
type sizes struct {
	tiny, kib, mib, fields, latency int
}

var (
	fullSizes  = sizes{tiny: 100_000, kib: 20_000, mib: 50, fields: 20_000, latency: 200}
	quickSizes = sizes{tiny: 10_000, kib: 2_000, mib: 5, fields: 2_000, latency: 50}
)

// buildWorkloads returns the workloads in table order.
func buildWorkloads(s sizes) []*workload {
	return []*workload{
		fixedSize("tiny", s.tiny, "tiny events (`data: 123456`)", func(int) string { return "123456" }),
		fixedSize("kib", s.kib, "events of 1 KiB", func(i int) string { return pattern(i, 1<<10) }),
		fixedSize("mib", s.mib, "events of 1 MiB", func(i int) string { return pattern(i, 1<<20) }),
		fieldsWorkload(s.fields),
		{
			name: "latency", title: "delivery latency", kind: kindLatency, typ: "message",
			events: s.latency, interval: 5 * time.Millisecond,
			sum: checksum{Count: s.latency},
		},
		{
			name: "startup", title: "startup: fresh page to first event", kind: kindStartup, typ: "message", samples: 3,
			body: []byte("data: ready\n\n"),
			sum:  checksum{Count: 1, Len: 5, Mid: 'a'},
		},
		{
			name: "cold", title: "8 MiB events on a fresh page", kind: kindCold, typ: "message", samples: 1,
			events: 5, interval: time.Second, size: 8 << 20,
			sum: checksum{Count: 5},
		},
		{
			name: "repeat", title: "startup, repeat visit: cached scripts and wasm, new page to first event", kind: kindStartup, typ: "message", samples: 3,
			repeat: true,
			body:   []byte("data: ready\n\n"),
			sum:    checksum{Count: 1, Len: 5, Mid: 'a'},
		},
	}
}

// fixedSize builds n `data:` events whose payloads come from data(i).
func fixedSize(name string, n int, what string, data func(int) string) *workload {
	w := &workload{name: name, kind: kindThroughput, typ: "message"}
	w.title = groupThousands(n) + " " + what
	var b strings.Builder
	for i := range n {
		d := data(i)
		b.WriteString("data: ")
		b.WriteString(d)
		b.WriteString("\n\n")
		w.sum.add(d, 0)
	}
	w.body = []byte(b.String())
	w.sum.Bytes = float64(len(w.body))
	return w
}

// fieldsWorkload builds n events with a custom type, an id and three data
// lines, the shape of a typical JSON feed.
func fieldsWorkload(n int) *workload {
	w := &workload{name: "fields", kind: kindThroughput, typ: "update"}
	w.title = groupThousands(n) + " events with `event:`, `id:`, 3 `data:` lines"
	var b strings.Builder
	for i := range n {
		seq := strconv.Itoa(i)
		lines := [3]string{`{"user":"alice",`, `"seq":` + seq + `,`, `"ok":true}`}
		b.WriteString("event: update\nid: " + seq + "\n")
		for _, l := range lines {
			b.WriteString("data: " + l + "\n")
		}
		b.WriteString("\n")
		w.sum.add(strings.Join(lines[:], "\n"), i)
	}
	w.body = []byte(b.String())
	w.sum.Bytes = float64(len(w.body))
	return w
}

// alphabet is 64 distinct characters; payloads are windows into its
// repetition so that each event's middle character depends on its index.
const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

// pattern returns n characters of the repeated alphabet starting at i mod 64.
func pattern(i, n int) string {
	off := i % len(alphabet)
	reps := (off+n)/len(alphabet) + 1
	return strings.Repeat(alphabet, reps)[off : off+n]
}

// groupThousands formats n as 100,000.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// selectWorkloads narrows ws to a comma-separated list of names.
func selectWorkloads(ws []*workload, list string) ([]*workload, error) {
	if list == "" {
		return ws, nil
	}
	var out []*workload
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(ws, func(w *workload) bool { return w.name == name })
		if i < 0 {
			return nil, fmt.Errorf("-workloads: no workload %q", name)
		}
		out = append(out, ws[i])
	}
	return out, nil
}

package gocompare

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ld "github.com/launchdarkly/eventsource"
	r3 "github.com/r3labs/sse/v2"
	gosse "github.com/tmaxmax/go-sse"
	"gopkg.in/cenkalti/backoff.v1"

	"github.com/eventsource-wasm/eventsource/polyfill/sse"
)

// The workloads of the engine's benchmarks (polyfill/bench_test.go) and of
// the browser benchmark: each is one body, with its event count and the
// total length of its events' data, which every run checks.
type workload struct {
	name   string
	body   []byte
	events int
	data   int
}

func repeat(event, data string, n int) workload {
	return workload{body: []byte(strings.Repeat(event, n)), events: n, data: len(data) * n}
}

var workloads = func() []workload {
	tiny := repeat("data: 123456\n\n", "123456", 100_000)
	tiny.name = "tiny"
	kib := strings.Repeat("x", 1024)
	k := repeat("data: "+kib+"\n\n", kib, 2_000)
	k.name = "1KiB"
	mib := strings.Repeat("y", 1<<20)
	m := repeat("data: "+mib+"\n\n", mib, 8)
	m.name = "1MiB"
	var b strings.Builder
	f := workload{name: "fields", events: 20_000}
	for i := range f.events {
		data := "{\"user\":\"alice\",\n\"seq\":" + strconv.Itoa(i) + ",\n\"ok\":true}"
		b.WriteString("event: update\nid: " + strconv.Itoa(i) + "\ndata: {\"user\":\"alice\",\ndata: \"seq\":" +
			strconv.Itoa(i) + ",\ndata: \"ok\":true}\n\n")
		f.data += len(data)
	}
	f.body = []byte(b.String())
	return []workload{tiny, k, m, f}
}()

// maxEvent is a limit above every workload, for the clients whose default
// (64 KiB) is below the 1 MiB events.
const maxEvent = 16 << 20

// client is one implementation under test: it reads one body, from an
// io.Reader or over HTTP, and returns how many events it got and the total
// length of their data.
type client struct {
	name string
	// reader reads an in-memory body.
	reader func(r io.Reader) (events, data int, err error)
	// http reads one response of url.
	http func(url string, c *http.Client, events int) (n, data int, err error)
}

var clients = []client{
	{
		name: "sse (ours)",
		reader: func(r io.Reader) (int, int, error) {
			rd := sse.NewReader(r, sse.Limits{})
			n, data := 0, 0
			for rd.Next() {
				n++
				data += len(rd.Event().Data)
			}
			return n, data, rd.Err()
		},
		http: func(url string, c *http.Client, _ int) (int, int, error) {
			s, err := sse.NewStream(context.Background(), url, sse.Options{Client: c, Reconnect: sse.ReconnectNever})
			if err != nil {
				return 0, 0, err
			}
			n, data := 0, 0
			for s.Next() {
				n++
				data += len(s.Event().Data)
			}
			return n, data, s.Err()
		},
	},
	{
		name: "tmaxmax/go-sse",
		reader: func(r io.Reader) (int, int, error) {
			n, data := 0, 0
			for e, err := range gosse.Read(r, &gosse.ReadConfig{MaxEventSize: maxEvent}) {
				if err != nil {
					return n, data, err
				}
				n++
				data += len(e.Data)
			}
			return n, data, nil
		},
		http: func(url string, c *http.Client, _ int) (int, int, error) {
			req, err := http.NewRequest("GET", url, nil)
			if err != nil {
				return 0, 0, err
			}
			cl := &gosse.Client{HTTPClient: c, Backoff: gosse.Backoff{MaxRetries: -1}}
			conn := cl.NewConnection(req)
			conn.Buffer(nil, maxEvent)
			n, data := 0, 0
			conn.SubscribeToAll(func(e gosse.Event) { n++; data += len(e.Data) })
			err = conn.Connect() // returns after the body ends, as no retry is allowed
			var ce *gosse.ConnectionError
			if errors.As(err, &ce) && (ce.Err == nil || ce.Err == io.EOF) {
				err = nil // "connection to server lost": the clean end
			}
			return n, data, err
		},
	},
	{
		// r3labs has no public parser: its reader path is its client over an
		// in-memory transport.
		name: "r3labs/sse/v2",
		reader: func(r io.Reader) (int, int, error) {
			return r3read("http://in-memory/", &http.Client{Transport: memTransport{r}})
		},
		http: func(url string, c *http.Client, _ int) (int, int, error) {
			return r3read(url, c)
		},
	},
	{
		name: "launchdarkly/eventsource",
		reader: func(r io.Reader) (int, int, error) {
			dec := ld.NewDecoder(r)
			n, data := 0, 0
			for {
				e, err := dec.Decode()
				if err == io.EOF {
					return n, data, nil
				}
				if err != nil {
					return n, data, err
				}
				n++
				data += len(e.Data())
			}
		},
		http: func(url string, c *http.Client, events int) (int, int, error) {
			req, err := http.NewRequest("GET", url, nil)
			if err != nil {
				return 0, 0, err
			}
			s, err := ld.SubscribeWithRequestAndOptions(req, ld.StreamOptionHTTPClient(c),
				ld.StreamOptionErrorHandler(func(error) ld.StreamErrorHandlerResult { return ld.StreamErrorHandlerResult{CloseNow: true} }))
			if err != nil {
				return 0, 0, err
			}
			n, data := 0, 0
			for e := range s.Events {
				n++
				data += len(e.Data())
				if n == events {
					break
				}
			}
			s.Close()
			return n, data, nil
		},
	},
}

func r3read(url string, c *http.Client) (int, int, error) {
	cl := r3.NewClient(url, r3.ClientMaxBufferSize(maxEvent))
	cl.Connection = c
	cl.ReconnectStrategy = &backoff.StopBackOff{}
	n, data := 0, 0
	err := cl.SubscribeRaw(func(e *r3.Event) { n++; data += len(e.Data) })
	return n, data, err
}

// memTransport answers every request with a 200 text/event-stream response
// whose body is r.
type memTransport struct{ r io.Reader }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(m.r), Request: req}, nil
}

// BenchmarkReader reads each workload from a bytes.Reader: the parser and
// the client's own overhead, no network.
func BenchmarkReader(b *testing.B) {
	for _, w := range workloads {
		twice := bytes.Repeat(w.body, 2)
		for _, c := range clients {
			b.Run(w.name+"/"+c.name, func(b *testing.B) {
				measure(b, w, func(x int) (int, int, error) {
					if x == 2 {
						return c.reader(bytes.NewReader(twice))
					}
					return c.reader(bytes.NewReader(w.body))
				})
			})
		}
	}
}

// BenchmarkHTTP reads each workload as one response of a net/http server
// on loopback, which writes the precomputed body in one write; the client
// reuses its connections across iterations.
func BenchmarkHTTP(b *testing.B) {
	for _, w := range workloads {
		twice := bytes.Repeat(w.body, 2)
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/event-stream")
			if r.URL.RawQuery == "x=2" {
				rw.Write(twice)
				return
			}
			rw.Write(w.body)
		}))
		for _, c := range clients {
			b.Run(w.name+"/"+c.name, func(b *testing.B) {
				hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
				defer hc.CloseIdleConnections()
				measure(b, w, func(x int) (int, int, error) {
					return c.http(srv.URL+"/?x="+strconv.Itoa(x), hc, x*w.events)
				})
			})
		}
		srv.Close()
	}
}

// measure runs read(1), which reads the workload once, in the benchmark
// loop and checks every result. Besides go test's figures it reports
// events/s; cpu-ns/event, the process's CPU time (all its threads, the
// loopback server's included), which another process's load disturbs less
// than the wall clock; and allocs/event, the allocations of each event
// beyond those of a body: those of read(2), the workload twice in one body,
// less those of read(1), per event.
func measure(b *testing.B, w workload, read func(x int) (int, int, error)) {
	check := func(x int) {
		n, data, err := read(x)
		if err != nil || n != x*w.events || data != x*w.data {
			b.Fatalf("%d events, %d bytes of data, err %v; want %d events, %d bytes", n, data, err, x*w.events, x*w.data)
		}
	}
	b.SetBytes(int64(len(w.body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		check(1)
	}
	cpu := cpuTime() - cpu0
	events := float64(w.events) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/events, "cpu-ns/event")
	one := testing.AllocsPerRun(1, func() { check(1) })
	two := testing.AllocsPerRun(1, func() { check(2) })
	b.ReportMetric(max(two-one, 0)/float64(w.events), "allocs/event")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

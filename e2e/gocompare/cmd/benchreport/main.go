// Command benchreport runs the Go client comparison (the benchmarks of
// package gocompare) in rounds, takes the median of each figure over the
// rounds, and writes the table as the go-client section of BENCHMARKS.md,
// replacing the section if the file has one and appending it otherwise.
// `go run ./e2e/bench`, which writes the rest of the file, keeps it.
//
//	cd e2e/gocompare && go run ./cmd/benchreport [-rounds 5] [-benchtime 500ms] [-out ../../BENCHMARKS.md]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	begin = "<!-- section: go-client (written by `cd e2e/gocompare && go run ./cmd/benchreport`; kept by `go run ./e2e/bench`) -->"
	end   = "<!-- end section: go-client -->"
)

var (
	rounds    = flag.Int("rounds", 5, "runs of the whole benchmark set; each figure is the median over them")
	benchtime = flag.String("benchtime", "500ms", "go test -benchtime of each run")
	out       = flag.String("out", "../../BENCHMARKS.md", `the file whose go-client section to write; "" for stdout only`)
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// figures are the metrics of one benchmark over the rounds.
type figures map[string][]float64

func run() error {
	started := time.Now()
	loadBefore := loadAverage()
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", *benchtime, "."}
	command := "go " + strings.Join(quote(args), " ")
	results := map[string]figures{}
	var order []string
	var raw []string
	for r := 1; r <= *rounds; r++ {
		fmt.Fprintf(os.Stderr, "benchreport: round %d of %d: %s\n", r, *rounds, command)
		cmd := exec.Command("go", args...)
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %v\n%s", command, err, stdout.String())
		}
		raw = append(raw, stdout.String())
		for name, m := range parse(stdout.String()) {
			if results[name] == nil {
				results[name] = figures{}
				order = append(order, name)
			}
			for unit, v := range m {
				results[name][unit] = append(results[name][unit], v)
			}
		}
	}
	var md bytes.Buffer
	write(&md, results, order, command, started, loadBefore, raw)
	os.Stdout.Write(md.Bytes())
	if *out == "" {
		return nil
	}
	old, err := os.ReadFile(*out)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var doc []byte
	if i, j := bytes.Index(old, []byte(begin)), bytes.Index(old, []byte(end)); i >= 0 && j > i {
		doc = slices.Concat(old[:i], md.Bytes(), bytes.TrimPrefix(old[j+len(end):], []byte("\n")))
	} else {
		if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n\n")) {
			old = append(old, '\n')
		}
		doc = slices.Concat(old, md.Bytes())
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchreport: wrote the go-client section of %s\n", *out)
	return nil
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parse reads go test -bench output: each benchmark's "value unit" pairs.
func parse(s string) map[string]map[string]float64 {
	res := map[string]map[string]float64{}
	for line := range strings.Lines(s) {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		vals := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				vals[f[i+1]] = v
			}
		}
		res[m[1]] = vals
	}
	return res
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var (
	workloads = []struct{ key, title string }{
		{"tiny", "100,000 tiny events (`data: 123456`)"},
		{"1KiB", "2,000 events of 1 KiB"},
		{"1MiB", "8 events of 1 MiB"},
		{"fields", "20,000 events with `event:`, `id:`, 3 `data:` lines"},
	}
	clients = []struct{ key, label string }{
		{"sse_(ours)", "**`sse`** (ours)"},
		{"tmaxmax/go-sse", "`github.com/tmaxmax/go-sse`"},
		{"r3labs/sse/v2", "`github.com/r3labs/sse/v2`"},
		{"launchdarkly/eventsource", "`github.com/launchdarkly/eventsource`"},
	}
	paths = []struct{ key, title, what string }{
		{"Reader", "In memory: the body from a `bytes.Reader`",
			"ours `sse.NewReader`, go-sse `sse.Read`, launchdarkly `NewDecoder(r).Decode`; r3labs has no public parser, so its client reads the body from an in-memory `http.RoundTripper`."},
		{"HTTP", "Over HTTP: one response of a `net/http` server on 127.0.0.1",
			"each client's own connection type (ours `sse.NewStream` with `ReconnectNever`, go-sse `Connection.Connect` with no retry, r3labs `SubscribeRaw`, launchdarkly `Stream.Events`), one `*http.Client` per benchmark reusing its connections; the server writes the precomputed body in one write."},
	}
)

func write(w *bytes.Buffer, res map[string]figures, order []string, command string, started time.Time, loadBefore string, raw []string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	goVersion, _ := exec.Command("go", "version").Output()
	p("%s\n## The Go client (`sse`) and other Go SSE clients: `go test -bench`\n\n", begin)
	p("Written by `cd e2e/gocompare && go run ./cmd/benchreport -rounds %d -benchtime %s` on %s (%s), which ran `%s` in the nested module `e2e/gocompare` (its own go.mod: the other clients stay out of the main module) %s, one after the other.\n\n",
		*rounds, *benchtime, started.UTC().Format("2006-01-02 15:04 MST"), time.Since(started).Round(time.Second), command, plural(*rounds, "time"))
	p("| machine | |\n| --- | --- |\n| `nproc` | %d |\n| CPU | %s |\n| Go | %s |\n| load average (1 min) | %s before, %s after |\n\n",
		runtime.NumCPU(), cpuModel(), strings.TrimSpace(string(goVersion)), loadBefore, loadAverage())
	p("Each cell is the **median over the runs** of three figures: events per second of wall-clock time; events per second of CPU time, the process's (every thread: a client's garbage collection and goroutines, and the loopback server's, which all clients share); and allocations per event, those of one body holding the workload twice less those of one body, per event, so that what a client allocates once per body or request (a reader, its buffers, the request) is not counted. On a machine that other work loads, the wall clock mostly measures the share of the cores a run was given, which varies by several times from run to run (see the raw output); CPU time is what the client itself costs, and is the figure to compare there. Every run checks the count of events and the total length of their data. Versions: as in `e2e/gocompare/go.mod`.\n\n")
	for _, path := range paths {
		p("### %s\n\n%s\n\n| client |", path.title, path.what)
		for _, wl := range workloads {
			p(" %s |", wl.title)
		}
		p("\n| --- |%s\n", strings.Repeat(" ---: |", len(workloads)))
		for _, c := range clients {
			p("| %s |", c.label)
			for _, wl := range workloads {
				f := res[path.key+"/"+wl.key+"/"+c.key]
				if f == nil {
					p(" no result |")
					continue
				}
				p(" %s/s wall, %s/s CPU, %s allocs |", si(median(f["events/s"])), si(1e9/median(f["cpu-ns/event"])), allocs(median(f["allocs/event"])))
			}
			p("\n")
		}
		p("\n")
		for _, by := range []struct {
			what  string
			value func(figures) float64
		}{
			{"wall-clock events per second", func(f figures) float64 { return median(f["events/s"]) }},
			{"events per CPU second", func(f figures) float64 { return 1e9 / median(f["cpu-ns/event"]) }},
		} {
			var slower []string
			for _, wl := range workloads {
				ours := res[path.key+"/"+wl.key+"/sse_(ours)"]
				for _, c := range clients[1:] {
					other := res[path.key+"/"+wl.key+"/"+c.key]
					if ours == nil || other == nil || by.value(ours) <= by.value(other) {
						slower = append(slower, wl.key+" vs "+c.label)
					}
				}
			}
			if len(slower) == 0 {
				p("- In %s, `sse` is the fastest on every workload.\n", by.what)
			} else {
				p("- In %s, `sse` is **not** the fastest on: %s.\n", by.what, strings.Join(slower, "; "))
			}
		}
		p("\n")
	}
	p("<details><summary>raw output of the runs</summary>\n\n")
	for i, r := range raw {
		p("```\n$ %s   # run %d\n%s```\n\n", command, i+1, r)
	}
	p("</details>\n%s\n", end)
	_ = order
}

func allocs(v float64) string {
	if v < 0.005 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func figure(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func si(v float64) string {
	switch {
	case v >= 1e6:
		return figure(v/1e6) + " M"
	case v >= 1e3:
		return figure(v/1e3) + " k"
	}
	return figure(v)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func quote(args []string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if strings.ContainsAny(a, "^$ ") {
			out[i] = "'" + a + "'"
		}
	}
	return out
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// machine describes where the figures were taken.
type machine struct {
	nproc    int
	cpu      string
	chromium string // product and binary
	goVer    string
	node     string
	load     string // 1-minute load average before and after
}

// report is everything BENCHMARKS.md shows.
type report struct {
	date      time.Time
	elapsed   time.Duration
	command   string
	machine   machine
	quick     bool
	rounds    int
	workloads []*workload
	results   results
	versions  map[string]string // impl key -> npm version
	dist      map[string]string // dist file -> how it was served
	netWL     *workload
	net       []*netVariant
	netRounds int
	goBenches []*goBench
	sizes     *sizeReport
}

func (rp *report) write(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# Benchmarks\n\n")
	p("Written by `%s` on %s; the run took %s.", rp.command, rp.date.UTC().Format("2006-01-02 15:04 MST"), rp.elapsed.Round(time.Second))
	if rp.quick {
		p(" **Quick run** (`-quick`): smaller workloads and fewer rounds, for iteration only.")
	}
	p("\n\n| machine | |\n| --- | --- |\n")
	p("| `nproc` | %d |\n| CPU | %s |\n| Chromium | %s |\n| Go | %s |\n", rp.machine.nproc, rp.machine.cpu, rp.machine.chromium, rp.machine.goVer)
	p("| load average (1 min) | %s |\n", rp.machine.load)
	if rp.machine.node != "" {
		p("| Node (wasm Go benchmarks) | %s |\n", rp.machine.node)
	}
	p("\n")
	rp.writeBrowser(p)
	rp.writeSizes(p)
	rp.writeNetwork(p)
	rp.writeGo(p)
}

type printer func(format string, args ...any)

func (rp *report) writeBrowser(p printer) {
	p("## In the browser\n\n")
	p("One headless Chromium run. Every implementation reads the same streams from a Go server on 127.0.0.1; ")
	p("on each workload they take turns, in an order that rotates every round. ")
	p("A cell is the **median of %s**, after 1 warm-up round that is dropped, ", plural(rp.rounds, "round"))
	p("with the **ratio to native `EventSource`** of the same run in parentheses (lower is better). ")
	p("The measuring tabs have no DevTools client attached (see the check below).\n\n")
	p("- Throughput workloads: from `new EventSource(url)` (or the first `fetch`) to the last event, ")
	p("with a listener that adds up a checksum; the server writes each precomputed body in one write.\n")
	if wl := rp.workload("latency"); wl.sum.Count > 0 {
		p("- Latency: %d events %v apart, each stamped with the server's wall clock when written; ", wl.sum.Count, wl.interval)
		p("the page takes `performance.timeOrigin + performance.now()` on arrival (same machine, same clock, ")
		p("5 µs timers as the page is cross-origin isolated). Each round's median and p99 (nearest rank: the %s slowest of %d events), then the median over rounds of each.\n",
			ordinal(wl.sum.Count-int(math.Ceil(0.99*float64(wl.sum.Count)))+1), wl.sum.Count)
	}
	if wl := rp.workload("cold"); wl.events > 0 {
		p("- Cold path: a new tab per sample (a fresh engine and JIT), %d events of %s of data %v apart, each stamped with the server's clock; ", wl.events, "8 MiB", wl.interval)
		p("the delay of the first and of the fifth event, from the server's write to the listener. The target is the first at most 1.5× the fifth.\n")
	}
	if wl := rp.workload("startup"); wl.samples > 0 {
		p("- Startup: a new tab whose page loads only the implementation under test, from navigation start to the first event, ")
		p("%d pages per round; scripts and wasm uncached (`no-store` and a fresh URL each time), so it includes fetching and compiling the wasm, as a first visit does. ", wl.samples)
		p("Each new tab is a new renderer process, whose start varies with the machine's load; the second column counts from the end of the HTML response (Navigation Timing `responseEnd`), which leaves that out.\n")
	}
	p("\n")

	cols := rp.workloads
	p("| implementation |")
	for _, wl := range cols {
		switch wl.kind {
		case kindLatency:
			p(" latency, median | latency, p99 |")
		case kindStartup:
			p(" %s | startup after the HTML arrived |", wl.title)
		case kindCold:
			p(" first of 5 %s | fifth |", wl.title)
		default:
			p(" %s |", wl.title)
		}
	}
	p("\n| --- |")
	for _, wl := range cols {
		p(" ---: |")
		if wl.kind == kindLatency || wl.kind == kindStartup || wl.kind == kindCold {
			p(" ---: |")
		}
	}
	p("\n")
	for _, im := range impls {
		p("| %s |", rp.label(im))
		for _, wl := range cols {
			c, base := rp.results.get(im.key, wl.name), rp.results.get("native", wl.name)
			times := ratioCell(c, base, func(c *cell) []float64 { return c.times })
			switch wl.kind {
			case kindLatency:
				p(" %s | %s |", ratioCell(c, base, func(c *cell) []float64 { return c.delayP50 }),
					ratioCell(c, base, func(c *cell) []float64 { return c.delayP99 }))
			case kindStartup:
				p(" %s | %s |", times, ratioCell(c, base, func(c *cell) []float64 { return c.sinceHTML }))
			case kindCold:
				p(" %s | %s |", ratioCell(c, base, func(c *cell) []float64 { return c.first }),
					ratioCell(c, base, func(c *cell) []float64 { return c.fifth }))
			default:
				p(" %s |", times)
			}
		}
		p("\n")
	}

	p("\nThroughput of the same medians, in MB/s of stream and events per second:\n\n| implementation |")
	var tput []*workload
	for _, wl := range cols {
		if wl.kind == kindThroughput {
			tput = append(tput, wl)
			p(" %s |", wl.title)
		}
	}
	p("\n| --- |%s\n", strings.Repeat(" ---: |", len(tput)))
	for _, im := range impls {
		p("| %s |", rp.label(im))
		for _, wl := range tput {
			c := rp.results.get(im.key, wl.name)
			if c.err != nil || len(c.times) == 0 {
				p(" error |")
				continue
			}
			sec := median(c.times) / 1e3
			p(" %s MB/s, %s events/s |", figure(float64(len(wl.body))/1e6/sec), si(float64(wl.sum.Count)/sec))
		}
		p("\n")
	}

	p("\nNotes:\n\n")
	for _, im := range impls {
		if im.note != "" {
			p("- %s\n", im.note)
		}
	}
	p("- Every result is checked: the count of events of the expected type, the total length of `data`, the sum of the middle character of each `data` and of the `lastEventId`s (the ceiling: events and bytes). A mismatch is an error, never a time.\n")
	p("- `/dist/` is served by package `server`'s handler, as to the demo and the browser suite, precompressed when the browser accepts it:")
	for _, name := range slices.Sorted(maps.Keys(rp.dist)) {
		p(" `%s` %s;", name, rp.dist[name])
	}
	p(" every response is `Cache-Control: no-store`.\n")
	errs := false
	for _, im := range impls {
		for _, wl := range cols {
			if c := rp.results.get(im.key, wl.name); c.err != nil {
				if !errs {
					p("\nErrors (an implementation that fails a workload once is not run on it again):\n\n")
					errs = true
				}
				p("- %s, %s: %s\n", rp.label(im), wl.title, oneLine(c.err.Error()))
			}
		}
	}
	p("\n")
}

func (rp *report) writeNetwork(p printer) {
	if rp.net == nil {
		return
	}
	p("## Check: the DevTools Network domain\n\n")
	p("chromedp enables the Network domain on every tab it attaches to; DevTools then records every EventSource message. ")
	p("Native `EventSource`, %s, median of %s after 2 warm-up rounds, the three tabs taking turns:\n\n", rp.netWL.title, plural(rp.netRounds, "round"))
	p("| how the measuring tab was opened | time | ratio |\n| --- | ---: | ---: |\n")
	var base float64
	for i, v := range rp.net {
		if v.err != nil {
			p("| %s | error: %s | |\n", v.label, oneLine(v.err.Error()))
			continue
		}
		m := median(v.times)
		if i == 0 {
			base = m
		}
		ratio := ""
		if base > 0 {
			ratio = fmt.Sprintf("%.2f×", m/base)
		}
		p("| %s | %s ms | %s |\n", v.label, figure(m), ratio)
	}
	p("\n")
}

func (rp *report) workload(name string) *workload {
	for _, wl := range rp.workloads {
		if wl.name == name {
			return wl
		}
	}
	return &workload{}
}

func (rp *report) label(im impl) string {
	if v := rp.versions[im.key]; v != "" {
		return im.label + " " + v
	}
	return im.label
}

// ratioCell shows the median of values(c) with its ratio to the same of base
// (native).
func ratioCell(c, base *cell, values func(*cell) []float64) string {
	switch {
	case c.na:
		return "—"
	case c.err != nil:
		return "**error**"
	case len(values(c)) == 0:
		return "no data"
	}
	v := median(values(c))
	s := figure(v) + " ms"
	if base.err == nil && len(values(base)) > 0 {
		if b := median(values(base)); b > 0 {
			s += fmt.Sprintf(" (%.2f×)", v/b)
		}
	}
	return s
}

// figure prints v with three significant digits at most, and no fraction
// above 100.
func figure(v float64) string {
	switch {
	case v >= 100:
		return groupThousands(int(v + 0.5))
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// si prints a rate as 1.23 M or 456 k.
func si(v float64) string {
	switch {
	case v >= 1e6:
		return figure(v/1e6) + " M"
	case v >= 1e3:
		return figure(v/1e3) + " k"
	default:
		return figure(v)
	}
}

func metric(m map[string]float64, unit string, format func(float64) string) string {
	v, ok := m[unit]
	if !ok {
		return ""
	}
	return format(v)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// plural is "1 round" or "5 rounds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// ordinal is 1st, 2nd, 3rd, 4th… for the small numbers the report needs.
func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return strconv.Itoa(n) + "th"
	case n%10 == 1:
		return strconv.Itoa(n) + "st"
	case n%10 == 2:
		return strconv.Itoa(n) + "nd"
	case n%10 == 3:
		return strconv.Itoa(n) + "rd"
	}
	return strconv.Itoa(n) + "th"
}

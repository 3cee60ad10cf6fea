package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// cell is what one implementation did on one workload over the rounds.
type cell struct {
	times []float64 // ms of each measured round
	// Latency: each measured round's median and p99 delay. The table shows
	// the median over rounds of each, so that a round disturbed by other
	// work on the machine cannot make the p99 on its own.
	delayP50, delayP99 []float64
	sinceHTML          []float64 // startup: from the end of the HTML response
	first, fifth       []float64 // cold: the delay of the first and of the fifth event
	err                error     // the first failure; the cell then shows only it
	na                 bool      // not applicable (the ceiling has no latency)
}

// results[impl key][workload name]
type results map[string]map[string]*cell

func (rs results) get(im, wl string) *cell {
	if rs[im] == nil {
		rs[im] = map[string]*cell{}
	}
	if rs[im][wl] == nil {
		rs[im][wl] = &cell{}
	}
	return rs[im][wl]
}

// runRounds measures every implementation on every workload: round 0 is a
// warm-up whose figures are dropped (a cold renderer runs its first streams
// several times slower), then rounds measured rounds. Within a round the
// implementations take turns on each workload, in an order that rotates from
// round to round, so that slow drift of the machine spreads evenly. An
// implementation that fails a workload is not run on it again: its cell shows
// the error.
func (r *runner) runRounds(ws []*workload, rounds int) results {
	rs := results{}
	for round := 0; round <= rounds; round++ {
		start := time.Now()
		for _, wl := range ws {
			for k := range impls {
				im := impls[(k+round)%len(impls)]
				c := rs.get(im.key, wl.name)
				if im.key == "ceiling" && (wl.kind == kindLatency || wl.kind == kindCold) {
					c.na = true
					continue
				}
				for range max(wl.samples, 1) {
					if c.err == nil {
						r.sample(im, wl, round, c)
					}
				}
			}
		}
		what := "measured"
		if round == 0 {
			what = "warm-up"
		}
		fmt.Fprintf(r.log, "round %d/%d (%s) took %v\n", round, rounds, what, time.Since(start).Round(time.Millisecond))
	}
	return rs
}

// sample runs im on wl once and adds the figure to c, or sets c.err.
func (r *runner) sample(im impl, wl *workload, round int, c *cell) {
	res, err := r.measure(im, wl)
	if err == nil {
		err = verify(im, wl, res)
	}
	if err != nil {
		c.err = err
		fmt.Fprintf(r.log, "  %s on %s: %v\n", im.key, wl.name, err)
		return
	}
	if r.verbose {
		fmt.Fprintf(r.log, "  round %d %-22s %-8s %9.1f ms%s\n", round, im.key, wl.name, res.MS, delaySummary(res.Delays))
	}
	if round > 0 { // round 0 is the warm-up
		c.times = append(c.times, res.MS)
		c.sinceHTML = append(c.sinceHTML, res.SinceHTML)
		if wl.kind == kindCold && len(res.Delays) >= 5 {
			c.first = append(c.first, res.Delays[0])
			c.fifth = append(c.fifth, res.Delays[4])
		} else if len(res.Delays) > 0 {
			c.delayP50 = append(c.delayP50, percentile(res.Delays, 0.5))
			c.delayP99 = append(c.delayP99, percentile(res.Delays, 0.99))
		}
	}
}

// netVariant is one way of opening the measuring page for the Network
// domain check.
type netVariant struct {
	label string
	open  func() (*tab, error)
	times []float64
	err   error
}

// networkCheck measures native EventSource on wl in three tabs, interleaved:
// one no DevTools client attaches to (how every figure of the table is
// taken), one that chromedp attaches to with its default domains (Network
// enabled), and one attached with Network disabled again.
func (r *runner) networkCheck(wl *workload, rounds int) []*netVariant {
	vs := []*netVariant{
		{label: "tab not attached to DevTools (as measured above)", open: r.openTab},
		{label: "tab attached by chromedp, default domains (Network enabled)", open: func() (*tab, error) { return r.openAttachedTab(false) }},
		{label: "tab attached by chromedp, then `Network.disable`", open: func() (*tab, error) { return r.openAttachedTab(true) }},
	}
	tabs := make([]*tab, len(vs))
	for i, v := range vs {
		tabs[i], v.err = v.open()
	}
	defer func() {
		for _, t := range tabs {
			if t != nil {
				t.close()
			}
		}
	}()
	native := implByKey("native")
	// Two warm-up rounds: each of these tabs is a new, cold renderer, and
	// unlike the measuring tab it gets no warm-up from other workloads.
	const warmup = 2
	for round := 1 - warmup; round <= rounds; round++ {
		for i, v := range vs {
			if v.err != nil {
				continue
			}
			res, err := r.exec(tabs[i], r.newJob(native, wl))
			if err == nil {
				err = verify(native, wl, res)
			}
			if r.verbose {
				fmt.Fprintf(r.log, "  round %d %-60s %9.1f ms\n", round, v.label, res.MS)
			}
			if err != nil {
				v.err = err
			} else if round > 0 {
				v.times = append(v.times, res.MS)
			}
		}
	}
	return vs
}

// median of xs (not modified); NaN-free input assumed, 0 for none.
func median(xs []float64) float64 {
	return percentile(xs, 0.5)
}

// percentile returns the nearest-rank p-quantile of xs: the smallest value
// with at least p of the values at or below it.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if p == 0.5 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	rank := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// delaySummary is the median and maximum delay of a latency job, for -v.
func delaySummary(delays []float64) string {
	if len(delays) == 0 {
		return ""
	}
	worst := slices.Index(delays, slices.Max(delays))
	return fmt.Sprintf(" (delay median %.2f ms, max %.1f ms at event %d)", median(delays), delays[worst], worst)
}

package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// profileCold profiles the cold-path workload on fresh pages: the profiler
// starts before each page loads, and the samples are cut into bursts of
// work (the events come 1 s apart), so that the first large event of a
// fresh engine and JIT can be set against the last one.
func (r *runner) profileCold(ctx context.Context, im impl, wl *workload, rounds int, w io.Writer) error {
	first, last := &profiler.Profile{}, &profiler.Profile{}
	for round := 0; round < rounds; round++ {
		j := r.newJob(im, wl)
		j.Nonce = strconv.Itoa(j.ID)
		j.WasmURL = "/dist/eventsource.wasm?n=" + j.Nonce
		key := "profile-cold-" + j.Nonce
		sess := r.srv.newSession(key, &j)
		prof, res, err := r.profileVisit(ctx, key, sess)
		r.srv.dropSession(key)
		if err == nil {
			err = verify(im, wl, res)
		}
		if err != nil {
			return err
		}
		bursts := splitBursts(prof, 300*time.Millisecond)
		// The page's load is the first burst; the last wl.events bursts
		// are the events.
		if len(bursts) < wl.events {
			return fmt.Errorf("round %d: %d bursts of work for %d events", round+1, len(bursts), wl.events)
		}
		ev := bursts[len(bursts)-wl.events:]
		fmt.Fprintf(w, "round %d: event delays %s ms; bursts of work for the events:", round+1, joinFigures(res.Delays))
		for _, b := range ev {
			fmt.Fprintf(w, " %.1f", b.ms)
		}
		fmt.Fprintln(w, " ms")
		appendSamples(first, ev[0].prof)
		appendSamples(last, ev[len(ev)-1].prof)
	}
	fmt.Fprintf(w, "\n### The first event, %d rounds\n\n", rounds)
	writeProfile(w, first, 30)
	fmt.Fprintf(w, "\n### The last event, %d rounds\n\n", rounds)
	writeProfile(w, last, 30)
	return nil
}

// profileVisit loads the startup page of the session key in a new tab with
// the profiler running from before navigation, and returns the profile and
// the page's result.
func (r *runner) profileVisit(ctx context.Context, key string, sess *session) (*profiler.Profile, result, error) {
	tctx, cancel := chromedp.NewContext(r.browser.ctx)
	defer cancel()
	var prof *profiler.Profile
	err := chromedp.Do(tctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Disable, cdp.Empty{}); err != nil {
			return err
		}
		return startProfiler(ctx, t)
	}))
	if err == nil {
		err = chromedp.Do(tctx, chromedp.Navigate(r.base+"/bench/startup?s="+key))
	}
	if err != nil {
		return nil, result{}, err
	}
	var res result
	select {
	case res = <-sess.results:
	case <-time.After(r.timeout + grace):
		return nil, result{}, fmt.Errorf("no result within %v", r.timeout+grace)
	case <-ctx.Done():
		return nil, result{}, ctx.Err()
	}
	err = chromedp.Do(tctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		out, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		prof = out.Profile
		return err
	}))
	if err == nil && prof == nil {
		err = fmt.Errorf("the profiler returned no profile")
	}
	return prof, res, err
}

// A burst is a run of samples with work in it, no idle stretch longer than
// the gap splitBursts was given.
type burst struct {
	ms   float64
	prof *profiler.Profile // the same nodes, only the burst's samples
}

// splitBursts cuts prof's samples where the renderer's main thread was idle
// for longer than gap.
func splitBursts(prof *profiler.Profile, gap time.Duration) []burst {
	idle := map[int64]bool{}
	for _, n := range prof.Nodes {
		if n.CallFrame.FunctionName == "(idle)" || n.CallFrame.FunctionName == "(program)" {
			idle[n.ID] = true
		}
	}
	var out []burst
	var cur *profiler.Profile
	var start, lastWork, t float64
	idleFor := 0.0
	for i, id := range prof.Samples {
		if i < len(prof.TimeDeltas) {
			t += float64(prof.TimeDeltas[i])
		}
		if idle[id] {
			if cur != nil {
				if idleFor += float64(prof.TimeDeltas[min(i, len(prof.TimeDeltas)-1)]); idleFor > float64(gap.Microseconds()) {
					out = append(out, burst{ms: (lastWork - start) / 1000, prof: cur})
					cur = nil
				}
			}
			continue
		}
		idleFor = 0
		if cur == nil {
			cur = &profiler.Profile{Nodes: prof.Nodes}
			start = t
		}
		cur.Samples = append(cur.Samples, id)
		delta := int64(0)
		if i+1 < len(prof.TimeDeltas) {
			delta = prof.TimeDeltas[i+1]
		}
		// writeProfile reads each sample's duration from the next delta.
		if len(cur.TimeDeltas) == 0 {
			cur.TimeDeltas = append(cur.TimeDeltas, 0)
		}
		cur.TimeDeltas = append(cur.TimeDeltas, delta)
		lastWork = t
	}
	if cur != nil {
		out = append(out, burst{ms: (lastWork - start) / 1000, prof: cur})
	}
	return out
}

// appendSamples adds q's samples (over the same or other nodes) to p.
func appendSamples(p, q *profiler.Profile) {
	seen := map[int64]bool{}
	for _, n := range p.Nodes {
		seen[n.ID] = true
	}
	// Node IDs of different pages collide: renumber q's.
	off := int64(0)
	for id := range seen {
		off = max(off, id)
	}
	renum := map[int64]int64{}
	for _, n := range q.Nodes {
		renum[n.ID] = n.ID + off
	}
	for _, n := range q.Nodes {
		c := *n
		c.ID = renum[n.ID]
		c.Children = nil
		for _, ch := range n.Children {
			c.Children = append(c.Children, renum[ch])
		}
		p.Nodes = append(p.Nodes, &c)
	}
	if len(p.TimeDeltas) == 0 {
		p.TimeDeltas = append(p.TimeDeltas, 0)
	}
	for i, id := range q.Samples {
		p.Samples = append(p.Samples, renum[id])
		if i+1 < len(q.TimeDeltas) {
			p.TimeDeltas = append(p.TimeDeltas, q.TimeDeltas[i+1])
		} else {
			p.TimeDeltas = append(p.TimeDeltas, 0)
		}
	}
}

func joinFigures(xs []float64) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		s += strconv.FormatFloat(x, 'f', 1, 64)
	}
	return s
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// profileJob runs one implementation on one workload rounds times in a tab
// with DevTools' sampling CPU profiler on (the Network domain off, as it
// distorts native EventSource), and prints where the renderer's main thread
// spent its time: self and total time per function, heaviest first.
//
// The profiler costs a little itself, so its figures are for finding hot
// spots, not for the table.
func (r *runner) profileJob(ctx context.Context, im impl, wl *workload, rounds int, w io.Writer) error {
	key := "profile-" + strconv.Itoa(r.newID())
	sess := r.srv.newSession(key, nil)
	defer r.srv.dropSession(key)
	tctx, cancel := chromedp.NewContext(r.browser.ctx)
	defer cancel()
	call := func(f func(ctx context.Context, t *chromedp.Target) error) error {
		return chromedp.Do(tctx, chromedp.Func(f))
	}
	if err := call(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.Disable, cdp.Empty{})
		return err
	}); err != nil {
		return err
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(r.base+"/bench/?s="+key)); err != nil {
		return err
	}
	t := &tab{key: key, sess: sess, close: func() {}}
	// A warm-up job first: a cold renderer is slower, and the engine loads.
	if _, err := r.exec(t, r.newJob(im, wl)); err != nil {
		return err
	}
	if err := call(startProfiler); err != nil {
		return err
	}
	var times []float64
	for i := 0; i < rounds; i++ {
		res, err := r.exec(t, r.newJob(im, wl))
		if err == nil {
			err = verify(im, wl, res)
		}
		if err != nil {
			return err
		}
		times = append(times, res.MS)
	}
	var prof *profiler.Profile
	if err := call(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		prof = res.Profile
		return err
	}); err != nil {
		return err
	}
	if prof == nil {
		return errors.New("the profiler returned no profile")
	}
	fmt.Fprintf(w, "profile of %s on %s: %d rounds, median %s ms under the profiler\n\n", im.key, wl.name, rounds, figure(median(times)))
	writeProfile(w, prof, 30)
	return nil
}

// startProfiler starts DevTools' sampling profiler in t, every 100 µs.
func startProfiler(ctx context.Context, t *chromedp.Target) error {
	if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
		return err
	}
	if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 100}); err != nil {
		return err
	}
	_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
	return err
}

// writeProfile prints the top functions of prof by self time, with their
// total (self and callees) time, as percentages of the sampled time.
func writeProfile(w io.Writer, prof *profiler.Profile, top int) {
	nodes := map[int64]*profiler.ProfileNode{}
	parent := map[int64]int64{}
	for _, n := range prof.Nodes {
		nodes[n.ID] = n
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	// Sample durations: each sample lasts until the next one.
	selfUS := map[int64]float64{}
	var total float64
	for i, id := range prof.Samples {
		d := 0.0
		if i+1 < len(prof.TimeDeltas) {
			d = float64(prof.TimeDeltas[i+1])
		}
		selfUS[id] += d
		total += d
	}
	if total == 0 {
		fmt.Fprintln(w, "no samples")
		return
	}
	type fn struct {
		name        string
		self, total float64
		lines       map[int64]int64 // source line → samples on top there
	}
	byName := map[string]*fn{}
	get := func(n *profiler.ProfileNode) *fn {
		name := frameName(n)
		f := byName[name]
		if f == nil {
			f = &fn{name: name}
			byName[name] = f
		}
		return f
	}
	for _, n := range prof.Nodes {
		for _, pt := range n.PositionTicks {
			f := get(n)
			if f.lines == nil {
				f.lines = map[int64]int64{}
			}
			f.lines[pt.Line] += pt.Ticks
		}
	}
	for id, d := range selfUS {
		n := nodes[id]
		get(n).self += d
		// Total: once per function on the stack, however deep it recurses.
		seen := map[string]bool{}
		for cur, ok := id, true; ok; cur, ok = parent[cur] {
			f := get(nodes[cur])
			if !seen[f.name] {
				seen[f.name] = true
				f.total += d
			}
		}
	}
	list := make([]*fn, 0, len(byName))
	for _, f := range byName {
		list = append(list, f)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].self > list[j].self })
	fmt.Fprintf(w, "sampled %s ms\n\n| self | total | function |\n| ---: | ---: | --- |\n", figure(total/1000))
	for i, f := range list {
		if i == top {
			break
		}
		fmt.Fprintf(w, "| %.1f%% | %.1f%% | %s%s |\n", 100*f.self/total, 100*f.total/total, f.name, hotLines(f.lines))
	}
}

// hotLines lists the lines of a function that most samples were on, with
// their share of its samples.
func hotLines(lines map[int64]int64) string {
	if len(lines) < 2 {
		return ""
	}
	var sum int64
	keys := make([]int64, 0, len(lines))
	for l, n := range lines {
		keys = append(keys, l)
		sum += n
	}
	sort.Slice(keys, func(i, j int) bool { return lines[keys[i]] > lines[keys[j]] })
	var b strings.Builder
	b.WriteString(" (lines")
	for i, l := range keys[:min(3, len(keys))] {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %d: %d%%", l, 100*lines[l]/sum)
	}
	b.WriteByte(')')
	return b.String()
}

// frameName names a profile node by function, file and line.
func frameName(n *profiler.ProfileNode) string {
	cf := n.CallFrame
	name := cf.FunctionName
	if name == "" {
		name = "(anonymous)"
	}
	if cf.URL == "" {
		return name
	}
	file := cf.URL
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file = file[:i]
	}
	return fmt.Sprintf("%s %s:%d", name, file, cf.LineNumber+1)
}

// profileTarget parses -profile's "impl:workload".
func profileTarget(spec string, ws []*workload) (impl, *workload, error) {
	implKey, wlName, _ := strings.Cut(spec, ":")
	im := implByKey(implKey)
	if im.key == "" {
		return im, nil, fmt.Errorf("-profile: no implementation %q", implKey)
	}
	sel, err := selectWorkloads(ws, wlName)
	if err != nil {
		return im, nil, err
	}
	if sel[0].kind == kindStartup {
		return im, nil, fmt.Errorf("-profile: %s is measured in fresh tabs; profile a throughput, latency or cold workload", wlName)
	}
	return im, sel[0], nil
}

// profileTimeout bounds a whole profiling session.
const profileTimeout = 5 * time.Minute

package main

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// A job is one implementation reading one workload, as the page receives it.
type job struct {
	ID        int    `json:"id"`
	Session   string `json:"session,omitempty"` // startup pages post here
	Impl      string `json:"impl"`
	Workload  string `json:"workload"`
	Kind      string `json:"kind"`
	URL       string `json:"url"`
	Type      string `json:"type"`   // the event type to listen for
	Expect    int    `json:"expect"` // events a correct client receives
	TimeoutMS int    `json:"timeoutMs"`
	Nonce     string `json:"nonce,omitempty"`   // startup: cache buster
	WasmURL   string `json:"wasmURL,omitempty"` // startup: our engine, uncached
}

// A result is what the page reports for a job.
type result struct {
	ID         int       `json:"id"`
	Error      string    `json:"error"`
	MS         float64   `json:"ms"`        // to the expected last event; startup: since navigation start
	SinceHTML  float64   `json:"sinceHtml"` // startup: since the HTML response ended
	Sum        checksum  `json:"sum"`
	End        string    `json:"end"` // how the stream ended, for messages
	Delays     []float64 `json:"delays"`
	Visibility string    `json:"visibility"`
	Isolated   bool      `json:"isolated"` // crossOriginIsolated: 5 µs timers
	Log        []string  `json:"log"`
}

// runner drives the pages: one measuring tab that runs jobs in turn, and a
// fresh tab per startup measurement.
type runner struct {
	srv     *benchServer
	base    string // http://127.0.0.1:port
	browser *chromium
	timeout time.Duration // per job, in the page
	verbose bool          // print every job's figure
	log     io.Writer     // progress and errors, as they happen
	nextID  int
	tab     *tab // the measuring tab; replaced if it stops answering
}

// A tab is an open page with its session.
type tab struct {
	key   string
	sess  *session
	close func()
}

func (r *runner) newID() int {
	r.nextID++
	return r.nextID
}

// openTab opens the measuring page in a tab that DevTools does not attach to.
func (r *runner) openTab() (*tab, error) {
	key := "run-" + strconv.Itoa(r.newID())
	sess := r.srv.newSession(key, nil)
	id, err := r.browser.openTab(r.base + "/bench/?s=" + key)
	if err != nil {
		r.srv.dropSession(key)
		return nil, err
	}
	return &tab{key: key, sess: sess, close: func() {
		r.browser.closeTab(id)
		r.srv.dropSession(key)
	}}, nil
}

// openAttachedTab opens the measuring page in a tab that chromedp drives,
// with the Network domain enabled or (disableNetwork) disabled again.
func (r *runner) openAttachedTab(disableNetwork bool) (*tab, error) {
	key := "attached-" + strconv.Itoa(r.newID())
	sess := r.srv.newSession(key, nil)
	closeTab, err := r.browser.openAttachedTab(r.base+"/bench/?s="+key, disableNetwork)
	if err != nil {
		r.srv.dropSession(key)
		return nil, err
	}
	return &tab{key: key, sess: sess, close: func() {
		closeTab()
		r.srv.dropSession(key)
	}}, nil
}

// newJob describes im reading wl.
func (r *runner) newJob(im impl, wl *workload) job {
	id := r.newID()
	return job{
		ID: id, Impl: im.key, Workload: wl.name, Kind: wl.kind,
		URL:    fmt.Sprintf("/bench/sse/%s?job=%d", wl.name, id),
		Type:   wl.typ,
		Expect: wl.sum.Count, TimeoutMS: int(r.timeout / time.Millisecond),
	}
}

// grace is how much longer than the page's own timeout the Go side waits: a
// page whose main thread is stuck cannot even report its timeout.
const grace = 15 * time.Second

// exec runs j in t and waits for its result, at most the job's timeout plus
// grace.
func (r *runner) exec(t *tab, j job) (result, error) {
	deadline := time.NewTimer(r.timeout + grace)
	defer deadline.Stop()
	select {
	case t.sess.jobs <- j:
	case <-deadline.C:
		return result{}, fmt.Errorf("the page did not ask for a job within %v", r.timeout+grace)
	}
	select {
	case res := <-t.sess.results:
		if res.ID != j.ID {
			return res, fmt.Errorf("result of job %d for job %d", res.ID, j.ID)
		}
		return res, nil
	case <-deadline.C:
		return result{}, fmt.Errorf("no result within %v: the page hangs", r.timeout+grace)
	}
}

// measure runs im on wl in the measuring tab. A tab that stopped answering is
// replaced, so that one hung implementation cannot stop the whole run.
func (r *runner) measure(im impl, wl *workload) (result, error) {
	if wl.kind == kindStartup || wl.kind == kindCold {
		return r.measureStartup(im, wl)
	}
	if r.tab == nil {
		t, err := r.openTab()
		if err != nil {
			return result{}, err
		}
		r.tab = t
	}
	res, err := r.exec(r.tab, r.newJob(im, wl))
	if err != nil {
		r.tab.close()
		r.tab = nil
	}
	return res, err
}

// measureStartup opens a fresh tab whose page loads only im and reads wl.
// For a repeat visit, two earlier tabs load the same cacheable URLs first.
func (r *runner) measureStartup(im impl, wl *workload) (result, error) {
	j := r.newJob(im, wl)
	j.Nonce = strconv.Itoa(j.ID)
	if wl.repeat {
		j.Nonce += "&cache=1" // served cacheable (see distHandler)
		for visit := range 2 {
			w := r.newJob(im, wl) // a job's stream is served once
			w.Nonce = j.Nonce
			if _, err := r.visit(w, fmt.Sprintf("warm%d-", visit)); err != nil {
				return result{}, fmt.Errorf("warm-up visit %d: %w", visit+1, err)
			}
		}
	}
	return r.visit(j, "")
}

// visit runs the startup page of j once, in a tab of its own.
func (r *runner) visit(j job, prefix string) (result, error) {
	j.WasmURL = "/dist/eventsource.wasm?n=" + j.Nonce
	key := "startup-" + prefix + strconv.Itoa(j.ID)
	sess := r.srv.newSession(key, &j)
	defer r.srv.dropSession(key)
	id, err := r.browser.openTab(r.base + "/bench/startup?s=" + key)
	if err != nil {
		return result{}, err
	}
	defer r.browser.closeTab(id)
	deadline := time.NewTimer(r.timeout + grace)
	defer deadline.Stop()
	select {
	case res := <-sess.results:
		return res, nil
	case <-deadline.C:
		return result{}, fmt.Errorf("no result within %v", r.timeout+grace)
	}
}

// verify checks a result against the workload's checksum.
func verify(im impl, wl *workload, res result) error {
	if res.Error != "" {
		return withLog(res.Error, res)
	}
	if res.Visibility != "visible" {
		return fmt.Errorf("the page was %q", res.Visibility)
	}
	if !res.Isolated {
		return fmt.Errorf("the page is not cross-origin isolated: its timers are coarse")
	}
	got, want := res.Sum, wl.sum
	switch {
	case got.Count != want.Count:
		return withLog(fmt.Sprintf("%d events, want %d (then: %s)", got.Count, want.Count, res.End), res)
	case (wl.kind == kindLatency || wl.kind == kindCold) && len(res.Delays) != want.Count:
		return fmt.Errorf("%d delays for %d events", len(res.Delays), want.Count)
	case im.key == "ceiling":
		if wl.kind == kindThroughput && got.Bytes != want.Bytes {
			return fmt.Errorf("%.0f bytes, want %.0f", got.Bytes, want.Bytes)
		}
	case wl.kind == kindLatency || wl.kind == kindCold:
		// Data are timestamps; the count and the delays are the check.
	case got.Len != want.Len || got.Mid != want.Mid || got.IDs != want.IDs:
		return fmt.Errorf("checksum mismatch: data length %.0f (want %.0f), middle characters %.0f (want %.0f), ids %.0f (want %.0f)",
			got.Len, want.Len, got.Mid, want.Mid, got.IDs, want.IDs)
	}
	if res.MS <= 0 {
		return fmt.Errorf("no time measured")
	}
	return nil
}

// withLog adds the first console error the page saw, which usually says why.
func withLog(msg string, res result) error {
	if len(res.Log) > 0 {
		return fmt.Errorf("%s; console: %s", msg, res.Log[0])
	}
	return fmt.Errorf("%s", msg)
}

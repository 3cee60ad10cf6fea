package e2e

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventsource-wasm/eventsource/polyfill/sse"
)

// The browser-vs-Go differential: every scenario of the browser suite
// (scenarios_test.go, hostile_test.go) that a non-browser client can meet,
// run at the same time by native Chrome in a tab and by the Go client of
// package sse against the same server, each with its own key, and both
// recordings rendered alike (renderer): the same open / message / error
// sequence with the same readyState, data, ids and origins, the same
// requests seen by the server (echo scenarios, connection counts). The
// scenarios that cannot apply are listed in goCases with the reason, and
// reported as skipped.

// goCase says how the Go client takes a scenario of the browser suite.
type goCase struct {
	// skip is why the scenario cannot apply to a non-browser client.
	skip string
	// opts is the Go equivalent of the scenario's init dictionary.
	opts sse.Options
	// standard compares the Go client with the scenario's polyfill
	// expectation, which follows the standard or the engine's limits where
	// Chrome differs on purpose; otherwise it is compared with Chrome.
	standard bool
}

const (
	skipCORS   = "CORS (SSE-20) guards a page's origin against other origins; a Go program has no origin, sends no Origin header and makes no CORS check"
	skipIDL    = "Web IDL conversion of the constructor's arguments in JavaScript (SSE-4, SSE-5)"
	skipWindow = "window.stop() is the browser's user-agent abort (SSE-19a, SSE-20); a Go program cancels its context, which closes without an event like close() (SSE-53)"
)

var goCases = map[string]goCase{
	"url-tostring":            {skip: skipIDL},
	"url-base-href":           {skip: "a relative URL resolves against the document's base URL (SSE-10); a Go program passes an absolute URL"},
	"url-empty":               {skip: "the empty URL is the document's own URL (SSE-12); a Go program has no document"},
	"url-invalid":             {skip: "the constructor's SyntaxError is a JavaScript exception (SSE-11); NewStream returns an error instead (sse.TestNewStreamErrors)"},
	"url-space-in-host":       {skip: "Chrome's URL parser percent-encodes a space in a host (SSE-13); Go's url.Parse refuses the URL, and NewStream returns its error (sse.TestNewStreamErrors)"},
	"url-punycode-host":       {skip: "the page's WHATWG serialization of an internationalized host (SSE-13) and the Origin header of a cross-origin request: " + skipCORS},
	"init-number":             {skip: skipIDL},
	"init-null":               {skip: skipIDL},
	"init-credentials-truthy": {skip: "withCredentials is a fetch credentials mode (SSE-14); a Go client sends the cookies of its http.Client's Jar"},

	"redirect-cross-origin":         {skip: skipCORS + " (the echo shows Chrome's Origin: A)"},
	"redirect-cross-origin-no-cors": {skip: skipCORS},
	"cors-allowed":                  {skip: skipCORS},
	"cors-credentials":              {skip: skipCORS},
	"cors-missing-acao":             {skip: skipCORS},
	"cors-wrong-acao":               {skip: skipCORS},
	"cors-empty-acao":               {skip: skipCORS},
	"cors-credentials-star":         {skip: skipCORS},
	"cors-credentials-not-allowed":  {skip: skipCORS},
	"cors-reconnect-last-event-id":  {skip: skipCORS + " (the echo shows Chrome's Origin: A)"},

	"microtasks-between-events":   {skip: "JavaScript microtasks between listeners (SSE-51); a Go loop body runs to its end before the next Next"},
	"listener-exception":          {skip: "a JavaScript listener's exception (SSE-51); a Go loop body has no listener to throw from"},
	"window-stop-before-response": {skip: skipWindow},
	"window-stop-mid-stream":      {skip: skipWindow},

	// SSE-22 [Decision]: Chrome fails a charset other than utf-8; the
	// engine follows the standard unless StrictCharset asks for Chrome's.
	"ctype-charset-windows-1252":  {standard: true},
	"ctype-charset-strict-option": {opts: sse.Options{StrictCharset: true}},
	// SSE-34: the engine's limits, which native lacks.
	"max-event-size":             {opts: sse.Options{Limits: sse.Limits{MaxEventSize: 1024}}, standard: true},
	"max-line-size":              {opts: sse.Options{Limits: sse.Limits{MaxLineSize: 1024}}, standard: true},
	"default-limit-17-MiB-event": {standard: true},
	"endless-line":               {opts: sse.Options{Limits: sse.Limits{MaxLineSize: 65536}}, standard: true},
	"endless-line-default-limit": {standard: true},
	// cross-origin-transient-error-on-reconnect: the polyfill's difference
	// comes from its CORS probe, which the Go client does not make: it
	// retries as Chrome does, and is compared with Chrome.
}

// TestGoClientDifferential runs every scenario of the browser suite with
// native Chrome and with the Go client, and requires the same rendering.
func TestGoClientDifferential(t *testing.T) {
	all := slices.Concat(scenarios, hostileScenarios)
	names := map[string]bool{}
	for _, sc := range all {
		names[sc.name] = true
	}
	for name := range goCases {
		if !names[name] {
			t.Errorf("goCases lists %q, which is no scenario of the browser suite", name)
		}
	}
	for _, sc := range all {
		t.Run(sc.name, func(t *testing.T) {
			gc := goCases[sc.name]
			if gc.skip != "" {
				t.Skip("cannot apply to a non-browser client: " + gc.skip)
			}
			runGoScenario(t, sc, gc)
		})
	}
}

func runGoScenario(t *testing.T, sc scenario, gc goCase) {
	if sc.arg != "" || sc.sequential {
		t.Fatalf("scenario %s needs the page (arg or sequential): list it in goCases", sc.name)
	}
	goKey := newKey(t, "g")
	o := originsFor(t)
	var goRec recording
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		goRec = recordGo(o, sc, goKey, gc.opts)
	}()

	var nativeLines []string
	nativeKey := ""
	compareNative := !gc.standard
	if compareNative {
		nativeKey = newKey(t, "n")
		ctx := newTab(t, "/e2e/page.html")
		if sc.setup != "" {
			eval[any](t, ctx, sc.setup)
		}
		s := sc.spec
		s.Ctor = "EventSource"
		if sc.releaseAt > 0 {
			s.Expose = "rec_native"
		}
		no := originsOf(ctx)
		js := s.js(sc.args(no, nativeKey))
		if sc.releaseAt > 0 {
			eval[bool](t, ctx, "(window.recording = "+js+", true)")
			releaseAt(sc.releaseAt)(t, ctx, []string{s.Expose}, []string{nativeKey})
			js = "window.recording"
		}
		rec := eval[recording](t, ctx, js)
		nativeLines = renderer{o: no, key: nativeKey}.lines(rec)
	}
	wg.Wait()
	goLines := renderer{o: o, key: goKey}.lines(goRec)

	switch {
	case gc.standard:
		expect(t, "go (the standard's expectation)", goLines, sc.polyfill)
	case sc.native != "":
		expect(t, "native", nativeLines, sc.native)
		expect(t, "go", goLines, sc.native)
	case sc.want != "":
		expect(t, "native", nativeLines, sc.want)
		expect(t, "go", goLines, sc.want)
	}
	if compareNative && !equal(nativeLines, goLines) {
		t.Errorf("native and go disagree:\n%s", sideBySide("native", nativeLines, "go", goLines))
	}
	if sc.check != nil {
		sc.check(t, "go", goRec, goKey)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("go recording (key %s):\n%s", goKey, strings.Join(goLines, "\n"))
	}
}

// goURL resolves a scenario URL as the page would: placeholders replaced,
// relative to the test page on origin A.
func goURL(o origins, sc scenario, key string) string {
	r := strings.NewReplacer("{A}", o.A, "{B}", o.B, "{CLOSED}", closedOrigin, "{key}", key, "{portB}", o.portB)
	raw := r.Replace(sc.url)
	base, _ := url.Parse(o.A + "/e2e/page.html")
	ref, err := url.Parse(raw)
	if err != nil {
		return raw // NewStream reports it
	}
	return base.ResolveReference(ref).String()
}

// recordGo is recorder.js for the Go client: it records what an
// application observes (the transitions and the events of the types it
// would listen to), closes the stream from inside the loop or the
// transition that meets the stop condition, and stops at an error in
// CLOSED or at the timeout, as the page does.
func recordGo(o origins, sc scenario, key string, opts sse.Options) recording {
	spec := sc.spec
	types := map[string]bool{"open": true, "message": true, "error": true}
	for _, ty := range spec.Types {
		types[ty] = true
	}
	timeout := time.Duration(spec.Timeout) * time.Millisecond
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	var (
		mu      sync.Mutex
		rec     recording
		stream  *sse.Stream
		stopped bool
		counts  = map[string]int{}
		origin  string
		t0      = time.Now()
	)
	// finish closes the stream once, noting its readyState before; mu held.
	finish := func() {
		if stopped {
			return
		}
		stopped = true
		rec.Final = int(stream.ReadyState())
		stream.Close()
	}
	stopMet := func() bool {
		st := spec.Stop
		return (st.Messages > 0 && counts["message"] >= st.Messages) ||
			(st.Errors > 0 && counts["error"] >= st.Errors) ||
			(st.Opens > 0 && counts["open"] >= st.Opens)
	}
	push := func(e event) {
		e.T = float64(time.Since(t0).Milliseconds())
		e.Target = true
		e.Late = stopped
		rec.Events = append(rec.Events, e)
	}
	opts.OnTransition = func(tr sse.Transition) {
		mu.Lock()
		defer mu.Unlock()
		typ := "error"
		if tr.State == sse.Open {
			typ = "open"
			origin = originOfURL(tr.Response.Request.URL)
		}
		push(event{Type: typ, RS: int(tr.State)})
		if stopped {
			return
		}
		counts[typ]++
		if typ == "error" && tr.State == sse.Closed || stopMet() {
			finish()
		}
	}
	s, err := sse.NewStream(context.Background(), goURL(o, sc, key), opts)
	if err != nil {
		return recording{Threw: "NewStream: " + err.Error()}
	}
	mu.Lock()
	stream = s
	rec.URL, rec.Initial = s.URL(), int(s.ReadyState())
	if spec.CloseNow {
		finish()
	}
	mu.Unlock()
	timer := time.AfterFunc(timeout, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			rec.TimedOut = true
			finish()
		}
	})
	for s.Next() {
		ev := s.Event()
		typ := ev.EventType()
		if !types[typ] {
			continue // no listener for it
		}
		e := event{Type: typ, RS: int(s.ReadyState()), Msg: true, HasData: true,
			Data: string(ev.Data), ID: string(ev.LastEventID)}
		if spec.Brief {
			e.Data, e.Len = utf16Prefix(e.Data)
		}
		mu.Lock()
		e.Origin = origin
		push(e)
		if !stopped {
			counts["message"]++
			if sc.releaseAt > 0 && counts["message"] == sc.releaseAt {
				srv.Release(key) // as releaseAt does once the page has them
			}
			if stopMet() {
				finish()
			}
		}
		mu.Unlock()
	}
	timer.Stop()
	mu.Lock()
	finish() // Next returned false without a stop: the stream is over
	mu.Unlock()
	time.Sleep(time.Duration(spec.Grace) * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	return rec
}

// originOfURL is the serialized origin of a response URL (SSE-25): "null"
// for an opaque one, such as a data: URL's.
func originOfURL(u *url.URL) string {
	if u.Scheme != "http" && u.Scheme != "https" {
		return "null"
	}
	return u.Scheme + "://" + u.Host
}

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scenario is one row of the differential suite: a constructor call, when to
// stop recording, and what both constructors must do.
type scenario struct {
	name string
	// url is the first constructor argument; {A}, {B}, {CLOSED} and {key}
	// are replaced by the two origins, the refused origin and the side's
	// key. Relative URLs resolve against the test page on origin A.
	url string
	// arg, when set, is the JS source of the first argument instead of url
	// (same placeholders).
	arg string
	// init is the JS source of the second argument; empty omits it.
	init string
	spec spec
	// polyfillTimeout, when set, replaces spec.Timeout on the polyfill's
	// side: where native is to time out and the polyfill to fail, a
	// timeout that only fails the polyfill can be generous.
	polyfillTimeout int
	// setup is JS run in the page before recording.
	setup string
	// sequential runs the two sides one after the other in their own tabs,
	// for actions that affect the whole page.
	sequential bool
	// serial keeps the scenario from running beside other tests: it
	// measures a delay that the other tabs' work could stretch.
	serial bool
	// want is the rendering both sides must produce (see renderer.event);
	// the sides must also agree line for line, init line included.
	want string
	// native and polyfill replace want where Chrome and the standard
	// differ on purpose: each side is checked against its own expectation
	// and the two are not compared.
	native, polyfill string
	// check runs extra assertions on each side's recording.
	check func(t *testing.T, side string, rec recording, key string)
	// releaseAt, when set, releases each side's waiting response
	// (Server.Release, for end=await) once that side has dispatched so
	// many messages: the fault then comes after the page has what came
	// before it, a condition instead of a timing.
	releaseAt int
	// race, when set, marks a race that native itself can lose: bytes that
	// reach the browser just before the connection breaks may never reach
	// the page (Chrome discards them; fetch() does more often than the
	// native EventSource), and the events in them are then dispatched
	// after the reconnection, replayed by the server, or not at all. So
	// the interleaving of messages with the plain open and error events
	// is not fixed, and instead of want line for line each side must show
	// want's messages exactly, in order and each in OPEN (exactly once:
	// the reconnection asked from the right Last-Event-ID), and plain
	// events that match race, a regular expression of them joined by
	// spaces (such as "open 1 error 0 open 1"); init and final as in want.
	// The sides are not compared with each other.
	race string
	// console, when set, lists for each side (native, polyfill) the parts
	// of a console message it must log: the native EventSource's come
	// from the browser, the polyfill's from console.error in the page.
	console [2][]string
}

var sides = [2]string{"native", "polyfill"}

// TestDifferential runs every scenario with the native EventSource and with
// EventSourcePolyfill in the same page, at the same time, each with its own
// server key, and requires identical recordings: the same events with the
// same type, data, lastEventId, origin and class, in the same order, the same
// readyState in every handler and when recording stopped.
//
// The scenarios run in parallel, each in a tab of its own on its own lane of
// origins (see newTab): none measures the heap, the connection counts are
// per key, and their other bounds on time are lower bounds (a Grace that a
// wrong request would fall in) or the recorder's timeout, seconds away.
// Those marked serial measure a delay: they run alone, since this test is
// not parallel (the body of a test that is not parallel runs while no
// parallel test does; its parallel subtests start when it returns).
func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if !sc.serial {
				t.Parallel()
			}
			runScenario(t, sc)
		})
	}
}

func (sc scenario) args(o origins, key string) string {
	r := strings.NewReplacer("{A}", o.A, "{B}", o.B, "{CLOSED}", closedOrigin, "{key}", key, "{portB}", o.portB)
	first := sc.arg
	if first == "" {
		b, _ := json.Marshal(r.Replace(sc.url))
		first = string(b)
	} else {
		first = r.Replace(first)
	}
	if sc.init != "" {
		return first + ", " + sc.init
	}
	return first
}

func runScenario(t *testing.T, sc scenario) {
	keys := [2]string{newKey(t, "n"), newKey(t, "p")}
	var specs [2]spec
	for i, ctor := range [2]string{"EventSource", polyfillCtor} {
		specs[i] = sc.spec
		specs[i].Ctor = ctor
		if i == 1 && sc.polyfillTimeout != 0 {
			specs[i].Timeout = sc.polyfillTimeout
		}
		if sc.releaseAt > 0 {
			specs[i].Expose = "rec_" + sides[i]
		}
	}
	var o origins
	var recs [2]recording
	if sc.sequential {
		if sc.releaseAt > 0 {
			t.Fatal("releaseAt needs both sides in one tab")
		}
		for i := range recs {
			ctx := newTab(t, "/e2e/page.html")
			o = originsOf(ctx)
			if sc.setup != "" {
				eval[any](t, ctx, sc.setup)
			}
			recs[i] = eval[recording](t, ctx, specs[i].js(sc.args(o, keys[i])))
		}
	} else {
		ctx := newTab(t, "/e2e/page.html")
		o = originsOf(ctx)
		cl := watchConsole(t, ctx)
		if sc.setup != "" {
			eval[any](t, ctx, sc.setup)
		}
		all := "Promise.all([" + specs[0].js(sc.args(o, keys[0])) + ", " + specs[1].js(sc.args(o, keys[1])) + "])"
		if sc.releaseAt > 0 {
			eval[bool](t, ctx, "(window.recordings = "+all+", true)")
			releaseAt(sc.releaseAt)(t, ctx, []string{specs[0].Expose, specs[1].Expose}, keys[:])
			all = "window.recordings"
		}
		recs = eval[[2]recording](t, ctx, all)
		for i, source := range [2]string{"browser", "page"} {
			if len(sc.console[i]) > 0 && !*nativeOnly {
				cl.expect(t, source, sc.console[i]...)
			}
		}
	}
	var lines [2][]string
	for i := range recs {
		lines[i] = renderer{o: o, key: keys[i]}.lines(recs[i])
	}

	switch {
	case sc.race != "":
		for i := range lines {
			expectRace(t, sides[i], lines[i], sc.want, sc.race)
		}
	case sc.native != "" && *nativeOnly:
		expect(t, "native", lines[0], sc.native)
		expect(t, "native (as polyfill side)", lines[1], sc.native)
	case sc.native != "":
		expect(t, "native", lines[0], sc.native)
		expect(t, "polyfill", lines[1], sc.polyfill)
	default:
		if sc.want != "" {
			expect(t, "native", lines[0], sc.want)
		}
		if !equal(lines[0], lines[1]) {
			t.Errorf("native and polyfill disagree:\n%s", sideBySide("native", lines[0], "polyfill", lines[1]))
		}
	}
	if sc.check != nil {
		for i := range recs {
			sc.check(t, sides[i], recs[i], keys[i])
		}
	}
	if t.Failed() {
		for i := range recs {
			t.Logf("%s recording (key %s, server %+v, ms of each event: %s):\n%s", sides[i], keys[i], srv.Stats(keys[i]),
				times(recs[i]), strings.Join(lines[i], "\n"))
		}
	}
}

// expectRace checks a side's rendering of a racing scenario (see
// scenario.race) and logs how the race went.
func expectRace(t *testing.T, side string, got []string, want, race string) {
	t.Helper()
	for _, p := range raceProblems(got, want, race) {
		t.Errorf("%s: %s", side, p)
	}
	t.Logf("%s: %s", side, strings.Join(got, " | "))
}

// raceProblems returns what is wrong with got for a racing scenario: it
// must have the messages of want exactly, in order and each in OPEN, plain
// open and error events that match race, and the init and final lines of
// want.
func raceProblems(got []string, want, race string) []string {
	w := parseWant(want)
	if len(w) > 0 && !strings.HasPrefix(w[0], "init ") && len(got) > 0 && strings.HasPrefix(got[0], "init ") {
		got = got[1:]
	}
	split := func(lines []string) (rest, plain []string) {
		for _, l := range lines {
			if l == "open 1" || l == "error 0" {
				plain = append(plain, l)
			} else { // messages, init, final, and anything unexpected
				rest = append(rest, l)
			}
		}
		return
	}
	gotRest, gotPlain := split(got)
	wantRest, _ := split(w)
	var problems []string
	if !equal(gotRest, wantRest) {
		problems = append(problems, "not exactly want's messages in order, each in OPEN:\n"+
			sideBySide("got", gotRest, "want", wantRest))
	}
	if p := strings.Join(gotPlain, " "); !regexp.MustCompile("^(?:" + race + ")$").MatchString(p) {
		problems = append(problems, fmt.Sprintf("open and error events %q, want %q", p, race))
	}
	return problems
}

// times lists when each event of rec came, in ms from the construction.
func times(rec recording) string {
	var ts []string
	for _, e := range rec.Events {
		ts = append(ts, strconv.FormatFloat(e.T, 'f', 0, 64))
	}
	return strings.Join(ts, " ")
}

// connections checks how many requests the server saw for the side's key.
func connections(want int) func(*testing.T, string, recording, string) {
	return func(t *testing.T, side string, _ recording, key string) {
		t.Helper()
		if got := srv.Stats(key).Connections; got != want {
			t.Errorf("%s: the server saw %d connections, want %d", side, got, want)
		}
	}
}

// openPerConnection checks that the server saw one connection per open
// event: no request was retried behind the page's back, none was lost.
func openPerConnection(t *testing.T, side string, rec recording, key string) {
	t.Helper()
	opens := 0
	for _, e := range rec.Events {
		if e.Type == "open" && !e.Msg {
			opens++
		}
	}
	if got := srv.Stats(key).Connections; got != opens {
		t.Errorf("%s: %d open events, but the server saw %d connections", side, opens, got)
	}
}

// reconnectsBefore checks the delay of every reconnection, from a plain
// error event to the next open event: below ms, so that it did not wait for
// the 3000 ms default.
func reconnectsBefore(ms float64) func(*testing.T, string, recording, string) {
	return func(t *testing.T, side string, rec recording, _ string) {
		t.Helper()
		from := -1.0
		for _, e := range rec.Events {
			switch {
			case e.Msg:
			case e.Type == "error" && from < 0:
				from = e.T
			case e.Type == "open" && from >= 0:
				if d := e.T - from; d >= ms {
					t.Errorf("%s: reconnected after %.0f ms, want less than %.0f", side, d, ms)
				}
				from = -1
			}
		}
	}
}

// gap returns the milliseconds between the first event of type from and the
// next event of type to, or -1.
func gap(rec recording, from, to string) float64 {
	for i, e := range rec.Events {
		if e.Type == from && !e.Msg {
			for _, f := range rec.Events[i+1:] {
				if f.Type == to && !f.Msg {
					return f.T - e.T
				}
			}
		}
	}
	return -1
}

// TestRaceProblems checks the check of racing scenarios without a browser:
// the interleavings that the race allows pass, and every defect that the
// exact comparison would catch in the messages still fails.
func TestRaceProblems(t *testing.T) {
	t.Parallel()
	const want = `open 1
		message 1 "n=1" id="1"
		message 1 "n=2" id="2"
		error 0
		open 1
		message 1 "n=3" id="3"
		final 1`
	const race = `open 1 error 0 open 1`
	m1, m2, m3 := `message 1 "n=1" id="1"`, `message 1 "n=2" id="2"`, `message 1 "n=3" id="3"`
	for _, c := range []struct {
		name string
		got  []string
		ok   bool
	}{
		{"as want", []string{"init 0 wc=false url=\"A/x\"", "open 1", m1, m2, "error 0", "open 1", m3, "final 1"}, true},
		{"all lost before the break", []string{"open 1", "error 0", "open 1", m1, m2, m3, "final 1"}, true},
		{"one lost before the break", []string{"open 1", m1, "error 0", "open 1", m2, m3, "final 1"}, true},
		{"a replayed duplicate", []string{"open 1", m1, m2, "error 0", "open 1", m2, m3, "final 1"}, false},
		{"a lost message", []string{"open 1", m1, "error 0", "open 1", m3, "final 1"}, false},
		{"out of order", []string{"open 1", m2, m1, "error 0", "open 1", m3, "final 1"}, false},
		{"a message in CONNECTING", []string{"open 1", m1, m2, "error 0", `message 0 "n=3" id="3"`, "open 1", "final 1"}, false},
		{"a wrong id", []string{"open 1", m1, `message 1 "n=2"`, "error 0", "open 1", m3, "final 1"}, false},
		{"a late event", []string{"open 1", m1, m2, "error 0", "open 1", m3, "late " + m3, "final 1"}, false},
		{"a second reconnection", []string{"open 1", m1, m2, "error 0", "open 1", "error 0", "open 1", m3, "final 1"}, false},
		{"no reconnection", []string{"open 1", m1, m2, m3, "final 1"}, false},
		{"closed", []string{"open 1", m1, m2, "error 2", "final 2"}, false},
		{"timed out", []string{"open 1", m1, m2, "error 0", "open 1", m3, "final 1 timeout"}, false},
	} {
		if p := raceProblems(c.got, want, race); (len(p) == 0) != c.ok {
			t.Errorf("%s: problems %q, want ok=%t", c.name, p, c.ok)
		}
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"testing"
)

// recording is the log that recorder.js resolves to.
type recording struct {
	Threw           string  `json:"threw"`
	Code            int     `json:"code"`
	URL             string  `json:"url"`
	WithCredentials bool    `json:"withCredentials"`
	Initial         int     `json:"initial"`
	Final           int     `json:"final"`
	TimedOut        bool    `json:"timedOut"`
	Events          []event `json:"events"`
}

// event is one event as a listener saw it.
type event struct {
	Type       string  `json:"type"`
	RS         int     `json:"rs"`
	Msg        bool    `json:"msg"`
	Data       string  `json:"data"`
	ID         string  `json:"id"`
	Origin     string  `json:"origin"`
	Bubbles    bool    `json:"bubbles"`
	Cancelable bool    `json:"cancelable"`
	HasData    bool    `json:"hasData"`
	Target     bool    `json:"target"`
	Odd        bool    `json:"odd"` // a MessageEvent with a source or ports
	Late       bool    `json:"late"`
	T          float64 `json:"t"`
	// Len is the length of data in UTF-16 code units when spec.Brief cut
	// it, else 0.
	Len int `json:"len"`
}

// spec is what recorder.js takes. Args is for contexts that get the spec as
// data (workers); on a page the arguments are JS source, see spec.js.
type spec struct {
	Ctor  string   `json:"ctor"`
	Args  []any    `json:"args,omitempty"`
	Types []string `json:"types,omitempty"`
	Stop  stop     `json:"stop"`
	Grace int      `json:"grace,omitempty"`
	// Timeout ends the recording, flagged timedOut, after that many ms;
	// 20000 when 0. A recording that meets its stop condition ends first,
	// so only a failing one waits that long (a loaded machine once took
	// 5 s, the former default, to reconnect after 50 ms).
	Timeout      int    `json:"timeout,omitempty"`
	Microtasks   bool   `json:"microtasks,omitempty"`
	ThrowOn      int    `json:"throwOn,omitempty"`
	StopWindowOn string `json:"stopWindowOn,omitempty"`
	// StopWindowAfter calls window.stop() that many ms after construction.
	StopWindowAfter int  `json:"stopWindowAfter,omitempty"`
	CloseNow        bool `json:"closeNow,omitempty"`
	// Brief keeps the first 64 characters of long data (see Event.Len).
	Brief bool `json:"brief,omitempty"`
	// Work is a busy wait in ms in every message listener.
	Work float64 `json:"work,omitempty"`
	// Expose names a global {log, counts, finish} of the recording in
	// progress.
	Expose string `json:"expose,omitempty"`
	// CloseIn closes the source from a handler attribute or a listener.
	CloseIn *closeIn `json:"closeIn,omitempty"`
}

// closeIn says where the recorder calls close(): in the On-th call (default
// 1) of the handler attribute Via ("onopen", "onmessage", "onerror"), or of
// a listener for Type when Via is "listener".
type closeIn struct {
	Via  string `json:"via"`
	Type string `json:"type,omitempty"`
	On   int    `json:"on,omitempty"`
}

// stop says when the recorder closes the source: after that many message
// events (of any type), plain error events, or open events. An error event
// in CLOSED always ends a recording.
type stop struct {
	Messages int `json:"messages,omitempty"`
	Errors   int `json:"errors,omitempty"`
	Opens    int `json:"opens,omitempty"`
}

// js returns the recorder call for s with the given argument source.
func (s spec) js(args string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("recordEventSource(Object.assign(%s, {args: [%s]}))", b, args)
}

// renderer turns recordings into comparable lines. The tab's origins become
// A and B and the side's key becomes K, so that both sides of a scenario
// read alike, whatever lane the test ran on.
type renderer struct {
	o   origins
	key string
}

func (r renderer) text(s string) string {
	s = strings.ReplaceAll(s, r.o.A, "A")
	s = strings.ReplaceAll(s, r.o.B, "B")
	s = strings.ReplaceAll(s, closedOrigin, "CLOSED")
	s = strings.ReplaceAll(s, ":"+r.o.portB+"/", ":PORTB/")
	if strings.HasSuffix(s, ":"+r.o.portB) {
		s = strings.TrimSuffix(s, r.o.portB) + "PORTB"
	}
	if r.key != "" {
		s = strings.ReplaceAll(s, r.key, "K")
	}
	return s
}

// quote prints data in full when short and as length plus hash when long,
// so that a 128 KiB line is still compared exactly. Inner double quotes stay
// unescaped, which keeps JSON data readable in the expectations.
func quote(s string) string {
	if len(s) <= 400 {
		return unescapeQuotes(strconv.Quote(s))
	}
	h := fnv.New64a()
	h.Write([]byte(s))
	return fmt.Sprintf("%s…(%d bytes, fnv %x)", unescapeQuotes(strconv.Quote(s[:40])), len(s), h.Sum64())
}

func unescapeQuotes(q string) string {
	return q[:1] + strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`) + q[len(q)-1:]
}

// lines renders a recording: an init line (url, withCredentials, initial
// readyState), one line per event, and the readyState when it stopped.
func (r renderer) lines(rec recording) []string {
	if rec.Threw != "" {
		l := "threw " + rec.Threw
		if rec.Code != 0 {
			l += fmt.Sprintf(" code=%d", rec.Code)
		}
		return []string{l}
	}
	out := []string{fmt.Sprintf("init %d wc=%t url=%s", rec.Initial, rec.WithCredentials, quote(r.text(rec.URL)))}
	for _, e := range rec.Events {
		out = append(out, r.event(e))
	}
	final := fmt.Sprintf("final %d", rec.Final)
	if rec.TimedOut {
		final += " timeout"
	}
	return append(out, final)
}

// event renders one event as "type readyState", plus the data, id and
// origin of a MessageEvent; origin A is implied. A plain Event shows no data,
// so `open 1` and `open 1 "x"` tell an announcement from a MessageEvent
// named open. Flags that should never be set are printed when they are.
func (r renderer) event(e event) string {
	if e.Type == "microtask" {
		return "microtask"
	}
	var b strings.Builder
	if e.Late {
		b.WriteString("late ")
	}
	fmt.Fprintf(&b, "%s %d", e.Type, e.RS)
	if e.Msg {
		b.WriteString(" " + quote(r.text(e.Data)))
		if e.ID != "" {
			b.WriteString(" id=" + strconv.Quote(e.ID))
		}
		if o := r.text(e.Origin); o != "A" {
			b.WriteString(" origin=" + o)
		}
	} else if e.HasData {
		b.WriteString(" has-data")
	}
	if e.Bubbles {
		b.WriteString(" bubbles")
	}
	if e.Cancelable {
		b.WriteString(" cancelable")
	}
	if !e.Target {
		b.WriteString(" wrong-currentTarget")
	}
	if e.Odd {
		b.WriteString(" source-or-ports")
	}
	return b.String()
}

// parseWant splits an expectation into lines, trimming indentation, so that
// tables can use indented raw strings.
func parseWant(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// matchWant compares got with want. The init line is compared only when the
// want starts with one, so most expectations list just events.
func matchWant(got, want []string) bool {
	if len(want) > 0 && !strings.HasPrefix(want[0], "init ") && len(got) > 0 && strings.HasPrefix(got[0], "init ") {
		got = got[1:]
	}
	return equal(got, want)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sideBySide prints two renderings line by line, marking the differences.
func sideBySide(aName string, a []string, bName string, b []string) string {
	width := len(aName)
	for _, l := range a {
		width = max(width, len(l))
	}
	width = min(width, 90)
	var sb strings.Builder
	fmt.Fprintf(&sb, "   %-*s | %s\n", width, aName, bName)
	for i := range max(len(a), len(b)) {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		mark := "  "
		if x != y || i >= len(a) || i >= len(b) {
			mark = "!!"
		}
		fmt.Fprintf(&sb, "%s %-*s | %s\n", mark, width, x, y)
	}
	return sb.String()
}

// expect fails t when a side's rendering does not match its expectation.
func expect(t *testing.T, side string, got []string, want string) {
	t.Helper()
	if w := parseWant(want); !matchWant(got, w) {
		t.Errorf("%s: unexpected recording:\n%s", side, sideBySide("got", got, "want", w))
	}
}

//go:build js && wasm

package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/hack-pad/safejs"
)

var update = flag.Bool("update", false, "rewrite testdata/codec.json from the bridge's answers")

// The fixture file: each case replays calls on a new bridge, and each call
// records the bridge's answer (result, in its JS form) and what the answer
// means, which the engine knows independently: the events a chunk completed
// (decoded as TextDecoder decodes), the last event ID and reconnection time
// after the call. This test checks the answers (the encoder); the shim's
// js/test/codec.test.mjs decodes them and checks the meaning (the decoder).
//
// The cases cover what crosses the bridge of SSE-19, SSE-21, SSE-22,
// SSE-26, SSE-28, SSE-29, SSE-31, SSE-33, SSE-35, SSE-42, SSE-46 and SSE-49.
//
// Strings in the file may hold ${c*N}, N times the character c, so that
// the large events stay readable.
const fixturePath = "testdata/codec.json"

type fixture struct {
	Comment string        `json:"comment"`
	Cases   []fixtureCase `json:"cases"`
}

type fixtureCase struct {
	Name  string        `json:"name"`
	Calls []fixtureCall `json:"calls"`
}

type fixtureCall struct {
	Call string `json:"call"`
	// Arg is the call's argument after the handle: the items of open and
	// response (args.go), the kind of end.
	Arg string `json:"arg,omitempty"`
	// Chunk (text) or Chunk64 (base64 bytes) is feed's chunk.
	Chunk   string `json:"chunk,omitempty"`
	Chunk64 string `json:"chunk64,omitempty"`
	// Result is the answer: a string, or feed's array.
	Result any `json:"result"`
	// Events, LastEventID and ReconnectionTime are what the answer means.
	Events           [][3]string `json:"events,omitempty"`
	LastEventID      string      `json:"lastEventId"`
	ReconnectionTime int         `json:"reconnectionTime"`
}

// codecCases are the scenarios of the fixture; -update records them.
var codecCases = []struct {
	name  string
	calls []fixtureCall
}{
	{"announce, events, eof", []fixtureCall{
		open(""), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk: "data: a\n\nid: 7\nevent: ping\ndata: b\r"},
		{Call: "feed", Chunk: "\ndata: c\n"},
		{Call: "feed", Chunk: "\n"},
		{Call: "feed", Chunk: "data: d\n\ndata: e\n\ndata: partial"},
		{Call: "end", Arg: "ended"},
		{Call: "connect"},
	}},
	{"ids without events, retry", []fixtureCall{
		open(""), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk: "id: 1\n\nretry: 250\n"},
		{Call: "feed", Chunk: "id: 2\ndata: x\n\nid: 3\n\n"},
		{Call: "feed", Chunk: "id\n\n"},
		{Call: "end", Arg: "network"},
	}},
	{"invalid UTF-8 passes through for TextDecoder", []fixtureCall{
		open(""), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk64: base64.StdEncoding.EncodeToString([]byte("id: \xFF\ndata: \xF0\x9F\x98\n\n"))},
	}},
	{"status and content type", []fixtureCall{
		open(""), {Call: "connect"},
		{Call: "response", Arg: "S200\nTtext/html"},
		{Call: "connect"},
	}},
	{"no content type, 204", []fixtureCall{
		open(""), {Call: "response", Arg: "S200"},
		open(""), {Call: "response", Arg: "S204\nTtext/event-stream"},
	}},
	{"retried status with Retry-After, attempts", []fixtureCall{
		open("MGET\nRauto\nI\nN2\nQ503"),
		{Call: "connect"},
		{Call: "response", Arg: "S503\nR2"},
		{Call: "connect"},
		{Call: "response", Arg: "S503"},
	}},
	{"redirect, cross-origin reconnection, POST", []fixtureCall{
		open("MPOST\nRalways\nIe1"),
		{Call: "connect"},
		{Call: "response", Arg: "S200\nTtext/event-stream\nUhttp://b.test/final\nR"},
		{Call: "end", Arg: "ended"},
		{Call: "connect"},
	}},
	{"non-reconnecting stream ends", []fixtureCall{
		open("MPOST\nRauto\nI"), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk: "data: done\n\n"},
		{Call: "end", Arg: "ended"},
	}},
	{"refused URL", []fixtureCall{
		{Call: "open", Arg: "Uftp://a.test/\nMGET\nRauto\nI"},
		{Call: "connect"},
	}},
	{"limit exceeded after events", []fixtureCall{
		open("MGET\nRauto\nI\nL16"), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk: "data: ok\n\ndata: this line is too long\n\n"},
		{Call: "end", Arg: "ended"},
	}},
	{"large data travels separately", []fixtureCall{
		open(""), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk: "data: 1\n\nevent: t\nid: 7\ndata: ${b*32768}\n\ndata: ${s*32767}\n\ndata: ${b*32768}\ndata: 2\n\n"},
		{Call: "feed", Chunk: "data: x\n\n"},
	}},
	{"messages cut between events", []fixtureCall{
		open("MGET\nRauto\nI\nL2000"), {Call: "connect"}, ok200(),
		{Call: "feed", Chunk: strings.Repeat("data: ${x*1000}\n\n", 300) + "data: ${y*3000}\n\n"},
	}},
	{"unknown handle", []fixtureCall{
		{Call: "connect"},
	}},
}

// open is the shim's open of http://a.test/sse with the items after the
// URL, by default those the shim writes for no options.
func open(items string) fixtureCall {
	if items == "" {
		items = "MGET\nRauto\nI"
	}
	return fixtureCall{Call: "open", Arg: "Uhttp://a.test/sse\n" + items}
}

func ok200() fixtureCall {
	return fixtureCall{Call: "response", Arg: "S200\nTtext/event-stream\nUhttp://a.test/sse\nR"}
}

var macro = regexp.MustCompile(`\$\{(.)\*(\d+)\}`)

func expand(s string) string {
	return macro.ReplaceAllStringFunc(s, func(m string) string {
		sub := macro.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[2])
		return strings.Repeat(sub[1], n)
	})
}

// compress writes runs of 64 or more of one character as ${c*N}.
func compress(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i := 0; i < len(r); {
		j := i
		for j < len(r) && r[j] == r[i] {
			j++
		}
		if j-i >= 64 && r[i] != '$' && r[i] != '\r' && r[i] != '\n' {
			fmt.Fprintf(&b, "${%c*%d}", r[i], j-i)
		} else {
			b.WriteString(string(r[i:j]))
		}
		i = j
	}
	return b.String()
}

// replay runs a case's calls on a new bridge, filling in what each call
// answered and what the engine says it means.
func replay(t *testing.T, calls []fixtureCall) []fixtureCall {
	t.Helper()
	h, b := host(t)
	handle := 0
	ref := polyfill.NewParser(polyfill.Limits{}) // the meaning of chunks, decoded
	out := make([]fixtureCall, len(calls))
	for i, c := range calls {
		var args []any
		if c.Call != "open" {
			args = append(args, handle)
		}
		switch c.Call {
		case "open":
			_, o := openOptions(c.Arg)
			ref = polyfill.NewParser(o.Limits)
			args = append(args, c.Arg)
		case "response":
			args = append(args, c.Arg)
			ref.Reset()
		case "end":
			args = append(args, c.Arg)
			ref.Reset()
		case "feed":
			chunk := []byte(expand(c.Chunk))
			if c.Chunk64 != "" {
				chunk, _ = base64.StdEncoding.DecodeString(c.Chunk64)
			}
			args = append(args, chunk)
			ref.Feed(chunk)
			for ref.Next() {
				e := ref.Event()
				c.Events = append(c.Events, [3]string{string(e.Type), string(e.Data), string(e.LastEventID)})
			}
		}
		if c.Call == "feed" {
			c.Result = feedJS(t, b, handle, args[1].([]byte))
		} else {
			c.Result = goValue(t, call(t, h, c.Call, args...))
		}
		if c.Call == "open" {
			if s, ok := c.Result.(string); ok {
				handle, _ = strconv.Atoi(strings.TrimPrefix(strings.SplitN(s, "\n", 2)[0], "K"))
			}
		}
		if cn := b.conns[handle]; cn != nil {
			c.LastEventID, c.ReconnectionTime = cn.c.LastEventID(), cn.c.ReconnectionTime()
		} else if i > 0 {
			c.LastEventID, c.ReconnectionTime = out[i-1].LastEventID, out[i-1].ReconnectionTime
		}
		out[i] = c
	}
	return out
}

// goValue converts an answer of the bridge: a string, or an array of a
// number and strings.
func goValue(t *testing.T, v safejs.Value) any {
	t.Helper()
	if v.Type() == safejs.TypeString {
		return str(t, v)
	}
	n, err := v.Length()
	if err != nil {
		t.Fatalf("answer of type %v", v.Type())
	}
	var a []any
	for i := range n {
		e, _ := v.Index(i)
		if e.Type() == safejs.TypeNumber {
			a = append(a, float64(num(t, e)))
		} else {
			a = append(a, str(t, e))
		}
	}
	return a
}

// TestCodecFixtures checks the bridge's answers against the fixture file
// the shim's tests also read; go test -update rewrites it.
func TestCodecFixtures(t *testing.T) {
	var got fixture
	got.Comment = "The message codec of the bridge (wasm/codec.go), checked by wasm/codec_test.go and js/test/codec.test.mjs. Written by: GOOS=js GOARCH=wasm go test ./wasm -run TestCodecFixtures -args -update"
	for _, c := range codecCases {
		got.Cases = append(got.Cases, fixtureCase{Name: c.name, Calls: replay(t, c.calls)})
	}
	if *update {
		for i := range got.Cases {
			for j := range got.Cases[i].Calls {
				cl := &got.Cases[i].Calls[j]
				cl.Result = compressAny(cl.Result)
				for k := range cl.Events {
					for f := range cl.Events[k] {
						cl.Events[k][f] = compress(cl.Events[k][f])
					}
				}
			}
		}
		b, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("%v (write it with -update)", err)
	}
	var want fixture
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Cases) != len(got.Cases) {
		t.Fatalf("the fixture has %d cases, the test %d: run with -update", len(want.Cases), len(got.Cases))
	}
	for i, w := range want.Cases {
		g := got.Cases[i]
		for j, wc := range w.Calls {
			gc := g.Calls[j]
			wr := expandAny(wc.Result)
			if !reflect.DeepEqual(wr, gc.Result) {
				t.Errorf("%s, call %d (%s): answer %.200q, want %.200q", w.Name, j, wc.Call, fmt.Sprint(gc.Result), fmt.Sprint(wr))
			}
			for k := range wc.Events {
				for f := range wc.Events[k] {
					wc.Events[k][f] = expand(wc.Events[k][f])
				}
			}
			if fmt.Sprint(wc.Events) != fmt.Sprint(gc.Events) || wc.LastEventID != gc.LastEventID || wc.ReconnectionTime != gc.ReconnectionTime {
				t.Errorf("%s, call %d (%s): meaning differs from the fixture: run with -update and review the diff", w.Name, j, wc.Call)
			}
		}
	}
}

func compressAny(v any) any {
	switch v := v.(type) {
	case string:
		return compress(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = compressAny(e)
		}
		return out
	}
	return v
}

func expandAny(v any) any {
	switch v := v.(type) {
	case string:
		return expand(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = expandAny(e)
		}
		return out
	}
	return v
}

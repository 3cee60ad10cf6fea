package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// An impl is one EventSource implementation, a column of the page's adapters
// (harness.js) and a row of the table.
type impl struct {
	key    string // adapter name in harness.js
	label  string // row heading
	script string // what a startup page loads for it; "" for nothing
	pkg    string // npm package whose installed version is shown
	note   string // shown under the table
	optIn  bool   // run only when -impls names it
}

var impls = []impl{
	{key: "native", label: "native `EventSource`"},
	{key: "polyfill", label: "**eventsource-wasm** (ours)", script: "/dist/eventsource-polyfill.js"},
	{key: "polyfill-task", label: "eventsource-wasm, `dispatch: \"task\"`", script: "/dist/eventsource-polyfill.js", optIn: true,
		note: "`dispatch: \"task\"` dispatches every event in a task of its own (one MessageChannel message each), as native does, so that a listener's whole promise chain runs before the next event."},
	{key: "event-source-polyfill", label: "`event-source-polyfill`", script: "/peers/event-source-polyfill.js", pkg: "event-source-polyfill"},
	{key: "fetch-event-source", label: "`@microsoft/fetch-event-source`", script: "/peers/fetch-event-source.js", pkg: "@microsoft/fetch-event-source",
		note: "`@microsoft/fetch-event-source` dispatches a message with empty data for every blank line, also after a comment-only block (`: keep-alive`), which the standard drops; no workload sends comments, so it is not counted against it here.",
	},
	{
		key: "eventsource", label: "`eventsource`", script: "/peers/eventsource.js", pkg: "eventsource",
		note: "`eventsource` has no separate browser build: its one ESM build is universal (fetch and `eventsource-parser`), bundled here by esbuild for the browser.",
	},
	{
		key: "eventsource-parser", label: "`eventsource-parser` + fetch", script: "/peers/eventsource-parser.js", pkg: "eventsource-parser",
		note: "`eventsource-parser` is driven by `fetch`, `TextDecoderStream` and a stream reader feeding `parser.feed(string)`; no EventTarget, no reconnection.",
	},
	{
		key: "ceiling", label: "ceiling: fetch loop, no events",
		note: "The ceiling reads the body with `fetch` and a stream reader and counts bytes and blank lines, building no event: no SSE client in the page can be faster. It has no latency figure, as it reads no timestamps.",
	},
}

// selectImpls narrows impls to a comma-separated list, keeping native, the
// baseline of every ratio.
func selectImpls(list string) error {
	if list == "" {
		impls = slices.DeleteFunc(impls, func(im impl) bool { return im.optIn })
		return nil
	}
	keep := strings.Split(list, ",")
	for _, k := range keep {
		if implByKey(k).key == "" {
			return fmt.Errorf("-impls: no implementation %q", k)
		}
	}
	impls = slices.DeleteFunc(impls, func(im impl) bool { return im.key != "native" && !slices.Contains(keep, im.key) })
	return nil
}

func implByKey(key string) impl {
	for _, im := range impls {
		if im.key == key {
			return im
		}
	}
	return impl{}
}

// npmVersion reads the installed version of pkg under modules (a
// node_modules directory), or "" when it is not installed.
func npmVersion(modules, pkg string) string {
	b, err := os.ReadFile(filepath.Join(modules, filepath.FromSlash(pkg), "package.json"))
	if err != nil {
		return ""
	}
	var meta struct{ Version string }
	if json.Unmarshal(b, &meta) != nil {
		return ""
	}
	return meta.Version
}

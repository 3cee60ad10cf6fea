package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The npm package as its users get it: `make apps` packs dist/package into
// the tarball, installs it from the file into js/apps, builds each app there
// with its bundler into dist/apps/<app>/, and these tests load each build in
// the browser (and the Node apps in Node) against the test server. Each app
// must receive an event with a header that only the polyfill sends, and
// must fail, saying why on the console, when its eventsource.wasm is not
// served.

const (
	// appsDir holds the bundlers' builds (js/apps/build.mjs).
	appsDir = "../dist/apps"
	// packageDir is the package as packed, what a CDN serves.
	packageDir = "../dist/package"
	// appsNodeDir holds the Node apps and the installed package.
	appsNodeDir = "../js/apps"
)

// appResult is what js/apps/shared/run.js leaves in window.appResult.
type appResult struct {
	App     string   `json:"app"`
	Events  []string `json:"events"`
	Wasm    []string `json:"wasm"`
	Globals struct {
		EventSource       string `json:"EventSource"`
		NativeEventSource string `json:"NativeEventSource"`
	} `json:"globals"`
}

// appOrigins serves the apps on one origin and the package, as a CDN does, on
// another; both pass everything else to the test server, so that /sse/
// scenarios are same-origin for the apps.
type appOrigins struct {
	app, cdn string
}

func startAppOrigins(t *testing.T) appOrigins {
	t.Helper()
	for _, dir := range []string{appsDir, packageDir, filepath.Join(appsNodeDir, "node_modules", "eventsource-wasm")} {
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("%v: the package tests need the built apps: run make apps", err)
		}
	}
	noCache := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-cache")
			h.ServeHTTP(w, r)
		})
	}
	apps := http.FileServer(http.Dir(appsDir))
	var o appOrigins
	appMux := http.NewServeMux()
	appMux.Handle("/apps/", noCache(http.StripPrefix("/apps", apps)))
	// The same builds without their wasm: what a deployment that forgot
	// the file serves.
	appMux.Handle("/nowasm/", noCache(http.StripPrefix("/nowasm", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			http.NotFound(w, r)
			return
		}
		apps.ServeHTTP(w, r)
	}))))
	appMux.Handle("/shared/", noCache(http.StripPrefix("/shared", http.FileServer(http.Dir(filepath.Join(appsNodeDir, "shared"))))))
	// A page with a plain <script> from the CDN origin, ?cdn=URL of the
	// package's folder there.
	appMux.HandleFunc("/cdn-page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html>
<meta charset="utf-8">
<title>eventsource-wasm from a CDN</title>
<script src="%seventsource-polyfill.js"></script>
<script type="module">
  import { run } from "/shared/run.js";
  run(EventSourcePolyfill, "cdn");
</script>
`, html.EscapeString(r.URL.Query().Get("cdn")))
	})
	appMux.Handle("/", srv)

	pkg := http.FileServer(http.Dir(packageDir))
	cdnMux := http.NewServeMux()
	cdnMux.Handle("/cdn/", http.StripPrefix("/cdn", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What the wasm needs from a CDN: it is fetched in CORS mode.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		pkg.ServeHTTP(w, r)
	})))
	cdnMux.Handle("/cdn-nocors/", http.StripPrefix("/cdn-nocors", pkg))

	app, cdn := httptest.NewServer(appMux), httptest.NewServer(cdnMux)
	t.Cleanup(cdn.Close)
	t.Cleanup(app.Close)
	o.app, o.cdn = app.URL, cdn.URL
	return o
}

// openApp opens url in a new tab with its console watched from the start
// (an engine that fails to load says so before the page's load event may
// have fired) and returns what the app left in window.appResult.
func openApp(t *testing.T, url string) (appResult, *consoleLog) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	cl := watchConsole(t, ctx)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console of %s:\n%s", url, cl)
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigating to %s: %v", url, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Poll[appResult](`window.appResult`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("%s left no appResult: %v", url, err)
	}
	return res, cl
}

// echoHeader decodes the echo scenario's event in "message {...}" and
// returns the request header h that the server saw.
func echoHeader(t *testing.T, event, h string) string {
	t.Helper()
	var e struct{ Headers map[string]string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(event, "message ")), &e); err != nil {
		t.Fatalf("the message %q is not the echo scenario's: %v", event, err)
	}
	return e.Headers[h]
}

// expectEcho checks that an app opened, received the echo of its X-App
// header and fetched exactly one wasm, whose URL starts with wasmPrefix.
func expectEcho(t *testing.T, res appResult, app, wasmPrefix string) {
	t.Helper()
	if len(res.Events) != 2 || res.Events[0] != "open" || !strings.HasPrefix(res.Events[1], "message ") {
		t.Fatalf("%s: events %q, want open and one message", app, res.Events)
	}
	if got := echoHeader(t, res.Events[1], "x-app"); got != app {
		t.Errorf("%s: the server saw X-App %q, want %q (the polyfill's headers option)", app, got, app)
	}
	if len(res.Wasm) != 1 || !strings.HasPrefix(res.Wasm[0], wasmPrefix) {
		t.Errorf("%s: fetched the wasm from %q, want one URL under %s", app, res.Wasm, wasmPrefix)
	}
}

// expectNoWasm checks that an app whose wasm is missing failed the standard
// way (an error event, CLOSED) and told the console where it looked and how
// to point it elsewhere.
func expectNoWasm(t *testing.T, res appResult, cl *consoleLog, parts ...string) {
	t.Helper()
	if strings.Join(res.Events, ", ") != "error 2" {
		t.Errorf("events %q, want only an error in CLOSED", res.Events)
	}
	cl.expect(t, "page", append([]string{"cannot load its WebAssembly engine", "EventSourcePolyfill.wasmURL"}, parts...)...)
}

func TestAppsBundlers(t *testing.T) {
	skipNativeOnly(t)
	o := startAppOrigins(t)
	for _, c := range []struct {
		app string
		// wasm: where the build's wasm must come from, under the app's
		// folder; globals: what the app's imports left as the global
		// EventSource and NativeEventSource.
		wasm, globals, native string
	}{
		// The main entry: no global.
		{"vite", "/assets/eventsource-", "no EventSourcePolyfill", "undefined"},
		// eventsource-wasm/global: the native EventSource is kept.
		{"webpack", "/", "native", "function"},
		// eventsource-wasm/global-replace: EventSource is the polyfill.
		{"esbuild-esm", "/eventsource.wasm", "polyfill", "function"},
		// The main entry in an IIFE: the wasm is found next to the script.
		{"esbuild-iife", "/eventsource.wasm", "no EventSourcePolyfill", "undefined"},
	} {
		t.Run(c.app, func(t *testing.T) {
			res, _ := openApp(t, fmt.Sprintf("%s/apps/%s/index.html?key=%s", o.app, c.app, newKey(t, "p")))
			expectEcho(t, res, c.app, o.app+"/apps/"+c.app+c.wasm)
			if res.Globals.EventSource != c.globals || res.Globals.NativeEventSource != c.native {
				t.Errorf("globals: EventSource %s, NativeEventSource %s; want %s, %s",
					res.Globals.EventSource, res.Globals.NativeEventSource, c.globals, c.native)
			}
		})
		t.Run(c.app+"/without-wasm", func(t *testing.T) {
			res, cl := openApp(t, fmt.Sprintf("%s/nowasm/%s/index.html?key=%s", o.app, c.app, newKey(t, "p")))
			parts := []string{o.app + "/nowasm/" + c.app + c.wasm, "HTTP status 404"}
			if c.app == "esbuild-iife" {
				parts = append(parts, "no import.meta.url")
			}
			expectNoWasm(t, res, cl, parts...)
		})
	}
	// Where the wasm is not next to the script, wasmURL says where it is.
	t.Run("esbuild-iife/wasmURL", func(t *testing.T) {
		wasm := "/apps/esbuild-iife/eventsource.wasm"
		res, _ := openApp(t, fmt.Sprintf("%s/nowasm/esbuild-iife/index.html?key=%s&wasm=%s", o.app, newKey(t, "p"), wasm))
		expectEcho(t, res, "esbuild-iife", o.app+wasm)
	})
}

// A plain <script> from another origin, as from a CDN: it finds the wasm
// next to itself there, which needs Access-Control-Allow-Origin.
func TestAppsCDNScript(t *testing.T) {
	skipNativeOnly(t)
	o := startAppOrigins(t)
	t.Run("cors", func(t *testing.T) {
		res, cl := openApp(t, fmt.Sprintf("%s/cdn-page.html?key=%s&cdn=%s/cdn/", o.app, newKey(t, "c"), o.cdn))
		expectEcho(t, res, "cdn", o.cdn+"/cdn/eventsource.wasm")
		// The classic script keeps the browser's EventSource.
		if res.Globals.EventSource != "native" || res.Globals.NativeEventSource != "function" {
			t.Errorf("globals: EventSource %s, NativeEventSource %s; want native, function", res.Globals.EventSource, res.Globals.NativeEventSource)
		}
		if e := cl.find("page", "EventSource"); len(e) > 0 {
			t.Errorf("console: %v", e)
		}
	})
	t.Run("without-cors", func(t *testing.T) {
		res, cl := openApp(t, fmt.Sprintf("%s/cdn-page.html?key=%s&cdn=%s/cdn-nocors/", o.app, newKey(t, "c"), o.cdn))
		expectNoWasm(t, res, cl, o.cdn+"/cdn-nocors/eventsource.wasm", "Access-Control-Allow-Origin")
	})
}

// nodeApp runs one of js/apps/node's scripts with node and decodes the JSON
// object it prints into v; it returns the script's stderr and error.
func nodeApp(t *testing.T, dir, script string, v any, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if jerr := json.Unmarshal(out, v); jerr != nil {
		t.Fatalf("node %s printed %q (%v), stderr:\n%s", script, out, err, stderr.String())
	}
	return stderr.String(), err
}

// Node 20 with no setup at all: the engine is read from
// node_modules/eventsource-wasm through the file system.
func TestAppsNode(t *testing.T) {
	skipNativeOnly(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not on PATH: %v", err)
	}
	installed := filepath.Join(appsNodeDir, "node_modules", "eventsource-wasm")
	if _, err := os.Stat(filepath.Join(installed, "eventsource.wasm")); err != nil {
		t.Fatalf("%v: run make apps", err)
	}
	type event struct {
		Type string
		Data struct {
			Conn    int
			Method  string
			Headers map[string]string
			Body    string
		}
		LastEventID string
		ReadyState  int
	}
	render := func(events []event) string {
		var s []string
		for _, e := range events {
			switch e.Type {
			case "message":
				s = append(s, fmt.Sprintf("message conn=%d %s id=%q", e.Data.Conn, e.Data.Method, e.LastEventID))
			case "error":
				s = append(s, fmt.Sprintf("error %d", e.ReadyState))
			default:
				s = append(s, e.Type)
			}
		}
		return strings.Join(s, ", ")
	}
	wasmSuffix := "/js/apps/node_modules/eventsource-wasm/eventsource.wasm"

	t.Run("import", func(t *testing.T) {
		var res struct {
			WasmURL              string
			Get, Post, Reconnect []event
			Failed               string
		}
		stderr, err := nodeApp(t, filepath.Join(appsNodeDir, "node"), "main.mjs", &res, originsFor(t).A, newKey(t, "n"))
		if err != nil || res.Failed != "" {
			t.Fatalf("node main.mjs: %v, %s; stderr:\n%s", err, res.Failed, stderr)
		}
		if !strings.HasPrefix(res.WasmURL, "file:///") || !strings.HasSuffix(res.WasmURL, wasmSuffix) {
			t.Errorf("wasmURL %q, want the file: URL of the installed package's wasm", res.WasmURL)
		}
		if got, want := render(res.Get), `open, message conn=1 GET id=""`; got != want {
			t.Errorf("GET: %s, want %s", got, want)
		} else if h := res.Get[1].Data.Headers["x-app"]; h != "node" {
			t.Errorf("GET: the server saw X-App %q, want node", h)
		}
		if got, want := render(res.Post), `open, message conn=1 POST id="", error 2`; got != want {
			t.Errorf("POST: %s, want %s", got, want)
		} else if b := res.Post[1].Data.Body; b != "hello from node" {
			t.Errorf("POST: the server got the body %q", b)
		}
		if got, want := render(res.Reconnect), `open, message conn=1 GET id="7", error 0, open, message conn=2 GET id="7"`; got != want {
			t.Errorf("reconnection: %s, want %s", got, want)
		} else if h := res.Reconnect[4].Data.Headers["last-event-id"]; h != "7" {
			t.Errorf("reconnection: Last-Event-ID %q, want 7", h)
		}
	})

	t.Run("require", func(t *testing.T) {
		var res struct {
			WasmURL string
			Data    struct{ Headers map[string]string }
			Failed  string
		}
		stderr, err := nodeApp(t, filepath.Join(appsNodeDir, "node"), "main.cjs", &res, originsFor(t).A, newKey(t, "r"))
		if err != nil || res.Failed != "" {
			t.Fatalf("node main.cjs: %v, %s; stderr:\n%s", err, res.Failed, stderr)
		}
		if h := res.Data.Headers["x-app"]; h != "node-require" || !strings.HasSuffix(res.WasmURL, wasmSuffix) {
			t.Errorf("require: X-App %q, wasmURL %q", h, res.WasmURL)
		}
	})

	// The same app with a package whose wasm is missing must fail, and say
	// where it looked.
	t.Run("without-wasm", func(t *testing.T) {
		dir := t.TempDir()
		pkg := filepath.Join(dir, "node_modules", "eventsource-wasm")
		if err := os.CopyFS(pkg, os.DirFS(installed)); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(pkg, "eventsource.wasm")); err != nil {
			t.Fatal(err)
		}
		script, err := os.ReadFile(filepath.Join(appsNodeDir, "node", "main.mjs"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.mjs"), script, 0o644); err != nil {
			t.Fatal(err)
		}
		var res struct {
			Failed string
			Events []event
		}
		stderr, err := nodeApp(t, dir, "main.mjs", &res, originsFor(t).A, newKey(t, "w"))
		if err == nil || res.Failed == "" || render(res.Events) != "error 2" {
			t.Errorf("without the wasm: exit %v, failed %q, events %s; want a failure with one error in CLOSED", err, res.Failed, render(res.Events))
		}
		for _, part := range []string{"cannot load its WebAssembly engine", "node_modules/eventsource-wasm/eventsource.wasm", "no such file", "EventSourcePolyfill.wasmURL"} {
			if !strings.Contains(stderr, part) {
				t.Errorf("stderr lacks %q:\n%s", part, stderr)
			}
		}
	})
}

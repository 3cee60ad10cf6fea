package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestGoPackage(t *testing.T) {
	for name, want := range map[string]string{
		"runtime.mallocgc":                                                  "runtime",
		"internal_runtime_maps.__Map_.getWithKey":                           "internal/runtime/maps",
		"github.com_eventsource_wasm_eventsource_polyfill.__Parser_.Next":   "github.com/eventsource-wasm/eventsource/polyfill",
		"github.com_hack_pad_safejs_internal_stackerr.__stackError_.Format": "github.com/hack-pad/safejs/internal/stackerr",
		"main.__bridge_.feed":                                               "main",
		"type_.eq.main.conn":                                                "(type equality and hash functions)",
	} {
		if got := goPackage(name); got != want {
			t.Errorf("goPackage(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCodeByPackage builds a small program for js/wasm and finds its main
// and runtime code; a module without a name section is an error.
func TestCodeByPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm program")
	}
	dir := t.TempDir()
	src := "package main\n\nfunc work(n int) int { s := 0; for i := range n { s += i * i }; return s }\n\nfunc main() { println(work(10)) }\n"
	for name, text := range map[string]string{"go.mod": "module probe\n\ngo 1.22\n", "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := func(out string, flags ...string) {
		cmd := exec.Command(goTool, append(append([]string{"build"}, flags...), "-o", out, ".")...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOWORK=off", "GOFLAGS=")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v: %s", err, b)
		}
	}
	named, stripped := filepath.Join(dir, "named.wasm"), filepath.Join(dir, "stripped.wasm")
	build(named)
	build(stripped, "-ldflags=-s -w")
	sizes, data, err := codeByPackage(named)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]codeSize{}
	total := 0
	for _, c := range sizes {
		by[c.pkg] = c
		total += c.bytes
	}
	if by["main"].funcs < 1 || by["runtime"].bytes < total/2 || data == 0 {
		t.Errorf("main %+v, runtime %+v of %d bytes of code, data %d", by["main"], by["runtime"], total, data)
	}
	if _, _, err := codeByPackage(stripped); err == nil {
		t.Error("a module without a name section: no error")
	}
}

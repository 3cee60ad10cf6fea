package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// wasmBuildFlags are the flags the Makefile builds dist/eventsource.wasm
// with; the reference programs are built with them too.
var wasmBuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// sizeProbes are the reference programs of the size report: what any Go
// program compiled to wasm costs, and what syscall/js and fmt (imported by
// safejs) add to it.
var sizeProbes = []struct{ label, source string }{
	{"empty Go program", "package main\n\nfunc main() {}\n"},
	{"the engine alone (`polyfill`, every call the bridge makes), no `syscall/js`", engineProbe},
	{"`syscall/js` only", "package main\n\nimport \"syscall/js\"\n\nfunc main() { js.Global().Set(\"x\", 1) }\n"},
	{"`syscall/js` and `fmt`", "package main\n\nimport (\n\t\"fmt\"\n\t\"syscall/js\"\n)\n\nfunc main() { js.Global().Set(\"x\", fmt.Sprint(1)) }\n"},
}

// engineProbe uses the engine as wasm/bridge.go does, with nothing of JS.
const engineProbe = `package main

import "github.com/eventsource-wasm/eventsource/polyfill"

// Variables, so that nothing is folded away.
var (
	in   = "data: x\n\n"
	flag bool
	sink int
)

func main() {
	c := polyfill.NewConn(polyfill.Options{NoReconnect: flag, StrictCharset: flag, Limits: polyfill.Limits{MaxLineSize: sink}})
	c.SetRaw(flag)
	if _, err := c.Response(200, in); err != nil {
		sink += len(err.Error())
	}
	c.Feed([]byte(in))
	for c.Next() {
		ev := c.Event()
		sink += len(ev.Type) + len(ev.Data) + len(ev.LastEventID)
	}
	if err := c.Err(); err != nil {
		c.Fail()
		sink += c.Limits().MaxEventSize + len(err.Error())
	}
	if c.End(polyfill.EOF) == polyfill.Fail {
		sink++
	}
	id, _ := c.LastEventIDHeader()
	sink += len(id) + c.ReconnectionTime()
	c.Close()
}
`

// sizeRow is one file of the size report, compressed as dist/ is.
type sizeRow struct {
	label                string
	raw, gzip, brotli    int
	isEngine, isBaseline bool
	isScript             bool // no ratio: the empty program is wasm
	err                  error
}

// measureSizes builds the reference programs with this Go toolchain and the
// engine's flags, and measures them with dist/'s engine and classic script,
// raw, gzip and brotli (compressed by js/build.mjs as dist/ is).
func measureSizes(ctx context.Context, root, goroot, dist string) []sizeRow {
	rows := []sizeRow{
		{label: "`eventsource.wasm` (the engine and bridge)", isEngine: true},
		{label: "`eventsource-polyfill.js` (the classic script)", isScript: true},
	}
	files := []string{filepath.Join(dist, "eventsource.wasm"), filepath.Join(dist, "eventsource-polyfill.js")}
	tmp, err := os.MkdirTemp("", "sizeprobe")
	if err != nil {
		return []sizeRow{{label: "size probes", err: err}}
	}
	defer os.RemoveAll(tmp)
	goTool := filepath.Join(goroot, "bin", "go")
	for i, probe := range sizeProbes {
		row := sizeRow{label: probe.label, isBaseline: i == 0}
		dir := filepath.Join(tmp, fmt.Sprint(i))
		out := filepath.Join(tmp, fmt.Sprintf("probe%d.wasm", i))
		row.err = buildProbe(ctx, goTool, root, dir, probe.source, out)
		rows = append(rows, row)
		files = append(files, out)
	}
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(root, "js", "build.mjs"), "--sizes"}, files...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return []sizeRow{{label: "sizes", err: fmt.Errorf("node js/build.mjs --sizes: %v: %s", err, strings.TrimSpace(stderr.String()))}}
	}
	var got map[string]struct{ Raw, Gzip, Brotli int }
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		return []sizeRow{{label: "sizes", err: err}}
	}
	for i := range rows {
		if rows[i].err != nil {
			continue
		}
		s, ok := got[files[i]]
		if !ok {
			rows[i].err = fmt.Errorf("%s was not measured", files[i])
			continue
		}
		rows[i].raw, rows[i].gzip, rows[i].brotli = s.Raw, s.Gzip, s.Brotli
	}
	return rows
}

// buildProbe compiles source as a module of its own in dir to out, with
// root's engine.
func buildProbe(ctx context.Context, goTool, root, dir, source, out string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The engine comes from this checkout; its go.sum covers the graph.
	mod := "module sizeprobe\n\ngo 1.26\n\nrequire github.com/eventsource-wasm/eventsource v0.0.0\n\nreplace github.com/eventsource-wasm/eventsource => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(source), 0o644); err != nil {
		return err
	}
	args := append([]string{"build"}, wasmBuildFlags...)
	cmd := exec.CommandContext(ctx, goTool, append(args, "-o", out, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOWORK=off", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(b)))
	}
	return nil
}

// writeSizes prints the size table, each wasm also as a ratio to the empty
// program.
func (rp *report) writeSizes(p printer) {
	if rp.sizes == nil {
		return
	}
	p("## Sizes\n\n")
	p("Measured by the same run: `dist/` as built (`make build`: `GOOS=js GOARCH=wasm go build -trimpath -ldflags=\"-s -w\"`, then gzip and brotli at their highest levels by `js/build.mjs`), and reference programs built by the same toolchain with the same flags. In parentheses: the ratio to the empty program.\n\n")
	p("| file | raw | gzip | brotli |\n| --- | ---: | ---: | ---: |\n")
	var base sizeRow // zero: no ratios
	for _, r := range rp.sizes {
		if r.isBaseline && r.err == nil {
			base = r
		}
	}
	cell := func(v, b int, ratio bool) string {
		if b == 0 || !ratio {
			return groupThousands(v)
		}
		return fmt.Sprintf("%s (%.2f×)", groupThousands(v), float64(v)/float64(b))
	}
	for _, r := range rp.sizes {
		if r.err != nil {
			p("| %s | error: %s | | |\n", r.label, oneLine(r.err.Error()))
			continue
		}
		label := r.label
		if r.isEngine {
			label = "**" + label + "**"
		}
		ratio := !r.isScript
		p("| %s | %s | %s | %s |\n", label, cell(r.raw, base.raw, ratio), cell(r.gzip, base.gzip, ratio), cell(r.brotli, base.brotli, ratio))
	}
	p("\n")
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// goBench is one run of the engine's Go benchmarks (polyfill/bench_test.go).
type goBench struct {
	label   string
	command string   // as a person would type it
	output  string   // go test's stdout
	rows    []string // benchmark names in output order
	metrics map[string]map[string]float64
	err     error
}

// runGoBenches runs the engine benchmarks natively and compiled to wasm under
// Node, one after the other and after the browser is closed, so that neither
// competes for the two cores. benchtime "" keeps go test's default.
func runGoBenches(ctx context.Context, root, goroot, benchtime string) []*goBench {
	goTool := filepath.Join(goroot, "bin", "go")
	wasmExec := filepath.Join(goroot, "lib", "wasm", "go_js_wasm_exec")
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem"}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	runs := []*goBench{
		{label: "native"},
		{label: "wasm (Node)"},
	}
	for i, b := range runs {
		cmdArgs := slices.Clone(args)
		env := os.Environ()
		b.command = "go " + strings.Join(quoteArgs(args), " ") + " ./polyfill/"
		if i == 1 {
			cmdArgs = append(cmdArgs, "-exec", wasmExec)
			env = append(env, "GOOS=js", "GOARCH=wasm")
			b.command = `GOOS=js GOARCH=wasm go ` + strings.Join(quoteArgs(args), " ") +
				` -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./polyfill/`
		}
		cmd := exec.CommandContext(ctx, goTool, append(cmdArgs, "./polyfill/")...)
		cmd.Dir = root
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			b.err = fmt.Errorf("%v: %s", err, strings.TrimSpace(errOut.String()))
		}
		b.output = out.String()
		b.rows, b.metrics = parseBench(b.output)
	}
	return runs
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if strings.ContainsAny(a, "^$ ") {
			out[i] = "'" + a + "'"
		}
	}
	return out
}

// parseBench reads `go test -bench` output: for each benchmark line, its
// name without the -GOMAXPROCS suffix and each "value unit" pair.
func parseBench(out string) ([]string, map[string]map[string]float64) {
	var names []string
	metrics := map[string]map[string]float64{}
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
			}
		}
		if _, seen := metrics[name]; !seen {
			names = append(names, name)
		}
		metrics[name] = m
	}
	return names, metrics
}

// writeGo renders the engine benchmarks: a table of the figures that matter
// and the raw output.
func (rp *report) writeGo(p printer) {
	if rp.goBenches == nil {
		return
	}
	p("## The engine alone: `go test -bench`\n\n")
	p("Run by `go run ./e2e/bench` after the browser closed (not by the Makefile), natively and compiled to wasm under Node with Go's `go_js_wasm_exec`:\n\n")
	for _, b := range rp.goBenches {
		p("    %s\n", b.command)
	}
	p("\n| benchmark |")
	for _, b := range rp.goBenches {
		p(" %s MB/s | %s events/s |", b.label, b.label)
	}
	for _, b := range rp.goBenches {
		p(" %s allocs/op |", b.label)
	}
	p("\n| --- |%s\n", strings.Repeat(" ---: |", 3*len(rp.goBenches)))
	var names []string
	for _, b := range rp.goBenches {
		for _, n := range b.rows {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for _, n := range names {
		p("| %s |", n)
		for _, b := range rp.goBenches {
			m := b.metrics[n]
			p(" %s | %s |", metric(m, "MB/s", figure), metric(m, "events/s", si))
		}
		for _, b := range rp.goBenches {
			p(" %s |", metric(b.metrics[n], "allocs/op", func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }))
		}
		p("\n")
	}
	for _, b := range rp.goBenches {
		if b.err != nil {
			p("\n%s run failed: %s\n", b.label, oneLine(b.err.Error()))
		}
	}
	p("\n<details><summary>raw output</summary>\n\n")
	for _, b := range rp.goBenches {
		p("```\n$ %s\n%s```\n\n", b.command, b.output)
	}
	p("</details>\n")
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// wasmBuildFlags are the flags the Makefile builds dist/eventsource.wasm
// with; the bridge and the reference programs are built with them here.
var wasmBuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// enginePkg is the engine's import path.
const enginePkg = "github.com/eventsource-wasm/eventsource/polyfill"

// program is the source of a reference program, in parts so that two can
// be combined into one.
type program struct {
	imports []string // import paths
	decls   string   // top-level declarations
	main    string   // the body of main
}

// source is the program's main.go.
func (p program) source() string {
	var b strings.Builder
	b.WriteString("package main\n\n")
	for _, imp := range p.imports {
		fmt.Fprintf(&b, "import %q\n", imp)
	}
	fmt.Fprintf(&b, "\n%s\nfunc main() {\n%s}\n", p.decls, p.main)
	return b.String()
}

// plus is a program that does what p and q do.
func (p program) plus(q program) program {
	return program{imports: append(slices.Clip(p.imports), q.imports...), decls: p.decls + q.decls, main: p.main + q.main}
}

// safejsProgram is the reference for what JS interop costs: the safejs
// calls the bridge is made of (Global, FuncOf, ValueOf, CopyBytesToGo), and
// with them syscall/js and the fmt that safejs imports.
// syscallJSProgram makes safejsProgram's calls with syscall/js itself: the
// difference is what safejs links in (fmt, for its errors, and what fmt
// imports).
var syscallJSProgram = program{
	imports: []string{"syscall/js"},
	decls:   "var buf = make([]byte, 64)\n",
	main: `	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		n := js.CopyBytesToGo(buf, args[0])
		return js.ValueOf(string(buf[:n]))
	})
	js.Global().Set("probe", f)
`,
}

var safejsProgram = program{
	imports: []string{"github.com/hack-pad/safejs"},
	decls:   "var buf = make([]byte, 64)\n",
	main: `	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		if len(args) == 0 {
			return nil
		}
		n, _ := safejs.CopyBytesToGo(buf, args[0])
		v, _ := safejs.ValueOf(string(buf[:n]))
		return v
	})
	if err == nil {
		safejs.Global().Set("probe", f.Value())
	}
`,
}

// engineProgram keeps every function and method of api (Go expressions of
// the engine's package) reachable, so that the linker keeps all of them.
func engineProgram(api []string) program {
	var b strings.Builder
	b.WriteString("\tapi = []any{\n")
	for _, e := range api {
		b.WriteString("\t\t" + e + ",\n")
	}
	b.WriteString("\t}\n\tprintln(len(api))\n")
	return program{imports: []string{enginePkg}, decls: "// api keeps the engine's exported API linked in.\nvar api []any\n", main: b.String()}
}

// sizeRow is one file of the size report, compressed as dist/ is.
type sizeRow struct {
	label                string
	raw, gzip, brotli    int
	isEngine, isBaseline bool
	isFloor              bool // the safejs program: the floor the bridge's library sets
	isScript             bool // no ratio: the empty program is wasm
	err                  error
}

// sizeReport is the size table and what it found out about dist/.
type sizeReport struct {
	rows []sizeRow
	// distSame says whether dist/eventsource.wasm is the bridge as built
	// now, byte for byte; distNote says otherwise why not.
	distSame bool
	distNote string
	// code is ./wasm's code by package, from a build that keeps the name
	// section; data the size of its data segments.
	code    []codeSize
	data    int
	codeErr error
}

// measureSizes builds the real bridge (./wasm) and reference programs
// generated at run time with this Go toolchain and the Makefile's flags, and
// measures them and dist/'s classic script raw, gzip and brotli (compressed
// by js/build.mjs as dist/ is). The references isolate what the bridge is
// made of: any Go program, the engine with every exported function and
// method it has, the safejs calls the bridge makes, and the two together.
func measureSizes(ctx context.Context, root, goroot, dist string) *sizeReport {
	tmp, err := os.MkdirTemp("", "sizeprobe")
	if err != nil {
		return &sizeReport{rows: []sizeRow{{label: "size probes", err: err}}}
	}
	defer os.RemoveAll(tmp)
	goTool := filepath.Join(goroot, "bin", "go")

	engineAPI, apiErr := exportedAPI(filepath.Join(root, "polyfill"))
	engine := engineProgram(engineAPI)
	probes := []struct {
		label string
		prog  program
		err   error
		floor bool
	}{
		{"empty Go program", program{}, nil, false},
		{"the engine alone: every exported function and method of `polyfill`, no `syscall/js`", engine, apiErr, false},
		{"`syscall/js` only: `Global`, `FuncOf`, `ValueOf`, `CopyBytesToGo`", syscallJSProgram, nil, false},
		{"`safejs` only: the same calls through `safejs` (with `syscall/js` and `fmt`): the floor", safejsProgram, nil, true},
		{"the engine and those `safejs` calls together, without the bridge's own code", engine.plus(safejsProgram), apiErr, false},
	}

	rep := &sizeReport{}
	bridge := filepath.Join(tmp, "bridge.wasm")
	rep.rows = append(rep.rows, sizeRow{label: "`./wasm`, the engine and bridge, built now as `make build` does", isEngine: true,
		err: goBuild(ctx, goTool, root, os.Environ(), bridge, "./wasm")})
	script := filepath.Join(dist, "eventsource-polyfill.js")
	rep.rows = append(rep.rows, sizeRow{label: "`dist/eventsource-polyfill.js` (the classic script)", isScript: true})
	files := []string{bridge, script}
	for i, probe := range probes {
		row := sizeRow{label: probe.label, isBaseline: i == 0, isFloor: probe.floor, err: probe.err}
		out := filepath.Join(tmp, fmt.Sprintf("probe%d.wasm", i))
		if row.err == nil {
			row.err = buildProbe(ctx, goTool, root, filepath.Join(tmp, fmt.Sprint(i)), probe.prog.source(), out)
		}
		rep.rows = append(rep.rows, row)
		files = append(files, out)
	}
	rep.distSame, rep.distNote = compareDist(bridge, filepath.Join(dist, "eventsource.wasm"))
	named := filepath.Join(tmp, "bridge-named.wasm")
	if rep.codeErr = goBuildFlags(ctx, goTool, root, os.Environ(), named, "./wasm", "-trimpath"); rep.codeErr == nil {
		rep.code, rep.data, rep.codeErr = codeByPackage(named)
	}

	var measure []string
	for i, f := range files {
		if rep.rows[i].err == nil {
			measure = append(measure, f)
		}
	}
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(root, "js", "build.mjs"), "--sizes"}, measure...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		rep.rows = []sizeRow{{label: "sizes", err: fmt.Errorf("node js/build.mjs --sizes: %v: %s", err, strings.TrimSpace(stderr.String()))}}
		return rep
	}
	var got map[string]struct{ Raw, Gzip, Brotli int }
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		rep.rows = []sizeRow{{label: "sizes", err: err}}
		return rep
	}
	for i := range rep.rows {
		if rep.rows[i].err != nil {
			continue
		}
		s, ok := got[files[i]]
		if !ok {
			rep.rows[i].err = fmt.Errorf("%s was not measured", files[i])
			continue
		}
		rep.rows[i].raw, rep.rows[i].gzip, rep.rows[i].brotli = s.Raw, s.Gzip, s.Brotli
	}
	return rep
}

// compareDist says whether the engine in dist/, which the browser figures
// measured, is the bridge just built.
func compareDist(built, distWasm string) (bool, string) {
	a, err := os.ReadFile(built)
	if err != nil {
		return false, "the bridge did not build"
	}
	b, err := os.ReadFile(distWasm)
	if err != nil {
		return false, err.Error()
	}
	if !bytes.Equal(a, b) {
		return false, fmt.Sprintf("it is %s bytes, this build %s: dist/ is not the current source (run make build)",
			groupThousands(len(b)), groupThousands(len(a)))
	}
	return true, ""
}

// exportedAPI lists, as Go expressions of a program that imports the
// engine, every exported function and method of the package in dir as it
// builds for js/wasm, so that a reference program can keep all of it without
// a hand-kept copy of the bridge's calls.
func exportedAPI(dir string) ([]string, error) {
	bctx := build.Default
	bctx.GOOS, bctx.GOARCH = "js", "wasm"
	pkg, err := bctx.ImportDir(dir, 0)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var api []string
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || fd.Type.TypeParams != nil {
				continue
			}
			if fd.Recv == nil {
				api = append(api, pkg.Name+"."+fd.Name.Name)
				continue
			}
			recv, ptr := fd.Recv.List[0].Type, false
			if star, ok := recv.(*ast.StarExpr); ok {
				recv, ptr = star.X, true
			}
			id, ok := recv.(*ast.Ident) // a generic receiver is an IndexExpr
			if !ok || !id.IsExported() {
				continue
			}
			if ptr {
				api = append(api, "(*"+pkg.Name+"."+id.Name+")."+fd.Name.Name)
			} else {
				api = append(api, pkg.Name+"."+id.Name+"."+fd.Name.Name)
			}
		}
	}
	if len(api) == 0 {
		return nil, fmt.Errorf("no exported functions in %s", dir)
	}
	sort.Strings(api)
	return api, nil
}

// buildProbe compiles source as a module of its own in dir to out, with
// root's engine and root's requirements (safejs among them).
func buildProbe(ctx context.Context, goTool, root, dir, source, out string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	// Root's go.mod with another module path: the same versions of every
	// dependency, and the engine from this checkout. Its go.sum covers the
	// graph.
	_, requires, _ := strings.Cut(string(rootMod), "\n")
	mod := "module sizeprobe\n" + requires +
		"\nrequire github.com/eventsource-wasm/eventsource v0.0.0\n\nreplace github.com/eventsource-wasm/eventsource => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum, "main.go": []byte(source)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return goBuild(ctx, goTool, dir, append(os.Environ(), "GOWORK=off", "GOFLAGS="), out, ".")
}

// goBuild runs go build for js/wasm with the Makefile's flags in dir.
func goBuild(ctx context.Context, goTool, dir string, env []string, out, pkg string) error {
	return goBuildFlags(ctx, goTool, dir, env, out, pkg, wasmBuildFlags...)
}

// goBuildFlags runs go build for js/wasm with flags in dir.
func goBuildFlags(ctx context.Context, goTool, dir string, env []string, out, pkg string, flags ...string) error {
	args := append([]string{"build"}, flags...)
	cmd := exec.CommandContext(ctx, goTool, append(args, "-o", out, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(env, "GOOS=js", "GOARCH=wasm")
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
	p("Measured by the same run: the bridge `./wasm` and reference programs generated at run time, all built by this toolchain as `make build` builds `dist/eventsource.wasm` (`GOOS=js GOARCH=wasm go build -trimpath -ldflags=\"-s -w\"`), and `dist/`'s classic script; gzip and brotli at their highest levels by `js/build.mjs`, as `dist/` is compressed. In parentheses: the ratio to the empty program.\n\n")
	p("| file | raw | gzip | brotli |\n| --- | ---: | ---: | ---: |\n")
	var base sizeRow // zero: no ratios
	for _, r := range rp.sizes.rows {
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
	for _, r := range rp.sizes.rows {
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
	if rp.sizes.distSame {
		p("\n`dist/eventsource.wasm`, which the browser figures above measured, is this build of `./wasm` byte for byte.\n")
	} else {
		p("\n**`dist/eventsource.wasm` is not this build of `./wasm`**: %s.\n", rp.sizes.distNote)
	}
	var engine, floor sizeRow
	for _, r := range rp.sizes.rows {
		if r.err == nil && r.isEngine {
			engine = r
		}
		if r.err == nil && r.isFloor {
			floor = r
		}
	}
	if engine.raw > 0 && floor.raw > 0 {
		pct := func(a, b int) string { return fmt.Sprintf("%+.1f%%", 100*float64(a-b)/float64(b)) }
		p("\nThe engine and bridge over the `safejs` floor: %s bytes raw (%s), %s gzip (%s), %s brotli (%s); the target is at most 3%%.\n",
			groupThousands(engine.raw-floor.raw), pct(engine.raw, floor.raw),
			groupThousands(engine.gzip-floor.gzip), pct(engine.gzip, floor.gzip),
			groupThousands(engine.brotli-floor.brotli), pct(engine.brotli, floor.brotli))
	}
	rp.writeCode(p)
	p("\n")
}

// writeCode prints ./wasm's code by package: the largest, and the engine's
// and the bridge's wherever they rank.
func (rp *report) writeCode(p printer) {
	if rp.sizes.codeErr != nil {
		p("\nCode by package: error: %s\n", oneLine(rp.sizes.codeErr.Error()))
		return
	}
	if len(rp.sizes.code) == 0 {
		return
	}
	total := 0
	for _, c := range rp.sizes.code {
		total += c.bytes
	}
	p("\n`./wasm`'s code by package, from the same build with its name section (`go build -trimpath`, without `-ldflags=\"-s -w\"`): function bodies only, %s bytes in all; its data segments are %s bytes more. The largest packages, and every package of this module and of `safejs`:\n\n", groupThousands(total), groupThousands(rp.sizes.data))
	p("| package | code | functions |\n| --- | ---: | ---: |\n")
	for i, c := range rp.sizes.code {
		ours := c.pkg == "main" || strings.HasPrefix(c.pkg, "github.com/")
		if i >= 12 && !ours {
			continue
		}
		label := "`" + c.pkg + "`"
		if c.pkg == "main" {
			label = "`main` (the bridge, `./wasm`)"
		}
		if strings.HasPrefix(c.pkg, "github.com/eventsource-wasm/") || c.pkg == "main" {
			label = "**" + label + "**"
		}
		p("| %s | %s | %d |\n", label, groupThousands(c.bytes), c.funcs)
	}
}

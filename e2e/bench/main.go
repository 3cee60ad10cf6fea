// Command bench is the browser benchmark of eventsource-wasm: in one headless
// Chromium run it measures native EventSource, this polyfill, the popular
// npm alternatives and a fetch-loop ceiling side by side on the same streams,
// then the sizes of the bridge (./wasm, built afresh) and of dist/'s script
// against reference Go programs built the same way, and the engine's own Go
// benchmarks natively and under wasm, and writes the figures as Markdown to
// stdout and to BENCHMARKS.md.
//
// It needs dist/ (make build) and the npm peers bundled by esbuild into
// js/bench/node_modules/.cache/bench (make bench does both). A missing piece
// shows as an error in its column; the rest is still measured.
//
// Usage:
//
//	go run ./e2e/bench [-quick] [-out BENCHMARKS.md] [-rounds 5]
//	go run ./e2e/bench -profile polyfill:tiny [-rounds 5]
//
// The second form prints where one implementation's job spends its time,
// from DevTools' sampling profiler, instead of the table.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	root, out, chromium, dist, peers  string
	quick, netCheck, goBench, verbose bool
	fileSizes                         bool
	rounds                            int
	timeout                           time.Duration
	sizes                             sizes
	impls, workloads                  string // filters, "" for all
	profile                           string // "impl:workload" to profile instead
}

func parseFlags(root string) (config, error) {
	c := config{root: root}
	flag.BoolVar(&c.quick, "quick", false, "smaller workloads, 1 measured round, short Go benchmarks: for iteration, not for the record")
	flag.IntVar(&c.rounds, "rounds", 5, "measured rounds, after one warm-up round (-quick: 1)")
	flag.StringVar(&c.out, "out", filepath.Join(root, "BENCHMARKS.md"), `write the Markdown here too; "" for stdout only (-quick, -impls and -workloads write no file unless -out is given)`)
	flag.StringVar(&c.chromium, "chromium", defaultChromium(), "the Chromium binary")
	flag.StringVar(&c.dist, "dist", filepath.Join(root, "dist"), "the built polyfill (make build)")
	flag.StringVar(&c.peers, "peers", filepath.Join(root, "js", "bench", "node_modules", ".cache", "bench"), "the esbuild bundles of the npm peers")
	flag.DurationVar(&c.timeout, "timeout", 60*time.Second, "per job: an implementation slower than this on a workload shows as an error (-quick: 20s)")
	flag.BoolVar(&c.netCheck, "netcheck", true, "also measure native EventSource in tabs attached by chromedp, with and without the Network domain")
	flag.BoolVar(&c.fileSizes, "sizes", true, "also build ./wasm and reference Go programs the way make build does, and report their sizes")
	flag.BoolVar(&c.goBench, "gobench", true, "also run the engine's go test -bench natively and under wasm")
	flag.BoolVar(&c.verbose, "v", false, "print every job's figure to stderr")
	flag.StringVar(&c.impls, "impls", "", "comma-separated implementations to run (native is always run): for iteration")
	flag.StringVar(&c.workloads, "workloads", "", "comma-separated workloads to run (tiny, kib, mib, fields, latency, startup): for iteration")
	flag.StringVar(&c.profile, "profile", "", `"impl:workload": instead of the table, print a DevTools CPU profile of that job (self and total time per function), over -rounds runs`)
	flag.Parse()

	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c.sizes = fullSizes
	if c.quick {
		c.sizes = quickSizes
		if !set["rounds"] {
			c.rounds = 1
		}
		if !set["timeout"] {
			c.timeout = 20 * time.Second
		}
	}
	// A partial run must not replace the figures of a full one.
	if (c.quick || c.impls != "" || c.workloads != "" || c.profile != "") && !set["out"] {
		c.out = ""
	}
	if c.rounds < 1 {
		return c, fmt.Errorf("-rounds must be at least 1")
	}
	return c, selectImpls(c.impls)
}

func run() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cfg, err := parseFlags(root)
	if err != nil {
		return err
	}
	if err := checkDist(cfg.dist); err != nil {
		return err
	}
	all := buildWorkloads(cfg.sizes)
	ws, err := selectWorkloads(all, cfg.workloads)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	started := time.Now()
	progress := os.Stderr

	srv := newBenchServer(cfg.dist, cfg.peers, all)
	hs := httptest.NewServer(srv.handler()) // 127.0.0.1, a free port
	// shutdown first: Close waits for the requests that shutdown releases.
	defer hs.Close()
	defer srv.shutdown()

	fmt.Fprintf(progress, "bench: %s on %s\n", cfg.chromium, hs.URL)
	loadStart := loadAverage()
	if l, err := strconv.ParseFloat(loadStart, 64); err == nil && l > float64(runtime.NumCPU())/2 {
		fmt.Fprintf(progress, "bench: warning: load average %s before the run; other work on this machine skews every figure\n", loadStart)
	}
	br, err := startChromium(ctx, cfg.chromium)
	if err != nil {
		return err
	}
	defer br.close()
	r := &runner{srv: srv, base: hs.URL, browser: br, timeout: cfg.timeout, verbose: cfg.verbose, log: progress}
	if cfg.profile != "" {
		im, wl, err := profileTarget(cfg.profile, all)
		if err != nil {
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, profileTimeout)
		defer cancel()
		if wl.kind == kindCold {
			return r.profileCold(pctx, im, wl, cfg.rounds, os.Stdout)
		}
		return r.profileJob(pctx, im, wl, cfg.rounds, os.Stdout)
	}

	rp := &report{
		date:      started,
		command:   commandLine(),
		quick:     cfg.quick,
		rounds:    cfg.rounds,
		workloads: ws,
		versions:  map[string]string{},
		machine: machine{
			nproc:    runtime.NumCPU(),
			cpu:      cpuModel(),
			chromium: br.version + " (`" + cfg.chromium + "`)",
			goVer:    runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		},
	}
	for _, im := range impls {
		if im.pkg != "" {
			rp.versions[im.key] = npmVersion(filepath.Join(root, "js", "bench", "node_modules"), im.pkg)
		}
	}

	rp.results = r.runRounds(ws, cfg.rounds)
	if r.tab != nil {
		r.tab.close()
	}
	if cfg.netCheck {
		rp.netWL, rp.netRounds = all[0], cfg.rounds
		fmt.Fprintf(progress, "Network domain check on %s\n", rp.netWL.name)
		rp.net = r.networkCheck(rp.netWL, cfg.rounds)
	}
	rp.dist = srv.servedDist()
	// The Go benchmarks get the two cores to themselves.
	br.close()

	if cfg.fileSizes {
		fmt.Fprintln(progress, "sizes: building ./wasm and the reference programs")
		rp.sizes = measureSizes(ctx, root, goEnv("GOROOT"), cfg.dist)
	}
	if cfg.goBench {
		fmt.Fprintln(progress, "go test -bench, natively and under wasm")
		benchtime := ""
		if cfg.quick {
			benchtime = "100ms"
		}
		rp.goBenches = runGoBenches(ctx, root, goEnv("GOROOT"), benchtime)
		rp.machine.node = strings.TrimSpace(output("node", "--version"))
	}
	rp.elapsed = time.Since(started)
	rp.machine.load = loadStart + " before the run, " + loadAverage() + " after"

	var md bytes.Buffer
	rp.write(&md)
	os.Stdout.Write(md.Bytes())
	if cfg.out != "" {
		md.Write(preserved(cfg.out)) // the sections other generators write
		if err := os.WriteFile(cfg.out, md.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(progress, "bench: wrote %s\n", cfg.out)
	}
	return ctx.Err()
}

// moduleRoot finds the directory of go.mod above the working directory, so
// that the defaults work from anywhere in the repository.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// defaultChromium prefers Debian's chromium, which the Makefile installs.
func defaultChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return "/usr/bin/chromium"
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage is the 1-minute load average: the benchmark wants an otherwise
// idle machine, and the report says whether it had one.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

func goEnv(name string) string {
	return strings.TrimSpace(output("go", "env", name))
}

// output runs a command and returns its stdout, "" if it fails.
func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return string(b)
}

// commandLine is how this run was started, for the report's first line.
func commandLine() string {
	args := append([]string{"go run ./e2e/bench"}, os.Args[1:]...)
	return strings.Join(args, " ")
}

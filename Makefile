# eventsource-wasm — every build, test and install step lives here, so that a
# clean clone needs nothing but `make run` and `make test`.

GO        ?= go
NODE      ?= node
NPM       ?= npm
BENCHFLAGS ?=
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/wasm_exec.js
WASM_RUN  := $(GOROOT)/lib/wasm/go_js_wasm_exec
ADDR      ?= 127.0.0.1:8080
FUZZTIME  ?= 20s
# Fuzz targets of the engine and of package sse's Reader (against the
# engine's reference parser); `make test` runs each briefly, `make fuzz` longer.
FUZZ_TARGETS := FuzzParserDifferential FuzzParserSplit FuzzReaderReference
GO_SOURCES   := $(shell find polyfill wasm -name '*.go' -not -name '*_test.go') go.mod
JS_SOURCES   := $(wildcard js/src/*.js js/*.mjs js/*.ts js/npm/*) README.md LICENSE CHANGELOG.md
JS_TOOLS     := js/node_modules/.package-lock.json
# The npm package: laid out in dist/package by `make build`, packed into
# TARBALL by `make package`.
PKG_VERSION  := $(shell sed -n 's/^  "version": "\([^"]*\)".*/\1/p' js/npm/package.json)
TARBALL      := dist/eventsource-wasm-$(PKG_VERSION).tgz
# The apps that install the tarball as users do (js/apps): their tools
# (bundlers, TypeScript) from js/apps/package-lock.json, reinstalled only when
# it changes; the tarball, reinstalled when it changes; their builds.
APP_TOOLS    := js/apps/node_modules/.tools-installed
APP_PACKAGE  := js/apps/node_modules/.eventsource-wasm-installed
APP_SOURCES  := $(wildcard js/apps/*.mjs js/apps/*/*.js js/apps/*/*.html)
APPS         := dist/apps/.built
TSC          := $(NODE) js/apps/node_modules/typescript/bin/tsc

.PHONY: all build package apps run test lint test-go test-fuzz test-wasm test-js test-types test-e2e bench bench-go fuzz chromium clean

all: build

## build: dist/ — the wasm engine, the classic script, the ES module and types,
## and the npm package's folder, dist/package.
build: dist/eventsource.wasm dist/eventsource-polyfill.js

dist/eventsource.wasm: $(GO_SOURCES)
	@mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $@ ./wasm

# Go's JS glue is copied from the toolchain at build time so it always matches
# the compiler; build.mjs embeds it in the bundles.
dist/wasm_exec.js: $(WASM_EXEC)
	@mkdir -p dist
	cp $< $@

# build.mjs also precompresses the wasm, so it reruns when the wasm changes.
dist/eventsource-polyfill.js: dist/wasm_exec.js dist/eventsource.wasm $(JS_SOURCES) $(JS_TOOLS)
	$(NODE) js/build.mjs dist

# The build tools (esbuild), from the committed lock file.
$(JS_TOOLS): js/package.json js/package-lock.json
	cd js && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error

## package: the npm tarball, dist/eventsource-wasm-VERSION.tgz, and its file list.
package: $(TARBALL)

$(TARBALL): dist/eventsource-polyfill.js
	cd dist/package && $(NPM) pack --pack-destination .. --ignore-scripts --loglevel=notice

$(APP_TOOLS): js/apps/package.json js/apps/package-lock.json
	cd js/apps && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Installed from the file, as a user would, without the network.
$(APP_PACKAGE): $(TARBALL) $(APP_TOOLS)
	cd js/apps && $(NPM) install --no-save --offline --ignore-scripts --no-audit --no-fund --loglevel=error ../../$(TARBALL)
	touch $@

## apps: the tarball installed into js/apps and each app built by its bundler into dist/apps.
apps: $(APPS)

$(APPS): $(APP_PACKAGE) $(APP_SOURCES)
	$(NODE) js/apps/build.mjs dist/apps
	touch $@

## run: build and serve the demo on http://$(ADDR)/
run: build
	$(GO) run ./server/cmd/sse-server -addr $(ADDR) -dist dist

## test: every test — lint, engine, fuzz (briefly), bridge under Node, the
## package's types, browser suite (with the package's apps).
test: lint test-go test-fuzz test-wasm test-js test-types test-e2e

lint: $(APP_TOOLS)
	@out=$$(gofmt -l polyfill wasm server e2e); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	$(TSC) -p js/tsconfig.json
	$(TSC) -p js/tsconfig.src.json

# The Go client (package sse) runs under the race detector: it is the one
# package whose API may be used from several goroutines (Close, ReadyState).
test-go:
	$(GO) test -count=1 ./polyfill ./server/...
	$(GO) test -count=1 -race ./polyfill/sse/...

# A count, not a duration: Go 1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" when a duration ends under load
# (go.dev/issue/75804, fixed in Go 1.27). 300,000 runs take about 5-10 s here.
FUZZ_RUNS ?= 300000x

test-fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t for $(FUZZ_RUNS)"; \
	  $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZ_RUNS) ./polyfill/; \
	done

# The engine and the bridge under Node; the Go client (polyfill/sse) needs
# loopback sockets, which GOOS=js has not.
test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASM_RUN)" ./polyfill ./wasm/...

# The shim with the real engine under Node, without a browser.
test-js: build
	$(NODE) --expose-gc --test js/test/*.test.mjs

# The installed package's types under tsc --strict (js/apps/types).
test-types: $(APP_PACKAGE)
	$(NODE) js/apps/types/check.mjs

test-e2e: build apps chromium
	$(GO) test -count=1 -timeout 8m ./e2e/...

## bench: the browser benchmark (native EventSource, this polyfill, the npm
## alternatives, a fetch ceiling) in headless Chromium, then the engine's
## go test -bench natively and under wasm; writes BENCHMARKS.md. Then
## bench-go. BENCHFLAGS=-quick for a short run that writes no file.
bench: build chromium
	cd js/bench && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	cd js/bench && $(NPM) run --silent bundle
	$(GO) run ./e2e/bench $(BENCHFLAGS)
	$(MAKE) bench-go

## bench-go: the Go client (sse) against other Go SSE clients, in the nested
## module e2e/gocompare (their dependencies stay out of go.mod): 5 runs of its
## go test -bench, medians written to the go-client section of BENCHMARKS.md,
## which e2e/bench keeps. GOBENCHFLAGS='-rounds 1 -benchtime 100ms -out ""'
## for a quick look that writes no file.
GOBENCHFLAGS ?=
bench-go:
	cd e2e/gocompare && $(GO) vet ./... && $(GO) run ./cmd/benchreport $(GOBENCHFLAGS)

## fuzz: each engine fuzz target for FUZZTIME (default 20s), then 500
## random streams through the server to native EventSource and the polyfill.
fuzz: build chromium
	@set -e; for t in $(FUZZ_TARGETS); do \
	  $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) ./polyfill/; \
	done
	$(GO) test -count=1 ./e2e -run PathFuzz -pathfuzz.n=500 -pathfuzz.seed=$$(date +%s)

# Headless Chromium for the browser suite: Debian's package, installed when
# missing if we are root, else a clear message.
chromium:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium: run 'sudo apt-get install chromium' (or set PATH to a chromium binary)."; exit 1; \
	fi

clean:
	rm -rf dist

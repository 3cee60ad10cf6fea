// Command sse-server serves the eventsource-wasm demo page, the built
// polyfill and the test scenarios of package server.
//
//	go run ./server/cmd/sse-server -addr 127.0.0.1:8080 -dist dist
//
// It is a test server, safe on the loopback only: the echo scenario with
// acao=origin&acac=true lets any origin read its responses with the user's
// credentials, and redirect?to= redirects anywhere (an open redirect). So it
// refuses to listen on an address that is not a loopback one unless -public
// is given.
//
// It protects itself from its clients. At most -max-conns connections are
// open at a time (default 1024, lowered so that each connection may hold two
// descriptors, its socket and a /dist/ file, and 64 stay free under the
// open-file limit); a connection beyond gets a 503 whose body says why, at
// once, and is closed. A keep-alive connection idle for -idle is closed. On
// SIGINT or SIGTERM the streams end, other requests get 2 s to finish, then
// the connections left (clients that do not read) are closed, and the exit
// status is 0. The bounds of the scenarios' parameters are in package
// server's documentation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/eventsource-wasm/eventsource/server"
)

// shutdownGrace is how long requests other than streams get to finish on a
// signal.
const shutdownGrace = 2 * time.Second

type config struct {
	addr, dist string
	public     bool
	maxConns   int
	idle       time.Duration
}

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address, a loopback one unless -public")
	flag.StringVar(&cfg.dist, "dist", "dist", "directory of the built polyfill, served under /dist/")
	flag.BoolVar(&cfg.public, "public", false,
		"allow a non-loopback -addr: whoever reaches it gets an open redirect and CORS that trusts any origin with credentials")
	flag.IntVar(&cfg.maxConns, "max-conns", defaultMaxConns(openFileLimit()),
		"connections open at a time; a connection beyond gets a 503 and is closed")
	flag.DurationVar(&cfg.idle, "idle", 30*time.Second, "close a keep-alive connection idle for this long")
	flag.Parse()
	if cfg.maxConns < 1 {
		log.Fatal("-max-conns must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		log.Fatal(err)
	}
}

// defaultMaxConns is 1024, or fewer if the open-file limit (0: unknown)
// cannot give each connection two descriptors with 64 to spare.
func defaultMaxConns(fileLimit uint64) int {
	const spare, most = 64, 1024
	if fileLimit == 0 {
		return most
	}
	if fileLimit < spare+2 {
		return 1
	}
	return int(min((fileLimit-spare)/2, most))
}

func run(ctx context.Context, cfg config) error {
	if _, err := os.Stat(cfg.dist); err != nil {
		log.Printf("warning: %v; the demo needs the polyfill (run make build)", err)
	}
	ln, err := listen(cfg.addr, cfg.public)
	if err != nil {
		return err
	}
	limited := newLimitListener(ln, cfg.maxConns)
	srv := &http.Server{
		Handler:           server.New(server.Options{Dist: cfg.dist}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       cfg.idle,
		// Streams never go idle on their own, so Shutdown would wait for
		// them forever; deriving every request from ctx ends them on the
		// signal.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	log.Printf("serving http://%s/ (dist: %s, at most %d connections)", ln.Addr(), cfg.dist, cfg.maxConns)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(limited) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// A handler blocked in a write to a client that does not read
		// sees no context: only closing its connection ends it.
		log.Printf("closing the %d connections still open after %v", limited.open(), shutdownGrace)
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listen listens on addr, which must be a loopback address unless public.
func listen(addr string, public bool) (net.Listener, error) {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, err
	}
	if !public && !a.IP.IsLoopback() {
		return nil, fmt.Errorf("refusing to listen on %s (%v), which is not a loopback address: "+
			"the test scenarios include an open redirect and CORS that trusts any origin with credentials; "+
			"give -public to listen there anyway", addr, a)
	}
	// The resolved address, so that a name cannot resolve to another one
	// between the check and the listen.
	return net.ListenTCP("tcp", a)
}

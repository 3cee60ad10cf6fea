// Command sse-server serves the eventsource-wasm demo page, the built
// polyfill and the test scenarios of package server.
//
//	go run ./server/cmd/sse-server -addr 127.0.0.1:8080 -dist dist
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/eventsource-wasm/eventsource/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dist := flag.String("dist", "dist", "directory of the built polyfill, served under /dist/")
	flag.Parse()
	if err := run(*addr, *dist); err != nil {
		log.Fatal(err)
	}
}

func run(addr, dist string) error {
	if _, err := os.Stat(dist); err != nil {
		log.Printf("warning: %v; the demo needs the polyfill (run make build)", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           server.New(server.Options{Dist: dist}),
		ReadHeaderTimeout: 10 * time.Second,
		// Streams never go idle on their own, so Shutdown would wait for
		// them forever; deriving every request from ctx ends them on the
		// signal.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	log.Printf("serving http://%s/ (dist: %s)", ln.Addr(), dist)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

package server

import (
	"errors"
	"net"
	"net/http"
	"sync"
)

// Restartable serves a handler on one loopback address and can go down and
// come back on the same address, as a server process that restarts does:
// Stop closes the listener and every connection, after which connecting is
// refused; Start listens again on the same port. Its handler's state (for a
// [Server], the keys and their replay logs) survives a restart.
type Restartable struct {
	h    http.Handler
	addr string

	mu  sync.Mutex
	srv *http.Server // nil while stopped
}

// NewRestartable starts serving h on a free port of 127.0.0.1.
func NewRestartable(h http.Handler) (*Restartable, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Restartable{h: h, addr: ln.Addr().String()}
	r.serve(ln)
	return r, nil
}

// URL is the base URL, http://127.0.0.1:port, the same across restarts.
func (r *Restartable) URL() string { return "http://" + r.addr }

func (r *Restartable) serve(ln net.Listener) {
	srv := &http.Server{Handler: r.h}
	r.srv = srv
	go srv.Serve(ln)
}

// Stop closes the listener and every open connection at once, without
// finishing the responses in progress: their clients see the connection
// break. It does nothing if already stopped.
func (r *Restartable) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv == nil {
		return nil
	}
	err := r.srv.Close()
	r.srv = nil
	return err
}

// Start listens again on the same address. It does nothing if already
// running.
func (r *Restartable) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		return err
	}
	r.serve(ln)
	return nil
}

// Close stops the server for good.
func (r *Restartable) Close() error {
	err := r.Stop()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

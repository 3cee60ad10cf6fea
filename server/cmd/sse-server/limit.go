package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

const (
	// maxRefusals bounds the refusals in progress, each of which holds a
	// descriptor; more connections wait in the backlog for their turn.
	maxRefusals = 32
	// refusalTime bounds one refusal: reading the request, answering.
	refusalTime = time.Second
)

// limitListener lets at most cap(slots) connections be open at a time and
// answers each connection beyond with a 503 at once. Without a bound,
// connections past the open-file limit make Accept fail with EMFILE, which
// net/http retries with a backoff, so that every new client waits unanswered
// in the backlog until others leave.
type limitListener struct {
	net.Listener
	slots    chan struct{} // one per open connection
	refusals chan struct{} // one per refusal in progress
}

func newLimitListener(ln net.Listener, max int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, max), refusals: make(chan struct{}, maxRefusals)}
}

// Accept returns the next connection that fits within the limit, refusing
// the others as they come.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
		}
		l.refusals <- struct{}{} // each refusal ends within refusalTime
		go func() {
			defer func() { <-l.refusals }()
			refuse(c, cap(l.slots))
		}()
	}
}

// open is the number of connections open, refusals aside.
func (l *limitListener) open() int { return len(l.slots) }

// refuse reads the request on c, answers it with a 503 and closes c. The
// request is read first because closing with unread data resets the
// connection, and the reset can destroy the answer before the client reads
// it.
func refuse(c net.Conn, max int) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(refusalTime))
	if req, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
		io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20))
	}
	body := fmt.Sprintf("sse-server: too many connections: at most %d at a time (-max-conns); try again later\n", max)
	fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s", len(body), body)
}

// limitedConn gives its slot back when closed, by net/http or, for a
// hijacked connection, by the handler.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite and ReadFrom keep what net/http looks for on a *net.TCPConn:
// the lingering close and sendfile.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitedConn) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(c.Conn, r)
}

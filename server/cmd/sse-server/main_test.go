//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests run the command as a child process, the test binary started
// again with childEnv set, so that they see what a user sees: the exit
// status, the log, the effect of a signal and of the open-file limit.
const (
	childEnv  = "SSE_SERVER_TEST_CHILD"
	nofileEnv = "SSE_SERVER_TEST_NOFILE" // RLIMIT_NOFILE of the child
	// patience bounds every wait on a condition; only a failure takes it.
	patience = 30 * time.Second
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "" {
		os.Exit(m.Run())
	}
	if v := os.Getenv(nofileEnv); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err == nil {
			err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n})
		}
		if err != nil {
			log.Fatalf("%s=%s: %v", nofileEnv, v, err)
		}
	}
	main()
	os.Exit(0)
}

// child is a running sse-server.
type child struct {
	cmd     *exec.Cmd
	serving chan string   // the base URL, once it serves
	exited  chan struct{} // closed when it has exited; err is then set
	err     error

	mu  sync.Mutex
	log strings.Builder
}

// start runs sse-server with args (and nofile, if not 0, as its open-file
// limit), on a free loopback port unless args give -addr; it is killed at
// the end of the test if still running.
func start(t *testing.T, nofile int, args ...string) *child {
	t.Helper()
	if !slices.Contains(args, "-addr") {
		args = append([]string{"-addr", "127.0.0.1:0"}, args...)
	}
	c := &child{cmd: exec.Command(os.Args[0], args...), serving: make(chan string, 1), exited: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), childEnv+"=1")
	if nofile > 0 {
		c.cmd.Env = append(c.cmd.Env, nofileEnv+"="+strconv.Itoa(nofile))
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			line := s.Text()
			c.mu.Lock()
			c.log.WriteString(line + "\n")
			c.mu.Unlock()
			if _, rest, ok := strings.Cut(line, "serving http://"); ok {
				addr, _, _ := strings.Cut(rest, "/")
				c.serving <- "http://" + addr
			}
		}
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
		if t.Failed() {
			t.Logf("sse-server's log:\n%s", c.logged())
		}
	})
	return c
}

func (c *child) logged() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// url waits until the child serves and returns its base URL.
func (c *child) url(t *testing.T) string {
	t.Helper()
	select {
	case u := <-c.serving:
		return u
	case <-c.exited:
		t.Fatalf("sse-server exited (%v) instead of serving", c.err)
	case <-time.After(patience):
		t.Fatal("sse-server does not serve")
	}
	return ""
}

// wait waits until the child exits and returns its exit status.
func (c *child) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-c.exited:
		return c.err
	case <-time.After(patience):
		t.Fatal("sse-server does not exit")
	}
	return nil
}

// slowClient sends a request for target and reads the response head and
// the first body byte, then nothing: with a small receive buffer the
// server's writes soon block.
func slowClient(t *testing.T, base, target string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.(*net.TCPConn).SetReadBuffer(16 << 10)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target)
	conn.SetReadDeadline(time.Now().Add(patience))
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), nil)
	if err == nil {
		_, err = resp.Body.Read(make([]byte, 1))
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %v", target, err)
	}
	return conn
}

// TestLoopbackOnly: the scenarios include an open redirect and CORS that
// trusts any origin with credentials, so sse-server listens on a
// non-loopback address only with -public.
func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		c := start(t, 0, "-addr", addr, "-dist", t.TempDir())
		select {
		case <-c.serving:
			t.Errorf("-addr %s: serving, want a refusal", addr)
		case <-c.exited:
			if log := c.logged(); c.err == nil || !strings.Contains(log, "not a loopback address") || !strings.Contains(log, "-public") {
				t.Errorf("-addr %s: exited (%v) with %q, want a failure that names -public", addr, c.err, log)
			}
		case <-time.After(patience):
			t.Errorf("-addr %s: neither serving nor exiting", addr)
		}
	}
	allowed := [][]string{{"-addr", "localhost:0"}, {"-public", "-addr", "0.0.0.0:0"}}
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		ln.Close()
		allowed = append(allowed, []string{"-addr", "[::1]:0"})
	}
	for _, args := range allowed {
		c := start(t, 0, append(args, "-dist", t.TempDir())...)
		resp, err := http.Get(strings.Replace(c.url(t), "0.0.0.0", "127.0.0.1", 1) + "/sse/hello")
		if err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		resp.Body.Close()
	}
}

// TestIdleConnectionsClose: a keep-alive connection left idle is closed;
// 2,000 of them used to stay open, a goroutine each, for as long as the
// clients kept them.
func TestIdleConnectionsClose(t *testing.T) {
	c := start(t, 0, "-idle", "200ms", "-dist", t.TempDir())
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.url(t), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /sse/hello HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.Close {
		t.Fatalf("the response: %v, close %v; want a complete one on a kept-alive connection", err, resp.Close)
	}
	conn.SetReadDeadline(time.Now().Add(patience))
	if n, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("reading the idle connection: %d bytes, %v; want EOF: the server closes it", n, err)
	}
}

// TestSignalWithSlowClients: on SIGTERM, clients that do not read (their
// handlers blocked in a write, which no context ends) are disconnected and
// the exit is clean; it used to exit 1 after 5 s.
func TestSignalWithSlowClients(t *testing.T) {
	c := start(t, 0, "-dist", t.TempDir())
	base := c.url(t)
	for range 4 {
		// One 64 MiB chunk, more than the socket buffers hold (about 4
		// MB here): its handler is blocked in a write whenever the signal
		// comes.
		slowClient(t, base, "/sse/oversize?lines=1&linesize=67108864")
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(t); err != nil {
		t.Errorf("after SIGTERM: %v, want exit status 0", err)
	}
	if !strings.Contains(c.logged(), "closing the") {
		t.Errorf("the log does not say that connections were closed:\n%s", c.logged())
	}
}

// TestConnectionLimit: with more clients than the open-file limit allows, a
// new request gets a prompt 503 that says why, and is served once clients
// leave. Under ulimit -n 1024, 2,000 streams used to make Accept fail with
// "too many open files" and leave a new request unanswered until they left.
func TestConnectionLimit(t *testing.T) {
	// 256 descriptors: at most (256-64)/2 = 96 connections by default.
	c := start(t, 256, "-dist", t.TempDir())
	base := c.url(t)
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	defer func() {
		for _, conn := range held {
			conn.Close()
		}
	}()
	for range 300 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
		fmt.Fprint(conn, "GET /sse/hello?end=hang HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	client := &http.Client{Timeout: patience}
	resp, err := client.Get(base + "/sse/hello")
	if err != nil {
		t.Fatalf("a request beyond the limit: %v, want a prompt answer", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "too many connections: at most 96 at a time") {
		t.Errorf("a request beyond the limit: %s %q, want a 503 that says why", resp.Status, body)
	}
	// The first streams were accepted and are served.
	first := bufio.NewReader(held[0])
	held[0].SetReadDeadline(time.Now().Add(patience))
	if resp, err := http.ReadResponse(first, nil); err != nil || resp.StatusCode != 200 {
		t.Errorf("the first stream: %v", err)
	}
	if strings.Contains(c.logged(), "too many open files") {
		t.Errorf("sse-server ran out of descriptors")
	}

	for _, conn := range held {
		conn.Close()
	}
	held = nil
	deadline := time.Now().Add(patience)
	for {
		resp, err := client.Get(base + "/sse/hello")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("once the clients left: %v, %v; want a 200", resp, err)
		}
		time.Sleep(20 * time.Millisecond) // the server notices them leave
	}
}

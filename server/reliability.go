package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The scenarios of the reliability tests: a numbered stream that resumes
// exactly after Last-Event-ID under every fault the tests inject, hostile
// bodies of any size, and bodies stored by a test.

// Bounds of the reliability scenarios, so that a mistyped URL cannot make the
// server write forever.
const (
	maxNumbered     = 1 << 20 // events of one numbered stream
	maxNumberedSize = 1 << 20 // data bytes of one numbered event
	maxBig          = 64 << 20
	maxEndless      = 256 << 20
	maxHold         = 30 * time.Second
	maxBodies       = 4096 // bodies kept by SetBody
)

// numberedPad is the padding of numbered events: ASCII and 2-, 3- and 4-byte
// UTF-8, so that any split of a write cuts some character in two.
const numberedPad = "abcdé€😀 "

// NumberedData returns the data of event id of a numbered stream whose
// events carry size bytes of data (at least the decimal id): the id, then a
// space and padding cut at a character boundary. A client checks each
// received event against it.
func NumberedData(id, size int) string {
	return string(appendNumberedData(make([]byte, 0, max(size, 20)), id, size))
}

// NumberedEvent returns the wire form of event id of a numbered stream.
func NumberedEvent(id, size int) string {
	return string(appendNumberedEvent(make([]byte, 0, numberedEventMax(id, size)), id, size))
}

// appendNumberedData appends NumberedData(id, size) to b.
func appendNumberedData(b []byte, id, size int) []byte {
	start := len(b)
	b = strconv.AppendInt(b, int64(id), 10)
	rest := size - (len(b) - start) - 1
	if rest <= 0 {
		return b
	}
	b = append(b, ' ')
	for ; rest >= len(numberedPad); rest -= len(numberedPad) {
		b = append(b, numberedPad...)
	}
	for _, r := range numberedPad {
		if utf8.RuneLen(r) > rest {
			break
		}
		b = utf8.AppendRune(b, r)
		rest -= utf8.RuneLen(r)
	}
	return b
}

// appendNumberedEvent appends NumberedEvent(id, size) to b.
func appendNumberedEvent(b []byte, id, size int) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, "\ndata: "...)
	b = appendNumberedData(b, id, size)
	return append(b, "\n\n"...)
}

// numberedEventMax bounds the length of NumberedEvent(k, size) for k <= id.
func numberedEventMax(id, size int) int {
	digits := len(strconv.Itoa(id))
	return len("id: \ndata: \n\n") + digits + max(size, digits)
}

// numbered publishes events with ids 1..n (NumberedEvent) and resumes after
// the request's Last-Event-ID, as a server with a replay buffer does (SSE-27,
// SSE-29, SSE-35). The log is every event published so far, and an event is
// a function of its id, so any id can be replayed. Parameters, each settable
// per connection:
//
//	n       the last id, 0..1048576 (default 100)
//	size    data bytes per event, 0..1048576 (default: just the id)
//	upto    this connection stops after that id, then ends as end says
//	cut     this connection stops after that id, then writes the first
//	        half of the next event and ends as end says (a partial event)
//	batch   events per write (default 1; 0: the whole response in one
//	        write); bytewise=1 still flushes every byte
//	pause   K:D, pause D ms (0..120000) after the write that holds event
//	        K, or with K 0 after the response head, before any event; D
//	        "await" waits for Server.Release instead
//	hold    milliseconds (0..30000) to wait before the response head
//	proxy   1: like a buffering proxy, hold (if any) then send the head
//	        and the whole body of this connection in one write
//
// upto, cut and batch are in 0..1048576. A write is built in memory, so one
// write (batch events, or the whole body with batch=0 or proxy=1) may hold
// at most maxWrite (4 MiB): a request for more is refused with a 400. The
// events of a body are generated as they are written, so a body of any
// length within the bounds costs at most one write of memory.
//
// A CORS probe gets an empty stream and publishes nothing.
func numbered(c *call) {
	if c.probe {
		c.head()
		return
	}
	n := c.integer("n", 100, 0, maxNumbered)
	size := c.integer("size", 0, 0, maxNumberedSize)
	last, err := strconv.Atoi(strings.TrimSpace(c.lastEventID()))
	if err != nil || last < 0 {
		last = 0
	}
	stop := min(c.integer("upto", n, 0, maxNumbered), n)
	cut := c.integer("cut", -1, 0, maxNumbered)
	partial := 0 // bytes of event stop+1 that end the body
	if cut >= 0 {
		stop = min(cut, n)
		if stop < n {
			partial = len(NumberedEvent(stop+1, size)) / 2
		}
	}
	batch := c.integer("batch", 1, 0, maxNumbered)
	pauseAt, pause, pauseAwait := -1, time.Duration(0), false
	if p, ok := c.param("pause"); ok {
		k, d, _ := strings.Cut(p, ":")
		var errK, errD error
		pauseAt, errK = strconv.Atoi(k)
		ms := 0
		if pauseAwait = d == "await"; !pauseAwait {
			ms, errD = strconv.Atoi(d)
		}
		if errK != nil || errD != nil || pauseAt < 0 || ms < 0 || ms > int(maxHang/time.Millisecond) {
			c.reject("pause=%s: want K:D or K:await, with K an id and D in 0..%d ms", p, maxHang/time.Millisecond)
		}
		pause = time.Duration(ms) * time.Millisecond
	}
	hold := c.integer("hold", 0, 0, int(maxHold/time.Millisecond))
	proxy := c.flag("proxy")
	retry, hasRetry := c.param("retry")

	// What one write holds, at most.
	events := max(stop-last, 0)
	perWrite, what := events, "batch=0"
	switch {
	case proxy:
		what = "proxy=1"
	case batch > 0:
		perWrite, what = min(batch, events), "batch="+strconv.Itoa(batch)
	}
	writeBytes := perWrite*numberedEventMax(stop, size) + partial
	if proxy && hasRetry {
		writeBytes += len("retry: \n") + len(retry)
	}
	if writeBytes > maxWrite {
		c.reject("%s: one write would hold %d events of up to %d bytes, %d bytes in all, "+
			"above the bound of %d bytes a write; ask for a smaller batch, n or size",
			what, perWrite, numberedEventMax(stop, size), writeBytes, maxWrite)
	}
	if c.refused() {
		return
	}
	if hold > 0 && !wait(c.r.Context(), time.Duration(hold)*time.Millisecond) {
		return
	}

	buf := make([]byte, 0, writeBytes)
	if proxy {
		if hasRetry {
			buf = append(buf, "retry: "+retry+"\n"...)
		}
		for id := last + 1; id <= stop; id++ {
			buf = appendNumberedEvent(buf, id, size)
		}
		if partial > 0 {
			buf = append(buf, NumberedEvent(stop+1, size)[:partial]...)
		}
		c.writeHead()
		if writeChunk(c, buf) {
			c.end()
		}
		return
	}

	c.head()
	if !c.writeRetry() {
		return
	}
	// pauseHere is the pause: for Server.Release, or for the duration.
	pauseHere := func() bool {
		if pauseAwait {
			return c.await()
		}
		return wait(c.r.Context(), pause)
	}
	if pauseAt == 0 && !pauseHere() {
		return
	}
	pending := 0
	send := func() bool {
		ok := len(buf) == 0 || writeChunk(c, buf)
		buf = buf[:0]
		pending = 0
		return ok
	}
	for id := last + 1; id <= stop; id++ {
		buf = appendNumberedEvent(buf, id, size)
		if id == stop && partial > 0 {
			// The partial event goes out in the same write as the last
			// whole one, so a client that got that event has read it.
			buf = append(buf, NumberedEvent(stop+1, size)[:partial]...)
			partial = 0
		}
		pending++
		if (batch > 0 && pending >= batch) || id == pauseAt {
			if !send() {
				return
			}
		}
		if id == pauseAt && !pauseHere() {
			return
		}
	}
	if partial > 0 {
		buf = append(buf, NumberedEvent(stop+1, size)[:partial]...)
	}
	if send() {
		c.end()
	}
}

// oversize sends before small events (id 1.., "small N"), then one event of lines
// data lines of linesize bytes each (comment=1 makes them comment lines),
// each line its own chunk (streamed, flushed at its end), then "data:
// after", then ends as end says. It exceeds the polyfill's limits on
// purpose: the default 16 MiB with lines=17 (the default), a small
// maxEventSize or maxLineSize with small lines. Bounds: before 0..1000,
// lines 0..1024, linesize 0..64 MiB, and lines is lowered so that the lines
// total at most 64 MiB.
func oversize(c *call) {
	before := c.integer("before", 0, 0, 1000)
	lines := c.integer("lines", 17, 0, 1024)
	size := c.integer("linesize", 1<<20, 0, maxBig)
	if c.refused() {
		return
	}
	if lines*size > maxBig {
		lines = maxBig / max(size, 1)
	}
	field := "data: "
	if c.flag("comment") {
		field = ": "
	}
	c.head()
	if !c.writeRetry() {
		return
	}
	for i := 1; i <= before; i++ {
		if !c.write(fmt.Sprintf("id: %d\ndata: small %d\n\n", i, i)) {
			return
		}
	}
	for range lines {
		if !c.writeLine(field, size) {
			return
		}
	}
	if c.write("\ndata: after\n\n") {
		c.end()
	}
}

// endless sends "data: " and then a line that never ends: x in 64 KiB
// writes up to limit bytes (0..256 MiB, default 32 MiB), then ends as end
// says. A client without a line limit buffers all of it.
func endless(c *call) {
	limit := c.integer("limit", 32<<20, 0, maxEndless)
	if c.refused() {
		return
	}
	c.head()
	if !c.writeRetry() || !c.write("data: ") {
		return
	}
	for sent := 0; sent < limit; sent += len(xs) {
		if !c.write(xs[:min(len(xs), limit-sent)]) {
			return
		}
	}
	c.end()
}

// SetBody stores a body under name for the stored scenario, as the chunks it
// is written in: /sse/stored?body=name writes each chunk and flushes, so that
// with a gap the client reads the body split exactly there. At most 4096
// bodies are kept; storing more forgets the oldest.
func (s *Server) SetBody(name string, chunks ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bodies == nil {
		s.bodies = make(map[string][]string)
	}
	if _, ok := s.bodies[name]; !ok {
		if len(s.bodyOrder) >= maxBodies {
			delete(s.bodies, s.bodyOrder[0])
			s.bodyOrder = s.bodyOrder[1:]
		}
		s.bodyOrder = append(s.bodyOrder, name)
	}
	s.bodies[name] = chunks
}

// stored serves a body stored with SetBody; an unknown name is a 404.
func stored(c *call) {
	c.s.mu.Lock()
	chunks, ok := c.s.bodies[c.get("body", "")]
	c.s.mu.Unlock()
	if !ok {
		c.w.WriteHeader(404)
		return
	}
	c.stream(chunks...)
}

package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveStream answers the request of one job with its workload. A job's
// stream is served once: a reconnection (an implementation that reconnects
// after the body ended before the page closed it) gets 204, which tells an
// EventSource to stop, rather than the whole body again.
func (s *benchServer) serveStream(w http.ResponseWriter, r *http.Request) {
	wl := s.workloads[r.PathValue("workload")]
	id, err := strconv.Atoi(r.URL.Query().Get("job"))
	if wl == nil || err != nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	again := s.served[id]
	s.served[id] = true
	s.mu.Unlock()
	if again {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	switch wl.kind {
	case kindThroughput:
		// One write of the whole body: the kernel and the browser's network
		// stack choose the read sizes, as with a fast real server.
		w.Write(wl.body)
	case kindLatency, kindCold:
		s.streamLatency(w, rc, r, wl)
	case kindStartup:
		// The first event at once, then the stream stays open as a real one
		// would, until the page closes it.
		w.Write(wl.body)
		rc.Flush()
		select {
		case <-r.Context().Done():
		case <-s.quit:
		}
	}
}

// streamLatency sends wl.events events, wl.interval apart, each stamped with
// the server's wall clock in milliseconds just before it is written. The
// ticker paces the stream; it synchronizes nothing.
func (s *benchServer) streamLatency(w http.ResponseWriter, rc *http.ResponseController, r *http.Request, wl *workload) {
	// The headers go out at once, so that the client is open before the
	// first stamped event. No comment line: @microsoft/fetch-event-source
	// dispatches an empty event for a comment-only block.
	rc.Flush()
	tick := time.NewTicker(wl.interval)
	defer tick.Stop()
	for range wl.events {
		select {
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		}
		ms := float64(time.Now().UnixMicro()) / 1e3
		stamp := strconv.FormatFloat(ms, 'f', 3, 64)
		if wl.size > 0 {
			// The stamp, a space, and padding up to size bytes of data.
			io.WriteString(w, "data: "+stamp+" "+strings.Repeat("x", wl.size-len(stamp)-1)+"\n\n")
		} else {
			io.WriteString(w, "data: "+stamp+"\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}

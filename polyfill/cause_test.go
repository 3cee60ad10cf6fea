package polyfill

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// TestErrorCause checks the host's cause of an engine error: it ends the
// message, errors.Is and errors.As reach it, and an error without one keeps
// the message it had, including the sentinel match of a limit error.
func TestErrorCause(t *testing.T) {
	d := NewConn("http://example.com/", Options{}).End(KindNetwork)
	if d.Action != Reestablish || d.Err == nil || d.Err.Cause != nil {
		t.Fatalf("End(KindNetwork) = %+v; want Reestablish with an error and no cause", d)
	}
	bare := d.Err.Error()
	d.Err.Cause = fs.ErrNotExist
	if got := d.Err.Error(); got != bare+": "+fs.ErrNotExist.Error() {
		t.Errorf("message with a cause %q; want %q and the cause", got, bare)
	}
	if !errors.Is(d.Err, fs.ErrNotExist) {
		t.Error("errors.Is does not reach the cause")
	}
	var pe *fs.PathError
	wrapped := &Error{Kind: KindRequest, Cause: &fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}}
	if !errors.As(wrapped, &pe) || !errors.Is(wrapped, fs.ErrPermission) {
		t.Error("errors.As / errors.Is do not reach a wrapped cause")
	}
	limit := &Error{Kind: KindLineTooLong, Limit: 16}
	if !errors.Is(limit, ErrLineTooLong) || errors.Is(limit, ErrEventTooLarge) || strings.Contains(limit.Error(), ": <nil>") {
		t.Errorf("a limit error without a cause: %q, sentinel match broken", limit.Error())
	}
}

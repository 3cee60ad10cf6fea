package main

import "testing"

// TestDefaultMaxConns: two descriptors a connection, 64 spare, 1024 at most.
func TestDefaultMaxConns(t *testing.T) {
	for _, tc := range []struct {
		limit uint64
		want  int
	}{{0, 1024}, {10, 1}, {66, 1}, {256, 96}, {1024, 480}, {1 << 20, 1024}} {
		if got := defaultMaxConns(tc.limit); got != tc.want {
			t.Errorf("defaultMaxConns(%d) = %d, want %d", tc.limit, got, tc.want)
		}
	}
}

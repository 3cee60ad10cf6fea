package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPreserved: the sections of other generators are kept whole, in
// order; an unterminated or mismatched one is not.
func TestPreserved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	old := "# Benchmarks\n\nold figures\n\n" +
		"<!-- section: go-client (written by benchreport) -->\n## Go\n\n| a |\n<!-- end section: go-client -->\n" +
		"tail\n<!-- section: other -->\nx\n<!-- end section: go-client -->\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "\n<!-- section: go-client (written by benchreport) -->\n## Go\n\n| a |\n<!-- end section: go-client -->\n"
	if got := string(preserved(path)); got != want {
		t.Errorf("preserved %q, want %q", got, want)
	}
	if got := preserved(filepath.Join(t.TempDir(), "missing.md")); got != nil {
		t.Errorf("a missing file gave %q", got)
	}
}

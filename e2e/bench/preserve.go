package main

import (
	"os"
	"regexp"
)

// Sections of BENCHMARKS.md that other generators write (the Go client's
// comparison, by e2e/gocompare's benchreport) sit between
//
//	<!-- section: NAME ... -->
//	<!-- end section: NAME -->
//
// lines. This command writes the file whole, so it copies them from the
// file it replaces to the end of the new one, unchanged.
var preservedSection = regexp.MustCompile(`(?ms)^<!-- section: ([a-z0-9-]+)\b.*?^<!-- end section: ([a-z0-9-]+) -->\n?`)

// preserved returns the sections of the file at path, each ending in a
// newline, or nil when it has none.
func preserved(path string) []byte {
	old, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []byte
	for _, m := range preservedSection.FindAllSubmatchIndex(old, -1) {
		if string(old[m[2]:m[3]]) != string(old[m[4]:m[5]]) {
			continue // not the end of the same section
		}
		sec := old[m[0]:m[1]]
		out = append(append(out, '\n'), sec...)
		if sec[len(sec)-1] != '\n' {
			out = append(out, '\n')
		}
	}
	return out
}

package polyfill

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The checklist of the standard's rules, SSE-SPEC.md at the repository root,
// read by the coverage tests. Its format is described at its top.

// repoRoot is the repository, relative to this package.
const repoRoot = ".."

// specSite is the page of the standard that every rule links to.
const specSite = "https://html.spec.whatwg.org/multipage/server-sent-events.html"

// checkRule is one rule of the checklist.
type checkRule struct {
	id       int
	line     int    // where its item starts, for messages
	section  string // "A", "B", …
	tags     string // as written, e.g. "[E+S] [Chrome]"
	standard []string
	tested   []testedIn
	engine   string // the Engine: line, "" when there is none
}

// testedIn is one location of a rule's "Tested in:" line.
type testedIn struct {
	path  string   // relative to the repository, with slashes
	names []string // identifiers, or quoted titles and scenario names
}

// engineShare reports whether the engine has a part in the rule today: its
// tag names the engine and no "Engine: none" line says the shim still does it.
func (r checkRule) engineShare() bool {
	return (strings.Contains(r.tags, "[E]") || strings.Contains(r.tags, "[E+S]")) &&
		!strings.HasPrefix(r.engine, "none")
}

var (
	sectionLine = regexp.MustCompile(`^## ([A-Z])\. `)
	ruleLine    = regexp.MustCompile(`^- \*\*SSE-(\d+)((?: \[[^\]]+\])*)\*\*`)
	fieldLine   = regexp.MustCompile(`^\s+(Standard|Tested in|Engine): (.*?)\\?$`)
	linkTarget  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// ruleID finds citations; \d+ is greedy, so SSE-10 never reads as SSE-1
	// and SSE-19c reads as SSE-19.
	ruleID = regexp.MustCompile(`SSE-(\d+)`)
)

// readChecklist parses SSE-SPEC.md, failing t on anything it cannot read.
func readChecklist(t testing.TB) []checkRule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "SSE-SPEC.md"))
	if err != nil {
		t.Fatalf("the checklist: %v", err)
	}
	var rules []checkRule
	section := ""
	for i, line := range strings.Split(string(b), "\n") {
		if m := sectionLine.FindStringSubmatch(line); m != nil {
			section = m[1]
			continue
		}
		if m := ruleLine.FindStringSubmatch(line); m != nil {
			id, _ := strconv.Atoi(m[1])
			rules = append(rules, checkRule{id: id, line: i + 1, section: section, tags: strings.TrimSpace(m[2])})
			continue
		}
		m := fieldLine.FindStringSubmatch(line)
		if m == nil || len(rules) == 0 {
			continue
		}
		r := &rules[len(rules)-1]
		switch m[1] {
		case "Standard":
			for _, l := range linkTarget.FindAllStringSubmatch(m[2], -1) {
				r.standard = append(r.standard, l[1])
			}
		case "Tested in":
			if r.tested, err = parseTestedIn(m[2]); err != nil {
				t.Fatalf("SSE-SPEC.md:%d: SSE-%d: %v", i+1, r.id, err)
			}
		case "Engine":
			r.engine = m[2]
		}
	}
	if len(rules) == 0 {
		t.Fatal("SSE-SPEC.md has no rules")
	}
	return rules
}

// parseTestedIn reads "`a/b_test.go` (TestX, \"row\"), `c.mjs`".
func parseTestedIn(s string) ([]testedIn, error) {
	var out []testedIn
	for s = strings.TrimSpace(s); s != ""; {
		if !strings.HasPrefix(s, "`") {
			return nil, fmt.Errorf("want a `path` at %q", s)
		}
		p, rest, ok := strings.Cut(s[1:], "`")
		if !ok {
			return nil, fmt.Errorf("unclosed ` in %q", s)
		}
		loc := testedIn{path: p}
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "(") {
			rest = rest[1:]
			for {
				rest = strings.TrimLeft(rest, " ")
				var name string
				if strings.HasPrefix(rest, `"`) {
					end := strings.Index(rest[1:], `"`)
					if end < 0 {
						return nil, fmt.Errorf("unclosed quote in %q", rest)
					}
					name, rest = rest[:end+2], rest[end+2:]
				} else {
					end := strings.IndexAny(rest, ",)")
					if end <= 0 {
						return nil, fmt.Errorf("want a name at %q", rest)
					}
					name, rest = rest[:end], rest[end:]
				}
				loc.names = append(loc.names, name)
				if strings.HasPrefix(rest, ")") {
					rest = rest[1:]
					break
				}
				if !strings.HasPrefix(rest, ",") {
					return nil, fmt.Errorf("want , or ) at %q", rest)
				}
				rest = rest[1:]
			}
		}
		out = append(out, loc)
		rest = strings.TrimSpace(rest)
		if rest != "" && !strings.HasPrefix(rest, ",") {
			return nil, fmt.Errorf("want , between locations at %q", rest)
		}
		s = strings.TrimSpace(strings.TrimPrefix(rest, ","))
	}
	return out, nil
}

// engineRules returns the ids of the rules of the given sections in which
// the engine has a part, for the table-coverage tests.
func engineRules(t testing.TB, sections ...string) []int {
	t.Helper()
	var ids []int
	for _, r := range readChecklist(t) {
		if slices.Contains(sections, r.section) && r.engineShare() {
			ids = append(ids, r.id)
		}
	}
	if len(ids) == 0 {
		t.Fatalf("SSE-SPEC.md has no engine rules in sections %v", sections)
	}
	return ids
}

// citedBy returns, for each file of the repository that cites rules, the
// ids it cites; keep selects files by their slash-separated path.
func citedBy(t testing.TB, keep func(string) bool) map[string]map[int]bool {
	t.Helper()
	out := map[string]map[int]bool{}
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, repoRoot+string(filepath.Separator)))
		if d.IsDir() {
			// Build output and installed packages are not ours.
			if p != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || rel == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !keep(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range ruleID.FindAllSubmatch(b, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			if out[rel] == nil {
				out[rel] = map[int]bool{}
			}
			out[rel][n] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// isTestFile reports whether a file counts as a test of the rules. This
// file is not one: it only reads the checklist.
func isTestFile(rel string) bool {
	if rel == "polyfill/spec_test.go" {
		return false
	}
	dir := path.Dir(rel)
	return strings.HasSuffix(rel, "_test.go") ||
		(dir == "js/test" && strings.HasSuffix(rel, ".mjs")) ||
		dir == "e2e/testdata"
}

// isSource reports whether a file's comments may cite rules.
func isSource(rel string) bool {
	switch path.Ext(rel) {
	case ".go", ".js", ".mjs", ".ts", ".html", ".md":
		return rel != "SSE-SPEC.md"
	}
	return false
}

// TestChecklist checks the repository against SSE-SPEC.md: the rules are
// numbered once each and link to the standard; every rule is cited by a
// test file; every "Tested in" location exists, cites its rule and has the
// names it lists; and every citation anywhere names a rule of the checklist.
func TestChecklist(t *testing.T) {
	rules := readChecklist(t)
	known := map[int]bool{}
	for _, r := range rules {
		if known[r.id] {
			t.Errorf("SSE-SPEC.md:%d: SSE-%d appears twice", r.line, r.id)
		}
		known[r.id] = true
		if !slices.ContainsFunc(r.standard, func(u string) bool { return strings.HasPrefix(u, specSite+"#") }) {
			t.Errorf("SSE-SPEC.md:%d: SSE-%d links to no section of %s", r.line, r.id, specSite)
		}
		if len(r.tested) == 0 {
			t.Errorf("SSE-SPEC.md:%d: SSE-%d has no Tested in line", r.line, r.id)
		}
	}

	tests := citedBy(t, isTestFile)
	for _, r := range rules {
		cited := false
		for _, ids := range tests {
			cited = cited || ids[r.id]
		}
		if !cited {
			t.Errorf("SSE-%d is cited by no test file (*_test.go, js/test/*.mjs, e2e/testdata/*)", r.id)
		}
		for _, loc := range r.tested {
			checkLocation(t, r, loc, tests)
		}
	}

	for file, ids := range citedBy(t, isSource) {
		for _, n := range slices.Sorted(maps.Keys(ids)) {
			if !known[n] {
				t.Errorf("%s cites SSE-%d, which SSE-SPEC.md does not have", file, n)
			}
		}
	}
}

// checkLocation checks one "Tested in" location of r.
func checkLocation(t *testing.T, r checkRule, loc testedIn, tests map[string]map[int]bool) {
	t.Helper()
	where := fmt.Sprintf("SSE-SPEC.md:%d: SSE-%d: tested in %s", r.line, r.id, loc.path)
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(loc.path)))
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	if !isTestFile(loc.path) {
		t.Errorf("%s: not a test file", where)
	}
	if !tests[loc.path][r.id] {
		t.Errorf("%s, which does not cite it", where)
	}
	for _, name := range loc.names {
		var found bool
		if strings.HasPrefix(name, `"`) {
			found = strings.Contains(string(b), name)
		} else {
			found = regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).Match(b)
		}
		if !found {
			t.Errorf("%s: %s is not in the file", where, name)
		}
	}
}

// TestChecklistFormat checks the reader on the format's corner cases, so
// that a misread checklist cannot pass the tests above by being empty.
func TestChecklistFormat(t *testing.T) {
	got, err := parseTestedIn("`a/x_test.go` (TestA, TestB), `b.mjs` (\"t (1, 2)\"), `c/d.js`")
	want := []testedIn{{"a/x_test.go", []string{"TestA", "TestB"}}, {"b.mjs", []string{`"t (1, 2)"`}}, {"c/d.js", nil}}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parseTestedIn = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"a_test.go", "`a_test.go", "`a` (X", "`a` (\"x)", "`a` `b`"} {
		if _, err := parseTestedIn(bad); err == nil {
			t.Errorf("parseTestedIn(%q) gave no error", bad)
		}
	}
	rules := readChecklist(t)
	if n := len(rules); n < 60 || rules[0].id != 1 || rules[n-1].id != n {
		t.Errorf("read %d rules, SSE-%d to SSE-%d; want SSE-1 onwards, in order", n, rules[0].id, rules[n-1].id)
	}
	for _, r := range rules {
		if r.section == "" || r.tags == "" {
			t.Errorf("SSE-%d: section %q, tags %q", r.id, r.section, r.tags)
		}
	}
}

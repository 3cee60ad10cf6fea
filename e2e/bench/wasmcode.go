package main

import (
	"encoding/binary"
	"errors"
	"os"
	"sort"
	"strings"
)

// codeSize is the size of the function bodies of one package of a wasm
// module built by Go.
type codeSize struct {
	pkg   string
	bytes int
	funcs int
}

// codeByPackage reads a wasm module that keeps its name section (built
// without -s) and returns the size of its function bodies per Go package,
// largest first, and the size of its data segments. Go names functions
// "pkg.Func" with the path's slashes as underscores and a domain's dots
// kept ("github.com_owner_repo_pkg.Func"), so the package is what precedes
// the first dot after the domain.
func codeByPackage(path string) ([]codeSize, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, 0, errors.New(path + ": not a wasm module")
	}
	r := wasmReader{b: b, i: 8}
	var bodies []int
	imported, data := 0, 0
	names := map[int]string{}
	for r.i < len(b) && r.err == nil {
		id := r.byte()
		size := int(r.uleb())
		end := r.i + size
		if r.err != nil || end > len(b) {
			return nil, 0, errors.New(path + ": truncated section")
		}
		sec := wasmReader{b: b[:end], i: r.i}
		switch id {
		case 2: // imports: their functions come first in the index space
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sec.skip(int(sec.uleb())) // module
				sec.skip(int(sec.uleb())) // name
				switch sec.byte() {
				case 0: // function
					sec.uleb()
					imported++
				case 1: // table
					sec.byte()
					sec.limits()
				case 2: // memory
					sec.limits()
				case 3: // global
					sec.skip(2)
				}
			}
		case 10: // code
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				l := int(sec.uleb())
				bodies = append(bodies, l)
				sec.skip(l)
			}
		case 11:
			data += size
		case 0:
			if sec.name() != "name" {
				break
			}
			for sec.i < end && sec.err == nil {
				sub := sec.byte()
				l := int(sec.uleb())
				next := sec.i + l
				if sub == 1 { // function names
					for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
						idx := int(sec.uleb())
						names[idx] = sec.name()
					}
				}
				sec.i = next
			}
		}
		if sec.err != nil {
			return nil, 0, errors.New(path + ": " + sec.err.Error())
		}
		r.i = end
	}
	if len(names) == 0 {
		return nil, 0, errors.New(path + ": no name section (built with -s?)")
	}
	by := map[string]*codeSize{}
	for k, l := range bodies {
		pkg := goPackage(names[imported+k])
		c := by[pkg]
		if c == nil {
			c = &codeSize{pkg: pkg}
			by[pkg] = c
		}
		c.bytes += l
		c.funcs++
	}
	out := make([]codeSize, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].bytes > out[j].bytes })
	return out, data, nil
}

// goPackage returns the package of a Go function's wasm name, with its
// path's slashes back: "internal_runtime_maps.f" is internal/runtime/maps.
// A hyphen of a module path is an underscore too, so the two modules the
// bridge links are named outright.
func goPackage(name string) string {
	if strings.HasPrefix(name, "type_.") {
		return "(type equality and hash functions)"
	}
	for _, m := range []string{"github.com/eventsource-wasm/eventsource", "github.com/hack-pad/safejs"} {
		mangled := strings.NewReplacer("/", "_", "-", "_").Replace(m)
		if rest, ok := strings.CutPrefix(name, mangled); ok {
			pkg, _, _ := strings.Cut(rest, ".")
			return m + strings.ReplaceAll(pkg, "_", "/")
		}
	}
	pkg, _, _ := strings.Cut(name, ".")
	return strings.ReplaceAll(pkg, "_", "/")
}

type wasmReader struct {
	b   []byte
	i   int
	err error
}

func (r *wasmReader) byte() byte {
	if r.err != nil || r.i >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *wasmReader) uleb() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[min(r.i, len(r.b)):])
	if n <= 0 {
		r.err = errors.New("bad LEB128")
		return 0
	}
	r.i += n
	return v
}

func (r *wasmReader) skip(n int) {
	if r.err == nil && (n < 0 || r.i+n > len(r.b)) {
		r.err = errors.New("truncated")
	}
	r.i += n
}

func (r *wasmReader) limits() {
	if r.byte()&1 == 1 {
		r.uleb()
	}
	r.uleb()
}

func (r *wasmReader) name() string {
	l := int(r.uleb())
	start := r.i
	r.skip(l)
	if r.err != nil {
		return ""
	}
	return string(r.b[start : start+l])
}

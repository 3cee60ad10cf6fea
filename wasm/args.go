//go:build js && wasm

package main

import "github.com/hack-pad/safejs"

// Arguments from JS are read leniently: the shim validates options before
// they get here, and a missing or mistyped value takes its zero value rather
// than throwing inside an engine call.

func prop(obj safejs.Value, name string) (safejs.Value, bool) {
	if obj.Type() != safejs.TypeObject {
		return safejs.Value{}, false
	}
	v, err := obj.Get(name)
	if err != nil || v.IsUndefined() || v.IsNull() {
		return safejs.Value{}, false
	}
	return v, true
}

func stringArg(v safejs.Value) (string, bool) {
	if v.Type() != safejs.TypeString {
		return "", false
	}
	s, err := v.String()
	return s, err == nil
}

func stringProp(obj safejs.Value, name string) string {
	v, ok := prop(obj, name)
	if !ok {
		return ""
	}
	s, _ := stringArg(v)
	return s
}

func boolProp(obj safejs.Value, name string) bool {
	v, ok := prop(obj, name)
	if !ok {
		return false
	}
	b, err := v.Truthy()
	return err == nil && b
}

func floatProp(obj safejs.Value, name string) float64 {
	v, ok := prop(obj, name)
	if !ok || v.Type() != safejs.TypeNumber {
		return 0
	}
	f, err := v.Float()
	if err != nil || f != f {
		return 0
	}
	return f
}

func intProp(obj safejs.Value, name string) int {
	f := floatProp(obj, name)
	if f < 0 || f > 1<<52 {
		return 0
	}
	return int(f)
}

func intsProp(obj safejs.Value, name string) []int {
	v, ok := prop(obj, name)
	if !ok {
		return nil
	}
	n, err := v.Length()
	if err != nil {
		return nil
	}
	out := make([]int, 0, n)
	for i := range n {
		e, err := v.Index(i)
		if err != nil {
			return out
		}
		if x, err := e.Int(); err == nil {
			out = append(out, x)
		}
	}
	return out
}

//go:build js && wasm

package main

import "github.com/hack-pad/safejs"

// Arguments from JS are read leniently: the shim validates options before
// they get here, and a missing or mistyped argument takes its default rather
// than throwing inside an engine call.

func boolArg(args []safejs.Value, i int, def bool) bool {
	if i >= len(args) || args[i].IsUndefined() || args[i].IsNull() {
		return def
	}
	v, err := args[i].Truthy()
	if err != nil {
		return def
	}
	return v
}

func intArg(args []safejs.Value, i int) int {
	if i >= len(args) {
		return 0
	}
	v, err := args[i].Int()
	if err != nil {
		return 0
	}
	return v
}

func stringArg(args []safejs.Value, i int) (string, bool) {
	if i >= len(args) || args[i].IsNull() || args[i].IsUndefined() {
		return "", false
	}
	if args[i].Type() != safejs.TypeString {
		return "", false
	}
	s, err := args[i].String()
	return s, err == nil
}

//go:build !unix

package main

// openFileLimit is 0: unknown.
func openFileLimit() uint64 { return 0 }

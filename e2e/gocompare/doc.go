// Package gocompare benchmarks package sse, the Go client of this module,
// side by side with other Go SSE clients. It is a module of its own so that
// their dependencies stay out of the main module's go.mod.
package gocompare

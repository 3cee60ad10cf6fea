package polyfill

// Exported for the external tests of this directory (readerfuzz_test.go),
// which import package sse and so cannot be in package polyfill.

// RefEvent is an event of the reference parser, as text.
type RefEvent = ev

// RefParse runs the reference parser (reference_test.go) on one body: its
// events, the error that stopped it, and the last event ID and
// reconnection time it ends with.
func RefParse(body []byte, lim Limits) (events []RefEvent, err error, id string, retry int) {
	r := refParse([][]byte{body}, lim)
	return r.events, r.errs[0], r.id, r.retry
}

// SeedStreams are the fuzz targets' seeds (fuzz_test.go).
var SeedStreams = seedStreams

// FuzzLimits is fuzzLimits of fuzz_test.go.
var FuzzLimits = fuzzLimits

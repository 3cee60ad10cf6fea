//go:build js && wasm

package main

import (
	"math"

	"github.com/eventsource-wasm/eventsource/polyfill"
	"github.com/hack-pad/safejs"
)

// Arguments from JS are read leniently: the shim validates options before
// they get here, and a missing or mistyped value takes its zero value rather
// than throwing inside an engine call.
//
// open and response take their fields as one string of items, in the syntax
// of the codec's trailer: LF-separated, each a tag letter and a value
// without LF (the shim's URLs are serialized, its method is a token, its
// last event ID and header values hold no CR or LF). js/src/codec.js writes
// them. One string and a loop cost a fraction of the code of a property
// read through syscall/js per field, each with its own error handling.
//
// open's items, each optional, any repeated item but Q taking its last value:
//
//	U<url>     the URL, parsed and serialized
//	M<method>  the request method
//	R<how>     reconnect: "always" or "never"; else automatic
//	S          strict charset
//	L<n>       the maximum line size
//	E<n>       the maximum event size
//	I<id>      the initial last event ID
//	D<ms>      the initial delay
//	F<n>       the backoff factor in units of 2^-52, an integer for any
//	           factor of at least 1: it crosses exactly, without a float
//	           parser in the engine
//	X<ms>      the maximum delay
//	J          jitter
//	N<n>       the maximum attempts
//	Q<status>  a status to retry, one item each
//
// response's items:
//
//	S<n>       the status
//	T<type>    the Content-Type header
//	U<url>     the final URL
//	R<value>   the Retry-After header
//
// Numbers are decimal digits; anything else reads as 0.

// stringArg returns the string at args[i], or "" for anything else.
func stringArg(args []safejs.Value, i int) string {
	if i >= len(args) || args[i].Type() != safejs.TypeString {
		return ""
	}
	s, _ := args[i].String()
	return s
}

// cutItem returns the tag and value of the first item of s and the rest.
// A loop, not strings.Cut, which would link 4.5 KB of search code.
func cutItem(s string) (tag byte, value, rest string) {
	i := 0
	for i < len(s) && s[i] != '\n' {
		i++
	}
	if i < len(s) {
		rest = s[i+1:]
	}
	if i == 0 {
		return 0, "", rest
	}
	return s[0], s[1:i], rest
}

// number parses a number of an item: decimal digits, at most math.MaxInt.
func number(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		d := int(s[i] - '0')
		if d < 0 || d > 9 || n > (math.MaxInt-d)/10 {
			return 0
		}
		n = n*10 + d
	}
	return n
}

// openOptions reads open's items: the URL and the options.
func openOptions(s string) (url string, o polyfill.Options) {
	for s != "" {
		tag, v, rest := cutItem(s)
		s = rest
		n := number(v) // for the items that are numbers
		switch tag {
		case 'U':
			url = v
		case 'M':
			o.Method = v
		case 'R':
			switch v {
			case "always":
				o.Reconnect = polyfill.ReconnectAlways
			case "never":
				o.Reconnect = polyfill.ReconnectNever
			default:
				o.Reconnect = polyfill.ReconnectAuto
			}
		case 'S':
			o.StrictCharset = true
		case 'L':
			o.Limits.MaxLineSize = min(n, polyfill.MaxLimit)
		case 'E':
			o.Limits.MaxEventSize = min(n, polyfill.MaxLimit)
		case 'I':
			o.LastEventID = v
		case 'D':
			o.Policy.InitialDelay = n
		case 'F':
			o.Policy.Factor = float64(n) / (1 << 52)
		case 'X':
			o.Policy.MaxDelay = n
		case 'J':
			o.Policy.Jitter = true
		case 'N':
			o.Policy.MaxAttempts = n
		case 'Q':
			o.Policy.RetryStatuses = append(o.Policy.RetryStatuses, n)
		}
	}
	return url, o
}

// responseOf reads response's items.
func responseOf(s string) polyfill.Response {
	var r polyfill.Response
	for s != "" {
		tag, v, rest := cutItem(s)
		s = rest
		switch tag {
		case 'S':
			r.Status = number(v)
		case 'T':
			r.ContentType = v
		case 'U':
			r.URL = v
		case 'R':
			r.RetryAfter = v
		}
	}
	return r
}

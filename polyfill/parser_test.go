package polyfill

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// retryZero in parserTest.retry wants a reconnection time of 0 ms; the zero
// value of the field wants DefaultRetry.
const retryZero = -1

type parserTest struct {
	rules  string // the SSE-N rules the row covers
	name   string
	in     string   // the body, as one chunk
	chunks []string // or: the body, fed in these chunks
	bodies []string // or: several bodies (responses), Reset before each
	limits Limits
	want   []ev    // dispatched events
	id     string  // final LastEventID
	retry  int     // final ReconnectionTime (see retryZero)
	err    error   // the error that stopped the last body
	errs   []error // or: the error of each body
}

// Shorthands for the expected events.
func msg(data, id string) ev { return ev{"message", data, id} }

var (
	digits1000 = strings.Repeat("1", 1000)
	zeros999   = strings.Repeat("0", 999)
	longData   = strings.Repeat("x", 100_000)
	comment2K  = ":" + strings.Repeat("c", 2048)
)

var parserTests = []parserTest{
	// D. Decoding (SSE-31): one U+FFFD per maximal subpart, WHATWG ranges.
	{rules: "SSE-31", name: "valid multibyte", in: "data: héllo €𝄞 \xF4\x8F\xBF\xBF\n\n", want: []ev{msg("héllo €𝄞 \U0010FFFF", "")}},
	{rules: "SSE-31", name: "encoded U+FFFD is valid", in: "data: \xEF\xBF\xBD\n\n", want: []ev{msg("\uFFFD", "")}},
	{rules: "SSE-31", name: "truncated 4-byte is one subpart", in: "data: \xF0\x9F\x98\n\n", want: []ev{msg("\uFFFD", "")}},
	{rules: "SSE-31", name: "truncated 4-byte then ASCII", in: "data: \xF0\x9F\x98x\n\n", want: []ev{msg("\uFFFDx", "")}},
	{rules: "SSE-31", name: "truncated 3-byte at line end", in: "data: \xE2\x82\r\r", want: []ev{msg("\uFFFD", "")}},
	{rules: "SSE-31", name: "overlong C0 80 is two", in: "data: \xC0\x80\n\n", want: []ev{msg("\uFFFD\uFFFD", "")}},
	{rules: "SSE-31", name: "overlong E0 80 80 is three", in: "data: \xE0\x80\x80\n\n", want: []ev{msg("\uFFFD\uFFFD\uFFFD", "")}},
	{rules: "SSE-31", name: "surrogate ED A0 80 is three", in: "data: \xED\xA0\x80\n\n", want: []ev{msg("\uFFFD\uFFFD\uFFFD", "")}},
	{rules: "SSE-31", name: "truncated after a narrowed second byte", in: "data: \xF0\x90\x80|\xF4\x80\xA0|\xE0\xA0|\xED\x9F\n\n", want: []ev{msg("\uFFFD|\uFFFD|\uFFFD|\uFFFD", "")}},
	{rules: "SSE-31", name: "above U+10FFFF", in: "data: \xF4\x90\x80\x80\n\n", want: []ev{msg("\uFFFD\uFFFD\uFFFD\uFFFD", "")}},
	{rules: "SSE-31", name: "bytes never valid", in: "data: \xF5\xFF\xFE\xC1\n\n", want: []ev{msg("\uFFFD\uFFFD\uFFFD\uFFFD", "")}},
	{rules: "SSE-31", name: "lone continuations", in: "data: \x80\xBFa\n\n", want: []ev{msg("\uFFFD\uFFFDa", "")}},
	{rules: "SSE-31", name: "lead then lead", in: "data: \xE2\xE2\x82\xAC\n\n", want: []ev{msg("\uFFFD€", "")}},
	{rules: "SSE-31", name: "mixed", in: "data: a\xF0\x9F\x98b\xC0c\xED\xA0\x80d\xF0\x9F\x98\x80\n\n", want: []ev{msg("a\uFFFDb\uFFFDc\uFFFD\uFFFD\uFFFDd😀", "")}},
	{rules: "SSE-31", name: "multibyte split across chunks", chunks: []string{"data: \xE2", "\x82", "\xAC\xF0\x9F", "\x98\x80\n\n"}, want: []ev{msg("€😀", "")}},
	{rules: "SSE-31", name: "invalid in type and id", in: "event: \xFF\nid: \xC3\ndata: x\n\n", want: []ev{{"\uFFFD", "x", "\uFFFD"}}, id: "\uFFFD"},
	{rules: "SSE-31 SSE-40", name: "invalid in field name", in: "d\xFFata: x\n\ndat\xC3\xA1: y\n\n"},
	{rules: "SSE-31 SSE-44", name: "invalid in retry", in: "retry: 500\nretry: 5\xFF\n", retry: 500},

	// SSE-32: one BOM, at the start of each body only.
	{rules: "SSE-32", name: "BOM stripped", in: "\xEF\xBB\xBFdata: x\n\n", want: []ev{msg("x", "")}},
	{rules: "SSE-32", name: "BOM split", chunks: []string{"\xEF", "\xBB", "\xBFdata: x\n\n"}, want: []ev{msg("x", "")}},
	{rules: "SSE-32 SSE-40", name: "double BOM loses the first event", in: "\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n", want: []ev{msg("y", "")}},
	{rules: "SSE-32 SSE-40", name: "later BOM kills its line", in: "data: x\n\n\xEF\xBB\xBFdata: y\n\ndata: z\n\n", want: []ev{msg("x", ""), msg("z", "")}},
	{rules: "SSE-32 SSE-31", name: "partial BOM prefix then text", in: "\xEF\xBBdata: x\n\ndata: y\n\n", want: []ev{msg("y", "")}},
	{rules: "SSE-32 SSE-31", name: "partial BOM prefix then line end", in: "\xEF\xBB\ndata: y\n\n", want: []ev{msg("y", "")}},
	{rules: "SSE-32 SSE-31", name: "partial BOM prefix, split", chunks: []string{"\xEF", "\xBB", "data: x\n\ndata: y\n\n"}, want: []ev{msg("y", "")}},
	{rules: "SSE-32 SSE-31", name: "one BOM byte then data", in: "\xEFdata: x\n\ndata: y\n\n", want: []ev{msg("y", "")}},
	{rules: "SSE-32", name: "BOM in a value is text", in: "data: \xEF\xBB\xBFx\n\n", want: []ev{msg("\uFEFFx", "")}},
	{rules: "SSE-32 SSE-37", name: "BOM then comment", in: "\xEF\xBB\xBF: hi\ndata: x\n\n", want: []ev{msg("x", "")}},
	{rules: "SSE-32", name: "BOM alone", in: "\xEF\xBB\xBF"},
	{rules: "SSE-32 SSE-30", name: "BOM re-armed per body", bodies: []string{"\xEF\xBB\xBFdata: a\n\n", "\xEF\xBB\xBFdata: b\n\n"}, want: []ev{msg("a", ""), msg("b", "")}},
	{rules: "SSE-32 SSE-30 SSE-35", name: "BOM bytes across bodies are not a BOM", bodies: []string{"data: a\n\n\xEF\xBB", "\xBFdata: b\n\ndata: c\n\n"}, want: []ev{msg("a", ""), msg("c", "")}},

	// SSE-33: CRLF, LF and CR.
	{rules: "SSE-33", name: "LF", in: "data: a\ndata: b\n\n", want: []ev{msg("a\nb", "")}},
	{rules: "SSE-33", name: "CR", in: "data: a\rdata: b\r\r", want: []ev{msg("a\nb", "")}},
	{rules: "SSE-33", name: "CRLF", in: "data: a\r\ndata: b\r\n\r\n", want: []ev{msg("a\nb", "")}},
	{rules: "SSE-33", name: "mixed", in: "data: a\rdata: b\ndata: c\r\n\ndata: d\r\r\ndata: e\n\r", want: []ev{msg("a\nb\nc", ""), msg("d", ""), msg("e", "")}},
	{rules: "SSE-33", name: "CR CR LF LF is three lines", in: "data: a\r\r\n\ndata: b\n\n", want: []ev{msg("a", ""), msg("b", "")}},
	{rules: "SSE-33", name: "LF CR is two lines", in: "data: a\n\rdata: b\n\n", want: []ev{msg("a", ""), msg("b", "")}},
	{rules: "SSE-33", name: "CR at chunk end, LF next", chunks: []string{"data: a\r", "\ndata: b\r", "\n\r", "\n"}, want: []ev{msg("a\nb", "")}},
	{rules: "SSE-33", name: "CR at chunk end, empty chunk, LF", chunks: []string{"data: a\r", "", "\ndata: b\r\n\r", "", "", "\n"}, want: []ev{msg("a\nb", "")}},
	{rules: "SSE-33", name: "CR at chunk end, then text", chunks: []string{"data: a\r", "data: b\r", "\r"}, want: []ev{msg("a\nb", "")}},
	{rules: "SSE-33 SSE-42", name: "no CR or LF in values", in: "data: a\r\ndata: b\rdata: c\n\n", want: []ev{msg("a\nb\nc", "")}},

	// SSE-34: long lines are legal.
	{rules: "SSE-34", name: "100 KB line", in: "data: " + longData + "\n\n", want: []ev{msg(longData, "")}},
	{rules: "SSE-34 SSE-37", name: "2 KB comments", in: comment2K + "\n" + comment2K + "\rdata: x\r\n" + comment2K + "\r\n\n", want: []ev{msg("x", "")}},

	// SSE-35: the end of the body drops the unfinished event.
	{rules: "SSE-35", name: "unfinished event", in: "data: a\n\ndata: b\n", want: []ev{msg("a", "")}},
	{rules: "SSE-35", name: "unfinished line", in: "data: a\n\ndata: b", want: []ev{msg("a", "")}},
	{rules: "SSE-35", name: "unfinished line ending in CR is a line", in: "data: a\n\ndata: b\r", want: []ev{msg("a", "")}},
	{rules: "SSE-35 SSE-46", name: "unfinished id not committed", in: "id: 1\ndata: a\n\nid: 2\ndata: b\n", want: []ev{msg("a", "1")}, id: "1"},
	{rules: "SSE-35 SSE-44", name: "retry in unfinished event stays", in: "retry: 5000\ndata: x\n", retry: 5000},
	{rules: "SSE-35 SSE-44", name: "retry in unfinished line is not read", in: "retry: 5000\nretry: 7000", retry: 5000},
	{rules: "SSE-35 SSE-30", name: "Reset discards data", bodies: []string{"data: a\n", "\n"}},
	{rules: "SSE-35 SSE-30", name: "Reset discards event type", bodies: []string{"event: x\ndata: a\n", "data: b\n\n"}, want: []ev{msg("b", "")}},
	{rules: "SSE-35 SSE-30", name: "Reset discards the line", bodies: []string{"data: a\n\ndata: \xE2\x82", "\xAC\n\ndata: b\n\n"}, want: []ev{msg("a", ""), msg("b", "")}},
	{rules: "SSE-35 SSE-30 SSE-46", name: "Reset discards the id buffer", bodies: []string{"id: 1\ndata: a\n\nid: 2\n", "\ndata: b\n\n"}, want: []ev{msg("a", "1"), msg("b", "1")}, id: "1"},

	// SSE-30: what persists across responses.
	{rules: "SSE-30 SSE-46", name: "id persists", bodies: []string{"id: 1\ndata: a\n\n", "data: b\n\n", "", "data: c\n\n"}, want: []ev{msg("a", "1"), msg("b", "1"), msg("c", "1")}, id: "1"},
	{rules: "SSE-30 SSE-44", name: "retry persists", bodies: []string{"retry: 700\n", "data: x\n\n"}, want: []ev{msg("x", "")}, retry: 700},
	{rules: "SSE-30 SSE-33", name: "CR state not carried over", bodies: []string{"data: a\r", "\ndata: b\n\n"}, want: []ev{msg("b", "")}},

	// SSE-36: an empty line dispatches.
	{rules: "SSE-36", name: "empty lines", in: "\n\r\n\rdata: a\n\n\n\n\r\r", want: []ev{msg("a", "")}},

	// SSE-37: comments.
	{rules: "SSE-37", name: "comment", in: ": hello\ndata: a\n: between\ndata: b\n:\n\n", want: []ev{msg("a\nb", "")}},
	{rules: "SSE-37", name: "comment with NUL and junk", in: ":\x00\xFF data: x\n:data: y\n\ndata: z\n\n", want: []ev{msg("z", "")}},
	{rules: "SSE-37 SSE-33", name: "comment line endings", in: ":a\r:b\r\n:c\ndata: x\r\n\r\n", want: []ev{msg("x", "")}},

	// SSE-38: name before the first colon, one space removed.
	{rules: "SSE-38", name: "no space", in: "data:a\n\n", want: []ev{msg("a", "")}},
	{rules: "SSE-38", name: "one space removed", in: "data: a\n\n", want: []ev{msg("a", "")}},
	{rules: "SSE-38", name: "second space kept", in: "data:  a\n\n", want: []ev{msg(" a", "")}},
	{rules: "SSE-38", name: "tab kept", in: "data:\ta\n\ndata: \tb\n\n", want: []ev{msg("\ta", ""), msg("\tb", "")}},
	{rules: "SSE-38", name: "NBSP kept", in: "data:\u00A0a\n\n", want: []ev{msg("\u00A0a", "")}},
	{rules: "SSE-38", name: "trailing space kept", in: "data: a \n\n", want: []ev{msg("a ", "")}},
	{rules: "SSE-38", name: "later colons kept", in: "data: a:b: c\ndata::\n\n", want: []ev{msg("a:b: c\n:", "")}},
	{rules: "SSE-38", name: "space only", in: "data: \ndata:  \n\n", want: []ev{msg("\n ", "")}},

	// SSE-39: a line without a colon is a name with an empty value.
	{rules: "SSE-39 SSE-48", name: "bare data", in: "data\n\n", want: []ev{msg("", "")}},
	{rules: "SSE-39 SSE-41", name: "bare event", in: "event: a\nevent\ndata: x\n\n", want: []ev{msg("x", "")}},
	{rules: "SSE-39 SSE-45", name: "bare unknown", in: "foobar\ndata\n\n", want: []ev{msg("", "")}},

	// SSE-40: exact names only.
	{rules: "SSE-40", name: "case", in: "Data: x\nDATA: x\nEVENT: e\nID: 1\nRetry: 5\n\n", want: nil},
	{rules: "SSE-40", name: "leading space", in: " data: x\n\tdata: x\n\n"},
	{rules: "SSE-40", name: "trailing space or NUL", in: "data : x\ndata\x00: x\ndata\x00\n\n"},
	{rules: "SSE-40", name: "lookalikes", in: "da-ta: x\ndata_5: x\ndatas: x\ndat: x\nfoobar: x\n\n"},
	{rules: "SSE-40 SSE-32", name: "BOM before the name", in: "data: a\n\n\xEF\xBB\xBFdata: x\n\xEF\xBB\xBFid: 3\n\n", want: []ev{msg("a", "")}},
	{rules: "SSE-40 SSE-49", name: "other fields still work", in: "Data: x\nevent: e\ndata: y\n\n", want: []ev{{"e", "y", ""}}},

	// SSE-41: event.
	{rules: "SSE-41 SSE-49", name: "custom type", in: "event: add\ndata: x\n\n", want: []ev{{"add", "x", ""}}},
	{rules: "SSE-41 SSE-49", name: "empty type is message", in: "event:\ndata: x\n\nevent: \ndata: y\n\n", want: []ev{msg("x", ""), msg("y", "")}},
	{rules: "SSE-41", name: "last wins", in: "event: a\nevent: b\ndata: x\n\nevent: a\nevent:\ndata: y\n\n", want: []ev{{"b", "x", ""}, msg("y", "")}},
	{rules: "SSE-41 SSE-50", name: "reset after dispatch", in: "event: a\ndata: x\n\ndata: y\n\n", want: []ev{{"a", "x", ""}, msg("y", "")}},
	{rules: "SSE-41 SSE-49 SSE-52", name: "any name", in: "event: error\ndata: 1\n\nevent: open\ndata: 2\n\nevent: a b:c\ndata: 3\n\n", want: []ev{{"error", "1", ""}, {"open", "2", ""}, {"a b:c", "3", ""}}},
	{rules: "SSE-41 SSE-38", name: "type keeps its spaces", in: "event:  a \ndata: x\n\n", want: []ev{{" a ", "x", ""}}},

	// SSE-42: data.
	{rules: "SSE-42", name: "lines joined with LF", in: "data: a\ndata: b\ndata: c\n\n", want: []ev{msg("a\nb\nc", "")}},
	{rules: "SSE-42", name: "empty values kept", in: "data: a\ndata:\ndata\ndata: b\n\n", want: []ev{msg("a\n\n\nb", "")}},
	{rules: "SSE-42", name: "NUL kept", in: "data: a\x00b\x00\ndata:\x00\n\n", want: []ev{msg("a\x00b\x00\n\x00", "")}},
	{rules: "SSE-42 SSE-48", name: "empty data", in: "data:\n\n", want: []ev{msg("", "")}},

	// SSE-43: id.
	{rules: "SSE-43 SSE-49", name: "id", in: "id: 1\ndata: a\n\n", want: []ev{msg("a", "1")}, id: "1"},
	{rules: "SSE-43", name: "NUL ignored", in: "id: 1\ndata: a\n\nid: a\x00b\ndata: b\n\nid: \x00\n\nid:\x00\ndata: c\n\n", want: []ev{msg("a", "1"), msg("b", "1"), msg("c", "1")}, id: "1"},
	{rules: "SSE-43", name: "NUL ids only", in: "id: \x00\ndata: a\n\n", want: []ev{msg("a", "")}},
	{rules: "SSE-43 SSE-39", name: "empty resets", in: "id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\nid: 3\ndata: e\n\nid: \ndata: f\n\n", want: []ev{msg("a", "1"), msg("b", ""), msg("c", "2"), msg("d", ""), msg("e", "3"), msg("f", "")}},
	{rules: "SSE-43 SSE-46", name: "persists across events", in: "id: 1\ndata: a\n\ndata: b\n\nevent: e\ndata: c\n\n", want: []ev{msg("a", "1"), msg("b", "1"), {"e", "c", "1"}}, id: "1"},
	{rules: "SSE-43 SSE-38", name: "one space stripped", in: "id:  x \ndata: a\n\nid:\ty\ndata: b\n\n", want: []ev{msg("a", " x "), msg("b", "\ty")}, id: "\ty"},
	{rules: "SSE-43", name: "last wins, colons kept", in: "id: 1\nid: a:b\ndata: x\n\n", want: []ev{msg("x", "a:b")}, id: "a:b"},
	{rules: "SSE-43 SSE-46", name: "takes effect at dispatch", in: "data: a\nid: 1\n\nid: 2\ndata: b\nid: 3\n\n", want: []ev{msg("a", "1"), msg("b", "3")}, id: "3"},
	{rules: "SSE-43", name: "unicode id", in: "id: …\ndata: x\n\n", want: []ev{msg("x", "…")}, id: "…"},

	// SSE-44: retry.
	{rules: "SSE-44", name: "retry", in: "retry: 5000\n", retry: 5000},
	{rules: "SSE-44", name: "leading zeros are decimal", in: "retry: 100\nretry: 03000\n", retry: 3000},
	{rules: "SSE-44", name: "leading zeros", in: "retry: 0500\n", retry: 500},
	{rules: "SSE-44", name: "zero", in: "retry: 0\n", retry: retryZero},
	{rules: "SSE-44", name: "no space", in: "retry:42\n", retry: 42},
	{rules: "SSE-44", name: "bogus values ignored", in: "retry: 500\nretry: 1000x\nretry: -1\nretry: +5\nretry: 1.5\nretry:  5\nretry: 5 \nretry: 1_000\nretry: 0x10\nretry: １\nretry: 5\x00\nretry:\t5\nretry: 1e3\n", retry: 500},
	{rules: "SSE-44", name: "empty resets", in: "retry: 500\nretry\n", retry: 0},
	{rules: "SSE-44", name: "empty after colon resets", in: "retry: 500\nretry:\n", retry: 0},
	{rules: "SSE-44", name: "space only resets", in: "retry: 500\nretry: \n", retry: 0},
	{rules: "SSE-44", name: "two spaces ignored", in: "retry: 500\nretry:  \n", retry: 500},
	{rules: "SSE-44", name: "1000 digits ignored", in: "retry: 500\nretry: " + digits1000 + "\n", retry: 500},
	{rules: "SSE-44", name: "1000 digits, leading zeros", in: "retry: " + zeros999 + "7\n", retry: 7},
	{rules: "SSE-44", name: "2^31-1", in: "retry: 2147483647\n", retry: MaxRetry},
	{rules: "SSE-44", name: "2^31 clamped", in: "retry: 2147483648\n", retry: MaxRetry},
	{rules: "SSE-44", name: "2^63 clamped", in: "retry: 9223372036854775808\n", retry: MaxRetry},
	{rules: "SSE-44", name: "2^64-1 clamped", in: "retry: 18446744073709551615\n", retry: MaxRetry},
	{rules: "SSE-44", name: "2^64 ignored", in: "retry: 500\nretry: 18446744073709551616\n", retry: 500},
	{rules: "SSE-44", name: "20 nines ignored", in: "retry: 500\nretry: 99999999999999999999\n", retry: 500},
	{rules: "SSE-44", name: "1.8e20 ignored", in: "retry: 500\nretry: 184467440737095516150\n", retry: 500},
	{rules: "SSE-44 SSE-47", name: "effect without dispatch", in: "retry: 700\n\nevent: x\nretry: 800\n\n", retry: 800},
	{rules: "SSE-44", name: "not part of the event", in: "data: a\nretry: 900\ndata: b\n\n", want: []ev{msg("a\nb", "")}, retry: 900},

	// SSE-45: unknown fields change nothing.
	{rules: "SSE-45", name: "unknown fields", in: "id: 1\n\nfoo: bar\nlastEventId: 2\ndata_: x\n\ndata: y\n\n", want: []ev{msg("y", "1")}, id: "1"},

	// SSE-46..50: dispatch.
	{rules: "SSE-46 SSE-47", name: "id alone commits", in: "id: 7\n\n", id: "7"},
	{rules: "SSE-46 SSE-47", name: "id with event only commits", in: "id: 7\nevent: x\n\ndata: y\n\n", want: []ev{msg("y", "7")}, id: "7"},
	{rules: "SSE-46", name: "id buffer not cleared", in: "id: 1\n\n\n\ndata: x\n\n", want: []ev{msg("x", "1")}, id: "1"},
	{rules: "SSE-47", name: "event alone dispatches nothing", in: "event: x\n\ndata: y\n\n", want: []ev{msg("y", "")}},
	{rules: "SSE-47", name: "unknown fields only", in: "foo\nbar: baz\n\n"},
	{rules: "SSE-48", name: "one LF removed", in: "data: a\ndata:\n\n", want: []ev{msg("a\n", "")}},
	{rules: "SSE-48", name: "two bare data", in: "data\ndata\n\n", want: []ev{msg("\n", "")}},
	{rules: "SSE-48", name: "value ending in LF-like text", in: "data: a\\n\n\n", want: []ev{msg("a\\n", "")}},
	{rules: "SSE-49", name: "default type and id", in: "data: x\n\n", want: []ev{msg("x", "")}},
	{rules: "SSE-49", name: "type message is just a name", in: "event: message\ndata: x\n\n", want: []ev{msg("x", "")}},
	{rules: "SSE-50", name: "buffers cleared", in: "event: a\ndata: x\n\n\n\ndata: y\n\ndata: z\n\n", want: []ev{{"a", "x", ""}, msg("y", ""), msg("z", "")}},
	{rules: "SSE-36 SSE-49 SSE-50 SSE-51", name: "many events", in: "data: 1\n\ndata: 2\n\ndata: 3\n\nevent: e\ndata: 4\nid: 4\n\n", want: []ev{msg("1", ""), msg("2", ""), msg("3", ""), {"e", "4", "4"}}, id: "4"},

	// Limits: events before the offending line are delivered, then the
	// parser stops.
	{rules: "SSE-34", name: "line at the limit", limits: Limits{MaxLineSize: 10}, in: "data: abcd\n\n", want: []ev{msg("abcd", "")}},
	{rules: "SSE-34", name: "line over the limit", limits: Limits{MaxLineSize: 10}, in: "data: a\n\ndata: abcde\n\ndata: b\n\n", want: []ev{msg("a", "")}, err: ErrLineTooLong},
	{rules: "SSE-34", name: "unfinished line over the limit", limits: Limits{MaxLineSize: 10}, in: "data: a\n\ndata: abcde", want: []ev{msg("a", "")}, err: ErrLineTooLong},
	{rules: "SSE-34 SSE-37", name: "comment over the limit", limits: Limits{MaxLineSize: 10}, in: "data: a\n\n:0123456789\n", want: []ev{msg("a", "")}, err: ErrLineTooLong},
	{rules: "SSE-34 SSE-32", name: "BOM not counted, fragment counted", limits: Limits{MaxLineSize: 7}, bodies: []string{"\xEF\xBB\xBFdata: a\n\n", "\xEF\xBBdata: a\n\n"}, want: []ev{msg("a", "")}, err: ErrLineTooLong},
	{rules: "SSE-34 SSE-32", name: "BOM prefix not a line yet", limits: Limits{MaxLineSize: 1}, bodies: []string{"\xEF\xBB", "\xEF", "\xEF\xBB\xBFx\n"}},
	{rules: "SSE-34 SSE-32", name: "BOM prefix then text is a line", limits: Limits{MaxLineSize: 2}, in: "\xEF\xBBx", err: ErrLineTooLong},
	{rules: "SSE-42", name: "event at the limit", limits: Limits{MaxEventSize: 8}, in: "data: 123\ndata: 456\n\n", want: []ev{msg("123\n456", "")}},
	{rules: "SSE-42", name: "event over the limit", limits: Limits{MaxEventSize: 8}, in: "data: a\n\ndata: 1234\ndata: 5678\n\ndata: b\n\n", want: []ev{msg("a", "")}, err: ErrEventTooLarge},
	{rules: "SSE-42 SSE-30", name: "limit error cleared by Reset", limits: Limits{MaxEventSize: 8}, bodies: []string{"data: a\n\ndata: 123456789\n\ndata: b\n\n", "data: c\n\n"}, want: []ev{msg("a", ""), msg("c", "")}, errs: []error{ErrEventTooLarge, nil}},
}

// bodiesOf returns a row's input as bodies of chunks.
func (tt *parserTest) bodiesOf() [][][]byte {
	switch {
	case tt.bodies != nil:
		var bs [][][]byte
		for _, b := range tt.bodies {
			bs = append(bs, [][]byte{[]byte(b)})
		}
		return bs
	case tt.chunks != nil:
		var cs [][]byte
		for _, c := range tt.chunks {
			cs = append(cs, []byte(c))
		}
		return [][][]byte{cs}
	}
	return [][][]byte{{[]byte(tt.in)}}
}

// joined returns each body of a row as one byte slice.
func joined(bodies [][][]byte) [][]byte {
	var out [][]byte
	for _, chunks := range bodies {
		var b []byte
		for _, c := range chunks {
			b = append(b, c...)
		}
		out = append(out, b)
	}
	return out
}

func (tt *parserTest) wantResult() result {
	r := result{events: tt.want, id: tt.id, retry: tt.retry}
	switch r.retry {
	case 0:
		r.retry = DefaultRetry
	case retryZero:
		r.retry = 0
	}
	for range tt.bodiesOf() {
		r.errs = append(r.errs, nil)
	}
	r.errs[len(r.errs)-1] = tt.err
	if tt.errs != nil {
		r.errs = tt.errs
	}
	return r
}

// scribble overwrites a chunk the parser is done with, so that a parser
// keeping a reference to it would produce garbage.
func scribble(b []byte) {
	for i := range b {
		b[i] = "\r\n:\xFF"[i%4]
	}
}

// runEngine parses bodies with p, calling Reset between them, and returns
// what a host would see. Each chunk is a private copy that is scribbled
// over once the parser no longer owns it. With raw, the output is decoded
// by the reference decoder, as a host using TextDecoder would. With eager,
// the next chunk is fed as soon as an event is read, before Next returns
// false.
func runEngine(t testing.TB, p *Parser, bodies [][][]byte, raw, eager bool) result {
	t.Helper()
	p.SetRaw(raw)
	text := func(b []byte) string {
		if raw {
			return refString(b)
		}
		return string(b)
	}
	var res result
	for bi, chunks := range bodies {
		if bi > 0 {
			p.Reset()
		}
		var prev, prevOrig []byte
		done := func() {
			if !bytes.Equal(prev, prevOrig) {
				t.Errorf("the parser wrote to its input: %q became %q", prevOrig, prev)
			}
			scribble(prev) // drained, or its rest copied by Feed
		}
		for i, c := range chunks {
			buf := append([]byte(nil), c...)
			p.Feed(buf)
			done()
			prev, prevOrig = buf, c
			for p.Next() {
				e := p.Event()
				typ := text(e.Type)
				if typ == "" {
					typ = "message"
				}
				res.events = append(res.events, ev{typ, text(e.Data), text(e.LastEventID)})
				if eager && i+1 < len(chunks) {
					break
				}
			}
		}
		done()
		if p.Next() {
			t.Errorf("Next reported an event with no input left: %q", p.Event().Data)
		}
		res.errs = append(res.errs, p.Err())
	}
	res.id = text([]byte(p.LastEventID()))
	res.retry = p.ReconnectionTime()
	return res
}

func diffResult(got, want result) string {
	var b strings.Builder
	if !reflect.DeepEqual(got.events, want.events) && (len(got.events) > 0 || len(want.events) > 0) {
		fmt.Fprintf(&b, "events:\n\tgot  %q\n\twant %q\n", got.events, want.events)
	}
	if len(got.errs) != len(want.errs) {
		fmt.Fprintf(&b, "errs: got %v, want %v\n", got.errs, want.errs)
	} else {
		for i := range got.errs {
			if !errors.Is(got.errs[i], want.errs[i]) || (got.errs[i] == nil) != (want.errs[i] == nil) {
				fmt.Fprintf(&b, "body %d: err %v, want %v\n", i, got.errs[i], want.errs[i])
			}
		}
	}
	if got.id != want.id {
		fmt.Fprintf(&b, "LastEventID %q, want %q\n", got.id, want.id)
	}
	if got.retry != want.retry {
		fmt.Fprintf(&b, "ReconnectionTime %d, want %d\n", got.retry, want.retry)
	}
	return b.String()
}

func TestParser(t *testing.T) {
	for _, tt := range parserTests {
		t.Run(tt.rules+"/"+tt.name, func(t *testing.T) {
			want := tt.wantResult()
			for _, raw := range []bool{false, true} {
				got := runEngine(t, NewParser(tt.limits), tt.bodiesOf(), raw, false)
				if d := diffResult(got, want); d != "" {
					t.Errorf("raw=%v:\n%s", raw, d)
				}
			}
		})
	}
}

// TestReference checks the reference against the hand-written table, so
// that the differential fuzzer compares the engine with something known
// to be right.
func TestReference(t *testing.T) {
	for _, tt := range parserTests {
		got := refParse(joined(tt.bodiesOf()), tt.limits)
		if d := diffResult(got, tt.wantResult()); d != "" {
			t.Errorf("%s/%s:\n%s", tt.rules, tt.name, d)
		}
	}
}

// TestReferenceDecoder checks refDecode on the maximal-subpart examples of
// the Encoding standard and Unicode (Table 3-8).
func TestReferenceDecoder(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a€😀", "a€😀"},
		{"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd"},
		{"\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA"},
		{"\xED\xA0\x80\xED\xBF\xBF\xED\xAF\x41", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA"},
		{"\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA\uFFFD\uFFFDB"},
		{"\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41", "\uFFFD\uFFFD\uFFFD\uFFFDA"},
		{"\xF0\x9F\x98", "\uFFFD"},
		{"\xEF\xBB\xBF", "\uFEFF"},
	}
	for _, tt := range tests {
		if got := refString([]byte(tt.in)); got != tt.want {
			t.Errorf("refDecode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// The engine's decoder must agree.
		if got := string(appendDecoded(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendDecoded(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRuleCoverage checks that every rule of the checklist's sections D, E
// and F (decoding, interpreting a line, dispatching) in which the engine has
// a part is named by at least one parser table row.
func TestRuleCoverage(t *testing.T) {
	seen := map[int]bool{}
	for _, tt := range parserTests {
		for _, m := range ruleID.FindAllStringSubmatch(tt.rules, -1) {
			n, _ := strconv.Atoi(m[1])
			seen[n] = true
		}
		if !ruleID.MatchString(tt.rules) {
			t.Errorf("row %q names no rule", tt.name)
		}
	}
	for _, n := range engineRules(t, "D", "E", "F") {
		if !seen[n] {
			t.Errorf("no parser test covers SSE-%d", n)
		}
	}
}

// TestIncremental checks SSE-34: a line is processed as soon as its ending
// arrives, so an event is available before the rest of the stream.
func TestIncremental(t *testing.T) {
	var p Parser
	p.Feed([]byte("data: a\n\ndata: b"))
	if !p.Next() || string(p.Event().Data) != "a" {
		t.Fatalf("first event not available at once: %q", p.Event().Data)
	}
	if p.Next() {
		t.Fatalf("unexpected event %q", p.Event().Data)
	}
	p.Feed([]byte("\n"))
	if p.Next() {
		t.Fatalf("event before its empty line: %q", p.Event().Data)
	}
	p.Feed([]byte("\r"))
	if !p.Next() || string(p.Event().Data) != "b" {
		t.Fatalf("second event: %q", p.Event().Data)
	}
	// The CR may be followed by an LF, which must not be an extra line.
	p.Feed([]byte("\ndata: c\n"))
	if p.Next() {
		t.Fatalf("LF after CR read as an empty line: %q", p.Event().Data)
	}
}

// TestResetState checks SSE-30 on the parser's own state: after Reset
// nothing of the previous body remains but the last event ID and the
// reconnection time.
func TestResetState(t *testing.T) {
	p := NewParser(Limits{})
	p.Feed([]byte("\xEF\xBB\xBFid: 1\nretry: 42\ndata: x\n\nid: 2\nevent: e\ndata: y\n\xE2\x82\r"))
	for p.Next() {
	}
	if !p.skipLF {
		t.Fatal("a CR at the end of a chunk should leave skipLF set")
	}
	p.Reset()
	if p.skipLF {
		t.Error("skipLF survives Reset")
	}
	p.Feed([]byte("\xEF\xBBid: 3\ndata: z\npartial"))
	for p.Next() {
	}
	p.Reset()
	if p.skipLF || p.bomN != 0 || p.bomEnd || len(p.line) != 0 || len(p.data) != 0 ||
		len(p.typ) != 0 || string(p.idBuf) != "1" || p.err != nil || p.pos != len(p.in) {
		t.Errorf("state after Reset: skipLF=%v bomN=%d bomEnd=%v line=%q data=%q typ=%q idBuf=%q err=%v unread=%q",
			p.skipLF, p.bomN, p.bomEnd, p.line, p.data, p.typ, p.idBuf, p.err, p.in[p.pos:])
	}
	if p.LastEventID() != "1" || p.ReconnectionTime() != 42 {
		t.Errorf("LastEventID %q, ReconnectionTime %d; want \"1\", 42", p.LastEventID(), p.ReconnectionTime())
	}
}

// TestEventAliasing checks the documented lifetime of Event: valid until
// the next Next, and copied by the caller when needed. Two events read in
// turn must each have been right when read.
func TestEventAliasing(t *testing.T) {
	var p Parser
	p.Feed([]byte("event: a\ndata: 1\nid: x\n\nevent: b\ndata: 22\nid: yy\n\n"))
	var got []string
	for p.Next() {
		e := p.Event()
		got = append(got, string(e.Type)+"|"+string(e.Data)+"|"+string(e.LastEventID))
	}
	if want := []string{"a|1|x", "b|22|yy"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

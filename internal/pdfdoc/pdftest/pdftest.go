// Package pdftest reads the PDFs of gradelog (package pdfdoc) in tests:
// it checks a document's structure, inflates its streams and looks for
// text as an embedded UTF-8 font shows it.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

var (
	startxref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	xrefHead  = regexp.MustCompile(`^xref\s+0 (\d+)\s+`)
	streamHd  = regexp.MustCompile(`<<([^<>]*)>>\s*stream\r?\n`)
	length    = regexp.MustCompile(`/Length (\d+)`)
	pageObj   = regexp.MustCompile(`/Type\s*/Page[^s]`)
)

// Parse checks the PDF's structure — header, cross-reference table,
// trailer, every stream and its compression — and returns the number of
// pages and the concatenated, inflated streams.
func Parse(tb testing.TB, pdf []byte) (pages int, streams []byte) {
	tb.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) {
		tb.Fatalf("output starts with %q, want %%PDF-1.", pdf[:min(len(pdf), 8)])
	}
	m := startxref.FindSubmatch(pdf)
	if m == nil {
		tb.Fatal("no startxref and end-of-file marker at the end")
	}
	off, _ := strconv.Atoi(string(m[1]))
	x := xrefHead.FindSubmatch(pdf[off:])
	if x == nil {
		tb.Fatalf("startxref %d does not point at an xref table", off)
	}
	n, _ := strconv.Atoi(string(x[1]))
	entries := pdf[off+len(x[0]):]
	for i := 1; i < n; i++ {
		e := string(entries[i*20 : i*20+18])
		if !strings.HasSuffix(e, " n") {
			continue
		}
		o, _ := strconv.Atoi(e[:10])
		if want := fmt.Sprintf("%d 0 obj", i); !bytes.HasPrefix(pdf[o:], []byte(want)) {
			tb.Fatalf("xref entry %d points at %q, want %q", i, pdf[o:o+10], want)
		}
	}
	if !bytes.Contains(entries[n*20:], []byte("/Root")) {
		tb.Fatal("trailer has no /Root")
	}
	for _, loc := range streamHd.FindAllSubmatchIndex(pdf, -1) {
		dict := pdf[loc[2]:loc[3]]
		l := length.FindSubmatch(dict)
		if l == nil {
			tb.Fatalf("stream without /Length: %s", dict)
		}
		size, _ := strconv.Atoi(string(l[1]))
		data := pdf[loc[1] : loc[1]+size]
		if !bytes.HasPrefix(bytes.TrimLeft(pdf[loc[1]+size:], "\r\n"), []byte("endstream")) {
			tb.Fatalf("stream %s does not end at its /Length", dict)
		}
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			r, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				tb.Fatalf("stream %s: %v", dict, err)
			}
			if data, err = io.ReadAll(r); err != nil {
				tb.Fatalf("stream %s: %v", dict, err)
			}
		}
		streams = append(streams, data...)
	}
	return len(pageObj.FindAll(pdf, -1)), streams
}

// Shown is how s appears in a content stream set in an embedded UTF-8
// font: UTF-16BE code units, PDF-escaped.
func Shown(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		for _, c := range []byte{byte(u >> 8), byte(u)} {
			switch c {
			case '\\', '(', ')':
				b = append(b, '\\', c)
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, c)
			}
		}
	}
	return b
}

// WantText reports, as an error of tb, each of texts the streams (from
// Parse) do not show.
func WantText(tb testing.TB, streams []byte, texts ...string) {
	tb.Helper()
	for _, s := range texts {
		if !bytes.Contains(streams, Shown(s)) {
			tb.Errorf("the document does not show %q", s)
		}
	}
}

// Package pdfdoc is the layout toolkit and the French labels the PDFs of
// gradelog share: the transcript (package transcriptpdf) and the minutes
// of a deliberation (package minutespdf) are drawn with it, so that they
// look alike and write dates, marks, outcomes and statuses the same way.
//
// The layout (Layout) draws A4 pages in the Go fonts (golang.org/x/image/
// font/gofont, BSD-3-Clause licence, embedded as UTF-8 TrueType subsets,
// so accents, «», dashes and ≥ render as they are): tables of wrapped rows
// that break across pages, section headings, a running header and a
// footer. The labels (DateTime, Date, Status, Outcome, Result, Mark,
// Plural, Dash, StudentName) write values in French, dates in Brussels
// time; unknown values fall back to the raw value, so that a new status or
// outcome still prints something.
//
// Output is deterministic: nothing is read from a clock and no random
// identifier is written.
package pdfdoc

// Package datafile reads the reviewed data files of seeds/ (the programme
// catalog, the ruleset) strictly, and reports what is wrong with them as
// findings that carry a file, a line and a stable code.
//
// It exists so that the catalog and ruleset loaders share one definition of
// "strict": unknown fields, duplicate keys, wrong types, missing required
// fields, anchors and aliases are all refused with the line they are on.
// It also holds the two things publication needs from both files: a digest
// of their canonical JSON and a field-by-field diff between two versions.
package datafile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity ranks a finding. Only unacknowledged errors make a file unusable.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// A Finding is one thing a check found in a data file.
//
// Code is a stable identifier ("totals.bloc.hours", "field.unknown"): it is
// what an acknowledgement names and what tests assert, so a code is never
// renamed. Subject says what the finding is about ("bloc 1", "UE 2/9",
// "ues[3].hours"); Code and Subject together identify a finding across edits
// of the file, whereas Line does not.
type Finding struct {
	File     string
	Line     int
	Severity Severity
	Code     string
	Subject  string
	Message  string
	// Acknowledged is set when the file itself states that this finding is
	// known and how it was resolved; Reason is that statement.
	Acknowledged bool
	Reason       string
}

// String formats f the way lint prints it:
// file:line: severity: [code] message (acknowledged: reason).
func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: %s: [%s] %s", f.File, f.Line, f.Severity, f.Code, f.Message)
	if f.Acknowledged {
		fmt.Fprintf(&b, " (acknowledged: %s)", f.Reason)
	}
	return b.String()
}

// Findings is the result of checking one or more files.
type Findings []Finding

// Add appends an error, warning or info finding.
func (fs *Findings) Add(file string, line int, sev Severity, code, subject, format string, args ...any) {
	*fs = append(*fs, Finding{File: file, Line: line, Severity: sev, Code: code, Subject: subject, Message: fmt.Sprintf(format, args...)})
}

// Sort orders findings by file, line, code and subject, so that output and
// tests do not depend on the order checks happen to run in.
func (fs Findings) Sort() {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Code, b.Code), cmp.Compare(a.Subject, b.Subject))
	})
}

// Errors counts the unacknowledged errors: the findings that make a file
// unusable.
func (fs Findings) Errors() int {
	n := 0
	for _, f := range fs {
		if f.Severity == Error && !f.Acknowledged {
			n++
		}
	}
	return n
}

// Err returns nil when there is no unacknowledged error, and otherwise an
// error that names the first one and counts the rest.
func (fs Findings) Err() error {
	n := fs.Errors()
	if n == 0 {
		return nil
	}
	for _, f := range fs {
		if f.Severity == Error && !f.Acknowledged {
			if n == 1 {
				return fmt.Errorf("%s", f)
			}
			return fmt.Errorf("%s (and %d more errors)", f, n-1)
		}
	}
	panic("unreachable")
}

// An Acknowledgement is a data file's statement that a finding is known:
// the finding with this Code and Subject is reported as acknowledged, with
// Reason, instead of counting as an error. It never hides the finding.
type Acknowledgement struct {
	Code    string `yaml:"code" json:"code" datafile:"required"`
	Subject string `yaml:"subject" json:"subject" datafile:"required"`
	Reason  string `yaml:"reason" json:"reason" datafile:"required"`
	Line    int    `yaml:"-" json:"-"`
}

// Acknowledge marks the findings of fs named by acks, and adds a warning for
// each acknowledgement that matches nothing (a stale one would otherwise
// silently excuse a future finding).
func (fs *Findings) Acknowledge(file string, acks []Acknowledgement) {
	for _, a := range acks {
		matched := false
		for i := range *fs {
			f := &(*fs)[i]
			if f.Code == a.Code && f.Subject == a.Subject {
				f.Acknowledged, f.Reason, matched = true, a.Reason, true
			}
		}
		if !matched {
			fs.Add(file, a.Line, Warning, "ack.unused", a.Subject,
				"acknowledgement of [%s] %q matches no finding; remove it", a.Code, a.Subject)
		}
	}
}

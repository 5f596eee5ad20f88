// Package i18n renders in French the texts gradelog composes in English:
// the rules of the handlers' refusals, the reasons of the rules' proposals
// and the rules' errors that a refusal quotes.
//
// A text keeps the English format and the arguments it was written from
// (Text). Each package registers the French of its formats in a Catalog,
// keyed by the English format, once. Rendering a text in French translates
// its format with golang.org/x/text/message (a French format may reorder
// the arguments with %[n]s), then each argument: a text in its own
// catalog, a value the catalog labels (a role, an outcome), a boolean as
// oui or non, a decimal with a comma, a date as 02/01/2006; integers keep
// their digits ungrouped, since most are versions, positions or rows. A
// format that only passes on a text written elsewhere ("%s") needs no
// French; the text it passes is translated when the catalog has it as a
// format of its own. A text whose format has no French stays in English.
//
// Package i18ntest holds a catalog to the package's source.
package i18n

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The languages a text is rendered in: English, in which it is written,
// and French.
var (
	English = language.English
	French  = language.French

	matcher       = language.NewMatcher([]language.Tag{English, French})
	frenchBase, _ = French.Base()
)

// Accept is the language an Accept-Language header prefers among English
// and French; English when it names neither.
func Accept(header string) language.Tag {
	if _, i := language.MatchStrings(matcher, header); i == 1 {
		return French
	}
	return English
}

// IsFrench reports whether tag is French, of any region (fr-BE, fr-FR).
func IsFrench(tag language.Tag) bool {
	base, _ := tag.Base()
	return base == frenchBase
}

// Localized is a value that writes itself in a language: a Text, or a
// package's own type (a list of texts).
type Localized interface {
	In(tag language.Tag) string
}

// Catalog is the French of one package's English formats.
type Catalog struct {
	french  map[string]string
	printer *message.Printer
	label   func(any) (string, bool)
}

// NewCatalog registers french, English format to French format. label,
// when not nil, names in French the arguments of the package's own types
// it knows (ok false for the others).
func NewCatalog(french map[string]string, label func(v any) (string, bool)) *Catalog {
	b := catalog.NewBuilder(catalog.Fallback(English))
	for en, fr := range french {
		if err := b.SetString(French, en, fr); err != nil {
			panic(fmt.Sprintf("i18n: French of %q: %v", en, err))
		}
	}
	return &Catalog{french: french, printer: message.NewPrinter(French, message.Catalog(b)), label: label}
}

// French is the French of format, if the catalog has it.
func (c *Catalog) French(format string) (string, bool) {
	fr, ok := c.french[format]
	return fr, ok
}

// Formats are the English formats the catalog translates.
func (c *Catalog) Formats() []string {
	out := make([]string, 0, len(c.french))
	for en := range c.french {
		out = append(out, en)
	}
	return out
}

// Textf is the text format writes with args.
func (c *Catalog) Textf(format string, args ...any) Text {
	return Text{c: c, format: format, args: args}
}

// Errorf is an error whose message is the text format writes with args:
// its Error is the English, its In the French.
func (c *Catalog) Errorf(format string, args ...any) error {
	return textError{c.Textf(format, args...)}
}

type textError struct{ Text }

func (e textError) Error() string { return e.String() }

// Text is a text for people: an English format, its arguments and the
// catalog that translates it. The zero Text is empty.
type Text struct {
	c      *Catalog
	format string
	args   []any
}

// IsZero reports whether t is the zero Text.
func (t Text) IsZero() bool { return t.c == nil }

// String is t in English.
func (t Text) String() string {
	if t.c == nil {
		return ""
	}
	return fmt.Sprintf(t.format, t.args...)
}

// In is t in the language of tag: in French when its catalog translates
// its format, else in English.
func (t Text) In(tag language.Tag) string {
	if t.c == nil || !IsFrench(tag) {
		return t.String()
	}
	passed := PassesOn(t.format)
	if _, ok := t.c.french[t.format]; !ok && !passed {
		return t.String()
	}
	args := make([]any, len(t.args))
	for i, a := range t.args {
		args[i] = t.c.frenchArg(a, passed)
	}
	return t.c.printer.Sprintf(t.format, args...)
}

// PassesOn reports whether format is only verbs ("%s"): it passes on a
// text written elsewhere and needs no French of its own.
func PassesOn(format string) bool {
	return strings.Trim(verbRE.ReplaceAllString(format, ""), " ") == ""
}

var (
	decimalRE = regexp.MustCompile(`^-?\d+\.\d+$`)
	dayRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	momentRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`)
)

// frenchArg is argument a as a French text shows it. A string or error a
// format only passes on ("%s") is translated when the catalog has it as a
// format of its own (a text another package words the same way).
func (c *Catalog) frenchArg(a any, passed bool) any {
	if l, ok := a.(Localized); ok {
		return l.In(French)
	}
	if c.label != nil {
		if s, ok := c.label(a); ok {
			return s
		}
	}
	switch v := a.(type) {
	case bool:
		return verbatim(map[bool]string{true: "oui", false: "non"}[v])
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return plain{v}
	case string:
		return c.frenchString(v, passed)
	case error:
		return c.frenchString(v.Error(), passed)
	case fmt.Stringer:
		return c.frenchString(v.String(), passed)
	}
	return a
}

func (c *Catalog) frenchString(s string, passed bool) string {
	if fr, ok := c.french[s]; ok && passed && !strings.Contains(s, "%") {
		return fr
	}
	return FrenchValue(s)
}

// FrenchValue writes a value the Belgian way when it is a decimal number
// ("12,5") or an ISO date or date and time ("02/07/2026", "02/07/2026 à
// 14:05"); anything else is unchanged.
func FrenchValue(s string) string {
	switch {
	case decimalRE.MatchString(s):
		return strings.Replace(s, ".", ",", 1)
	case dayRE.MatchString(s):
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format("02/01/2006")
		}
	case momentRE.MatchString(s):
		if t, err := time.Parse("2006-01-02 15:04", s); err == nil {
			return t.Format("02/01/2006 à 15:04")
		}
	}
	return s
}

// plain writes an integer with its digits ungrouped, whatever the
// language's grouping.
type plain struct{ v any }

func (p plain) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), p.v) }

// verbatim writes itself whatever the verb (a boolean's %t as oui or non).
type verbatim string

func (s verbatim) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, string(s)) }

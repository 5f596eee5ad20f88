// Package i18ntest holds a package's French catalog to its source: every
// format literal the package passes to its text constructors has a French
// with the same verbs, and every French is of a format still in use.
package i18ntest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/internal/i18n"
)

// Call is a call of a text constructor and the format literal it passes.
type Call struct {
	Pos    string // file:line
	Func   string
	Format string
}

// Calls parses the non-test Go files of dir and returns every call of a
// function or method named in formatArg (name: index of its format
// argument) that has that argument, but those inside the functions named
// in skip (the constructors themselves, which pass their format on). A
// format that is not a string literal fails tb: a translation is keyed by
// the literal.
func Calls(tb testing.TB, dir string, formatArg map[string]int, skip ...string) []Call {
	tb.Helper()
	var out []Call
	walk(tb, dir, skip, func(n ast.Node, at string) {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return
		}
		fn := ""
		switch f := c.Fun.(type) {
		case *ast.Ident:
			fn = f.Name
		case *ast.SelectorExpr:
			fn = f.Sel.Name
		}
		i, ok := formatArg[fn]
		if !ok || len(c.Args) <= i {
			return
		}
		lit, ok := c.Args[i].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			tb.Errorf("%s: %s's format is not a string literal: write the format in the call, the French catalog is keyed by it", at, fn)
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			tb.Fatalf("%s: %v", at, err)
		}
		out = append(out, Call{Pos: at, Func: fn, Format: s})
	})
	if len(out) == 0 {
		tb.Fatalf("no call of %v found in %s", formatArg, dir)
	}
	return out
}

// walk visits every node of the non-test Go files of dir but those inside
// the functions named in skip, with its file and line.
func walk(tb testing.TB, dir string, skip []string, visit func(n ast.Node, at string)) {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		tb.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && slices.Contains(skip, fd.Name.Name) {
				continue
			}
			ast.Inspect(d, func(n ast.Node) bool {
				if n != nil {
					pos := fset.Position(n.Pos())
					visit(n, fmt.Sprintf("%s:%d", filepath.Base(pos.Filename), pos.Line))
				}
				return true
			})
		}
	}
}

// Check fails tb for every call whose format has no French in cat, or a
// French whose verbs differ or that does not render; and for every French
// of cat whose format is neither called nor in others (texts another
// package writes that this one passes on).
func Check(tb testing.TB, cat *i18n.Catalog, calls []Call, others ...string) {
	tb.Helper()
	used := map[string]bool{}
	for _, o := range others {
		used[o] = true
		if _, ok := cat.French(o); !ok {
			tb.Errorf("%q has no French", o)
		}
	}
	for _, c := range calls {
		used[c.Format] = true
		if i18n.PassesOn(c.Format) {
			continue
		}
		fr, ok := cat.French(c.Format)
		if !ok {
			tb.Errorf("%s: %s(%q) has no French", c.Pos, c.Func, c.Format)
			continue
		}
		if err := i18n.SameVerbs(c.Format, fr); err != nil {
			tb.Errorf("%s: %v", c.Pos, err)
			continue
		}
		verbs, _ := i18n.Verbs(c.Format)
		args := make([]any, len(verbs))
		for i, v := range verbs {
			args[i] = map[byte]any{'d': 7, 't': true}[v]
			if args[i] == nil {
				args[i] = "x"
			}
		}
		if got := cat.Textf(c.Format, args...).In(i18n.French); strings.Contains(got, "%!") || got == fmt.Sprintf(c.Format, args...) {
			tb.Errorf("%s: %q renders in French as %q", c.Pos, c.Format, got)
		}
	}
	for _, en := range cat.Formats() {
		if !used[en] {
			tb.Errorf("the French of %q is of a format no longer in use", en)
		}
	}
}

// Keyed returns where the non-test Go files of dir set field by name in a
// composite literal (Problem{Rule: ...}), outside the functions named in
// skip: a text set there keeps no format to translate.
func Keyed(tb testing.TB, dir, field string, skip ...string) []string {
	tb.Helper()
	var out []string
	walk(tb, dir, skip, func(n ast.Node, at string) {
		if kv, ok := n.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == field {
				out = append(out, at)
			}
		}
	})
	return out
}

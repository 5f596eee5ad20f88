package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every rule the API writes itself (textf, with a
// literal format) has a French with the same verbs, and no French is left
// of a rule no longer written; and no problem is built with a rule of its
// own, which would keep no format to translate.
func TestFrenchCatalog(t *testing.T) {
	i18ntest.Check(t, french, i18ntest.Calls(t, ".", map[string]int{"textf": 0}, "textf"))

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Rule" {
				t.Errorf("%s: a problem with a Rule of its own: build it with handlers.ProblemOf and textf, so that its rule can be rendered in French", fset.Position(kv.Pos()))
			}
			return true
		})
	}
}

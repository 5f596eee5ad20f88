package catalog

// Fuzz test of the requisite parser: no text makes ParseRequisite panic, a
// refusal is a *SyntaxError at a character of the text (or just past it),
// and an accepted expression prints (String) to a canonical text that
// parses back to the same expression. Seeds: testdata/fuzz. A deeper run:
//
//	go test ./catalog -run '^$' -fuzz '^FuzzParseRequisite$' -fuzztime 60s

import (
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

func FuzzParseRequisite(f *testing.F) {
	f.Add("1/11 AND (1/9 OR 1/10)")
	f.Add("(1/1 OR (1/2 ET (1/3 ou 1/4)))")
	f.Add("1/1 AND 1/2 OR 1/3")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequisite(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 1 || se.Pos > utf8.RuneCountInString(s)+1 {
				t.Fatalf("ParseRequisite(%q): %v, want a *SyntaxError within the text", s, err)
			}
			return
		}
		canon := r.String()
		again, err := ParseRequisite(canon)
		if err != nil {
			t.Fatalf("ParseRequisite(%q) prints %q, which does not parse: %v", s, canon, err)
		}
		if !reflect.DeepEqual(again, r) || again.String() != canon {
			t.Fatalf("ParseRequisite(%q) = %#v, printed %q, parsed back as %#v", s, r.Expr, canon, again.Expr)
		}
	})
}

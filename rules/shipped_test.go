package rules_test

import (
	"testing"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/seeds"
)

// shipped loads the seed catalog and ruleset. The rule tables below use
// them, so every expectation is about the real UEs of the programme.
func shipped(t *testing.T) (*catalog.Catalog, *rules.Ruleset) {
	t.Helper()
	cat, _, err := catalog.Load(seeds.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	name, data := seeds.Ruleset()
	rs, fs, err := rules.Load(name, data, cat)
	if err != nil || len(fs) != 0 {
		t.Fatalf("shipped ruleset: %v %v", fs, err)
	}
	return cat, rs
}

func ue(t *testing.T, cat *catalog.Catalog, code string) catalog.UE {
	t.Helper()
	u, ok := cat.UE(code)
	if !ok {
		t.Fatalf("no UE %s", code)
	}
	return u
}

func mark(t *testing.T, s string) rules.Mark {
	t.Helper()
	m, err := rules.ParseMark(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// res reads "12,5" or "CM".
func res(t *testing.T, s string) rules.Result {
	t.Helper()
	r, err := rules.ParseResult(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// acts builds the activity results of a sitting from title/result pairs.
func acts(t *testing.T, pairs ...string) rules.Sitting {
	t.Helper()
	s := rules.Sitting{Activities: map[string]rules.Result{}}
	for i := 0; i < len(pairs); i += 2 {
		s.Activities[pairs[i]] = res(t, pairs[i+1])
	}
	return s
}

// whole builds the sitting of a UE-level result (integrated mark, VAL...).
func whole(t *testing.T, s string) rules.Sitting {
	r := res(t, s)
	return rules.Sitting{UE: &r}
}

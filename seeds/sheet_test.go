package seeds_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/seeds"
)

// sheetUE is a UE as the programme sheet prints it.
type sheetUE struct {
	Code, Marker, Title, Coreq string // Code "" for the optional workshop
	Kind                       catalog.Kind
	Hours, Credits             int
	Activities                 []sheetActivity
}

type sheetActivity struct {
	Title string
	Hours int
}

// sheet is what the test reads from the programme sheet.
type sheet struct {
	UEs    []sheetUE
	Totals map[string][2]int // "TOTAL BLOC 1" -> hours, credits
}

var (
	ueLineRE  = regexp.MustCompile(`^UE (\d/\d+)(?: \(([*q])\))?$`)
	numbersRE = regexp.MustCompile(`^(\d+)\s*(\d*)$`)
	totalRE   = regexp.MustCompile(`^Nbre (d'heures|de crédits) :\s+(\d+)$`)
)

// parseSheet reads the text extraction of the programme sheet: a UE header
// ("UE 1/8 (*)"), its title, then blocks of "M/A DC", a line of numbers
// (hours, credits) and the activity they belong to; a UE with several
// activities ends with the numbers of "Total heures de l'UE :".
func parseSheet(t *testing.T, text string) sheet {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	s := sheet{Totals: map[string][2]int{}}
	kind, total := catalog.Complement, ""
	var cur *sheetUE
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch m := ueLineRE.FindStringSubmatch(l); {
		case l == "BLOC 1" || l == "BLOC 2":
			kind = catalog.Core
		case strings.HasPrefix(l, "Activités Optionnelles"):
			s.UEs = append(s.UEs, sheetUE{Kind: catalog.Optional, Title: lines[i+1]})
			cur, i = &s.UEs[len(s.UEs)-1], i+1
		case m != nil:
			title, coreq, _ := strings.Cut(lines[i+1], " - co-requis ")
			s.UEs = append(s.UEs, sheetUE{Code: m[1], Marker: m[2], Kind: kind, Title: title, Coreq: coreq})
			cur, i = &s.UEs[len(s.UEs)-1], i+1
		case l == "M/A\tDC" && total == "":
			n := numbersRE.FindStringSubmatch(lines[i+1])
			if n == nil || cur == nil {
				t.Fatalf("sheet: unexpected %q after M/A DC", lines[i+1])
			}
			hours, _ := strconv.Atoi(n[1])
			label := lines[i+2]
			if !strings.HasPrefix(label, "Total heures de l'UE") {
				cur.Activities = append(cur.Activities, sheetActivity{label, hours})
			}
			if n[2] != "" {
				cur.Hours = hours
				cur.Credits, _ = strconv.Atoi(n[2])
			}
			i += 2
		case strings.HasPrefix(l, "TOTAL BLOC"):
			total = l
		case total != "":
			if m := totalRE.FindStringSubmatch(l); m != nil {
				v, _ := strconv.Atoi(m[2])
				x := s.Totals[total]
				if m[1] == "d'heures" {
					x[0] = v
				} else {
					x[1] = v
				}
				s.Totals[total] = x
			}
		}
	}
	return s
}

// fromCatalog renders the catalog's UEs the way the sheet prints them.
func fromCatalog(c *catalog.Catalog) []sheetUE {
	var out []sheetUE
	for _, u := range c.UEs {
		s := sheetUE{Code: u.Code, Kind: u.Kind, Title: u.Title, Hours: u.Hours, Credits: u.Credits}
		if u.Kind == catalog.Optional {
			s.Code = "" // the sheet gives it no code
		}
		if u.Integrated {
			s.Marker = "*"
		}
		if u.Eligibility != nil {
			s.Marker = strings.Trim(u.Eligibility.Marker, "()")
		}
		s.Coreq = u.Corequisites.String()
		if p := u.Printed.Corequisites.String(); p != "" {
			s.Coreq = p
		}
		for _, a := range u.Activities {
			s.Activities = append(s.Activities, sheetActivity{a.Title, a.Hours})
		}
		out = append(out, s)
	}
	return out
}

// Every UE code, title, marker, co-requisite as printed, hour and credit
// figure of the catalog is the sheet's, and so are the declared totals.
func TestCatalogMatchesSheet(t *testing.T) {
	_, text := seeds.ProgrammeSheet()
	sh := parseSheet(t, string(text))
	if len(sh.UEs) != 26 {
		t.Fatalf("read %d UEs from the sheet, want 25 coded UEs and the optional workshop", len(sh.UEs))
	}
	c, _, err := catalog.Load(seeds.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sh.UEs, fromCatalog(c)); diff != "" {
		t.Errorf("catalog vs sheet (-sheet +catalog):\n%s", diff)
	}
	declared := map[string][2]int{
		"TOTAL BLOC 1":          {c.Blocs[0].Declared.Hours, c.Blocs[0].Declared.Credits},
		"TOTAL BLOC 2":          {c.Blocs[1].Declared.Hours, c.Blocs[1].Declared.Credits},
		"TOTAL BLOC 1 + BLOC 2": {c.Programme.Declared.Hours, c.Programme.Declared.Credits},
	}
	if diff := cmp.Diff(sh.Totals, declared); diff != "" {
		t.Errorf("declared totals (-sheet +catalog):\n%s", diff)
	}
}

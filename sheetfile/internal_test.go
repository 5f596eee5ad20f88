package sheetfile

import "testing"

func TestCleanNumber(t *testing.T) {
	for in, want := range map[float64]string{
		12.5: "12.5", 14: "14", 0.1 + 0.2: "0.3", 12.299999999999999: "12.3",
		1e21: "1000000000000000000000", 0.0001: "0.0001", -0.0: "0", 20: "20",
	} {
		if got := cleanNumber(in); got != want {
			t.Errorf("cleanNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestNumber(t *testing.T) {
	for in, want := range map[string]bool{
		"12.5": true, "14": true, "0": true, "-3": true,
		"12.50": false, "007": false, "1e3": false, "12,5": false, "CM": false, "": false,
		"NaN": false, "Inf": false, "-0": false, "0.30000000000000004": false, " 12": false,
	} {
		if _, got := number(in); got != want {
			t.Errorf("number(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestFromExcelText(t *testing.T) {
	for in, want := range map[string]string{
		`="1/8"`:       "1/8",
		` ="1/8" `:     "1/8",
		`="a""b"`:      `a"b`,
		`=""`:          "",
		`="a"&"b"`:     `="a"&"b"`,
		`=SUM(A1:A2)`:  `=SUM(A1:A2)`,
		`1/8`:          `1/8`,
		`"="1/8"`:      `"="1/8"`,
		`="x" comment`: `="x" comment`,
	} {
		if got := fromExcelText(in); got != want {
			t.Errorf("fromExcelText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNorm(t *testing.T) {
	for in, want := range map[string]string{
		"  Année   Académique ": "annee academique",
		"ÉCHÉANCE":              "echeance",
		"Prénom":                "prenom",
		"Note\u00a0UE":          "note ue",
	} {
		if got := norm(in); got != want {
			t.Errorf("norm(%q) = %q, want %q", in, got, want)
		}
	}
}

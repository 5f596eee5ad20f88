package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/datafile"
)

// Mark is a mark in hundredths of a point: 1250 is 12.50/20. Integer
// hundredths keep every sum, comparison and rounding exact; a mark is
// never a float. Negative marks do not exist.
type Mark int32

// ParseMark reads "12", "12.5", "12,5" or "12.25". More than two decimals,
// signs, exponents and empty strings are refused.
func ParseMark(s string) (Mark, error) {
	s = strings.TrimSpace(strings.Replace(s, ",", ".", 1))
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasFrac && frac == "") || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("mark %q: want a number like 12, 12.5 or 12,5 (at most two decimals)", s)
	}
	w, err := strconv.ParseInt(whole, 10, 32)
	if err != nil || w > 1_000_000 {
		return 0, fmt.Errorf("mark %q: out of range", s)
	}
	f, _ := strconv.Atoi((frac + "00")[:2])
	return Mark(w*100) + Mark(f), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Points returns m as whole points and hundredths: 1250 is (12, 50).
func (m Mark) Points() (int, int) { return int(m) / 100, int(m) % 100 }

// Decimals returns how many decimals m needs: 1200 needs 0, 1250 needs 1.
func (m Mark) Decimals() int {
	switch {
	case m%100 == 0:
		return 0
	case m%10 == 0:
		return 1
	}
	return 2
}

// String writes m with as few decimals as it needs: "12", "12.5", "12.25".
func (m Mark) String() string { return m.Format(m.Decimals()) }

// Format writes m with exactly decimals decimals (0 to 2), truncating:
// round first with a Precision.
func (m Mark) Format(decimals int) string {
	w, f := m.Points()
	switch decimals {
	case 0:
		return strconv.Itoa(w)
	case 1:
		return fmt.Sprintf("%d.%d", w, f/10)
	}
	return fmt.Sprintf("%d.%02d", w, f)
}

// SetScalar reads a mark from a data file.
func (m *Mark) SetScalar(value string, _ int) error {
	v, err := ParseMark(value)
	*m = v
	return err
}

// MarshalJSON publishes a mark as a decimal string ("12.5"), which reads
// back exactly, unlike a JSON number.
func (m Mark) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON reads the decimal string back.
func (m *Mark) UnmarshalJSON(data []byte) error { return datafile.UnmarshalScalar(data, m) }

// Rounding is how a computed value is brought to a number of decimals.
type Rounding string

const (
	HalfUp   Rounding = "half-up"   // 9.5 -> 10, 10.5 -> 11
	HalfEven Rounding = "half-even" // 9.5 -> 10, 10.5 -> 10 (banker's)
	Down     Rounding = "down"      // 9.5 -> 9, 9.99 -> 9 (truncate)
)

// Precision is a number of decimals (0, 1 or 2) and a rounding.
type Precision struct {
	Decimals int      `yaml:"decimals" json:"decimals"`
	Rounding Rounding `yaml:"rounding" json:"rounding" datafile:"required"`
	Line     int      `yaml:"-" json:"-"`
}

// Ratio rounds the exact quotient num/den hundredths (den > 0, num >= 0)
// to p, exactly: a weighted mean is rounded once, from its exact value.
func (p Precision) Ratio(num, den int64) Mark {
	unit := int64(1)
	for range 2 - p.Decimals {
		unit *= 10
	}
	d := den * unit
	q, r := num/d, num%d
	switch p.Rounding {
	case HalfUp:
		if 2*r >= d {
			q++
		}
	case HalfEven:
		if 2*r > d || (2*r == d && q%2 == 1) {
			q++
		}
	}
	return Mark(q * unit)
}

// Round rounds m to p.
func (p Precision) Round(m Mark) Mark { return p.Ratio(int64(m), 1) }

package i18n

import (
	"fmt"
	"regexp"
	"strconv"
)

// verbRE matches a verb of a format: flags, an argument index, width,
// precision, an argument index, the verb ("%%" included).
var verbRE = regexp.MustCompile(`%[-+# 0]*(?:\[(\d+)\])?(?:\d+)?(?:\.\d*)?(?:\[(\d+)\])?([a-zA-Z%])`)

// Verbs maps each argument a format writes (from 0) to its verb; an
// argument written twice is an error.
func Verbs(format string) (map[int]byte, error) {
	out := map[int]byte{}
	arg := 0
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		verb := m[3][0]
		if verb == '%' {
			continue
		}
		for _, ix := range m[1:3] {
			if ix != "" {
				n, err := strconv.Atoi(ix)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("argument index %q", ix)
				}
				arg = n - 1
			}
		}
		if _, twice := out[arg]; twice {
			return nil, fmt.Errorf("argument %d is written twice", arg+1)
		}
		out[arg] = verb
		arg++
	}
	return out, nil
}

// SameVerbs returns nil if fr writes every argument of en once, with the
// same verb, whatever the order; French may write an English %q as
// « %s » (French quotation marks).
func SameVerbs(en, fr string) error {
	ve, err := Verbs(en)
	if err != nil {
		return fmt.Errorf("English %q: %v", en, err)
	}
	vf, err := Verbs(fr)
	if err != nil {
		return fmt.Errorf("French %q: %v", fr, err)
	}
	for i, e := range ve {
		f, ok := vf[i]
		switch {
		case !ok:
			return fmt.Errorf("French %q omits argument %d (%%%c) of English %q", fr, i+1, e, en)
		case e != f && !(e == 'q' && f == 's'):
			return fmt.Errorf("French %q writes argument %d with %%%c, English %q with %%%c", fr, i+1, f, en, e)
		}
	}
	for i := range vf {
		if _, ok := ve[i]; !ok {
			return fmt.Errorf("French %q writes argument %d, which English %q does not have", fr, i+1, en)
		}
	}
	return nil
}

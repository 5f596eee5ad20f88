package datafile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Canonical returns the canonical JSON of v: encoding/json with the field
// order of v's struct tags, no indentation, HTML left unescaped. It is the
// form a catalog or ruleset is published in and digested from, so layout
// and comments of the YAML file never change a digest.
func Canonical(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// MustCanonical is Canonical for types that always encode (the catalog and
// ruleset types); it panics otherwise, which is a bug.
func MustCanonical(v any) []byte {
	data, err := Canonical(v)
	if err != nil {
		panic(fmt.Sprintf("datafile: canonical JSON of %T: %v", v, err))
	}
	return data
}

// Digest returns the lower-case hex SHA-256 of MustCanonical(v).
func Digest(v any) string {
	sum := sha256.Sum256(MustCanonical(v))
	return hex.EncodeToString(sum[:])
}

// UnmarshalScalar decodes a JSON string into a Scalar type: the published
// form of a mark, a date or a requisite is the text its file holds.
func UnmarshalScalar(data []byte, s Scalar) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	return s.SetScalar(text, 0)
}

// A Change is one difference between two versions of a data file.
type Change struct {
	Subject string // "UE 1/8", "programme", "scale"
	Kind    string // "added", "removed" or "changed"
	Field   string // for "changed": the JSON name of the field
	Old     string // for "changed": canonical JSON of the old value
	New     string // for "changed": canonical JSON of the new value
}

func (c Change) String() string {
	if c.Kind != "changed" {
		return c.Subject + " " + c.Kind
	}
	return fmt.Sprintf("%s: %s: %s -> %s", c.Subject, c.Field, c.Old, c.New)
}

// DiffFields compares two values of the same struct type field by field, in
// declaration order, by their canonical JSON, and reports each field that
// differs. Fields without a JSON name (json:"-") are ignored.
func DiffFields[T any](subject string, old, new T) []Change {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(new)
	var out []Change
	for i := range ov.NumField() {
		name, _, _ := strings.Cut(ov.Type().Field(i).Tag.Get("json"), ",")
		if name == "-" || !ov.Type().Field(i).IsExported() {
			continue
		}
		o, n := string(MustCanonical(ov.Field(i).Interface())), string(MustCanonical(nv.Field(i).Interface()))
		if o != n {
			out = append(out, Change{Subject: subject, Kind: "changed", Field: name, Old: o, New: n})
		}
	}
	return out
}

// DiffLists compares two lists of records identified by key: records only in
// old are removed, only in new added, in both compared with DiffFields.
// The result follows old's order, then the additions in new's order.
func DiffLists[T any](old, new []T, key func(T) string) []Change {
	index := func(xs []T) map[string]T {
		m := make(map[string]T, len(xs))
		for _, x := range xs {
			m[key(x)] = x
		}
		return m
	}
	om, nm := index(old), index(new)
	var out []Change
	for _, o := range old {
		n, ok := nm[key(o)]
		if !ok {
			out = append(out, Change{Subject: key(o), Kind: "removed"})
			continue
		}
		out = append(out, DiffFields(key(o), o, n)...)
	}
	for _, n := range new {
		if _, ok := om[key(n)]; !ok {
			out = append(out, Change{Subject: key(n), Kind: "added"})
		}
	}
	return out
}

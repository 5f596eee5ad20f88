package datafile

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Scalar is implemented by field types that decode themselves from one
// YAML scalar (a mark "12,5", a requisite expression "1/11 AND 1/12", a
// date). line is the scalar's line, for types that keep their position.
type Scalar interface {
	SetScalar(value string, line int) error
}

// Decode decodes the YAML document data into v, a pointer to a struct, and
// returns every violation of the schema that v's type describes:
//
//   - fields come from `yaml:"name"` tags; a key with no field is refused
//     (field.unknown), as is a key given twice in a mapping (field.duplicate);
//   - a field tagged `datafile:"required"` must be present and not null
//     (field.required);
//   - values must have the field's type (field.type) or be accepted by its
//     Scalar implementation (field.value);
//   - anchors and aliases are refused (field.alias): a reviewed file reads
//     top to bottom;
//   - an int field named Line tagged `yaml:"-"` receives the line of the
//     mapping it was decoded from.
//
// Decoding goes on after a finding, so one run names every problem. A
// document that does not parse at all yields one yaml.syntax finding.
func Decode(file string, data []byte, v any) Findings {
	d := decoder{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.add(syntaxLine(err), "yaml.syntax", "", "%v", err)
		return d.fs
	}
	if len(doc.Content) == 0 {
		d.add(1, "yaml.syntax", "", "the document is empty")
		return d.fs
	}
	d.value(doc.Content[0], reflect.ValueOf(v).Elem(), "")
	return d.fs
}

var lineRE = regexp.MustCompile(`line (\d+)`)

func syntaxLine(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

type decoder struct {
	file string
	fs   Findings
}

func (d *decoder) add(line int, code, subject, format string, args ...any) {
	d.fs.Add(d.file, line, Error, code, subject, format, args...)
}

var scalarType = reflect.TypeFor[Scalar]()

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.add(n.Line, "field.alias", path, "%s: anchors and aliases are not allowed", describe(path))
		return
	}
	if reflect.PointerTo(v.Type()).Implements(scalarType) {
		if n.Kind != yaml.ScalarNode {
			d.add(n.Line, "field.type", path, "%s: want a single value, got %s", describe(path), kindName(n))
			return
		}
		if err := v.Addr().Interface().(Scalar).SetScalar(n.Value, n.Line); err != nil {
			d.add(n.Line, "field.value", path, "%s: %v", describe(path), err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.value(n, p.Elem(), path)
		v.Set(p)
	default:
		d.scalar(n, v, path)
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.add(n.Line, "field.type", path, "%s: want a list, got %s", describe(path), kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.add(n.Line, "field.type", path, "%s: want a single value, got %s", describe(path), kindName(n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if err != nil || n.Tag != "!!bool" {
			d.add(n.Line, "field.type", path, "%s: want true or false, got %q", describe(path), n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 10, v.Type().Bits())
		if err != nil || n.Tag != "!!int" {
			d.add(n.Line, "field.type", path, "%s: want a whole number, got %q", describe(path), n.Value)
			return
		}
		v.SetInt(i)
	default:
		panic(fmt.Sprintf("datafile: field %s has unsupported type %s", path, v.Type()))
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.add(n.Line, "field.type", path, "%s: want a mapping of fields, got %s", describe(path), kindName(n))
		return
	}
	fields := structFields(v.Type())
	if i, ok := fields.line(); ok {
		v.Field(i).SetInt(int64(n.Line))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		sub := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, "field.duplicate", sub, "%s: key %q given twice (first at line %d)", describe(path), k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fields.byName[k.Value]
		if !ok {
			d.add(k.Line, "field.unknown", sub, "%s: unknown field %q (known: %s)", describe(path), k.Value, strings.Join(fields.names, ", "))
			continue
		}
		if val.Tag == "!!null" {
			continue // an empty value is an absent one
		}
		d.value(val, v.Field(f.index), sub)
	}
	for _, name := range fields.names {
		if f := fields.byName[name]; f.required {
			if _, ok := seen[name]; !ok {
				d.add(n.Line, "field.required", join(path, name), "%s: required field %q is missing", describe(path), name)
			}
		}
	}
}

type field struct {
	index    int
	required bool
}

type fieldSet struct {
	names     []string // in declaration order, for messages
	byName    map[string]field
	lineIndex int // -1 when the struct has no Line field
}

func (fs fieldSet) line() (int, bool) { return fs.lineIndex, fs.lineIndex >= 0 }

func structFields(t reflect.Type) fieldSet {
	fs := fieldSet{byName: map[string]field{}, lineIndex: -1}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "-" {
			if sf.Name == "Line" && sf.Type.Kind() == reflect.Int {
				fs.lineIndex = i
			}
			continue
		}
		if name == "" || !sf.IsExported() {
			continue
		}
		fs.names = append(fs.names, name)
		fs.byName[name] = field{index: i, required: sf.Tag.Get("datafile") == "required"}
	}
	return fs
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(path string) string {
	if path == "" {
		return "document"
	}
	return path
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// Holes reports whether fs says some value could not be decoded (a syntax
// error, a wrong type, a bad value, a missing required field). Semantic
// checks should not run on such a result: they would report consequences
// of the hole (a total off by the missing hours) instead of its cause.
// Unknown fields and repeated keys leave no hole and do not count.
func Holes(fs Findings) bool {
	for _, f := range fs {
		switch f.Code {
		case "yaml.syntax", "field.type", "field.value", "field.required", "field.alias":
			return true
		}
	}
	return false
}

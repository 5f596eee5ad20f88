package events

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The fast path of strict. Decoding every record of a replay with
// encoding/json's Decoder costs several times the read itself, so records
// in the plain form Encode writes are decoded by a small reflective
// decoder. It is an accelerator, never an authority: it accepts only input
// it can decode exactly as encoding/json with DisallowUnknownFields would
// (keys spelt exactly as tagged, each once; strings without escapes or
// control characters, valid UTF-8; integers without fraction or exponent;
// no null), and reports false on anything else, valid or not, so that
// encoding/json decides and words the error. Types it does not know (maps,
// pointers, floats, interfaces, embedded structs, tag options other than
// omitempty/omitzero, json.Unmarshalers other than time.Time and
// json.RawMessage) always go to encoding/json.

type fastKind uint8

const (
	fastString fastKind = iota + 1
	fastBool
	fastInt
	fastUint
	fastSlice
	fastStruct
	fastTime // time.Time: UnmarshalJSON on the quoted string
	fastText // encoding.TextUnmarshaler (uuid.UUID) on a string
	fastRaw  // json.RawMessage: the value's bytes, validated, copied
)

type fastType struct {
	kind   fastKind
	bits   int         // fastInt, fastUint
	elem   *fastType   // fastSlice
	fields []fastField // fastStruct
}

type fastField struct {
	name  string
	index int
	typ   *fastType
}

var (
	fastTypes        sync.Map // reflect.Type -> *fastType (nil: not handled)
	jsonUnmarshalerT = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerT = reflect.TypeFor[encoding.TextUnmarshaler]()
	rawMessageT      = reflect.TypeFor[json.RawMessage]()
	timeT            = reflect.TypeFor[time.Time]()
)

func fastTypeOf(t reflect.Type) *fastType {
	if ft, ok := fastTypes.Load(t); ok {
		return ft.(*fastType)
	}
	ft := compileFast(t, map[reflect.Type]bool{})
	fastTypes.Store(t, ft)
	return ft
}

func compileFast(t reflect.Type, busy map[reflect.Type]bool) *fastType {
	if busy[t] {
		return nil // recursive types are left to encoding/json
	}
	busy[t] = true
	defer delete(busy, t)
	pt := reflect.PointerTo(t)
	switch {
	case t == rawMessageT:
		return &fastType{kind: fastRaw}
	case t == timeT:
		return &fastType{kind: fastTime}
	case pt.Implements(jsonUnmarshalerT):
		return nil
	case pt.Implements(textUnmarshalerT):
		return &fastType{kind: fastText}
	}
	switch t.Kind() {
	case reflect.String:
		return &fastType{kind: fastString}
	case reflect.Bool:
		return &fastType{kind: fastBool}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &fastType{kind: fastInt, bits: t.Bits()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &fastType{kind: fastUint, bits: t.Bits()}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // base64
		}
		elem := compileFast(t.Elem(), busy)
		if elem == nil {
			return nil
		}
		return &fastType{kind: fastSlice, elem: elem}
	case reflect.Struct:
		ft := &fastType{kind: fastStruct}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				return nil
			}
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			for _, o := range strings.Split(opts, ",") {
				if o != "" && o != "omitempty" && o != "omitzero" {
					return nil
				}
			}
			if name == "" {
				name = f.Name
			}
			if !plainName(name) {
				return nil
			}
			for _, g := range ft.fields {
				if g.name == name {
					return nil
				}
			}
			typ := compileFast(f.Type, busy)
			if typ == nil {
				return nil
			}
			ft.fields = append(ft.fields, fastField{name: name, index: i, typ: typ})
		}
		if len(ft.fields) > 64 {
			return nil
		}
		return ft
	}
	return nil
}

func plainName(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

// fastDecode decodes data into v (addressable) and reports whether it
// could; on false v may be partly set. With rawInPlace, json.RawMessage
// values are neither checked nor copied: they alias data.
func fastDecode(data []byte, v reflect.Value, rawInPlace bool) bool {
	ft := fastTypeOf(v.Type())
	if ft == nil {
		return false
	}
	p := fastParser{b: data, rawInPlace: rawInPlace}
	if !p.value(ft, v) {
		return false
	}
	p.ws()
	return p.i == len(p.b)
}

type fastParser struct {
	b          []byte
	i          int
	rawInPlace bool
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek skips white space and reports whether the next byte is c.
func (p *fastParser) peek(c byte) bool {
	p.ws()
	return p.i < len(p.b) && p.b[p.i] == c
}

// str reads a string without escapes or control characters, in valid
// UTF-8, and returns its content.
func (p *fastParser) str() ([]byte, bool) {
	if !p.peek('"') {
		return nil, false
	}
	start, ascii := p.i+1, true
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			s := p.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			p.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, false
}

// integer reads -?(0|[1-9][0-9]*) not followed by a fraction or exponent.
func (p *fastParser) integer() (string, bool) {
	p.ws()
	start, j := p.i, p.i
	if j < len(p.b) && p.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	if j == digits || (p.b[digits] == '0' && j > digits+1) {
		return "", false
	}
	if j < len(p.b) && (p.b[j] == '.' || p.b[j] == 'e' || p.b[j] == 'E') {
		return "", false
	}
	p.i = j
	return string(p.b[start:j]), true
}

// skip moves past one value without checking it (fastRaw validates the
// bytes it covers).
func (p *fastParser) skip() bool {
	p.ws()
	if p.i >= len(p.b) {
		return false
	}
	depth, inString := 0, false
	for j := p.i; j < len(p.b); j++ {
		c := p.b[j]
		switch {
		case inString:
			switch c {
			case '\\':
				j++
			case '"':
				inString = false
				if depth == 0 {
					p.i = j + 1
					return true
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 { // a scalar ends where its container does
				ok := j > p.i
				p.i = j
				return ok
			}
			depth--
			if depth == 0 {
				p.i = j + 1
				return true
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			p.i = j
			return true
		}
	}
	if depth != 0 || inString {
		return false
	}
	p.i = len(p.b)
	return true
}

func (p *fastParser) value(ft *fastType, v reflect.Value) bool {
	switch ft.kind {
	case fastString:
		s, ok := p.str()
		if !ok {
			return false
		}
		v.SetString(string(s))
	case fastBool:
		p.ws()
		switch rest := p.b[p.i:]; {
		case bytes.HasPrefix(rest, []byte("true")):
			v.SetBool(true)
			p.i += 4
		case bytes.HasPrefix(rest, []byte("false")):
			v.SetBool(false)
			p.i += 5
		default:
			return false
		}
	case fastInt:
		s, ok := p.integer()
		if !ok {
			return false
		}
		n, err := strconv.ParseInt(s, 10, ft.bits)
		if err != nil {
			return false
		}
		v.SetInt(n)
	case fastUint:
		s, ok := p.integer()
		if !ok || s[0] == '-' {
			return false
		}
		n, err := strconv.ParseUint(s, 10, ft.bits)
		if err != nil {
			return false
		}
		v.SetUint(n)
	case fastTime:
		p.ws()
		start := p.i
		if _, ok := p.str(); !ok {
			return false
		}
		if err := v.Addr().Interface().(*time.Time).UnmarshalJSON(p.b[start:p.i]); err != nil {
			return false
		}
	case fastText:
		s, ok := p.str()
		if !ok {
			return false
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(s); err != nil {
			return false
		}
	case fastRaw:
		p.ws()
		start := p.i
		if !p.skip() {
			return false
		}
		raw := p.b[start:p.i]
		if p.rawInPlace {
			v.SetBytes(raw[:len(raw):len(raw)])
			break
		}
		if !json.Valid(raw) {
			return false
		}
		v.SetBytes(append([]byte(nil), raw...))
	case fastSlice:
		if !p.peek('[') {
			return false
		}
		p.i++
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		if p.peek(']') {
			p.i++
			return true
		}
		for n := 0; ; n++ {
			v.Grow(1)
			v.SetLen(n + 1)
			if !p.value(ft.elem, v.Index(n)) {
				return false
			}
			switch {
			case p.peek(','):
				p.i++
			case p.peek(']'):
				p.i++
				return true
			default:
				return false
			}
		}
	case fastStruct:
		if !p.peek('{') {
			return false
		}
		p.i++
		if p.peek('}') {
			p.i++
			return true
		}
		var seen uint64
		for {
			key, ok := p.str()
			if !ok || !p.peek(':') {
				return false
			}
			p.i++
			k := -1
			for i := range ft.fields {
				if ft.fields[i].name == string(key) {
					k = i
					break
				}
			}
			if k < 0 || seen&(1<<k) != 0 {
				return false // unknown (or differently spelt) field, or twice
			}
			seen |= 1 << k
			f := &ft.fields[k]
			if !p.value(f.typ, v.Field(f.index)) {
				return false
			}
			switch {
			case p.peek(','):
				p.i++
			case p.peek('}'):
				p.i++
				return true
			default:
				return false
			}
		}
	default:
		return false
	}
	return true
}

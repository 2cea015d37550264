package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"
)

// checkNames walks a JSON document beside the Go type it is decoded into and refuses what
// encoding/json would quietly accept: a name given twice (the last would win) or in two
// spellings that differ only in case, and a struct field named in another case than its own
// (encoding/json matches names case-insensitively, so `"quantity":1,"Quantity":9999` would
// order 9,999). Names are matched exactly, as the OpenAPI document spells them.
func checkNames(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var re *requestError
	if err := walkNames(dec, t, ""); errors.As(err, &re) {
		return err
	}
	// Malformed, empty or truncated JSON: the decoder that runs next says what is wrong.
	return nil
}

// maxDepth bounds the nesting walkNames follows (a request body is shallow).
const maxDepth = 64

func walkNames(dec *json.Decoder, t reflect.Type, path string) error {
	if strings.Count(path, ".")+strings.Count(path, "[") > maxDepth {
		return badRequest("The request body is nested too deeply.")
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: encoding/json checks its type
	}
	switch d {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkNames(dec, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case '{':
		fields := structFields(t)
		seen := map[string]string{} // folded name → the name as given
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := tok.(string)
			full := name
			if path != "" {
				full = path + "." + name
			}
			if prev, dup := seen[fold(name)]; dup {
				if prev == name {
					return &requestError{msg: fmt.Sprintf("Field %q is given more than once.", full), data: []string{name}}
				}
				return &requestError{msg: fmt.Sprintf("Fields %q and %q differ only in case: give one.", prev, name), data: []string{prev, name}}
			}
			seen[fold(name)] = name
			var next reflect.Type
			switch {
			case fields != nil:
				ft, ok := fields[name]
				if !ok {
					return unknownField(full, name, fields)
				}
				next = ft
			case t != nil && t.Kind() == reflect.Map:
				next = t.Elem()
			}
			if err := walkNames(dec, next, full); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing ] or }
	return err
}

// unknownField names a field the type does not have, and the field it differs from only in
// case, if any.
func unknownField(full, name string, fields map[string]reflect.Type) error {
	for known := range fields {
		if fold(known) == fold(name) {
			return &requestError{msg: fmt.Sprintf("Unknown field %q: names are case-sensitive, this one is %q.", full, known), data: []string{name}}
		}
	}
	return &requestError{msg: fmt.Sprintf("Unknown field %q.", full), data: []string{name}}
}

// structFields maps a struct's JSON names to their types; nil when t is not a struct.
func structFields(t reflect.Type) map[string]reflect.Type {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// fold is the case folding with which encoding/json matches names: two names with the same
// fold are the same field to it (this includes the Kelvin sign for "k" and the long s for "s").
func fold(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, s)
}

package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// Catalogs built from Go values (a config file's models: and limits:,
// decoded from YAML) take the same data as Parse would from their JSON:
// New and CloneModel do in place what a JSON round trip did, without the
// encoding, the second decoding and the reflection they cost.

// New builds a catalog of the given models and aliases, as Parse builds
// one from a document holding them: values are normalized as JSON would
// carry them (numbers float64, empty optional lists absent), then the
// catalog is checked and compiled. It works on deep copies, as decoding
// makes them: values shared in the input (YAML anchors) are not shared in
// the catalog, and the input is not modified.
func New(models []*Model, aliases []*Alias) (*Catalog, error) {
	c := &Catalog{Version: 1}
	for _, m := range models {
		c.Models = append(c.Models, CloneModel(m))
	}
	for _, a := range aliases {
		c.Aliases = append(c.Aliases, deepCopy(reflect.ValueOf(a)).Interface().(*Alias))
	}
	if err := asJSON(reflect.ValueOf(c).Elem(), ""); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	if err := c.compile(); err != nil {
		return nil, err
	}
	return c, nil
}

// CloneModel returns a deep copy of m's catalog data, not compiled, so a
// variant can be added to it (New compiles it) while m stays shared and
// untouched.
func CloneModel(m *Model) *Model {
	return deepCopy(reflect.ValueOf(m)).Interface().(*Model)
}

// deepCopy copies v's exported data: pointers, slices, maps and interfaces
// are copied, not shared; unexported fields (compiled state) stay zero.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(deepCopy(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(deepCopy(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(deepCopy(v.Elem()))
		return out
	}
	return v
}

// asJSON makes v (addressable) what encoding/json's output of it decodes
// to in Parse: optional ("omitempty") empty lists and maps absent, values
// of type any holding float64 numbers, []any and map[string]any, and no
// NaN or infinity, which JSON cannot carry. path names the place in errors.
func asJSON(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return asJSON(v.Elem(), path)
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				fv.SetZero()
				continue
			}
			if err := asJSON(fv, join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if err := asJSON(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := it.Value()
			if e.Kind() == reflect.Slice {
				// Elements of a slice are addressable as they are.
				if err := asJSON(e, join(path, it.Key().String())); err != nil {
					return err
				}
				continue
			}
			if e.Kind() != reflect.Pointer {
				continue // map[string]string: nothing to do
			}
			if err := asJSON(e, join(path, it.Key().String())); err != nil {
				return err
			}
		}
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		x, err := jsonValue(v.Interface())
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		v.Set(reflect.ValueOf(&x).Elem())
	case reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s: %v is not a number JSON can hold", path, f)
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonValue returns x as Parse decodes x's JSON into an any.
func jsonValue(x any) (any, error) {
	switch x := x.(type) {
	case nil, string, bool:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a number JSON can hold", x)
		}
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = jsonValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if out[k], err = jsonValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Anything else (a YAML timestamp, another integer type) takes the
	// way it took before: its JSON, decoded.
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var out any
	if err := jsonv2.Unmarshal(b, &out, parseOptions); err != nil {
		return nil, err
	}
	return out, nil
}

// Package mappingtest checks the mappings from the YAML configuration into the option
// types the domain packages and the scheduler declare: that every field a package reads is
// filled, from the configuration field of the same name.
package mappingtest

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// Fill sets every field under ptr to a distinct non-zero value (slices get two elements,
// maps one entry), so a mapping that forgets a field leaves a zero SameByName can see.
func Fill(ptr any) {
	n := 0
	fill(reflect.ValueOf(ptr).Elem(), &n)
}

func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(*n) * int64(time.Second))
		} else {
			v.SetInt(int64(*n))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() { // unexported: derived state, not configuration
				fill(v.Field(i), n)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// SameByName checks that every field of the domain value is non-zero and equal to the
// configuration field of the same name (recursively), except those in skip.
func SameByName(t *testing.T, where string, dom, cfg any, skip map[string]bool) {
	t.Helper()
	same(t, where, reflect.ValueOf(dom), reflect.ValueOf(cfg), skip)
}

func same(t *testing.T, where string, dom, cfg reflect.Value, skip map[string]bool) {
	t.Helper()
	switch dom.Kind() {
	case reflect.Struct:
		for i := range dom.NumField() {
			name := dom.Type().Field(i).Name
			at := where + "." + name
			if skip[at] {
				continue
			}
			cf := cfg.FieldByName(name)
			if !cf.IsValid() {
				t.Errorf("%s: no configuration field of that name", at)
				continue
			}
			same(t, at, dom.Field(i), cf, skip)
		}
	case reflect.Slice:
		if dom.Len() == 0 || dom.Len() != cfg.Len() {
			t.Errorf("%s: %d elements, configuration has %d", where, dom.Len(), cfg.Len())
			return
		}
		for i := range dom.Len() {
			same(t, fmt.Sprintf("%s[%d]", where, i), dom.Index(i), cfg.Index(i), skip)
		}
	default:
		if dom.IsZero() {
			t.Errorf("%s: not mapped (zero)", where)
			return
		}
		if dom.Type() != cfg.Type() && cfg.Type().ConvertibleTo(dom.Type()) && dom.Kind() == cfg.Kind() {
			cfg = cfg.Convert(dom.Type()) // a named domain type over the configuration's string
		}
		if !reflect.DeepEqual(dom.Interface(), cfg.Interface()) {
			t.Errorf("%s = %v, configuration has %v", where, dom.Interface(), cfg.Interface())
		}
	}
}

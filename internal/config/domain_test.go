package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fill sets every field under v to a distinct non-zero value (slices get two elements,
// maps one entry), so a mapping that forgets a field leaves a zero the check can see.
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
			fill(v.Field(i), n)
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

// sameByName checks that every field of the domain value is non-zero and equal to the
// configuration field of the same name (recursively), except those in skip.
func sameByName(t *testing.T, where string, dom, cfg reflect.Value, skip map[string]bool) {
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
			sameByName(t, at, dom.Field(i), cf, skip)
		}
	case reflect.Slice:
		if dom.Len() == 0 || dom.Len() != cfg.Len() {
			t.Errorf("%s: %d elements, configuration has %d", where, dom.Len(), cfg.Len())
			return
		}
		for i := range dom.Len() {
			sameByName(t, fmt.Sprintf("%s[%d]", where, i), dom.Index(i), cfg.Index(i), skip)
		}
	default:
		if dom.IsZero() {
			t.Errorf("%s: not mapped (zero)", where)
		} else if !reflect.DeepEqual(dom.Interface(), cfg.Interface()) {
			t.Errorf("%s = %v, configuration has %v", where, dom.Interface(), cfg.Interface())
		}
	}
}

func TestDomainMappingsCarryEveryField(t *testing.T) {
	var c Config
	n := 0
	fill(reflect.ValueOf(&c).Elem(), &n)

	s := c.ClaimsSetup()
	if s.GroupSameDay != c.Claims.GroupSameDay || s.MaxClaimsPerSet != c.Claims.MaxClaimsPerSet {
		t.Errorf("claims options: got %v/%d, want %v/%d", s.GroupSameDay, s.MaxClaimsPerSet, c.Claims.GroupSameDay, c.Claims.MaxClaimsPerSet)
	}
	skip := map[string]bool{"setup.GroupSameDay": true, "setup.MaxClaimsPerSet": true}
	for i := range c.Clearinghouses {
		// Now is the time a file is written, not configuration.
		skip[fmt.Sprintf("setup.Clearinghouses[%d].ISA.Now", i)] = true
	}
	sameByName(t, "setup", reflect.ValueOf(*s), reflect.ValueOf(c), skip)
	sameByName(t, "remit", reflect.ValueOf(c.RemitPayers()), reflect.ValueOf(c.Payers), nil)
}

// TestClaimsSetupDemo pins the demo facts the claims tests assume (claims/helpers_test.go).
func TestClaimsSetupDemo(t *testing.T) {
	s := Default().ClaimsSetup()
	var got []string
	for _, p := range s.Payers {
		got = append(got, fmt.Sprintf("%s %s %s %s timely %d/%d modifiers %d supervise %v telehealth %v auth %v",
			p.ID, p.PayerID, p.ClaimFilingIndicator, p.Clearinghouse, p.TimelyFilingDays, p.TimelyFilingWarnDays,
			len(p.CredentialModifiers), p.SupervisingRequiredFor, p.Telehealth, p.AuthRequiredCodes))
	}
	want := []string{
		"demo-commercial 60054 CI sim timely 180/30 modifiers 0 supervise [] telehealth {[02 10] 95 93} auth [90832-90838 90846 90847 90853]",
		"demo-medicaid 77027 MC sim timely 365/30 modifiers 7 supervise [unlicensed] telehealth {[02 10] 95 93} auth [90832-90838 90846 90847 90853 H0004 H2019 97151-97158]",
		"demo-carveout BH001 HM sim timely 90/14 modifiers 0 supervise [unlicensed] telehealth {[02 10] 95 93} auth [90832-90838 90846 90847 90853]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payers:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pr, ok := s.Practice("demo-practice")
	if !ok || pr.NPI != "1234567893" || len(pr.Providers) != 2 || pr.Providers[1].Supervisor != pr.Providers[0].NPI {
		t.Errorf("practice: %+v", pr)
	}
	ch, ok := s.Clearinghouse("sim")
	if !ok || ch.ISA.SenderID != "EDIGATE" || ch.ISA.ReceiverID != "SIMCH" || ch.ISA.Usage != "T" || ch.Submitter.ID != "EDIGATE" {
		t.Errorf("clearinghouse: %+v", ch)
	}
}

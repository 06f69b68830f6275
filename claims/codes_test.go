package claims

import "testing"

// TestCodeFormats checks the shared patterns directly, in both ICD-10-CM forms: as people
// write it (icd10Re, intake) and as 2300 HI carries it (icd10HIRe, the scrubber).
func TestCodeFormats(t *testing.T) {
	cases := []struct {
		re     string
		code   string
		input  bool // icd10Re / cptRe / modifierRe
		hiForm bool // icd10HIRe (ICD-10 only)
	}{
		{"icd10", "F41.1", true, false},
		{"icd10", "F411", true, true},
		{"icd10", "F41", true, true},
		{"icd10", "F41.", false, false},
		{"icd10", "S72.001A", true, false},
		{"icd10", "S72001A", true, true},
		{"icd10", "S72001AB", false, false}, // 8 characters
		{"icd10", "S720.01A", false, false}, // the point goes after the category
		{"icd10", "F4", false, false},
		{"icd10", "4F1", false, false},
		{"icd10", "f41.1", false, false}, // intake takes codes as sent; the builder upper-cases
		{"cpt", "90837", true, false},
		{"cpt", "0362T", true, false}, // Category III
		{"cpt", "3085F", true, false}, // Category II
		{"cpt", "H2019", true, false}, // HCPCS Level II
		{"cpt", "V5010", true, false},
		{"cpt", "W1234", false, false}, // no HCPCS section W-Z
		{"cpt", "Z0000", false, false},
		{"cpt", "9083", false, false},
		{"cpt", "908370", false, false},
		{"modifier", "95", true, false},
		{"modifier", "HO", true, false},
		{"modifier", "H", false, false},
		{"modifier", "ho", false, false},
	}
	for _, c := range cases {
		t.Run(c.re+"/"+c.code, func(t *testing.T) {
			switch c.re {
			case "icd10":
				if got := icd10Re.MatchString(c.code); got != c.input {
					t.Errorf("as written: %v, want %v", got, c.input)
				}
				if got := icd10HIRe.MatchString(c.code); got != c.hiForm {
					t.Errorf("HI form: %v, want %v", got, c.hiForm)
				}
			case "cpt":
				if got := cptRe.MatchString(c.code); got != c.input {
					t.Errorf("%v, want %v", got, c.input)
				}
			case "modifier":
				if got := modifierRe.MatchString(c.code); got != c.input {
					t.Errorf("%v, want %v", got, c.input)
				}
			}
		})
	}
}

// TestValidatorAndScrubberAgree: a diagnosis or procedure code intake accepts is one the
// scrubber accepts on the claim built from it, and the other way round.
func TestValidatorAndScrubberAgree(t *testing.T) {
	cases := []struct {
		what, code string
		valid      bool
	}{
		{"diagnosis", "F41.1", true},
		{"diagnosis", "F411", true},
		{"diagnosis", "F43.10", true},
		{"diagnosis", "S72.001A", true},
		{"diagnosis", "S72.001AB", false},
		{"diagnosis", "F4", false},
		{"diagnosis", "1F41", false},
		{"procedure", "90837", true},
		{"procedure", "H2019", true},
		{"procedure", "0362T", true},
		{"procedure", "W1234", false},
		{"procedure", "9083", false},
	}
	for _, c := range cases {
		t.Run(c.what+"/"+c.code, func(t *testing.T) {
			s := validSession()
			field, rule := "diagnoses[0]", "icd10.format"
			if c.what == "diagnosis" {
				s.Diagnoses = []string{c.code}
			} else {
				s.Service.Code, field, rule = c.code, "service.code", "cpt.format"
			}
			intake := true
			for _, e := range ValidateSession(s, testSetup(), validateToday) {
				if e.Field == field {
					intake = false
				}
			}
			_, cl, sc := cleanCase(t)
			if c.what == "diagnosis" {
				// The claim is built from the session, as the pipeline does (the point goes).
				ss := session("s-1", "90837")
				ss.Authorization, ss.Diagnoses = "AUTH-1", []string{c.code}
				cl = (&Builder{Setup: testSetup()}).Claims([]Session{ss})[0]
			} else {
				cl.Lines[0].Code = c.code
			}
			scrub := true
			for _, f := range sc.Scrub([]*Claim{cl})[0].Findings {
				if f.Rule == rule {
					scrub = false
				}
			}
			if intake != c.valid || scrub != c.valid {
				t.Errorf("intake accepts %v, scrubber accepts %v; want both %v", intake, scrub, c.valid)
			}
		})
	}
}

package config

import (
	"strings"
	"testing"
)

func TestPayerValidation(t *testing.T) {
	cases := []struct {
		name, id, unlisted, want string
	}{
		{"default", "p1", "", ""},
		{"hold", "p1", "hold", ""},
		{"allow", "p1", "allow", ""},
		{"billing", "p1", "billing", ""},
		{"unknown", "p1", "sometimes", `config payers[0].enrollment_unlisted: "sometimes" is not billing, hold or allow`},
		{"slash in id", "a/b", "", `config payers[0].id: "a/b" must not contain /`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadYAML(t, "", "payers:\n  - id: "+c.id+"\n    payer_id: X1\n    clearinghouse: ch\n    claim_filing_indicator: CI\n"+
				"    enrollment_unlisted: \""+c.unlisted+"\"\n")
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Payers[0].EnrollmentUnlisted != c.unlisted {
					t.Errorf("enrollment_unlisted = %q, want %q", cfg.Payers[0].EnrollmentUnlisted, c.unlisted)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
}

package config

import (
	"strings"
	"testing"
	"time"
)

func TestIntakeCompleteRule(t *testing.T) {
	if c := Default(); c.Intake.Complete != "rename" {
		t.Fatalf("default intake.complete = %q, want rename", c.Intake.Complete)
	}
	tests := []struct {
		complete  string
		stableFor time.Duration
		wantErr   string
	}{
		{"rename", 0, ""},
		{"done", 0, ""},
		{"quiet", 2 * time.Second, ""},
		{"quiet", 0, "intake.stable_for"},
		{"whenever", 0, "intake.complete"},
	}
	for _, tt := range tests {
		c := Default()
		c.Intake.Complete, c.Intake.StableFor = tt.complete, tt.stableFor
		err := c.Validate()
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s/%v: err = %v, want %q", tt.complete, tt.stableFor, err, tt.wantErr)
		}
	}
}

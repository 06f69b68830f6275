package main

import (
	"os"
	"path/filepath"
	"testing"
)

// noEligibilityWait points APP_CONFIG at a file that turns claims.wait_for_eligibility off,
// for CLI tests that build claims from sessions with no 270.
func noEligibilityWait(t *testing.T) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nowait.yml")
	if err := os.WriteFile(path, []byte("claims:\n  wait_for_eligibility: 0s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APP_CONFIG", path)
}

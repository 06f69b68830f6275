package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEligibilityParseJSON(t *testing.T) {
	code, out, errOut := runCmd(t, "", "eligibility", "parse", "--json", "--charge", "150", "../../eligibility/testdata/deductible-coinsurance.271")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("answers: %d", len(got))
	}
	g := got[0]
	// The keys the issue fixes as the contract, with their JSON types.
	for k, want := range map[string]any{"trace": "T200", "member_id": "W200", "active": true, "in_network": true, "auth_required": nil,
		"copay": nil, "coinsurance_percent": "20", "deductible": "1500.00", "deductible_remaining": "400.50",
		"out_of_pocket_remaining": "3200.00", "carve_out": nil} {
		if v, ok := g[k]; !ok || v != want {
			t.Errorf("%s = %#v (present %v), want %#v", k, v, ok, want)
		}
	}
	if _, ok := g["rejects"].([]any); !ok {
		t.Errorf("rejects must be a list: %#v", g["rejects"])
	}
	est := g["estimate"].(map[string]any)
	// 150.00 charge: all of it against the 400.50 remaining deductible.
	if est["patient_owes"] != "150.00" {
		t.Errorf("estimate: %v", est)
	}
}

func TestEligibilityParseInvalid(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.271")
	os.WriteFile(bad, []byte("not x12 at all"), 0o600)
	if code, _, errOut := runCmd(t, "", "eligibility", "parse", "--json", bad); code != exitInvalid || !strings.Contains(errOut, "bad.271") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, _ := runCmd(t, "", "eligibility", "parse", "/nonexistent/x.271"); code != exitUsage {
		t.Fatalf("missing file: exit %d", code)
	}
}

func TestEligibilityBuildOnEmptyStore(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_CONFIG", "")
	code, out, errOut := runCmd(t, "", "eligibility", "build", "--json", "--data", dir)
	if code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Fatalf("exit %d out %q err %s", code, out, errOut)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
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

// TestEligibilityCLIRoundTrip: build --write a 270 for stored sessions, let the simulator
// answer it, apply the 271, and see the answer on `sessions show`.
func TestEligibilityCLIRoundTrip(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_CONFIG", "")
	batch := `{"type":"session","id":"S-E1","practice":"demo-practice","status":"completed",
 "client":{"id":"C-E1","first_name":"Ann","last_name":"Lee","dob":"1980-01-02","gender":"F","address":{"line1":"1 Elm","city":"Springfield","state":"IL","zip":"62702"}},
 "coverage":{"payer":"demo-commercial","member_id":"WE1","relationship":"self","priority":"primary"},
 "date":"` + time.Now().UTC().Format("2006-01-02") + `","minutes":60,"service":{"code":"90791","units":1,"place_of_service":"11"},
 "diagnoses":["F41.1"],"rendering_provider":"1245319599","charge":"200.00"}`
	os.MkdirAll(filepath.Join(dir, "inbox"), 0o700)
	os.WriteFile(filepath.Join(dir, "inbox", "b.ndjson"), []byte(strings.ReplaceAll(batch, "\n", "")+"\n"), 0o600)
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	in, err := intake.New(cfg, db, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.RunOnce(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut := runCmd(t, "", "eligibility", "build", "--write", "--json", "--data", dir)
	if code != exitOK {
		t.Fatalf("build: %d %s", code, errOut)
	}
	var files struct{ Files []string }
	if err := json.Unmarshal([]byte(out), &files); err != nil || len(files.Files) != 1 {
		t.Fatalf("build output %q: %v", out, err)
	}
	req, _ := os.ReadFile(files.Files[0])
	inb, err := sim.ReadInbound(bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	rules := sim.DefaultRules()
	rules.Members["WE1"] = []sim.Scenario{sim.Inactive}
	answer, err := (&sim.Answerer{Rules: rules, ID: "SIMCH", Controls: x12.NewMemorySequence()}).Write271(context.Background(), inb)
	if err != nil {
		t.Fatal(err)
	}
	ans := filepath.Join(dir, "answer.271")
	os.WriteFile(ans, answer, 0o600)
	if code, out, errOut := runCmd(t, "", "eligibility", "apply", "--data", dir, ans); code != exitOK || !strings.Contains(out, "1 answers applied") {
		t.Fatalf("apply: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "", "sessions", "show", "--json", "--data", dir, "S-E1")
	if code != exitOK {
		t.Fatalf("show: %d %s", code, errOut)
	}
	var show struct {
		State       string `json:"state"`
		HoldReason  string `json:"hold_reason"`
		Eligibility *struct {
			State  string          `json:"state"`
			Result json.RawMessage `json:"result"`
		} `json:"eligibility"`
	}
	if err := json.Unmarshal([]byte(out), &show); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Active *bool `json:"active"`
	}
	if show.Eligibility != nil {
		json.Unmarshal(show.Eligibility.Result, &res)
	}
	if show.Eligibility == nil || show.Eligibility.State != "answered" || res.Active == nil || *res.Active ||
		show.State != "held" || show.HoldReason != "eligibility_coverage_inactive" {
		t.Fatalf("sessions show: %s", out)
	}
}

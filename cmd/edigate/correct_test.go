package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// TestClaimsCorrect: a 277CA-rejected claim (posted with `remit post`) cannot be resubmitted
// unchanged, from `queue resolve` or `claims correct`: both say the reason and what to fix.
// `claims correct` with a new member id, diagnoses, a modifier and a place of service
// resolves the rejection with a corrected original that carries them, and `claims show`
// lists each change.
func TestClaimsCorrect(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Claims.WaitForEligibility = 0 // billed at once: the 271 wait has its own tests
	p := &pipeline.Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: time.Now}
	s := &claims.Session{Type: "session", ID: "S1", Practice: "demo-practice", Status: claims.StatusCompleted,
		Client: claims.Person{ID: "C1", FirstName: "Pat", LastName: "Q", DOB: "1990-01-01", Gender: "F",
			Address: claims.Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: "W1", Relationship: "self", Priority: "primary"},
		Date:     time.Now().AddDate(0, 0, -3).Format(time.DateOnly), Minutes: 55, Service: claims.Service{Code: "90791", Units: 1, PlaceOfService: "11"},
		Diagnoses: []string{"F41.1"}, RenderingProvider: "1245319599", Charge: x12.MustAmount("150")}
	if err := db.Batch(ctx, nil, func(b *store.Batch) error { _, err := b.PutSession(s, "t.json"); return err }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
		t.Fatal(err)
	}
	if files, err := p.FileClaims(ctx); err != nil || len(files) != 1 {
		t.Fatalf("file: %+v %v", files, err)
	}
	rec, _ := db.Session(ctx, "S1")
	claim := rec.ClaimRef
	db.Close()
	tmpl, err := os.ReadFile("../../internal/pipeline/testdata/277ca-reject.x12.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	ack := filepath.Join(dir, "ACK.277")
	os.WriteFile(ack, []byte(strings.NewReplacer("{{CLAIM}}", claim, "{{MEMBER}}", "W1").Replace(string(tmpl))), 0o600)
	d := "--data=" + dir
	if code, out, stderr := runCmd(t, "", "remit", "post", d, ack); code != exitOK || !strings.Contains(out, "queued 1") {
		t.Fatalf("post: %d %s %s", code, out, stderr)
	}
	var items []store.QueueItem
	if _, out, _ := runCmd(t, "", "queue", "list", d, "--kind", "rejections", "--json"); json.Unmarshal([]byte(out), &items) != nil || len(items) != 1 {
		t.Fatalf("rejections: %s", out)
	}
	id := items[0].Key()

	for _, args := range [][]string{
		{"queue", "resolve", d, id, "--outcome", "resubmitted"},
		{"claims", "correct", d, claim, "--member-id", "W1"},
	} {
		code, _, stderr := runCmd(t, "", args...)
		if code != exitInvalid || !strings.Contains(stderr, "nothing was corrected: the payer rejected it") ||
			!strings.Contains(stderr, "SUBSCRIBER ID INVALID") || !strings.Contains(stderr, "Correct the member id") {
			t.Errorf("%v: exit %d %s", args[:2], code, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"claims", "correct", d, claim}, exitUsage, "no field to correct"},
		{[]string{"claims", "correct", d, claim, "--modifier", "x:95"}, exitUsage, "want LINE:MOD"},
		{[]string{"claims", "correct", d, claim, "--modifier", "2:95"}, exitInvalid, "has no line 2"},
		{[]string{"claims", "correct", d, "NOSUCH", "--pos", "10"}, exitInvalid, "no open rejection or denial"},
	} {
		if code, _, stderr := runCmd(t, "", tc.args...); code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %s, want %d %q", tc.args[3:], code, stderr, tc.code, tc.want)
		}
	}

	code, out, stderr := runCmd(t, "", "claims", "correct", d, claim, "--member-id", "W1FIX", "--dx", "F41.1,F32.9",
		"--modifier", "1:95", "--pos", "10", "--who", "kim", "--note", "member id from the card")
	if code != exitOK || !strings.Contains(out, "corrected Member id: W1 -> W1FIX") || !strings.Contains(out, "corrected Diagnoses: F411 -> F411,F329") ||
		!strings.Contains(out, "corrected Modifiers (line 1):  -> 95") && !strings.Contains(out, "corrected Modifiers (line 1): (none) -> 95") ||
		!strings.Contains(out, "(a corrected original) built") {
		t.Fatalf("correct: %d\n%s\n%s", code, out, stderr)
	}
	var shown struct {
		store.ClaimRecord
		Events []store.Event `json:"events"`
	}
	if _, out, _ := runCmd(t, "", "claims", "show", d, claim, "--json"); json.Unmarshal([]byte(out), &shown) != nil {
		t.Fatalf("show: %s", out)
	}
	n := 0
	for _, e := range shown.Events {
		var det struct{ Who string }
		if e.Kind == lifecycle.FieldCorrected && json.Unmarshal(e.Detail, &det) == nil && det.Who == "kim" {
			n++
		}
	}
	if n != 4 || shown.State != lifecycle.Corrected {
		t.Errorf("claim %s: state %s, %d corrections recorded, want 4", claim, shown.State, n)
	}
	if _, out, _ := runCmd(t, "", "trace", d, "S1"); !strings.Contains(out, "Corrected by the biller: Member id: W1 -> W1FIX (kim)") {
		t.Errorf("trace lacks the change:\n%s", out)
	}
	_, out, _ = runCmd(t, "", "claims", "show", d, claim)
	if !strings.Contains(out, "Corrected by the biller: Place of service: 11 -> 10 (kim)") {
		t.Errorf("claims show text lacks the change:\n%s", out)
	}

	// The practice system sends the session again with another member id: `claims
	// conflicts` lists the conflict; the biller takes the practice's value; it is gone.
	if _, out, _ := runCmd(t, "", "claims", "conflicts", d); !strings.Contains(out, "no correction conflicts") {
		t.Errorf("conflicts before: %s", out)
	}
	db, err = store.Open(ctx, filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again := *s
	again.Coverage.MemberID = "W1PRACTICE"
	if err := db.Batch(ctx, nil, func(b *store.Batch) error { _, err := b.PutSession(&again, "t2.json"); return err }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var cs []claims.Conflict
	if code, out, stderr := runCmd(t, "", "claims", "conflicts", d, "--json"); code != exitOK || json.Unmarshal([]byte(out), &cs) != nil ||
		len(cs) != 1 || cs[0].SessionID != "S1" || cs[0].Field != claims.FieldMemberID || cs[0].Sent != "W1PRACTICE" || cs[0].Value != "W1FIX" {
		t.Fatalf("conflicts: %d %s %s", code, out, stderr)
	}
	if _, out, _ := runCmd(t, "", "claims", "conflicts", d, "S1"); !strings.Contains(out, "W1PRACTICE") || !strings.Contains(out, "--pick keep|practice") {
		t.Errorf("conflicts text: %s", out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"claims", "conflicts", d, "S1", "--pick", "practice"}, exitUsage, "SESSION, --field and --pick"},
		{[]string{"claims", "conflicts", d, "S1", "--field", "member_id", "--pick", "maybe"}, exitInvalid, ""},
		{[]string{"claims", "conflicts", d, "S1", "--field", "diagnoses", "--pick", "keep"}, exitInvalid, "no conflict"},
	} {
		if code, _, stderr := runCmd(t, "", tc.args...); code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: %d %s", tc.args[3:], code, stderr)
		}
	}
	if code, out, stderr := runCmd(t, "", "claims", "conflicts", d, "S1", "--field", "member_id", "--pick", "practice", "--who", "kim"); code != exitOK ||
		!strings.Contains(out, "took the practice system's value") {
		t.Fatalf("settle: %d %s %s", code, out, stderr)
	}
	if _, out, _ := runCmd(t, "", "claims", "conflicts", d); !strings.Contains(out, "no correction conflicts") {
		t.Errorf("conflicts after: %s", out)
	}
	if _, out, _ := runCmd(t, "", "trace", d, "S1"); !strings.Contains(out, "onflict") {
		t.Errorf("trace lacks the settled conflict:\n%s", out)
	}
	if code, _, _ := runCmd(t, "", "claims", "conflicts", d, "S1", "--field", "member_id", "--pick", "practice"); code != exitInvalid {
		t.Errorf("settling twice: exit %d", code)
	}
}

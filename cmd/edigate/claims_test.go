package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

func cliSession(id, client, code string, minutes int) claims.Session {
	return claims.Session{
		Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client: claims.Person{ID: client, FirstName: "Alex", LastName: "Doe", DOB: "1990-04-01", Gender: "F",
			Address: claims.Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: "W-" + client, Relationship: "self", Priority: "primary"},
		Date:     time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly), Minutes: minutes,
		Service:           claims.Service{Code: code, PlaceOfService: "11"},
		Diagnoses:         []string{"F41.1"},
		RenderingProvider: "1245319599",
		Charge:            x12.MustAmount("150"),
	}
}

func TestClaimsCLI(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("EDIGATE_DATA_DIR", dir)
	noEligibilityWait(t) // claims are built at once: the 271 wait has its own tests
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// c1: a clean diagnostic evaluation. c2: 90834 for 30 minutes (time rule) with no
	// authorization on a code the payer requires one for. Intake runs without rules here,
	// so both are ready and the scrubber is what holds c2.
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		for _, s := range []claims.Session{cliSession("s-1", "c1", "90791", 60), cliSession("s-2", "c2", "90834", 30)} {
			if _, err := b.PutSession(&s, "test"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, out, errs := runCmd(t, "", "claims", "build", "--dry-run", "--json")
	if code != exitOK {
		t.Fatalf("build --dry-run: %d %s", code, errs)
	}
	var built struct {
		DryRun      bool `json:"dry_run"`
		Built, Held int
		Claims      []struct {
			ID       string
			State    lifecycle.State
			Findings []claims.Finding
		}
	}
	if err := json.Unmarshal([]byte(out), &built); err != nil {
		t.Fatal(err)
	}
	if !built.DryRun || built.Built != 1 || built.Held != 1 || len(built.Claims) != 2 {
		t.Fatalf("dry run %s", out)
	}
	heldID := ""
	for _, c := range built.Claims {
		if c.State == lifecycle.Held {
			heldID = c.ID
		}
	}

	code, out, _ = runCmd(t, "", "claims", "scrub", "--json")
	if code != exitInvalid {
		t.Errorf("scrub with a held session: exit %d", code)
	}
	var scrub []sessionScrub
	if err := json.Unmarshal([]byte(out), &scrub); err != nil {
		t.Fatal(err)
	}
	rules := map[string][]string{}
	for _, s := range scrub {
		for _, f := range s.Findings {
			rules[s.Session] = append(rules[s.Session], f.Rule)
		}
	}
	if len(rules["s-1"]) != 0 || !strings.Contains(strings.Join(rules["s-2"], ","), "time.90834") {
		t.Errorf("scrub findings %v", rules)
	}

	if code, _, errs := runCmd(t, "", "claims", "build"); code != exitOK {
		t.Fatalf("build: %d %s", code, errs)
	}
	// The scrubber's hold is in the holds queue, in words, like the web UI's.
	code, out, errs = runCmd(t, "", "queue", "list", "--kind", "holds", "--json")
	var holds []queue.Item
	if err := json.Unmarshal([]byte(out), &holds); code != exitOK || err != nil {
		t.Fatalf("queue list --kind holds: %d %v %s", code, err, errs)
	}
	if len(holds) != 1 || holds[0].Kind != queue.Holds || holds[0].ClaimID != heldID || !strings.Contains(holds[0].Reason, "time.90834") ||
		holds[0].Message == "" || holds[0].Action == "" {
		t.Errorf("holds = %+v, want the held claim %s", holds, heldID)
	}
	// The held claim's session says why it is not billed, though its state is ready.
	code, out, _ = runCmd(t, "", "sessions", "show", "s-2", "--json")
	var held store.SessionRecord
	if err := json.Unmarshal([]byte(out), &held); code != exitOK || err != nil || held.State != store.StateReady ||
		held.ClaimHold == nil || held.ClaimHold.Claim != heldID || !strings.Contains(strings.Join(held.ClaimHold.Rules, ","), "time.90834") {
		t.Errorf("sessions show s-2 = %d %s", code, out)
	}
	if _, out, _ := runCmd(t, "", "sessions", "list"); !strings.Contains(out, "claim "+heldID+" held: ") {
		t.Errorf("sessions list does not show the claim hold:\n%s", out)
	}
	if _, out, _ := runCmd(t, "", "sessions", "show", "s-1", "--json"); strings.Contains(out, "claim_hold") {
		t.Errorf("the clean session shows a claim hold: %s", out)
	}
	code, out, errs = runCmd(t, "", "claims", "file", "--json")
	if code != exitOK {
		t.Fatalf("file: %d %s", code, errs)
	}
	var files []fileJSON
	if err := json.Unmarshal([]byte(out), &files); err != nil || len(files) != 1 || files[0].Claims != 1 {
		t.Fatalf("files %s %v", out, err)
	}
	st, err := os.Stat(files[0].File)
	if err != nil || st.Mode().Perm() != 0o600 || filepath.Dir(files[0].File) != filepath.Join(dir, "outbound", "sim") {
		t.Fatalf("file %v mode %v", err, st.Mode())
	}
	if code, out, errs := runCmd(t, "", "x12", "validate", files[0].File); code != exitOK {
		t.Fatalf("x12 validate: %d %s %s", code, out, errs)
	}
	// Nothing left to file; the filed claim shows its file and history.
	if code, out, _ := runCmd(t, "", "claims", "file", "--json"); code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("second file: %d %s", code, out)
	}
	clean := built.Claims[0].ID
	if clean == heldID {
		clean = built.Claims[1].ID
	}
	code, out, _ = runCmd(t, "", "claims", "show", clean, "--json")
	var shown struct {
		State       lifecycle.State
		Submissions []store.ClaimSubmission
		Events      []store.Event
	}
	if err := json.Unmarshal([]byte(out), &shown); code != exitOK || err != nil {
		t.Fatalf("show: %d %v", code, err)
	}
	if shown.State != lifecycle.Filed || len(shown.Submissions) != 1 || len(shown.Events) != 2 {
		t.Errorf("show %s", out)
	}
	if code, _, _ := runCmd(t, "", "claims", "show", "NOPE"); code != exitInvalid {
		t.Errorf("show missing claim: exit %d", code)
	}
}

func TestRecoverClaimFiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orphan := filepath.Join(dir, "837P_sim_000000009.x12.tmp")
	os.WriteFile(orphan, []byte("ISA"), 0o600)
	if err := (&pipeline.Pipeline{DB: db}).RecoverClaimFiles(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Error("unrecorded temp file kept")
	}
	if _, err := os.Stat(strings.TrimSuffix(orphan, ".tmp")); !os.IsNotExist(err) {
		t.Error("unrecorded temp file published")
	}
}

func TestClaimsCLIResubmission(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("EDIGATE_DATA_DIR", dir)
	noEligibilityWait(t) // claims are built at once: the 271 wait has its own tests
	ctx := context.Background()
	openDB := func() *store.DB {
		db, err := store.Open(ctx, filepath.Join(dir, "edigate.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	putSession := func(s claims.Session) {
		db := openDB()
		defer db.Close()
		if err := db.Batch(ctx, nil, func(b *store.Batch) error { _, err := b.PutSession(&s, "test"); return err }); err != nil {
			t.Fatal(err)
		}
	}
	type buildOut struct {
		Claims []struct {
			ID, Frequency string
			State         lifecycle.State
		}
		Waiting []waitingJSON
	}
	build := func() buildOut {
		code, out, errs := runCmd(t, "", "claims", "build", "--json")
		if code != exitOK {
			t.Fatalf("build: %d %s", code, errs)
		}
		var b buildOut
		if err := json.Unmarshal([]byte(out), &b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	file := func() fileJSON {
		code, out, errs := runCmd(t, "", "claims", "file", "--json")
		var fs []fileJSON
		if err := json.Unmarshal([]byte(out), &fs); code != exitOK || err != nil || len(fs) != 1 {
			t.Fatalf("file: %d %s %s", code, out, errs)
		}
		if code, out, _ := runCmd(t, "", "x12", "validate", fs[0].File); code != exitOK {
			t.Fatalf("x12 validate: %s", out)
		}
		return fs[0]
	}

	s := cliSession("s-1", "c1", "90791", 60)
	putSession(s)
	orig := build().Claims[0].ID
	file()

	// The practice corrects the charge after filing: a replacement candidate.
	s.Charge = x12.MustAmount("175")
	putSession(s)
	b := build()
	if len(b.Claims) != 0 || len(b.Waiting) != 1 || b.Waiting[0].Claim != orig {
		t.Fatalf("without a payer claim number: %+v", b)
	}
	db := openDB()
	if err := db.Batch(ctx, nil, func(bt *store.Batch) error { return bt.SetPayerClaimNumber(orig, "PCN-77", "277ca") }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	b = build()
	if len(b.Claims) != 1 || b.Claims[0].ID != orig+"R1" || b.Claims[0].Frequency != "7" || b.Claims[0].State != lifecycle.Built {
		t.Fatalf("replacement: %+v", b)
	}
	if again := build(); len(again.Claims) != 1 || again.Claims[0].ID != orig+"R1" {
		t.Fatalf("rebuilding before filing changed the number: %+v", again)
	}
	file()
	db = openDB()
	rec, err := db.Session(ctx, "s-1")
	db.Close()
	if err != nil || rec.State != store.StateBilled || rec.ClaimRef != orig+"R1" || rec.PendingKind != "" || rec.Session.Charge != x12.MustAmount("175") {
		t.Fatalf("session after the replacement: %+v %v", rec, err)
	}

	// Then the session is voided: a void of the family quoting the payer's number.
	db = openDB()
	if err := db.Batch(ctx, nil, func(bt *store.Batch) error { return bt.SetPayerClaimNumber(orig+"R1", "PCN-78", "277ca") }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s.Status = claims.StatusVoid
	putSession(s)
	b = build()
	if len(b.Claims) != 1 || b.Claims[0].ID != orig+"V2" || b.Claims[0].Frequency != "8" {
		t.Fatalf("void: %+v", b)
	}
	file()
	db = openDB()
	defer db.Close()
	if rec, _ := db.Session(ctx, "s-1"); rec.State != store.StateVoid {
		t.Errorf("session after the void: %s", rec.State)
	}
	if v, _ := db.Claim(ctx, orig+"V2"); v.Claim.PayerControlNumber != "PCN-78" || v.Total != x12.MustAmount("175") {
		t.Errorf("void claim %+v", v.Claim)
	}
}

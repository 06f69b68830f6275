package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
)

// TestClaimsStepBatches runs the claims step with tiny batches (3 claims a transaction, 2
// claims a file), so its batch and file boundaries are crossed as with 100,000 sessions:
// every claim is stored, filed in exactly one recorded and published 837P, and every
// session billed on its claim; a second run files nothing.
func TestClaimsStepBatches(t *testing.T) {
	perTx, perFile := claimsPerTx, claimsPerFile
	claimsPerTx, claimsPerFile = 3, 2
	t.Cleanup(func() { claimsPerTx, claimsPerFile = perTx, perFile })
	ctx := context.Background()
	p := newPipeline(t)
	for i := 0; i < 7; i++ {
		put(t, p, billable(session(fmt.Sprintf("S%d", i), fmt.Sprintf("W%d", i), "2026-11-18", "90791")))
	}
	built, held, err := p.BuildAndStoreClaims(ctx)
	if err != nil || built != 7 || held != 0 {
		t.Fatalf("build: %d built, %d held, %v", built, held, err)
	}
	files, err := p.FileClaims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("%d files, want 4 (2 claims each)", len(files))
	}
	clm := regexp.MustCompile(`~CLM\*([^*]+)\*`)
	seen := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f.File)
		if err != nil {
			t.Fatalf("published file: %v", err)
		}
		ok, err := p.DB.ClaimFileRecorded(ctx, filepath.Base(f.File))
		if err != nil || !ok {
			t.Errorf("%s not recorded: %v", f.File, err)
		}
		for _, m := range clm.FindAllStringSubmatch(string(data), -1) {
			if other, dup := seen[m[1]]; dup {
				t.Errorf("claim %s in %s and %s", m[1], other, f.File)
			}
			seen[m[1]] = f.File
		}
	}
	if len(seen) != 7 {
		t.Errorf("%d claims in the files, want 7", len(seen))
	}
	filed, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Filed})
	if err != nil || len(filed) != 7 {
		t.Fatalf("filed claims: %d %v", len(filed), err)
	}
	for _, c := range filed {
		if seen[c.ID] == "" {
			t.Errorf("claim %s filed but in no file", c.ID)
		}
		for _, sid := range c.Claim.SessionIDs {
			if s, err := p.DB.Session(ctx, sid); err != nil || s.State != store.StateBilled || s.ClaimRef != c.ID {
				t.Errorf("session %s: %s on %q (%v), want billed on %s", sid, s.State, s.ClaimRef, err, c.ID)
			}
		}
	}
	if again, err := p.FileClaims(ctx); err != nil || len(again) != 0 {
		t.Errorf("second filing: %d files, %v", len(again), err)
	}
}

// TestFileClaimsRebuiltMeanwhile: filing writes the claims this process stored from
// memory, but a claim rebuilt after that (another instance, a new revision) is written as
// the store now holds it, and the lease takes it at that revision.
func TestFileClaimsRebuiltMeanwhile(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	for i := 0; i < 2; i++ {
		put(t, p, billable(session(fmt.Sprintf("S%d", i), fmt.Sprintf("W%d", i), "2026-11-18", "90791")))
	}
	if built, _, err := p.BuildAndStoreClaims(ctx); err != nil || built != 2 {
		t.Fatalf("build: %d built, %v", built, err)
	}
	recs, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Built})
	if err != nil || len(recs) != 2 {
		t.Fatalf("built claims: %d %v", len(recs), err)
	}
	changed := recs[0].Claim
	changed.Authorization = "ZZREBUILT42"
	if err := p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		_, err := b.PutClaim(&changed, claims.Result{ClaimID: changed.ID})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	files, err := p.FileClaims(ctx)
	if err != nil || len(files) != 1 || files[0].Claims != 2 {
		t.Fatalf("filing: %+v %v", files, err)
	}
	data, err := os.ReadFile(files[0].File)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "REF*G1*ZZREBUILT42~") {
		t.Errorf("the 837P carries the claim as first stored, not as rebuilt:\n%s", data)
	}
	for _, r := range recs {
		if c, err := p.DB.Claim(ctx, r.ID); err != nil || c.State != lifecycle.Filed {
			t.Errorf("claim %s: %s %v, want filed", r.ID, c.State, err)
		}
	}
}

// TestBuildAndFileClaims runs the daemon's claims step (BuildAndFileClaims) over claims
// left built by an earlier step (filed by their lease, after a rebuild), clean new claims
// (stored filed with their file) and a held one, across file boundaries: each clean claim
// is filed in exactly one recorded 837P with its session billed on it and a history of
// built then filed; the held claim stays held with its session ready; a second run files
// nothing.
func TestBuildAndFileClaims(t *testing.T) {
	perFile := claimsPerFile
	claimsPerFile = 2
	t.Cleanup(func() { claimsPerFile = perFile })
	eachDialect(t, func(t *testing.T, p *Pipeline) {
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			put(t, p, billable(session(fmt.Sprintf("S%d", i), fmt.Sprintf("W%d", i), "2026-11-18", "90791")))
		}
		if built, _, err := p.BuildAndStoreClaims(ctx); err != nil || built != 2 {
			t.Fatalf("first build: %d built, %v", built, err)
		}
		for i := 2; i < 6; i++ {
			put(t, p, billable(session(fmt.Sprintf("S%d", i), fmt.Sprintf("W%d", i), "2026-11-17", "90791")))
		}
		heldSession := billable(session("S6", "W6", "2026-11-18", "90791"))
		heldSession.RenderingProvider = "1588667638" // not a configured provider: held
		put(t, p, heldSession)
		files, err := p.BuildAndFileClaims(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 3 {
			t.Fatalf("%d files, want 3 (2 claims each)", len(files))
		}
		inFile := map[string]int{}
		for _, f := range files {
			if ok, err := p.DB.ClaimFileRecorded(ctx, filepath.Base(f.File)); err != nil || !ok {
				t.Errorf("%s not recorded: %v", f.File, err)
			}
			for _, set := range f.Sets {
				for _, id := range set.ClaimIDs {
					inFile[id]++
				}
			}
		}
		filed, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Filed})
		if err != nil || len(filed) != 6 || len(inFile) != 6 {
			t.Fatalf("%d filed claims, %d in files (%v), want 6", len(filed), len(inFile), err)
		}
		for _, c := range filed {
			if inFile[c.ID] != 1 {
				t.Errorf("claim %s in %d files", c.ID, inFile[c.ID])
			}
			sid := c.Claim.SessionIDs[0]
			if s, err := p.DB.Session(ctx, sid); err != nil || s.State != store.StateBilled || s.ClaimRef != c.ID {
				t.Errorf("session %s: %s on %q (%v), want billed on %s", sid, s.State, s.ClaimRef, err, c.ID)
			}
			if got := eventKinds(t, p, c.ID); strings.Join(got, " ") != "built filed" {
				t.Errorf("history of %s (session %s): %v, want built filed", c.ID, sid, got)
			}
		}
		if held, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Held}); err != nil || len(held) != 1 {
			t.Errorf("held claims: %d %v", len(held), err)
		}
		if s, _ := p.DB.Session(ctx, "S6"); s.State != store.StateReady {
			t.Errorf("session of the held claim: %s, want ready", s.State)
		}
		if again, err := p.BuildAndFileClaims(ctx); err != nil || len(again) != 0 {
			t.Errorf("second run: %d files, %v", len(again), err)
		}
	})
}

// TestFiledClaimVoidsLeftBehind: a clean new claim filed as it is stored takes its
// sessions off the held or built claim they were on (voided, superseded by it), in the
// transaction that records its file, so a session is on one open claim at every commit. A
// built one listed for the same file loses its lease to that void and the file is written
// again without it.
func TestFiledClaimVoidsLeftBehind(t *testing.T) {
	for _, first := range []lifecycle.State{lifecycle.Held, lifecycle.Built} {
		t.Run(string(first), func(t *testing.T) {
			eachDialect(t, func(t *testing.T, p *Pipeline) { filedClaimVoidsLeftBehind(t, p, first) })
		})
	}
}

func filedClaimVoidsLeftBehind(t *testing.T, p *Pipeline, first lifecycle.State) {
	ctx := context.Background()
	s1 := visit("S-1", "W1", "2026-11-18", "90791")
	if first == lifecycle.Held {
		s1.RenderingProvider = "1588667638" // not a configured provider: held
	}
	putFrom(t, p, "a.json", s1)
	if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built+held != 1 {
		t.Fatalf("first build: %d built, %d held, %v", built, held, err)
	}
	old, err := p.DB.ClaimsForSession(ctx, "S-1")
	if err != nil || len(old) != 1 {
		t.Fatalf("claims of S-1: %v %v", old, err)
	}
	if rec, _ := p.DB.Claim(ctx, old[0]); rec.State != first {
		t.Fatalf("first claim %s, want %s", rec.State, first)
	}
	putFrom(t, p, "b.json", visit("S-1", "W1", "2026-11-18", "90791"), visit("S-2", "W1", "2026-11-18", "90785"))
	files, err := p.BuildAndFileClaims(ctx)
	if err != nil || len(files) != 1 || files[0].Claims != 1 {
		t.Fatalf("filing: %+v %v", files, err)
	}
	id := files[0].Sets[0].ClaimIDs[0]
	if id == old[0] {
		t.Fatalf("claim %s filed in place of the first one, want a new one", id)
	}
	if rec, err := p.DB.Claim(ctx, old[0]); err != nil || rec.State != lifecycle.Void {
		t.Errorf("claim left behind: %s %v, want void", rec.State, err)
	}
	if kinds := eventKinds(t, p, old[0]); kinds[len(kinds)-1] != string(lifecycle.Void.Event()) {
		t.Errorf("history of the claim left behind: %v", kinds)
	}
	for _, sid := range []string{"S-1", "S-2"} {
		if s, err := p.DB.Session(ctx, sid); err != nil || s.State != store.StateBilled || s.ClaimRef != id {
			t.Errorf("session %s: %s on %q (%v), want billed on %s", sid, s.State, s.ClaimRef, err, id)
		}
	}
}

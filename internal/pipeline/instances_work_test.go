package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
)

// dialects are the stores the multi-instance tests run on.
var dialects = []string{"sqlite", "postgres"}

// concurrently runs step once on every instance at the same time and fails on any error.
func concurrently(t *testing.T, ps []*Pipeline, step func(p *Pipeline) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(ps))
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- step(p)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// segments returns the segments with tag of every published X12 file matching glob
// under the instances' outbound folders (each folder read once).
func segments(t *testing.T, ps []*Pipeline, glob, tag string) [][]string {
	t.Helper()
	var out [][]string
	seen := map[string]bool{}
	for _, p := range ps {
		paths, _ := filepath.Glob(filepath.Join(p.Cfg.DataDir, "outbound", "*", glob))
		for _, path := range paths {
			if seen[path] {
				continue
			}
			seen[path] = true
			out = append(out, fileSegments(t, path, tag)...)
		}
	}
	return out
}

// fileSegments returns the elements of every segment with tag in an X12 file, read with
// the delimiters its ISA declares.
func fileSegments(t *testing.T, path, tag string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	elem, term := string(b[3]), string(b[105])
	for _, seg := range strings.Split(string(b), term) {
		if f := strings.Split(strings.TrimSpace(seg), elem); f[0] == tag {
			out = append(out, f)
		}
	}
	return out
}

// TestInstancesAskEligibilityOnce: three instances plan the 270s of the same sessions at
// once; each member and date is asked in one 270 only, and the store holds one open
// inquiry for it.
func TestInstancesAskEligibilityOnce(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			ps := instances(t, dialectTarget(t, dialect), 3, false)
			const members = 30
			for m := 0; m < members; m++ {
				put(t, ps[0], session(fmt.Sprintf("S-%02d-a", m), fmt.Sprintf("W%02d", m), "2026-11-18", "90791"),
					session(fmt.Sprintf("S-%02d-b", m), fmt.Sprintf("W%02d", m), "2026-11-19", "90791"))
			}
			concurrently(t, ps, func(p *Pipeline) error {
				_, err := p.RequestEligibility(context.Background())
				return err
			})
			// Every 270 carries one subscriber loop per inquiry; NM1*IL names the member.
			asked := map[string]int{}
			for _, f := range segments(t, ps, "270_*.x12", "NM1") {
				if len(f) > 9 && f[1] == "IL" {
					asked[f[9]]++
				}
			}
			if len(asked) != members {
				t.Errorf("%d members asked, want %d", len(asked), members)
			}
			for m, n := range asked {
				if n != 2 {
					t.Errorf("member %s asked %d times, want 2 (one per date)", m, n)
				}
			}
			for m := 0; m < members; m++ {
				for _, d := range []string{"2026-11-18", "2026-11-19"} {
					c, err := ps[0].DB.LatestEligibility(context.Background(), "demo-commercial", fmt.Sprintf("W%02d", m), d)
					if err != nil || c.State != store.EligRequested {
						t.Errorf("W%02d %s: %+v %v", m, d, c.State, err)
					}
				}
			}
		})
	}
}

// TestInstancesFollowUpOnce: three instances find the same claims due a 276 at once; each
// claim is asked about in one 276 only.
func TestInstancesFollowUpOnce(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			ps := clockInstances(t, dialectTarget(t, dialect), 3, true, clock)
			for m := 0; m < 20; m++ {
				put(t, ps[0], billable(session(fmt.Sprintf("S-%02d", m), fmt.Sprintf("W%02d", m), "2026-11-18", "90791")))
			}
			ctx := context.Background()
			if _, _, err := ps[0].BuildAndStoreClaims(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := ps[0].FileClaims(ctx); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			now = now.AddDate(0, 0, 31)
			mu.Unlock()
			if _, err := ps[0].DB.QueueFollowUps(ctx, ps[0].Cfg.Claims.FollowUpDays); err != nil {
				t.Fatal(err)
			}
			concurrently(t, ps, func(p *Pipeline) error {
				_, err := p.FollowUp(ctx)
				return err
			})
			asked := map[string]int{}
			for _, f := range segments(t, ps, "276_*.x12", "REF") {
				if len(f) > 2 && f[1] == "EJ" {
					asked[f[2]]++
				}
			}
			recs, err := ps[0].DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Filed})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 20 || len(asked) != 20 {
				t.Errorf("%d claims filed, %d asked about, want 20 and 20", len(recs), len(asked))
			}
			for _, r := range recs {
				if asked[r.ID] != 1 {
					t.Errorf("claim %s asked %d times, want once", r.ID, asked[r.ID])
				}
				if inqs, err := ps[0].DB.StatusInquiries(ctx, r.ID); err != nil || len(inqs) != 1 {
					t.Errorf("claim %s: %d inquiries recorded (%v), want 1", r.ID, len(inqs), err)
				}
			}
		})
	}
}

// TestRecoverLeavesLiveTemp: a temp 837P its writer still holds (locked) is left alone by
// another instance's recovery; once the writer is gone, the unrecorded file is removed.
func TestRecoverLeavesLiveTemp(t *testing.T) {
	p := newPipeline(t)
	dir := p.OutboundDir("sim")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "837P_sim_000000042.x12.tmp")
	f, err := writeLockedTmp(tmp, []byte("ISA"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RecoverClaimFiles(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if missing(tmp) {
		t.Fatal("recovery removed a temp file its writer still holds")
	}
	f.Close() // the writer dies: its lock goes with it
	if err := p.RecoverClaimFiles(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if !missing(tmp) {
		t.Fatal("an abandoned, unrecorded temp file was kept")
	}
}

// TestLostClaimFileRefiled: an 837P recorded but gone from its outbound folder before
// upload gives its claims back and they go out in a new file, with a lost event; an
// instance with a data folder of its own never judges another folder's files.
func TestLostClaimFileRefiled(t *testing.T) {
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			ps := instances(t, dialectTarget(t, dialect), 2, false)
			put(t, ps[0], billable(session("S1", "W1", "2026-11-18", "90791")), billable(session("S2", "W2", "2026-11-18", "90791")))
			if _, _, err := ps[0].BuildAndStoreClaims(ctx); err != nil {
				t.Fatal(err)
			}
			files, err := ps[0].FileClaims(ctx)
			if err != nil || len(files) != 1 {
				t.Fatalf("file: %v %v", files, err)
			}
			if err := os.Remove(files[0].File); err != nil {
				t.Fatal(err)
			}
			// The other folder's instance: the file is not its to miss.
			if again, err := ps[1].FileClaims(ctx); err != nil || len(again) != 0 {
				t.Fatalf("other folder refiled: %v %v", again, err)
			}
			again, err := ps[0].FileClaims(ctx)
			if err != nil || len(again) != 1 || again[0].Claims != 2 || again[0].File == files[0].File {
				t.Fatalf("refile: %+v %v", again, err)
			}
			checkFiledOnce(t, ps, 2)
			evs, err := ps[0].DB.Events(ctx, "file", filepath.Base(files[0].File))
			if err != nil {
				t.Fatal(err)
			}
			if k := evs[len(evs)-1].Kind; k != lifecycle.FileLost {
				t.Errorf("last event of the lost file: %s, want %s", k, lifecycle.FileLost)
			}
			// Once refiled, the lost file is no claim's latest: nothing moves again.
			if n, err := ps[0].RefileLostClaimFiles(ctx, mustFolderID(t, ps[0])); err != nil || n != 0 {
				t.Fatalf("second refile moved %d: %v", n, err)
			}
		})
	}
}

func mustFolderID(t *testing.T, p *Pipeline) string {
	t.Helper()
	id, err := p.FolderID()
	if err != nil || id == "" {
		t.Fatalf("folder id %q: %v", id, err)
	}
	return id
}

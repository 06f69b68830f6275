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

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/testenv"
	"github.com/edigate/edigate/lifecycle"
	"github.com/rs/zerolog"
)

// dialectTarget returns what store.Open takes for an empty store of the dialect: a SQLite
// file in a temp dir, or a fresh schema on the machine's PostgreSQL (dropped when the test
// ends; skipped locally when absent, required in CI).
func dialectTarget(t *testing.T, dialect string) string {
	t.Helper()
	if dialect != "postgres" {
		return filepath.Join(t.TempDir(), "edigate.db")
	}
	return testenv.PostgresSchema(t)
}

// instances opens n pipelines on one database, each with a store handle of its own (as
// separate processes have), sharing one data folder or each with its own.
func instances(t *testing.T, target string, n int, sharedFolder bool) []*Pipeline {
	t.Helper()
	return clockInstances(t, target, n, sharedFolder, func() time.Time { return time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC) })
}

// clockInstances is instances whose stores and steps all read clock.
func clockInstances(t *testing.T, target string, n int, sharedFolder bool, clock func() time.Time) []*Pipeline {
	t.Helper()
	shared := t.TempDir()
	out := make([]*Pipeline, n)
	for i := range out {
		cfg := config.Default()
		cfg.Claims.WaitForEligibility = 0 // bill at once: these tests are about instances
		cfg.DataDir = shared
		if !sharedFolder {
			cfg.DataDir = t.TempDir()
		}
		db, err := store.Open(context.Background(), target, store.Options{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out[i] = &Pipeline{Cfg: cfg, DB: db, Log: zerolog.Nop(), Now: clock}
	}
	return out
}

// clm01s returns, for every published 837P under the data folders, the CLM01s it carries,
// and fails on a temp file left behind.
func clm01s(t *testing.T, ps []*Pipeline) map[string][]string {
	t.Helper()
	files := map[string][]string{}
	for _, p := range ps {
		root := filepath.Join(p.Cfg.DataDir, "outbound")
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasSuffix(path, ".tmp") {
				t.Errorf("temp file left: %s", path)
				return nil
			}
			if _, seen := files[path]; seen || !strings.HasPrefix(d.Name(), "837P_") {
				return nil
			}
			files[path] = []string{}
			for _, f := range fileSegments(t, path, "CLM") {
				files[path] = append(files[path], f[1])
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return files
}

// TestInstancesFileEachClaimOnce: three instances on one database build, store and file
// the same ready sessions at the same time, with one shared data folder and with a folder
// each, two of them as the daemon does (BuildAndFileClaims: clean new claims stored filed
// with their file) and one in two steps (built, then leased to filed). Every claim ends
// filed in exactly one published 837P, every session is billed on exactly one claim, and
// no temp file is left.
func TestInstancesFileEachClaimOnce(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, shared := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/shared=%v", dialect, shared), func(t *testing.T) {
				ps := instances(t, dialectTarget(t, dialect), 3, shared)
				for c := 0; c < 40; c++ {
					for d := 0; d < 3; d++ {
						put(t, ps[0], billable(session(fmt.Sprintf("S-%03d-%d", c, d), fmt.Sprintf("M%03d", c), fmt.Sprintf("2026-11-%02d", 2+d), "90791")))
					}
				}
				var wg sync.WaitGroup
				errs := make(chan error, len(ps)*3)
				for i, p := range ps {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 3 {
							if i != 1 {
								if _, err := p.BuildAndFileClaims(context.Background()); err != nil {
									errs <- fmt.Errorf("build and file: %w", err)
								}
								continue
							}
							if _, _, err := p.BuildAndStoreClaims(context.Background()); err != nil {
								errs <- fmt.Errorf("build: %w", err)
							}
							if _, err := p.FileClaims(context.Background()); err != nil {
								errs <- fmt.Errorf("file: %w", err)
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Error(err)
				}
				// One quiet pass finishes what a lost race left built or ready.
				if _, err := ps[1].BuildAndFileClaims(context.Background()); err != nil {
					t.Fatal(err)
				}
				checkFiledOnce(t, ps, 120)
			})
		}
	}
}

// checkFiledOnce asserts every stored claim is filed in exactly one published 837P and
// every session is billed, on exactly one claim.
func checkFiledOnce(t *testing.T, ps []*Pipeline, sessions int) {
	t.Helper()
	ctx := context.Background()
	in := map[string]string{}
	for path, ids := range clm01s(t, ps) {
		for _, id := range ids {
			if prev, dup := in[id]; dup {
				t.Errorf("CLM01 %s in two files: %s and %s", id, prev, path)
			}
			in[id] = path
		}
	}
	recs, err := ps[0].DB.Claims(ctx, store.ClaimFilter{})
	if err != nil {
		t.Fatal(err)
	}
	onClaim := map[string]int{}
	for _, r := range recs {
		if r.State != lifecycle.Filed {
			t.Errorf("claim %s is %s %v, want filed", r.ID, r.State, r.HoldRules)
		}
		if in[r.ID] == "" {
			t.Errorf("claim %s is in no published 837P", r.ID)
		}
		for _, s := range r.Claim.SessionIDs {
			onClaim[s]++
		}
	}
	if len(in) != len(recs) {
		t.Errorf("%d CLM01s in files, %d claims stored", len(in), len(recs))
	}
	counts, err := ps[0].DB.CountSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StateBilled] != sessions {
		t.Errorf("sessions %v, want %d billed", counts, sessions)
	}
	for s, n := range onClaim {
		if n != 1 {
			t.Errorf("session %s on %d claims", s, n)
		}
	}
	if len(onClaim) != sessions {
		t.Errorf("%d sessions on claims, want %d", len(onClaim), sessions)
	}
}

package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/store/storetest"
)

// The intake path (sessions and authorizations read ahead, units consumed in memory and
// written at the end of the batch) must give what one-by-one puts give, on both engines.
func TestBatchReadAheadSQLite(t *testing.T) { testBatchReadAhead(t, openSQLite) }

func TestBatchReadAheadPostgres(t *testing.T) { testBatchReadAhead(t, openPostgres(t)) }

// putAhead puts sessions the way intake does: read ahead, then put.
func putAhead(db *store.DB, rules *claims.AuthRules, ss ...*claims.Session) ([]store.Result, error) {
	var out []store.Result
	err := db.Batch(context.Background(), rules, func(b *store.Batch) error {
		out = out[:0]
		ids := make([]string, len(ss))
		for i, s := range ss {
			ids[i] = s.ID
		}
		if err := b.PrefetchSessions(ids); err != nil {
			return err
		}
		if err := b.PrefetchAuthorizations(ss); err != nil {
			return err
		}
		for _, s := range ss {
			p, err := store.PrepareSession(s)
			if err != nil {
				return err
			}
			r, err := b.PutPrepared(p, "t")
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func testBatchReadAhead(t *testing.T, open func(t *testing.T) *store.DB) {
	ctx := context.Background()
	rules := storetest.Rules(t)

	t.Run("LastUnitsInOneBatch", func(t *testing.T) {
		db := open(t)
		if err := db.Batch(ctx, rules, func(b *store.Batch) error {
			_, err := b.PutAuthorization(storetest.Auth("A", 5, "2026-10-01", "2027-03-31"), "t")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var ss []*claims.Session
		for i := 0; i < 8; i++ {
			ss = append(ss, storetest.Session(fmt.Sprintf("S-%d", i), "2026-11-02"))
		}
		// The same session twice in one batch: the second put is a no-op, not a second unit.
		ss = append(ss, storetest.Session("S-0", "2026-11-02"))
		rs, err := putAhead(db, rules, ss...)
		if err != nil {
			t.Fatal(err)
		}
		ready, held := 0, 0
		for _, r := range rs[:8] {
			switch r.State {
			case store.StateReady:
				ready++
			case store.StateHeld:
				held++
				if r.HoldReason != claims.HoldAuthExhausted {
					t.Errorf("hold reason %q", r.HoldReason)
				}
			}
		}
		if ready != 5 || held != 3 || rs[8].Change != store.ChangeUnchanged {
			t.Fatalf("ready %d held %d, repeat %+v; want 5, 3 and unchanged", ready, held, rs[8])
		}
		as, err := db.Authorizations(ctx)
		if err != nil || len(as) != 1 || as[0].Used != 5 {
			t.Fatalf("authorizations = %+v (%v), want A with 5 used", as, err)
		}
		if got, _ := db.Session(ctx, "S-7"); got.State != store.StateHeld {
			t.Fatalf("S-7 = %+v, want held (stored after the batch's multi-row insert)", got)
		}
	})

	// A session changed later in the same batch returns its unit before consuming again.
	t.Run("UpdateInBatch", func(t *testing.T) {
		db := open(t)
		if err := db.Batch(ctx, rules, func(b *store.Batch) error {
			_, err := b.PutAuthorization(storetest.Auth("A", 2, "2026-10-01", "2027-03-31"), "t")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		a := storetest.Session("S-1", "2026-11-02")
		void := *a
		void.Status = claims.StatusVoid
		if _, err := putAhead(db, rules, a, storetest.Session("S-2", "2026-11-03"), &void, storetest.Session("S-3", "2026-11-04")); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]string{"S-1": store.StateVoid, "S-2": store.StateReady, "S-3": store.StateReady} {
			if got, err := db.Session(ctx, id); err != nil || got.State != want {
				t.Errorf("%s = %q (%v), want %q", id, got.State, err, want)
			}
		}
		if as, _ := db.Authorizations(ctx); as[0].Used != 2 {
			t.Fatalf("used %d, want 2 (S-1's unit returned, S-3 took it)", as[0].Used)
		}
	})

	// Concurrent batches never take more units than the authorization has.
	t.Run("ConcurrentBatches", func(t *testing.T) {
		db := open(t)
		const units, workers, each = 7, 6, 3
		if err := db.Batch(ctx, rules, func(b *store.Batch) error {
			_, err := b.PutAuthorization(storetest.Auth("A", units, "2026-10-01", "2027-03-31"), "t")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var ss []*claims.Session
				for i := 0; i < each; i++ {
					ss = append(ss, storetest.Session(fmt.Sprintf("W%d-%d", w, i), "2026-11-02"))
				}
				_, err := putAhead(db, rules, ss...)
				errs <- err
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		counts, err := db.CountSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StateReady] != units || counts[store.StateHeld] != workers*each-units {
			t.Fatalf("states = %v, want %d ready", counts, units)
		}
		if as, _ := db.Authorizations(ctx); as[0].Used != units {
			t.Fatalf("used %d, want %d", as[0].Used, units)
		}
	})
}

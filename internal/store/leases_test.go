package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/testenv"
)

// TestLeases: two handles on one store (two processes on one SQLite file, or two
// instances on one PostgreSQL) contend for one lease: one holds it, the other is refused
// until it is released or expires; a holder that lost it can neither renew nor release
// its successor's lease; and of many acquiring at once exactly one wins.
func TestLeases(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			target := filepath.Join(t.TempDir(), "edigate.db")
			if dialect == "postgres" {
				target = testenv.PostgresSchema(t)
			}
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(ctx, target, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			a, b := dbs[0], dbs[1]
			const long = time.Hour
			tokA, ok, err := a.AcquireLease(ctx, "upload/ch1", "A", long)
			if err != nil || !ok {
				t.Fatalf("A acquires a free lease: %v %v", ok, err)
			}
			if _, ok, err := b.AcquireLease(ctx, "upload/ch1", "B", long); ok || err != nil {
				t.Fatalf("B acquires A's unexpired lease: %v %v", ok, err)
			}
			if _, ok, _ := a.AcquireLease(ctx, "upload/ch1", "A", long); ok {
				t.Fatal("A acquires its own lease a second time")
			}
			if _, ok, err := b.AcquireLease(ctx, "download/ch1", "B", long); !ok || err != nil {
				t.Fatalf("another lease name is free: %v %v", ok, err)
			}
			if ok, err := a.RenewLease(ctx, "upload/ch1", "A", tokA, long); !ok || err != nil {
				t.Fatalf("A renews: %v %v", ok, err)
			}
			if ok, _ := b.RenewLease(ctx, "upload/ch1", "B", tokA, long); ok {
				t.Fatal("B renews A's lease")
			}
			if err := a.ReleaseLease(ctx, "upload/ch1", "A", tokA); err != nil {
				t.Fatal(err)
			}
			tokB, ok, err := b.AcquireLease(ctx, "upload/ch1", "B", 300*time.Millisecond)
			if err != nil || !ok || tokB <= tokA {
				t.Fatalf("B after release: token %d (A had %d) %v %v", tokB, tokA, ok, err)
			}
			if ok, _ := a.RenewLease(ctx, "upload/ch1", "A", tokA, long); ok {
				t.Fatal("A renews a lease released and taken by B")
			}
			if err := a.ReleaseLease(ctx, "upload/ch1", "A", tokA); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := a.AcquireLease(ctx, "upload/ch1", "A", long); ok {
				t.Fatal("A's stale release freed B's lease")
			}
			// B dies: it stops renewing, and its lease expires.
			time.Sleep(400 * time.Millisecond)
			if ok, _ := b.RenewLease(ctx, "upload/ch1", "B", tokB, long); ok {
				t.Fatal("B renews an expired lease")
			}
			if _, ok, err := a.AcquireLease(ctx, "upload/ch1", "A", long); !ok || err != nil {
				t.Fatalf("A takes B's expired lease: %v %v", ok, err)
			}

			// Many at once on a fresh name: one wins.
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, ok, err := dbs[i%2].AcquireLease(ctx, "alerts", string(rune('a'+i)), long)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						won++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if won != 1 {
				t.Fatalf("%d holders of one lease", won)
			}
			ls, err := a.Leases(ctx)
			if err != nil || len(ls) != 3 {
				t.Fatalf("leases %+v %v", ls, err)
			}
		})
	}
}

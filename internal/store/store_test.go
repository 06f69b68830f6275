package store_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/store/storetest"
	"github.com/edigate/edigate/internal/testenv"
)

func openSQLite(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "edigate.db"), store.Options{Now: storetest.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLite(t *testing.T) { storetest.Run(t, openSQLite) }

// postgresSchemas returns a function that makes a fresh schema on the test PostgreSQL
// (dropped when its test ends) and returns the URL that opens it; the test is skipped or
// failed (testenv.Missing) when no PostgreSQL runs here.
func postgresSchemas(t *testing.T) func(t *testing.T) string {
	testenv.PostgresURL(t)
	return func(t *testing.T) string { return testenv.PostgresSchema(t) }
}

// openPostgres returns an opener of fresh stores, one schema each.
func openPostgres(t *testing.T) func(t *testing.T) *store.DB {
	schema := postgresSchemas(t)
	return func(t *testing.T) *store.DB {
		db, err := store.Open(context.Background(), schema(t), store.Options{Now: storetest.Clock()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}

// TestPostgres runs the suite with one fresh schema per test.
func TestPostgres(t *testing.T) { storetest.Run(t, openPostgres(t)) }

func TestSQLiteFileModes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "edigate.db")
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("database mode %v, want 0600 (it holds PHI)", fi.Mode().Perm())
	}
	// Reopening applies no migration twice.
	db2, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := db2.Migrations(context.Background())
	db2.Close()
	seen := map[int]bool{}
	for _, v := range vs {
		if seen[v] {
			t.Fatalf("migration %d applied twice: %v", v, vs)
		}
		seen[v] = true
	}
}

// TestTwoProcessesLastUnits runs two OS processes (this test binary re-executed) taking
// units from one authorization in one SQLite file: together they must use exactly its units.
func TestTwoProcessesLastUnits(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "edigate.db")
	db, err := store.Open(context.Background(), path, store.Options{Now: storetest.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const units, perChild = 7, 10
	if err := db.Batch(context.Background(), storetest.Rules(t), func(b *store.Batch) error {
		_, err := b.PutAuthorization(storetest.Auth("A", units, "2026-10-01", "2027-03-31"), "t")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for c := 0; c < 2; c++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildConsume$")
		cmd.Env = append(os.Environ(), "EDIGATE_CHILD_DB="+path, "EDIGATE_CHILD_PREFIX=P"+strconv.Itoa(c), "EDIGATE_CHILD_N="+strconv.Itoa(perChild))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	counts, err := db.CountSessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StateReady] != units || counts[store.StateHeld] != 2*perChild-units {
		t.Fatalf("states = %v, want %d ready and %d held", counts, units, 2*perChild-units)
	}
	as, _ := db.Authorizations(context.Background())
	if as[0].Used != units {
		t.Fatalf("used %d, want %d", as[0].Used, units)
	}
}

// TestChildConsume is the child half of TestTwoProcessesLastUnits.
func TestChildConsume(t *testing.T) {
	path := os.Getenv("EDIGATE_CHILD_DB")
	if path == "" {
		t.Skip("child process of TestTwoProcessesLastUnits")
	}
	db, err := store.Open(context.Background(), path, store.Options{Now: storetest.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, _ := strconv.Atoi(os.Getenv("EDIGATE_CHILD_N"))
	for i := 0; i < n; i++ {
		s := storetest.Session(fmt.Sprintf("%s-%02d", os.Getenv("EDIGATE_CHILD_PREFIX"), i), "2026-11-02")
		if err := db.Batch(context.Background(), storetest.Rules(t), func(b *store.Batch) error {
			_, err := b.PutSession(s, "child")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

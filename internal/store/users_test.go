package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// TestWebUsersAndAudit: users are added once, changed only as read (a stale change fails),
// each change with its audit entry; the audit trail lists newest first and the database
// refuses to update or delete it; on SQLite and PostgreSQL.
func TestWebUsersAndAudit(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testUsersAudit(t, filepath.Join(t.TempDir(), "edigate.db")) })
	t.Run("postgres", func(t *testing.T) { testUsersAudit(t, postgresSchemas(t)(t)) })
}

func testUsersAudit(t *testing.T, target string) {
	ctx := context.Background()
	db, err := store.Open(ctx, target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	add := store.AuditEntry{Who: "root", Action: "added user kim as biller", Target: "kim", Remote: "10.0.0.1", Outcome: "done"}
	if err := db.AddWebUser(ctx, store.WebUser{Name: "kim", Hash: []byte("$2a$h1"), Role: "biller"}, add); err != nil {
		t.Fatal(err)
	}
	if err := db.AddWebUser(ctx, store.WebUser{Name: "kim", Hash: []byte("x"), Role: "viewer"}, add); !errors.Is(err, store.ErrUserExists) {
		t.Fatalf("second add: %v", err)
	}
	u, err := db.WebUser(ctx, "kim")
	if err != nil || u.Role != "biller" || string(u.Hash) != "$2a$h1" || u.Disabled {
		t.Fatalf("user = %+v %v", u, err)
	}
	yes := true
	if err := db.ChangeWebUser(ctx, "kim", u.UpdatedAt, store.UserChange{Role: "viewer", Disabled: &yes},
		store.AuditEntry{Who: "root", Action: "disabled kim", Target: "kim"}); err != nil {
		t.Fatal(err)
	}
	if err := db.ChangeWebUser(ctx, "kim", "stale", store.UserChange{Role: "admin"}, store.AuditEntry{Who: "root", Action: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stale change: %v", err)
	}
	if _, err := db.WebUser(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	us, _ := db.WebUsers(ctx)
	if len(us) != 1 || us[0].Role != "viewer" || !us[0].Disabled {
		t.Fatalf("users = %+v", us)
	}
	entries, total, err := db.AuditPage(ctx, "", store.Page{})
	if err != nil || total != 2 || entries[0].Action != "disabled kim" || entries[1].Remote != "10.0.0.1" || entries[1].Source != "web" {
		t.Fatalf("audit = %+v %d %v", entries, total, err)
	}
	for _, q := range []string{`UPDATE audit_log SET who = 'someone else'`, `DELETE FROM audit_log`} {
		if _, err := db.SQL().ExecContext(ctx, q); err == nil {
			t.Errorf("%s: the database allowed it", q)
		}
	}
	if _, total, _ := db.AuditPage(ctx, "root", store.Page{}); total != 2 {
		t.Errorf("audit of root after the refused changes: %d entries", total)
	}
}

package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
)

// TestCorrectionsAndSentFiles runs on SQLite and PostgreSQL: corrections of several
// sessions read back by session, a conflict pick expects the override as it was read, and
// sent files count their claims by 999 and 277CA outcome across several files.
func TestCorrectionsAndSentFiles(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *store.DB{"sqlite": openSQLite, "postgres": func(t *testing.T) *store.DB { return openPostgres(t)(t) }} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			for _, r := range [][]any{{"S1", "member_id", "M2", "M1"}, {"S1", "diagnoses", "F329", "F411"}, {"S2", "member_id", "M2", "M1"}} {
				exec(`INSERT INTO session_corrections (session_id, field, value, practice, claim_id, who, at) VALUES (?, ?, ?, ?, 'C1', 'kim', 't')`, r...)
			}
			got, err := db.SessionCorrections(ctx, "S1", "S2", "S3")
			if err != nil || len(got["S1"]) != 2 || len(got["S2"]) != 1 || len(got["S3"]) != 0 {
				t.Fatalf("corrections: %+v %v", got, err)
			}
			was := got["S2"][0]
			stale := was
			stale.Practice = "M0"
			if err := db.ApplyConflictPick(ctx, stale, nil, claims.FieldChange{Field: claims.FieldMemberID}, claims.TakePractice, "kim", "test"); !errors.Is(err, store.ErrChanged) {
				t.Fatalf("stale pick: %v", err)
			}
			keep := was
			keep.Practice = "M3"
			if err := db.ApplyConflictPick(ctx, was, &keep, claims.FieldChange{Field: claims.FieldMemberID}, claims.KeepCorrection, "kim", "test"); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.SessionCorrections(ctx, "S2"); got["S2"][0].Practice != "M3" {
				t.Fatalf("after keep: %+v", got)
			}

			for _, c := range []string{"C1", "C2", "C3"} {
				exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility, total_cents,
					state, data, created_at, updated_at) VALUES (?, ?, 'p', 'x', 'sim', 'c', '2026-11-02', '1', 'P', 15000, 'accepted', '{}', 't', 't')`, c, c)
			}
			exec(`INSERT INTO claim_files (id, clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
				VALUES (1, 'sim', 'A.x12', 'T', 1, 1, 2, 30000, 'a', '2026-11-01'), (2, 'sim', 'B.x12', 'T', 2, 2, 1, 15000, 'b', '2026-11-02')`)
			exec(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control) VALUES
				('C1', 1, 1, 1, '0001'), ('C2', 1, 1, 1, '0002'), ('C3', 2, 2, 2, '0001')`)
			for _, e := range [][]any{{"C1", "file_accepted"}, {"C2", "file_accepted"}, {"C1", "accepted"}, {"C2", "rejected"}, {"C3", "file_rejected"}} {
				exec(`INSERT INTO events (entity_kind, entity_id, kind, at) VALUES ('claim', ?, ?, 't')`, e...)
			}
			exec(`INSERT INTO events (entity_kind, entity_id, kind, at) VALUES ('file', 'A.x12', 'uploaded', '2026-11-01T18:00:00Z')`)
			files, n, err := db.SentFiles(ctx, "sim", store.Page{})
			if err != nil || n != 2 || len(files) != 2 {
				t.Fatalf("sent files: %+v %d %v", files, n, err)
			}
			b, a := files[0], files[1] // newest first
			if a.Name != "A.x12" || a.FileAccepted != 2 || a.Accepted != 1 || a.Rejected != 1 || a.UploadedAt == "" ||
				b.FileRejected != 1 || b.FileAccepted != 0 || b.UploadedAt != "" {
				t.Errorf("outcomes: A %+v, B %+v", a, b)
			}
			if files, n, err := db.SentFiles(ctx, "sim", store.Page{Limit: 1, Offset: 1}); err != nil || n != 2 || len(files) != 1 || files[0].Name != "A.x12" {
				t.Errorf("second page: %+v %d %v", files, n, err)
			}
		})
	}
}

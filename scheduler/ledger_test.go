package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/testenv"
)

func openSQLiteLedger(t *testing.T, path string) StoreLedger {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return StoreLedger{DB: db}
}

func TestLedgerConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) { ledgerSuite(t, NewMemLedger()) })
	t.Run("sqlite", func(t *testing.T) {
		ledgerSuite(t, openSQLiteLedger(t, filepath.Join(t.TempDir(), "edigate.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		base := testenv.PostgresURL(t)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if err := admin.Ping(); err != nil {
			testenv.Missing(t, "PostgreSQL at "+base, err.Error())
		}
		schema := fmt.Sprintf("sched_%d_%d", os.Getpid(), rand.Int64())
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		db, err := store.Open(context.Background(), base+sep+"search_path="+schema, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ledgerSuite(t, StoreLedger{DB: db})
	})
}

func ledgerSuite(t *testing.T, l Ledger) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	if _, ok, err := l.UploadFor(ctx, "ch", "h1"); ok || err != nil {
		t.Fatalf("empty ledger: %v %v", ok, err)
	}
	u := Upload{Clearinghouse: "ch", SHA256: "h1", LocalName: "a.x12", Size: 10, RemoteName: "out/a", TempName: "out/a.tmp",
		Set: "837", Control: "000000101", Groups: []string{"1"}, Transactions: []string{"0001"}, Claims: []string{"C1", "C2"},
		State: UploadIntent, CreatedAt: at}
	if err := l.PutUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.State, u.UploadedAt, u.Inferred = UploadDone, at.Add(time.Minute), true
	if err := l.PutUpload(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, ok, err := l.UploadFor(ctx, "ch", "h1")
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	if got.State != UploadDone || !got.Inferred || !got.UploadedAt.Equal(at.Add(time.Minute)) || !got.CreatedAt.Equal(at) ||
		strings.Join(got.Claims, ",") != "C1,C2" || got.RemoteName != "out/a" || got.Control != "000000101" {
		t.Fatalf("round trip: %+v", got)
	}
	if _, ok, _ := l.UploadFor(ctx, "other", "h1"); ok {
		t.Fatal("upload visible under another clearinghouse")
	}

	d := Download{Clearinghouse: "ch", RemotePath: "in/r.999", Size: 5, ModTime: at, SHA256: "c1", LocalPath: "/x/r.999", DownloadedAt: at}
	if err := l.RecordDownload(ctx, d); err != nil {
		t.Fatal(err)
	}
	dup := d
	dup.RemotePath, dup.Duplicate, dup.LocalPath = "in/r2.999", true, d.LocalPath
	if err := l.RecordDownload(ctx, dup); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path  string
		size  int64
		mtime time.Time
		want  bool
	}{
		{"in/r.999", 5, at, true},
		{"in/r.999", 6, at, false},                // same name, new size
		{"in/r.999", 5, at.Add(time.Hour), false}, // same name, new mtime
		{"in/r2.999", 5, at, true},
	} {
		if _, ok, err := l.SeenRemote(ctx, "ch", tc.path, tc.size, tc.mtime); ok != tc.want || err != nil {
			t.Errorf("SeenRemote(%s,%d,%v) = %v, %v", tc.path, tc.size, tc.mtime, ok, err)
		}
	}
	first, ok, err := l.ContentSeen(ctx, "ch", "c1")
	if err != nil || !ok || first.RemotePath != "in/r.999" || first.Duplicate {
		t.Fatalf("ContentSeen = %+v %v %v", first, ok, err)
	}
	if _, ok, _ := l.ContentSeen(ctx, "ch", "c2"); ok {
		t.Fatal("unknown content seen")
	}
}

// A crash right after the remote rename, then a process restart (the database reopened):
// the durable ledger resumes the upload without a second remote file.
func TestUploadCrashResumesFromSQLiteLedger(t *testing.T) {
	e := newSimEnv(t)
	dbPath := filepath.Join(e.data, "edigate.db")
	db1, err := store.Open(context.Background(), dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := e.exchange()
	x.Ledger = &crashingStoreLedger{StoreLedger: StoreLedger{DB: db1}, failOn: UploadDone}
	out := newOutbox(t, filepath.Join(e.data, "outbound"))
	writeOutbound(t, out.Dir, "a.x12", makeX12("901", 0, "C9"))
	if _, err := x.Upload(context.Background(), out); err == nil {
		t.Fatal("want the simulated crash")
	}
	db1.Close()

	time.Sleep(1100 * time.Millisecond)
	x = e.exchange()
	x.Ledger = openSQLiteLedger(t, dbPath)
	ups, err := x.Upload(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	files := e.remoteFiles("outbound")
	if len(files) != 1 || "outbound/"+files[0] != ups[0].RemoteName || ups[0].State != UploadDone {
		t.Fatalf("remote %v, upload %+v", files, ups[0])
	}
}

type crashingStoreLedger struct {
	StoreLedger
	failOn UploadState
}

func (c *crashingStoreLedger) PutUpload(ctx context.Context, u Upload) error {
	if c.failOn != "" && u.State == c.failOn {
		c.failOn = ""
		return fmt.Errorf("simulated crash")
	}
	return c.StoreLedger.PutUpload(ctx, u)
}

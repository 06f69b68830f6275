package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is the store. It is safe for concurrent use by many goroutines and, for SQLite, by
// several processes on one file.
type DB struct {
	sql     *sql.DB
	dialect dialect
	now     func() time.Time

	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	auths authCache

	// copied counts, by table, the rows batches copied since the table was last analyzed
	// (analyzeCopied); under mu.
	copied map[string]int
}

type dialect struct {
	name   string // sqlite or postgres
	serial string
	dollar bool // $n placeholders
}

var (
	sqliteDialect   = dialect{name: "sqlite", serial: "INTEGER PRIMARY KEY AUTOINCREMENT"}
	postgresDialect = dialect{name: "postgres", serial: "BIGSERIAL PRIMARY KEY", dollar: true}
)

// rebind turns "?" placeholders into the dialect's. Statements never contain a literal "?".
func (d dialect) rebind(q string) string {
	if !d.dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Options tune Open; the zero value is production behaviour.
type Options struct {
	// Now is the clock for event and alert times (UTC). Tests set it.
	Now func() time.Time
	// SQLiteDriver is the database/sql driver a SQLite file is opened with; "" is
	// modernc's "sqlite". A test registers a wrapper to see every statement a step issues
	// and check its query plan (internal/pipeline TestStepsSeekNotScan).
	SQLiteDriver string
	// NoMmap reads a SQLite file without the memory map: pages the map touched count in
	// the process's resident memory, up to the map's 1 GiB. For a one-shot command that
	// writes much and reads little (remit post of a large 835), whose memory is bounded.
	NoMmap bool
}

// OpenConfig opens the store the configuration names (its store and data_dir keys):
// PostgreSQL for a postgres:// URL, else SQLite at dataDir/edigate.db (creating dataDir
// with mode 0700).
func OpenConfig(ctx context.Context, storeKey, dataDir string, opt Options) (*DB, error) {
	if strings.HasPrefix(storeKey, "postgres://") || strings.HasPrefix(storeKey, "postgresql://") {
		return Open(ctx, storeKey, opt)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	return Open(ctx, filepath.Join(dataDir, "edigate.db"), opt)
}

// Open opens target (a postgres:// URL or a SQLite file path) and applies pending migrations.
func Open(ctx context.Context, target string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now, stmts: map[string]*sql.Stmt{}}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	if strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://") {
		db.dialect = postgresDialect
		db.sql, err = sql.Open("pgx", target)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.sql.SetMaxOpenConns(8)
	} else {
		db.dialect = sqliteDialect
		// The database holds PHI: create it 0600 before SQLite does (its -wal and -shm
		// files take the same mode).
		f, err := os.OpenFile(target, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		f.Close()
		q := url.Values{}
		mmap := "mmap_size(1073741824)"
		if opt.NoMmap {
			mmap = "mmap_size(0)"
		}
		// synchronous FULL stays, although in WAL mode NORMAL would survive a kill -9 as well
		// (a committed transaction is in the WAL file, in the OS's cache, whether or not it was
		// fsynced): every step acts outside the database after a commit (intake moves the file
		// to the archive, the eligibility and claims steps write 270 and 837P files durably),
		// and after a power loss under NORMAL that action could be on disk while the commit it
		// follows is not (an archived file whose sessions are gone, a 270 whose traces were
		// never stored). It is cheap where the volume is: intake commits 20,000 records at a
		// time, six fsyncs for 100,000 sessions.
		for _, p := range []string{"busy_timeout(30000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)",
			// 16 MiB page cache a connection. One that held a whole intake batch until commit (256 MiB) was
			// slower: it kept allocating fresh pages (internal/intake/README.md, Throughput). 64 MiB,
			// measured again at 100,000 sessions end to end (issue 15), saved no CPU and added 136 MB
			// to the peak RSS; wal_autocheckpoint at 16,384 pages (default 1,000) made no measurable
			// difference either: intake's pages are mostly new each batch, so a checkpoint copies
			// them once however seldom it runs.
			"cache_size(-16384)",
			// Multi-row statements keep a statement journal; in memory it costs no file writes.
			"temp_store(MEMORY)",
			// Reads of the large tables (every ready session, every built claim) through a memory map
			// instead of a read system call per page that misses the cache.
			mmap} {
			q.Add("_pragma", p)
		}
		// Immediate: a write transaction takes the write lock at BEGIN, so two writers never
		// deadlock upgrading read locks (which busy_timeout cannot resolve).
		q.Set("_txlock", "immediate")
		driverName := opt.SQLiteDriver
		if driverName == "" {
			driverName = "sqlite"
		}
		db.sql, err = sql.Open(driverName, "file:"+target+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		db.sql.SetMaxOpenConns(4)
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("store: %s: %w", db.dialect.name, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	if err := db.pendingRebuilds(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.mu.Lock()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = map[string]*sql.Stmt{}
	db.mu.Unlock()
	return db.sql.Close()
}

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// SQL exposes the handle for packages adding their own store files (claims, remit ...).
func (db *DB) SQL() *sql.DB { return db.sql }

// Rebind rewrites "?" placeholders for the dialect.
func (db *DB) Rebind(q string) string { return db.dialect.rebind(q) }

// stmt returns a prepared statement for q, prepared once per DB. Preparing happens outside
// the lock: it needs a free connection, and the connections may all be held by
// transactions that are themselves waiting here.
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	db.mu.Lock()
	s, ok := db.stmts[q]
	db.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := db.sql.PrepareContext(ctx, db.dialect.rebind(q))
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(q), err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if prev, ok := db.stmts[q]; ok {
		s.Close()
		return prev, nil
	}
	db.stmts[q] = s
	return s, nil
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// timestamp formats t as the store keeps instants: UTC RFC 3339 with nanoseconds, which
// sorts as text.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

type migration struct {
	version int
	name    string
	body    string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_name.sql", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("store: migrations %q and %q share version %d", prev, name, v)
		}
		seen[v] = name
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, body: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// dialectLines turns a "-- sqlite: " or "-- postgres: " line into a statement for that
// dialect and leaves it a comment for the other: triggers and functions differ between them.
func dialectLines(body, dialect string) string {
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "-- "+dialect+": "); ok {
			lines[i] = rest
		}
	}
	return strings.Join(lines, "\n")
}

// splitStatements splits a migration at semicolons ending a line, dropping "--" comment
// lines; neither driver is relied on to run several statements in one Exec.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// Migrate applies the migrations not applied yet. Open does this; it is here for an
// operator (and the conformance suite) to run it again on an open store.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.migrate(ctx); err != nil {
		return err
	}
	return db.pendingRebuilds(ctx)
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if db.dialect.name == "postgres" {
				// Serialize concurrent starters; SQLite's immediate BEGIN already does.
				if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7220501)"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, db.Rebind("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body := dialectLines(strings.ReplaceAll(m.body, "{{serial}}", db.dialect.serial), db.dialect.name)
			for _, st := range splitStatements(body) {
				if _, err := tx.ExecContext(ctx, st); err != nil {
					return fmt.Errorf("%s: %w", firstLine(st), err)
				}
			}
			_, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
				m.version, m.name, timestamp(db.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// Migrations lists the applied migration versions in order.
func (db *DB) Migrations(ctx context.Context) ([]int, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return collectRows(rows, func(sc scanner) (int, error) {
		var v int
		err := sc.Scan(&v)
		return v, err
	})
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return runTx(ctx, db.sql.BeginTx, fn)
}

// runTx runs fn in a transaction begun by begin (a pool's or one connection's BeginTx).
func runTx(ctx context.Context, begin func(context.Context, *sql.TxOptions) (*sql.Tx, error), fn func(*sql.Tx) error) error {
	tx, err := begin(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	return tx.Commit()
}

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/outbox"
)

// Batch is one write transaction. Intake puts many records in one Batch so a commit (and
// its fsync) is paid per batch, not per record; everything in it, events included, commits
// or rolls back together.
type Batch struct {
	db *DB
	// conn is the connection tx runs on: PostgreSQL bulk inserts go to it as COPY
	// (copyRows), inside the transaction.
	conn *sql.Conn
	// copied counts the rows copied into each table (PostgreSQL), for analyzeCopied.
	copied map[string]int
	tx     *sql.Tx
	ctx    context.Context
	now    time.Time
	stamp  string // timestamp(now), formatted once: every event of the batch carries it
	rules  *claims.AuthRules
	stmts  map[string]*sql.Stmt
	// auths caches, for the batch, the authorizations of a payer/client/member; byAuth
	// holds the one copy of each authorization those lists point to, so consumption is
	// counted once however the authorization was found. Units are consumed in memory and
	// written by flushAuths: the batch's transaction holds the write lock (SQLite's
	// immediate BEGIN) or the rows' locks (PostgreSQL SELECT ... FOR UPDATE), so nobody
	// else can take units between the read and the write.
	auths  map[string][]*authState
	byAuth map[claims.AuthKey]*authState
	// changed lists the authorizations whose Used differs from the row (flushAuths writes
	// them), so a flush costs what changed, not every authorization the batch read.
	changed []*authState
	// openAlerts caches the open alert kinds per authorization key (nil map: none open).
	openAlerts map[string]map[string]bool
	// pending holds events not yet inserted: they are written in multi-row statements, at
	// the latest just before commit, so they still commit or roll back with the change.
	pending []any
	// sessRows holds inserts of new sessions not yet written (sessionColumnCount values a
	// row); any other statement run through exec/query writes them first.
	sessRows []any
	// queued is where each queued session's row starts in sessRows.
	queued map[string]int
	// written is the last write of each session put in this batch, for a scrub in the
	// batch (WrittenReady).
	written map[string]*writtenSession
	// scrubbing holds the content hash of each session row WriteScrubbing wrote as scrubbed
	// clean before its scrub was recorded (RecordScrubs).
	scrubbing map[string]string
	// known caches stored session state by id (nil: not stored) for PrefetchSessions.
	known map[string]*storedSession
	// outbox holds the events the practice is told of, written by flushOutbox at commit.
	outbox []outbox.Event
	// authRows and noHeld are the read-ahead of a run of authorization records
	// (PrefetchAuthorizationRecords), dropped when a session is put.
	authRows map[claims.AuthKey]authRow
	noHeld   map[heldKey]bool
	// authIns holds upserts of new authorizations not yet written (authColumnCount values a
	// row), authInsKeys their keys: written before any read of authorizations.
	authIns     []any
	authInsKeys map[claims.AuthKey]bool
	// practices holds the practice of sessions a statement of the batch returned (billing
	// returns it), so the outbox names it without looking each session up again.
	practices map[string]string
	// eligResults holds the 271 answers the batch recorded, by trace, for the outbox's
	// messages (noteEligibilityResult).
	eligResults map[string]*eligibility.Result
}

func (b *Batch) notePractice(sessionID, practice string) {
	if practice == "" {
		return
	}
	if b.practices == nil {
		b.practices = map[string]string{}
	}
	b.practices[sessionID] = practice
}

// authState is an authorization as the batch sees it: Used is current, stored is what the
// database row holds (the difference is written by flushAuths).
type authState struct {
	claims.AuthUse
	stored  int
	changed bool // in Batch.changed
}

// use changes the units used, noting the change for flushAuths.
func (b *Batch) use(st *authState, d int) {
	delete(b.authRows, st.Key()) // its read-ahead row no longer holds after the flush
	st.Used += d
	if !st.changed {
		st.changed = true
		b.changed = append(b.changed, st)
	}
}

// eventsPerInsert is the rows of one multi-row insert of events on SQLite (400 made no
// difference there: internal/intake/README.md, Throughput).
const eventsPerInsert = 100

// eventsPerFlush is how many pending events make queueEventValue write them: four SQLite
// statements; on PostgreSQL, where a flush is one COPY round trip, ten times as many.
func (d dialect) eventsPerFlush() int {
	if d.name == "postgres" {
		return 40 * eventsPerInsert
	}
	return 4 * eventsPerInsert
}

// insertFail turns "INSERT INTO" into SQLite's "INSERT OR FAIL INTO" for batch inserts
// whose failure fails the whole transaction anyway: SQLite then keeps no statement
// journal for the multi-row statement (see flushSessions). PostgreSQL has no such clause
// and no such cost.
func (d dialect) insertFail(q string) string {
	if d.name != "sqlite" {
		return q
	}
	return strings.Replace(q, "INSERT INTO", "INSERT OR FAIL INTO", 1)
}

func (b *Batch) queueEvent(entityKind lifecycle.Entity, entityID string, kind lifecycle.EventKind, source string, detail []byte) error {
	return b.queueEventValue(entityKind, entityID, kind, source, detail, nil)
}

// queueEventValue is queueEvent with the detail's value as well, which the outbox reads
// instead of decoding the JSON again.
func (b *Batch) queueEventValue(entityKind lifecycle.Entity, entityID string, kind lifecycle.EventKind, source string, detail []byte, value any) error {
	b.wantOutbox(entityKind, entityID, kind, detail, value)
	b.pending = append(b.pending, string(entityKind), entityID, string(kind), b.nowStamp(), source, string(detail))
	if len(b.pending) >= 6*b.db.dialect.eventsPerFlush() {
		return b.flushEvents()
	}
	return nil
}

// nowStamp is the batch's time as stored (timestamp), formatted once a batch.
func (b *Batch) nowStamp() string {
	if b.stamp == "" {
		b.stamp = timestamp(b.now)
	}
	return b.stamp
}

// eventsInsert is the head of the events' bulk insert.
const eventsInsert = `INSERT INTO events (entity_kind, entity_id, kind, at, source_file, detail)`

func (b *Batch) flushEvents() error {
	if err := b.bulkInsert(eventsInsert, 6, eventsPerInsert, b.pending); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	b.pending = nil
	return nil
}

// cachedAuths returns the authorizations of a payer's client or member, read once per
// batch (and locked for the batch on PostgreSQL).
func (b *Batch) cachedAuths(payer, clientID, memberID string) ([]*authState, error) {
	key := payer + "\x00" + clientID + "\x00" + memberID
	if as, ok := b.auths[key]; ok {
		return as, nil
	}
	rows, err := b.authsFor(payer, clientID, memberID)
	if err != nil {
		return nil, err
	}
	as := make([]*authState, len(rows))
	for i := range rows {
		as[i] = b.adoptAuth(&rows[i])
	}
	b.setAuths(key, as)
	return as, nil
}

// adoptAuth returns the batch's copy of a read authorization: an existing copy wins over
// the row just read, since it may carry units consumed but not yet written.
func (b *Batch) adoptAuth(a *claims.AuthUse) *authState {
	k := a.Key()
	if st, ok := b.byAuth[k]; ok {
		return st
	}
	st := &authState{AuthUse: *a, stored: a.Used}
	if b.byAuth == nil {
		b.byAuth = map[claims.AuthKey]*authState{}
	}
	b.byAuth[k] = st
	return st
}

func (b *Batch) setAuths(key string, as []*authState) {
	if b.auths == nil {
		b.auths = map[string][]*authState{}
	}
	b.auths[key] = as
}

// flushAuths writes the units consumed in memory: a guarded multi-row UPDATE per
// rowsPerStatement changed authorizations (one round trip each on PostgreSQL, where one
// statement per authorization was most of an intake's authorization time). The guard
// (used + d within 0..units) cannot fail while the batch holds its locks; if it ever does
// for any row, the batch fails instead of over-consuming.
func (b *Batch) flushAuths() error {
	var todo []*authState
	for _, st := range b.changed {
		st.changed = false
		if st.Used != st.stored {
			todo = append(todo, st)
		}
	}
	b.changed = nil
	// The statement reads each key's delta from a VALUES list; CAST gives PostgreSQL the
	// delta's type (its parameters in VALUES are text otherwise).
	for part := range slices.Chunk(todo, rowsPerStatement) {
		args := make([]any, 0, 3*len(part)+1)
		var v strings.Builder
		for i, st := range part {
			if i > 0 {
				v.WriteString(", ")
			}
			v.WriteString("(?, ?, CAST(? AS BIGINT))")
			args = append(args, st.Payer, st.Number, st.Used-st.stored)
		}
		args = append(args, b.nowStamp())
		rows, err := b.queryRaw(b.db.dialect.updateFail(`WITH v (payer, number, d) AS (VALUES `+v.String()+`)
			UPDATE authorizations SET used = authorizations.used + v.d, updated_at = ?
			FROM v WHERE authorizations.payer = v.payer AND authorizations.number = v.number
				AND authorizations.used + v.d <= authorizations.units AND authorizations.used + v.d >= 0
			RETURNING authorizations.payer, authorizations.number`), args...)
		if err != nil {
			return fmt.Errorf("authorizations: %w", err)
		}
		done := make(map[claims.AuthKey]bool, len(part))
		for rows.Next() {
			var k claims.AuthKey
			if err := rows.Scan(&k.Payer, &k.Number); err != nil {
				rows.Close()
				return fmt.Errorf("authorizations: %w", err)
			}
			done[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("authorizations: %w", err)
		}
		for _, st := range part {
			if !done[st.Key()] {
				return fmt.Errorf("authorization %s: %d units no longer available", st.Key(), st.Used-st.stored)
			}
		}
		for _, st := range part {
			st.stored = st.Used
		}
	}
	return nil
}

// resetAuths writes pending consumption and forgets the cached authorizations, for
// changes made by statement rather than in memory.
func (b *Batch) resetAuths() error {
	if err := b.flushAuths(); err != nil {
		return err
	}
	b.auths, b.byAuth = nil, nil
	return nil
}

// flushWrites writes everything the batch keeps in memory except events, so a statement
// that reads or changes sessions or authorizations sees them.
func (b *Batch) flushWrites() error {
	if err := b.flushSessions(); err != nil {
		return err
	}
	if err := b.flushAuthInserts(); err != nil {
		return err
	}
	return b.flushAuths()
}

// Batch runs fn in one transaction with the authorization rules to apply.
func (db *DB) Batch(ctx context.Context, rules *claims.AuthRules, fn func(b *Batch) error) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var copied map[string]int
	err = runTx(ctx, conn.BeginTx, func(tx *sql.Tx) error {
		b := &Batch{db: db, conn: conn, tx: tx, ctx: ctx, now: db.now().UTC(), rules: rules, stmts: map[string]*sql.Stmt{}}
		defer func() { copied = b.copied }()
		if err := fn(b); err != nil {
			return err
		}
		if err := b.flushWrites(); err != nil {
			return err
		}
		if err := b.flushEvents(); err != nil {
			return err
		}
		// Last, so the outbox reads everything the batch wrote and holds the outbox
		// counter's lock only for the commit.
		return b.flushOutbox()
	})
	if err == nil {
		db.analyzeCopied(ctx, conn, copied)
	}
	return err
}

// analyzeRows is the rows copied into a table since its last ANALYZE (by this process)
// that make the next committed batch analyze it.
const analyzeRows = 5000

// analyzeCopied refreshes the planner statistics of the tables this process copied many
// rows into since it last analyzed them (PostgreSQL), after a batch commits, so the next
// batch plans with them: autovacuum analyzes late or, where it is off, never, and a plan
// made for "few ready sessions" walked every ready session once a chunk after an intake
// of 20,000 (the scrub's ready-peers lookup: 3.6 s of server CPU at 100,000 sessions, 15
// ms a statement against under 1 ms). The rows are counted across batches, so the claims
// step's small batches get their links analyzed too. The sample is a tenth of the default
// (statistics target 10): the default's ANALYZE of sessions, events and outbox cost more
// server CPU than the bad plan (4.2 s); the few most common values and a coarse histogram
// are what those plans need, and autovacuum may refine them later. Statistics are an
// optimisation: a failed ANALYZE leaves the committed batch as it is.
func (db *DB) analyzeCopied(ctx context.Context, conn *sql.Conn, copied map[string]int) {
	if len(copied) == 0 {
		return
	}
	var tables []string
	db.mu.Lock()
	if db.copied == nil {
		db.copied = map[string]int{}
	}
	for table, n := range copied {
		if db.copied[table] += n; db.copied[table] >= analyzeRows {
			tables = append(tables, table)
			db.copied[table] = 0
		}
	}
	db.mu.Unlock()
	if len(tables) == 0 {
		return
	}
	slices.Sort(tables)
	// One statement list, one round trip; its implicit transaction undoes the SET with it
	// if the ANALYZE fails, so the pooled connection keeps the default either way.
	_, _ = conn.ExecContext(ctx, "SET default_statistics_target = 10; ANALYZE "+strings.Join(tables, ", ")+"; RESET default_statistics_target")
}

// stmt prepares q on the transaction's own connection, once per batch. Preparing on the
// DB instead would need a second connection while this one is held, which deadlocks when
// every connection is in a transaction doing the same.
func (b *Batch) stmt(q string) (*sql.Stmt, error) {
	if s, ok := b.stmts[q]; ok {
		return s, nil
	}
	s, err := b.tx.PrepareContext(b.ctx, b.db.dialect.rebind(q))
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(q), err)
	}
	b.stmts[q] = s
	return s, nil
}

// exec, query and queryRow first write the session rows and units the batch holds in
// memory, so statements in other files of this package see a consistent database. The
// intake path uses the *Raw forms where it knows the statement does not depend on them.
func (b *Batch) exec(q string, args ...any) (sql.Result, error) {
	if err := b.flushWrites(); err != nil {
		return nil, err
	}
	return b.execRaw(q, args...)
}

func (b *Batch) queryRow(q string, args ...any) (*sql.Row, error) {
	if err := b.flushWrites(); err != nil {
		return nil, err
	}
	return b.queryRowRaw(q, args...)
}

func (b *Batch) query(q string, args ...any) (*sql.Rows, error) {
	if err := b.flushWrites(); err != nil {
		return nil, err
	}
	return b.queryRaw(q, args...)
}

func (b *Batch) execRaw(q string, args ...any) (sql.Result, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(b.ctx, args...)
}

func (b *Batch) queryRowRaw(q string, args ...any) (*sql.Row, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryRowContext(b.ctx, args...), nil
}

func (b *Batch) queryRaw(q string, args ...any) (*sql.Rows, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(b.ctx, args...)
}

// Event is one row of the append-only history.
type Event = lifecycle.Event

// Event appends a history row in the batch's transaction. detail is marshalled to JSON and
// must not carry PHI beyond ids and codes.
func (b *Batch) Event(entityKind lifecycle.Entity, entityID string, kind lifecycle.EventKind, source string, detail any) error {
	d := []byte("{}")
	if a, ok := detail.(jsonAppender); ok {
		d = a.AppendJSON(make([]byte, 0, 512))
	} else if detail != nil {
		var err error
		if d, err = json.Marshal(detail); err != nil {
			return fmt.Errorf("event %s %s: %w", entityKind, kind, err)
		}
	}
	return b.queueEventValue(entityKind, entityID, kind, source, d, detail)
}

// jsonAppender is a detail that writes its own JSON (the same bytes json.Marshal would):
// remit.PaymentEvent, one per CLP posted, where reflection was most of an event's cost.
type jsonAppender interface{ AppendJSON([]byte) []byte }

// Events returns the history of one entity, oldest first.
func (db *DB) Events(ctx context.Context, entityKind, entityID string) ([]Event, error) {
	s, err := db.stmt(ctx, `SELECT id, entity_kind, entity_id, kind, at, source_file, detail FROM events
		WHERE entity_kind = ? AND entity_id = ? ORDER BY id`)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, entityKind, entityID)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return collectRows(rows, func(sc scanner) (Event, error) {
		var e Event
		var d string
		err := sc.Scan(&e.ID, &e.EntityKind, &e.EntityID, &e.Kind, &e.At, &e.SourceFile, &d)
		e.Detail = json.RawMessage(d)
		return e, err
	})
}

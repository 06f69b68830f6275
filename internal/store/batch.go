package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
)

// Batch is one write transaction. Intake puts many records in one Batch so a commit (and
// its fsync) is paid per batch, not per record; everything in it, events included, commits
// or rolls back together.
type Batch struct {
	db    *DB
	tx    *sql.Tx
	ctx   context.Context
	now   time.Time
	rules *claims.AuthRules
	stmts map[string]*sql.Stmt
	// auths caches authorizations by payer/client/member for the batch: a batch of
	// sessions of one client reads them once. Any authorization change clears it; a failed
	// conditional UPDATE (another transaction took units) re-reads.
	auths map[string][]claims.AuthUse
	// pending holds events not yet inserted: they are written in multi-row statements, at
	// the latest just before commit, so they still commit or roll back with the change.
	pending []any
	// known caches stored session state by id (nil: not stored) for PrefetchSessions.
	known map[string]*storedSession
}

const eventsPerInsert = 100

func (b *Batch) queueEvent(entityKind, entityID, kind, source string, detail []byte) error {
	b.pending = append(b.pending, entityKind, entityID, kind, timestamp(b.now), source, string(detail))
	if len(b.pending) >= 6*eventsPerInsert*4 {
		return b.flushEvents()
	}
	return nil
}

func (b *Batch) flushEvents() error {
	for len(b.pending) > 0 {
		n := min(len(b.pending)/6, eventsPerInsert)
		var q strings.Builder
		q.WriteString(`INSERT INTO events (entity_kind, entity_id, kind, at, source_file, detail) VALUES `)
		for i := 0; i < n; i++ {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?)")
		}
		if _, err := b.exec(q.String(), b.pending[:6*n]...); err != nil {
			return fmt.Errorf("events: %w", err)
		}
		b.pending = b.pending[6*n:]
	}
	b.pending = nil
	return nil
}

func (b *Batch) cachedAuths(payer, clientID, memberID string, fresh bool) ([]claims.AuthUse, error) {
	key := payer + "\x00" + clientID + "\x00" + memberID
	if as, ok := b.auths[key]; ok && !fresh {
		return as, nil
	}
	as, err := b.authsFor(payer, clientID, memberID)
	if err != nil {
		return nil, err
	}
	if b.auths == nil {
		b.auths = map[string][]claims.AuthUse{}
	}
	b.auths[key] = as
	return as, nil
}

type event struct {
	kind   string
	detail any
}

// events appends several history rows of one entity.
func (b *Batch) events(entityKind, entityID, source string, evs ...event) error {
	for _, e := range evs {
		d, err := json.Marshal(e.detail)
		if err != nil {
			return fmt.Errorf("event %s %s: %w", entityKind, e.kind, err)
		}
		if err := b.queueEvent(entityKind, entityID, e.kind, source, d); err != nil {
			return err
		}
	}
	return nil
}

// Batch runs fn in one transaction with the authorization rules to apply.
func (db *DB) Batch(ctx context.Context, rules *claims.AuthRules, fn func(b *Batch) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		b := &Batch{db: db, tx: tx, ctx: ctx, now: db.now().UTC(), rules: rules, stmts: map[string]*sql.Stmt{}}
		if err := fn(b); err != nil {
			return err
		}
		return b.flushEvents()
	})
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

func (b *Batch) exec(q string, args ...any) (sql.Result, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(b.ctx, args...)
}

func (b *Batch) queryRow(q string, args ...any) (*sql.Row, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryRowContext(b.ctx, args...), nil
}

func (b *Batch) query(q string, args ...any) (*sql.Rows, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(b.ctx, args...)
}

// Event is one row of the append-only history.
type Event struct {
	ID         int64           `json:"id"`
	EntityKind string          `json:"entity_kind"`
	EntityID   string          `json:"entity_id"`
	Kind       string          `json:"kind"`
	At         string          `json:"at"`
	SourceFile string          `json:"source_file,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"`
}

// Event appends a history row in the batch's transaction. detail is marshalled to JSON and
// must not carry PHI beyond ids and codes.
func (b *Batch) Event(entityKind, entityID, kind, source string, detail any) error {
	d := []byte("{}")
	if detail != nil {
		var err error
		if d, err = json.Marshal(detail); err != nil {
			return fmt.Errorf("event %s %s: %w", entityKind, kind, err)
		}
	}
	return b.queueEvent(entityKind, entityID, kind, source, d)
}

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
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var d string
		if err := rows.Scan(&e.ID, &e.EntityKind, &e.EntityID, &e.Kind, &e.At, &e.SourceFile, &d); err != nil {
			return nil, err
		}
		e.Detail = json.RawMessage(d)
		out = append(out, e)
	}
	return out, rows.Err()
}

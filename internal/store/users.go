package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrUserExists is returned when adding a user whose name is taken.
var ErrUserExists = errors.New("a user with this name exists")

// WebUser is one sign-in of the web UI. Hash is the bcrypt hash of the password; the
// store never sees a password.
type WebUser struct {
	Name      string `json:"name"`
	Hash      []byte `json:"-"`
	Role      string `json:"role"`
	Disabled  bool   `json:"disabled"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// AuditEntry is one action in the audit trail: who did what, when and from where.
type AuditEntry struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	Who     string `json:"who"`
	Action  string `json:"action"`
	Target  string `json:"target,omitempty"`
	Remote  string `json:"remote,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Source  string `json:"source"`
}

const webUserCols = `name, hash, role, disabled, created_at, updated_at`

func scanWebUser(sc scanner) (WebUser, error) {
	var u WebUser
	var hash string
	var disabled int64
	err := sc.Scan(&u.Name, &hash, &u.Role, &disabled, &u.CreatedAt, &u.UpdatedAt)
	u.Hash, u.Disabled = []byte(hash), disabled != 0
	return u, err
}

// WebUser returns the user name, or ErrNotFound.
func (db *DB) WebUser(ctx context.Context, name string) (WebUser, error) {
	u, err := scanWebUser(db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+webUserCols+` FROM web_users WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("store: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("store: user %q: %w", name, err)
	}
	return u, nil
}

// WebUsers lists the users by name.
func (db *DB) WebUsers(ctx context.Context) ([]WebUser, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+webUserCols+` FROM web_users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	out, err := collectRows(rows, scanWebUser)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

// UserChange is one change to a user; empty fields stay as they are.
type UserChange struct {
	Hash     []byte
	Role     string
	Disabled *bool
}

// AddWebUser stores a new user and the audit entry saying who added it, in one transaction.
func (db *DB) AddWebUser(ctx context.Context, u WebUser, a AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		now := timestamp(db.now())
		var n int
		if err := tx.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM web_users WHERE name = ?`), u.Name).Scan(&n); err != nil {
			return fmt.Errorf("store: add user: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("store: add user %q: %w", u.Name, ErrUserExists)
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO web_users (`+webUserCols+`) VALUES (?, ?, ?, ?, ?, ?)`),
			u.Name, string(u.Hash), u.Role, boolInt(u.Disabled), now, now); err != nil {
			return fmt.Errorf("store: add user: %w", err)
		}
		return db.audit(ctx, tx, a)
	})
}

// ChangeWebUser applies c to the user name as it was read (expect: its updated_at), with
// the audit entry, in one transaction: a change made meanwhile by another admin makes this
// one fail with ErrNotFound rather than overwrite it.
func (db *DB) ChangeWebUser(ctx context.Context, name, expect string, c UserChange, a AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		set := []string{"updated_at = ?"}
		args := []any{timestamp(db.now())}
		if c.Hash != nil {
			set, args = append(set, "hash = ?"), append(args, string(c.Hash))
		}
		if c.Role != "" {
			set, args = append(set, "role = ?"), append(args, c.Role)
		}
		if c.Disabled != nil {
			set, args = append(set, "disabled = ?"), append(args, boolInt(*c.Disabled))
		}
		res, err := tx.ExecContext(ctx, db.Rebind(`UPDATE web_users SET `+strings.Join(set, ", ")+` WHERE name = ? AND updated_at = ?`),
			append(args, name, expect)...)
		if err != nil {
			return fmt.Errorf("store: change user %q: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("store: change user %q (changed meanwhile or gone): %w", name, ErrNotFound)
		}
		return db.audit(ctx, tx, a)
	})
}

// Audit appends an entry to the audit trail.
func (db *DB) Audit(ctx context.Context, a AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.audit(ctx, tx, a) })
}

func (db *DB) audit(ctx context.Context, tx *sql.Tx, a AuditEntry) error {
	if a.At == "" {
		a.At = timestamp(db.now())
	}
	if a.Source == "" {
		a.Source = "web"
	}
	if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO audit_log (at, who, action, target, remote, outcome, source) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		a.At, a.Who, a.Action, a.Target, a.Remote, a.Outcome, a.Source); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditPage returns one page of the audit trail, newest first, optionally of one user, and
// how many entries match in all.
func (db *DB) AuditPage(ctx context.Context, who string, p Page) ([]AuditEntry, int, error) {
	cond, args := "", []any{}
	if who != "" {
		cond, args = " WHERE who = ?", append(args, who)
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM audit_log`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: audit page: %w", err)
	}
	lim, largs := p.sql()
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, at, who, action, target, remote, outcome, source FROM audit_log`+cond+` ORDER BY id DESC`+lim),
		append(args, largs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: audit page: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (AuditEntry, error) {
		var a AuditEntry
		return a, sc.Scan(&a.ID, &a.At, &a.Who, &a.Action, &a.Target, &a.Remote, &a.Outcome, &a.Source)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: audit page: %w", err)
	}
	return out, total, nil
}

package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// PutClient stores a client's demographics (a no-op when identical).
func (b *Batch) PutClient(practice string, c *claims.Client, source string) (Result, error) {
	hash, err := contentHash(c)
	if err != nil {
		return Result{}, fmt.Errorf("store: client %s: %w", c.ID, err)
	}
	var old string
	row, err := b.queryRow(`SELECT hash FROM clients WHERE practice = ? AND id = ?`, practice, c.ID)
	if err != nil {
		return Result{}, fmt.Errorf("store: client %s: %w", c.ID, err)
	}
	res := Result{Change: ChangeUpdated}
	switch err := row.Scan(&old); {
	case errors.Is(err, sql.ErrNoRows):
		res.Change = ChangeCreated
	case err != nil:
		return Result{}, fmt.Errorf("store: client %s: %w", c.ID, err)
	case old == hash:
		return Result{Change: ChangeUnchanged}, nil
	}
	data, err := json.Marshal(c)
	if err != nil {
		return Result{}, err
	}
	if _, err := b.exec(`INSERT INTO clients (practice, id, data, hash, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (practice, id) DO UPDATE SET data = excluded.data, hash = excluded.hash, updated_at = excluded.updated_at`,
		practice, c.ID, string(data), hash, timestamp(b.now)); err != nil {
		return Result{}, fmt.Errorf("store: client %s: %w", c.ID, err)
	}
	return res, b.Event(lifecycle.EntityClient, practice+"/"+c.ID, lifecycle.EventKind(res.Change), source, nil)
}

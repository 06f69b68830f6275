package store

import (
	"fmt"
	"slices"
)

// lockClaimsInOrder takes the row locks of the named claims on PostgreSQL, all in id
// order, before a batch updates them in whatever order its input lists them (a response
// file names claims in the payer's order). Two instances whose batches share claims then
// wait for each other instead of deadlocking. SQLite needs nothing: a write transaction
// holds the whole database from its immediate BEGIN.
func (b *Batch) lockClaimsInOrder(ids []string) error {
	if b.db.dialect.name != "postgres" || len(ids) == 0 {
		return nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	return chunks(sorted, idsPerStatement, func(part []string) error {
		in, args := inList(part)
		rows, err := b.query(`SELECT id FROM claims WHERE id IN `+in+` ORDER BY id FOR UPDATE`, args...)
		if err != nil {
			return fmt.Errorf("store: lock claims: %w", err)
		}
		_, err = collectRows(rows, scanString)
		return err
	})
}

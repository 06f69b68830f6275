package pipeline

import (
	"context"
	"slices"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/scheduler"
)

// RecordUpload makes a delivered file's record durable before the local file leaves the
// outbox: an event on the file, and each claim inside it moves to submitted. It may run
// twice for the same upload after a crash; the ledger (scheduler.Ledger) keeps the delivery
// itself, so repeats add a duplicate event at worst (the claims are submitted already),
// never a second upload.
func (p *Pipeline) RecordUpload(ctx context.Context, f scheduler.OutboxFile, u scheduler.Upload) error {
	return p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		detail := map[string]any{"clearinghouse": u.Clearinghouse, "remote": u.RemoteName, "isa": u.Control,
			"groups": u.Groups, "sets": u.Transactions, "sha256": u.SHA256, "claims": len(u.Claims)}
		if err := b.Event(lifecycle.EntityFile, u.LocalName, lifecycle.FileUploaded, u.LocalName, detail); err != nil {
			return err
		}
		// In id order, as filing leases them: two transactions moving overlapping claims
		// (another instance's filing or response) then lock rows in one order and never
		// deadlock.
		ids := slices.Clone(u.Claims)
		slices.Sort(ids)
		for _, c := range ids {
			if _, err := b.MoveClaim(c, lifecycle.Submitted, u.LocalName, map[string]any{"isa": u.Control, "clearinghouse": u.Clearinghouse}); err != nil {
				return err
			}
		}
		return nil
	})
}

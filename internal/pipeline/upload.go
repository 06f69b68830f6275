package pipeline

import (
	"context"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
)

// RecordUpload makes a delivered file's record durable before the local file leaves the
// outbox: an event on the file and one per claim inside it. It may run twice for the same
// upload after a crash; the ledger (scheduler.Ledger) keeps the delivery itself, so repeats
// add a duplicate event at worst, never a second upload.
func (p *Pipeline) RecordUpload(ctx context.Context, f scheduler.OutboxFile, u scheduler.Upload) error {
	return p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		detail := map[string]any{"clearinghouse": u.Clearinghouse, "remote": u.RemoteName, "isa": u.Control,
			"groups": u.Groups, "sets": u.Transactions, "sha256": u.SHA256, "claims": len(u.Claims)}
		if err := b.Event("file", u.LocalName, "uploaded", u.LocalName, detail); err != nil {
			return err
		}
		for _, c := range u.Claims {
			if err := b.Event("claim", c, "submitted", u.LocalName, map[string]any{"isa": u.Control, "clearinghouse": u.Clearinghouse}); err != nil {
				return err
			}
		}
		return nil
	})
}

package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/edigate/edigate/internal/store"
)

// setRejectionDeadlines gives open rejection items without a deadline the payer's timely
// filing date (date of service + timely_filing_days): a rejected claim never reached the
// payer, so the corrected one must still arrive in time.
func (p *Pipeline) setRejectionDeadlines(ctx context.Context) error {
	items, err := p.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections, OpenOnly: true})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Due != "" {
			continue
		}
		c, err := p.DB.Claim(ctx, it.ClaimID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		payer, ok := p.Cfg.Payer(c.Payer)
		if !ok || payer.TimelyFilingDays <= 0 {
			continue
		}
		dos, err := time.Parse("2006-01-02", c.Date)
		if err != nil {
			continue
		}
		if err := p.DB.SetQueueItemDue(ctx, it.ID, dos.AddDate(0, 0, payer.TimelyFilingDays).Format("2006-01-02")); err != nil {
			return err
		}
	}
	return nil
}

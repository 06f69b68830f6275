package pipeline

import (
	"context"

	"github.com/edigate/edigate/remit"
)

// AppealLetterHTML renders a claim's appeal letter for print (the web UI's letter page).
func (p *Pipeline) AppealLetterHTML(ctx context.Context, claimID string) ([]byte, error) {
	l, err := p.AppealLetter(ctx, claimID)
	if err != nil {
		return nil, err
	}
	return remit.Renderer{}.HTML(l)
}

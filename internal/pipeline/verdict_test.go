package pipeline

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/edigate/edigate/remit"
)

// TestInvalidResponseNotApplied: an 835 the validator rejects (here a wrong SE count) is
// applied not at all, whole, and the error says why; the same payment once valid posts.
func TestInvalidResponseNotApplied(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	putClient(t, p, "C-W1", "W1", "MCD9")
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	primary, _ := fileOne(t, p, "primary")
	good := remit835(primary.ID, "1", "CHK1")
	bad := bytes.Replace(good, []byte("~SE*18*"), []byte("~SE*17*"), 1)
	if bytes.Equal(good, bad) {
		t.Fatal("the test 835 has no SE*18")
	}
	if _, res, err := p.ApplyResponse(ctx, "bad.835", bad); !errors.Is(err, remit.ErrInvalid) || res.Applied != 0 {
		t.Fatalf("invalid 835: applied %d, err %v", res.Applied, err)
	}
	if _, res, err := p.ApplyResponse(ctx, "good.835", good); err != nil || res.Applied != 1 {
		t.Fatalf("valid 835: applied %d, err %v", res.Applied, err)
	}
}

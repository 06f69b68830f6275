package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12/guides"
)

// DefaultResponsePart is how many claims (835 CLPs, 277 claims) of a response file are
// planned and applied in one transaction: large enough that a transaction's fixed cost
// (facts lookup, commit) is small per claim, small enough that a part's plan stays a few
// megabytes whatever the file's size.
const DefaultResponsePart = 2000

// ApplyResponse applies one response file to the claim lifecycle: an 835's payments and
// denials, a 277CA's (or X212 277's) acceptances and rejections, or 999/TA1 verdicts. The
// same file twice is applied once (by content hash), and a payment re-sent in another file
// is not posted twice.
func (p *Pipeline) ApplyResponse(ctx context.Context, name string, data []byte) (string, store.ApplyResult, error) {
	return p.ApplyResponseFrom(ctx, name, bytes.NewReader(data))
}

// ApplyResponseFrom is ApplyResponse reading the file from r, which it reads twice and
// never holds whole: memory is bounded by the largest claim and a part, not by the file.
//
// The first pass gives the verdict (the same as remit.Read's: an invalid file applies
// nothing) and the content hash. The second plans and applies the 835 or 277 claims in
// parts of ResponsePart claims, each in one transaction that also records how far the
// file got; a run stopped after any part resumes after it (nothing posted twice, nothing
// lost). 835 balancing is checked with running sums as the claims go by: the part that
// ends a payment records whether it balanced and opens the review item of one that does
// not, as a whole-file plan does. 999 and TA1 files, which are small, are applied whole.
func (p *Pipeline) ApplyResponseFrom(ctx context.Context, name string, r io.ReadSeeker) (string, store.ApplyResult, error) {
	opts := remit.ReadOptions{Guides: guides.Registry, Classifier: remit.NewClassifier(p.Cfg.RemitPayers()), CodeLists: p.Cfg.CodeListPolicy()}
	sum := sha256.New()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", store.ApplyResult{}, fmt.Errorf("%s: %w", name, err)
	}
	d, err := remit.Stream(ctx, io.TeeReader(r, sum), opts, remit.Visitor{})
	if err != nil {
		return "", store.ApplyResult{}, fmt.Errorf("%s: %w", name, err)
	}
	rf := store.ResponseFile{SHA256: hex.EncodeToString(sum.Sum(nil)), Name: filepath.Base(name)}
	kind := d.Kind()
	if d.Sets835 == 0 && d.Sets277 == 0 {
		plan, err := remit.PlanResponse(ctx, p.DB, rf.Name, d, p.deadlines())
		if err != nil {
			return kind, store.ApplyResult{}, fmt.Errorf("%s: %w", name, err)
		}
		res, err := p.DB.ApplyResponse(ctx, rf, plan)
		if err != nil {
			return kind, res, fmt.Errorf("%s: %w", name, err)
		}
		return kind, res, nil
	}
	_, complete, done, err := p.DB.ResponseProgress(ctx, rf.SHA256)
	if err != nil {
		return kind, store.ApplyResult{}, fmt.Errorf("%s: %w", name, err)
	}
	if complete {
		return kind, store.ApplyResult{Duplicate: true}, nil
	}
	// The reader gathers parts in its own goroutine while this one plans and applies the
	// previous part: reading and the store each keep a core busy. One part waits at most.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make(chan gathered, 1)
	pg := &partGatherer{ctx: rctx, size: p.ResponsePart, skip: done, n: 0, start: done, out: parts}
	if pg.size <= 0 {
		pg.size = DefaultResponsePart
	}
	var v remit.Visitor
	// A file with 835s is planned as an 835 (as PlanResponse does): its 277s, if any, are
	// not applied.
	if d.Sets835 > 0 {
		pg.kind = "835"
		v = remit.Visitor{Payment: pg.payment, Claim: pg.claim, PaymentEnd: pg.paymentEnd}
	} else {
		pg.kind = "277"
		v = remit.Visitor{Status: pg.status}
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return kind, store.ApplyResult{}, fmt.Errorf("%s: %w", name, err)
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(parts)
		again := sha256.New()
		_, err := remit.Stream(rctx, io.TeeReader(r, again), opts, v)
		switch {
		case err != nil:
		case !bytes.Equal(again.Sum(nil), sum.Sum(nil)) || pg.n < pg.skip:
			// The file changed between the passes: what was applied came from checked
			// content up to here; the rest waits for a file that stays put.
			err = fmt.Errorf("the file changed while it was being applied; %d claim(s) applied, the rest not", pg.start-done)
		default:
			err = pg.flush(true)
		}
		readErr <- err
	}()
	var total store.ApplyResult
	applied := 0
	for g := range parts {
		res, err := p.applyPart(ctx, rf, g)
		if err == nil {
			addResult(&total, res)
			applied++
			if p.afterResponsePart != nil {
				err = p.afterResponsePart(applied)
			}
		}
		if err != nil {
			cancel()
			for range parts { // let the reader end
			}
			<-readErr
			return kind, total, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := <-readErr; err != nil {
		return kind, total, fmt.Errorf("%s: %w", name, err)
	}
	return kind, total, nil
}

// gathered is one part of a response file as read: the pieces of 835 payments or 277
// reports it holds, and where it lies in the file.
type gathered struct {
	kind string
	pays []*remit.Payment
	reps []*remit.StatusReport
	part remit.Part
}

// applyPart plans a part with the facts of the claims it names, read after the parts
// before it were applied, and applies it in one transaction.
func (p *Pipeline) applyPart(ctx context.Context, rf store.ResponseFile, g gathered) (store.ApplyResult, error) {
	var plan *remit.Plan
	switch g.kind {
	case "835":
		r := &remit.Remittance{Payments: make([]remit.Payment, 0, len(g.pays))}
		for _, pc := range g.pays {
			r.Payments = append(r.Payments, *pc)
		}
		f, err := p.DB.ResponseFacts(ctx, remit.Needs835(r))
		if err != nil {
			return store.ApplyResult{}, fmt.Errorf("plan %s: %w", rf.Name, err)
		}
		plan = remit.Plan835(rf.Name, r, f)
	default:
		f, err := p.DB.ResponseFacts(ctx, remit.Needs277(g.reps))
		if err != nil {
			return store.ApplyResult{}, fmt.Errorf("plan %s: %w", rf.Name, err)
		}
		plan = remit.Plan277(rf.Name, g.reps, f, p.deadlines())
	}
	plan.Part = &g.part
	return p.DB.ApplyResponse(ctx, rf, plan)
}

// partGatherer gathers the claims of one part as remit.Stream hands them out and passes
// the part on when it is full (and the last one at the end).
type partGatherer struct {
	ctx  context.Context
	kind string
	size int
	// skip is how many claims of the file were applied by an earlier run; n counts the
	// claims seen so far, start is the first claim of the part being gathered.
	skip, n, start int
	out            chan<- gathered

	// 835: the part's pieces of payments; cur is the piece of the set being read.
	pays []*remit.Payment
	cur  *remit.Payment
	// 277: the part's pieces of status reports; from is the set rep was taken from.
	reps []*remit.StatusReport
	rep  *remit.StatusReport
	from *remit.StatusReport
}

// An event (a set's end, a set with no claims) belongs to the part that holds the claim
// before it, unless that part was full: then it opens the next part. So a run resuming
// after D claims skips exactly the events seen before the D-th claim was applied.

func (a *partGatherer) skipping() bool { return a.n < a.skip }

func (a *partGatherer) payment(h *remit.Payment) error {
	a.cur = nil
	return nil
}

// piece returns the part's piece of the set h, opening one that starts at claim seq.
func (a *partGatherer) piece(h *remit.Payment, seq int) *remit.Payment {
	if a.cur == nil {
		c := *h
		c.Claims, c.FirstSeq, c.Open = nil, seq, true
		c.BalanceErrors, c.PLB = nil, nil
		a.cur = &c
		a.pays = append(a.pays, a.cur)
	}
	return a.cur
}

func (a *partGatherer) claim(h *remit.Payment, seq int, c *remit.ClaimPayment) error {
	if a.skipping() {
		a.n++
		return nil
	}
	pc := a.piece(h, seq)
	pc.Claims = append(pc.Claims, *c)
	a.n++
	if a.n-a.start >= a.size {
		return a.flush(false)
	}
	return nil
}

func (a *partGatherer) paymentEnd(h *remit.Payment) error {
	if a.skipping() {
		return nil
	}
	pc := a.piece(h, 0)
	pc.Open, pc.Balanced, pc.BalanceErrors, pc.PLB = false, h.Balanced, h.BalanceErrors, h.PLB
	a.cur = nil
	return nil
}

func (a *partGatherer) status(r *remit.StatusReport, c *remit.ClaimStatus) error {
	if a.skipping() {
		a.n++
		return nil
	}
	if a.rep == nil || a.from != r {
		h := *r
		h.Claims = nil
		a.rep, a.from = &h, r
		a.reps = append(a.reps, a.rep)
	}
	a.rep.Claims = append(a.rep.Claims, *c)
	a.n++
	if a.n-a.start >= a.size {
		return a.flush(false)
	}
	return nil
}

// flush passes the part gathered on to be planned and applied.
func (a *partGatherer) flush(last bool) error {
	g := gathered{kind: a.kind, pays: a.pays, reps: a.reps, part: remit.Part{Start: a.start, End: a.n, Last: last}}
	select {
	case a.out <- g:
	case <-a.ctx.Done():
		return a.ctx.Err()
	}
	// The set being read goes on in the next part with a new piece.
	a.pays, a.cur, a.reps, a.rep, a.from = nil, nil, nil, nil, nil
	a.start = a.n
	return nil
}

func addResult(t *store.ApplyResult, r store.ApplyResult) {
	t.Duplicate = t.Duplicate || r.Duplicate
	t.Applied += r.Applied
	t.Repeated += r.Repeated
	t.Unmatched += r.Unmatched
	t.Queued += r.Queued
	t.Review += r.Review
	t.Unbalanced += r.Unbalanced
}

package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// FollowUpResult is what one follow-up run did.
type FollowUpResult struct {
	Queued    []store.QueueItem `json:"queued"`    // claims newly on the follow-up queue
	Closed    int               `json:"closed"`    // follow-up items closed by an 835 since
	Inquiries int               `json:"inquiries"` // 276 inquiries written
	Files     []string          `json:"files"`     // 276 files in the outbound folders
	Skipped   []string          `json:"skipped"`   // claims no 276 can be built for, with why
}

// FollowUp is the daemon's follow-up step: claims with no 835 claims.follow_up_days after
// submission go on the follow-up queue (once per claim), and a 276 claim status inquiry
// (005010X212) goes out for each open follow-up item not asked about in that many days,
// one file per clearinghouse in DATA/outbound/<clearinghouse>/276_<ISA13>.x12. The 277
// answers come back through ResponseHandlers (Kind277) into the claims' history.
// follow_up_days 0 turns the step off.
func (p *Pipeline) FollowUp(ctx context.Context) (*FollowUpResult, error) {
	out := &FollowUpResult{Queued: []store.QueueItem{}, Files: []string{}, Skipped: []string{}}
	days := p.Cfg.Claims.FollowUpDays
	if days <= 0 {
		return out, nil
	}
	q, err := p.DB.QueueFollowUps(ctx, days)
	if err != nil {
		return out, err
	}
	out.Queued, out.Closed = q.Queued, q.Closed
	if out.Queued == nil {
		out.Queued = []store.QueueItem{}
	}
	due, err := p.DB.FollowUpsToInquire(ctx, days)
	if err != nil {
		return out, err
	}
	now := p.now()
	type pending struct {
		inq remit.StatusInquiry
		rec store.StatusInquiryRecord
	}
	byCH := map[string][]pending{}
	for i, f := range due {
		inq, ch, err := p.statusInquiry(&f.Claim, f.PayerClaim)
		if err != nil {
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s: %v", f.Claim.ID, err))
			continue
		}
		inq.Trace = newTrace(now) + fmt.Sprintf("%03d", i%1000)
		byCH[ch] = append(byCH[ch], pending{inq, store.StatusInquiryRecord{Trace: inq.Trace, ClaimID: f.Claim.ID,
			QueueID: f.QueueID, InquiredAt: f.InquiredAt}})
	}
	chs := make([]string, 0, len(byCH))
	for ch := range byCH {
		chs = append(chs, ch)
	}
	sort.Strings(chs)
	for _, chID := range chs {
		ch, _ := p.Cfg.Clearinghouse(chID)
		dir := p.OutboundDir(chID)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return out, err
		}
		if err := p.RecoverStatusFiles(ctx, dir); err != nil {
			return out, err
		}
		// An inquiry another instance sent first is left out and the file written again.
		for todo := byCH[chID]; len(todo) > 0; {
			var inqs []remit.StatusInquiry
			var recs []store.StatusInquiryRecord
			for _, pd := range todo {
				inq := pd.inq
				inq.ReceiverName, inq.ReceiverID = orString(ch.Submitter.Name, inq.ProviderName), orString(ch.Submitter.ID, ch.ISA.SenderID)
				inqs = append(inqs, inq)
				recs = append(recs, pd.rec)
			}
			file, lost, err := p.write276(ctx, ch, dir, now, inqs, recs)
			if err != nil {
				return out, err
			}
			if lost == nil {
				out.Inquiries += len(inqs)
				out.Files = append(out.Files, file)
				break
			}
			todo = slices.DeleteFunc(todo, func(pd pending) bool { return slices.Contains(lost, pd.rec.Trace) })
		}
	}
	return out, nil
}

// write276 writes, records and publishes one 276 file. Same order as 837Ps: temp file
// synced (and locked), inquiries recorded, then the rename that lets the uploader see it.
// A crash before the commit leaves a .tmp that RecoverStatusFiles deletes; after it, one it
// publishes. When another instance took some follow-up item first, nothing is recorded or
// published and lost names their traces.
func (p *Pipeline) write276(ctx context.Context, ch *config.Clearinghouse, dir string, now time.Time, inqs []remit.StatusInquiry,
	recs []store.StatusInquiryRecord) (file string, lost []string, err error) {
	var buf bytes.Buffer
	ctl, err := remit.Write276(ctx, &buf, envelopeFor(ch, now), p.DB, inqs)
	if err != nil {
		return "", nil, fmt.Errorf("follow-up: 276 for %s: %w", ch.ID, err)
	}
	name := fmt.Sprintf("276_%s.x12", x12.FormatISAControl(ctl.Interchange))
	final := filepath.Join(dir, name)
	f, err := writeLockedTmp(final+".tmp", buf.Bytes())
	if err != nil {
		return "", nil, fmt.Errorf("follow-up: writing %s: %w", name, err)
	}
	defer f.Close()
	if err := p.DB.RecordStatusInquiries(ctx, name, ctl.Interchange, recs); err != nil {
		os.Remove(final + ".tmp")
		if lost := lostWork(err); lost != nil {
			return "", lost, nil
		}
		return "", nil, err
	}
	if err := durable.Publish(final+".tmp", final); err != nil {
		return "", nil, fmt.Errorf("follow-up: publishing %s: %w", name, err)
	}
	p.Log.Info().Str("file", name).Str("clearinghouse", ch.ID).Int("inquiries", len(inqs)).Msg("276 written")
	return final, nil, nil
}

// RecoverStatusFiles finishes or discards the .tmp files of an interrupted FollowUp.
func (p *Pipeline) RecoverStatusFiles(ctx context.Context, dir string) error {
	return recoverTemps(ctx, filepath.Join(dir, "276_*.x12.tmp"), p.DB.StatusFileRecorded)
}

// statusInquiry fills a 276 inquiry from a filed claim and the configuration; it names the
// clearinghouse the claim went through, which the answer comes back from.
func (p *Pipeline) statusInquiry(c *claims.Claim, payerClaim string) (remit.StatusInquiry, string, error) {
	var q remit.StatusInquiry
	payer, ok := p.Cfg.Payer(c.Payer)
	if !ok {
		return q, "", fmt.Errorf("payer %q is not configured", c.Payer)
	}
	pr, ok := p.Cfg.Practice(c.Practice)
	if !ok {
		return q, "", fmt.Errorf("practice %q is not configured", c.Practice)
	}
	chID := c.Clearinghouse
	if chID == "" {
		chID = payer.Clearinghouse
	}
	if _, ok := p.Cfg.Clearinghouse(chID); !ok {
		return q, "", fmt.Errorf("clearinghouse %q is not configured", chID)
	}
	q = remit.StatusInquiry{PayerName: payer.Name, PayerID: payer.PayerID, ProviderName: pr.Name, ProviderNPI: pr.NPI,
		MemberID: c.Coverage.MemberID, PatientControl: c.ID, PayerClaim: payerClaim, Charge: c.Total, From: c.Date}
	person := func(p claims.Person) remit.StatusPerson {
		return remit.StatusPerson{LastName: p.LastName, FirstName: p.FirstName, DOB: p.DOB, Gender: p.Gender}
	}
	sub, dep := patientParties(c.Coverage, c.Client)
	q.Subscriber = person(sub)
	if dep != nil {
		d := person(*dep)
		q.Dependent = &d
	}
	for _, l := range c.Lines {
		if l.Date > q.To && l.Date != c.Date {
			q.To = l.Date
		}
	}
	return q, chID, nil
}

func orString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

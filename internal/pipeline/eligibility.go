package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// PlannedInquiry is an inquiry with the clearinghouse it goes to.
type PlannedInquiry struct {
	Clearinghouse string              `json:"clearinghouse"`
	Payer         string              `json:"payer"`
	Inquiry       eligibility.Inquiry `json:"-"`
	Trace         string              `json:"trace"`
	MemberID      string              `json:"member_id"`
	Date          string              `json:"date"`
	Sessions      []string            `json:"sessions"`
	ServiceTypes  []string            `json:"service_types"`
	client        string              // the patient's client id, recorded with the check
}

// PlanEligibility lists the inquiries due now: one per payer, member, patient and date of
// service across ready, scheduled and held sessions whose last answer is outside the payer's
// freshness window and that have no inquiry pending.
func (p *Pipeline) PlanEligibility(ctx context.Context) ([]PlannedInquiry, error) {
	now := p.now()
	// The sessions' short columns, and the content (the people an inquiry names) of the
	// ready ones, which are new and nearly all due; the content of the others is read for
	// the first session of each inquiry that is due, not for every session.
	var sessions []store.EligibilitySession
	for _, st := range []string{store.StateReady, store.StateScheduled, store.StateHeld} {
		ss, err := p.DB.EligibilitySessions(ctx, st, st == store.StateReady)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, ss...)
	}
	type key struct{ payer, member, patient, date string }
	type group struct {
		first *store.EligibilitySession
		ids   []string
	}
	groups := map[key]*group{}
	var keys []key
	var lookups []store.EligibilityKey
	for i := range sessions {
		s := &sessions[i]
		if strings.HasPrefix(s.HoldReason, "auth_") {
			continue // a session on an authorization hold is not billable yet either way
		}
		k := key{s.Payer, s.MemberID, s.ClientID, s.Date}
		if g, ok := groups[k]; ok {
			g.ids = append(g.ids, s.ID)
			continue
		}
		groups[k] = &group{first: s, ids: []string{s.ID}}
		keys = append(keys, k)
		lookups = append(lookups, store.EligibilityKey{Payer: k.payer, MemberID: k.member, ServiceDate: k.date})
	}
	// Every group's latest check in a few statements, not one query per group.
	latest, err := p.DB.LatestEligibilities(ctx, lookups)
	if err != nil {
		return nil, err
	}
	var due []key
	var read []store.SessionContent // due firsts listed with their content
	var firsts []string             // due firsts to read
	for _, k := range keys {
		s := groups[k].first
		payer, ok := p.Cfg.Payer(s.Payer)
		if !ok {
			continue
		}
		if _, ok := p.Cfg.Practice(s.Practice); !ok {
			continue
		}
		dos, err := time.Parse("2006-01-02", s.Date)
		if err != nil {
			continue
		}
		var answered *time.Time
		pending := false
		if last, ok := latest[store.EligibilityKey{Payer: k.payer, MemberID: k.member, ServiceDate: k.date}]; ok {
			switch last.State {
			case store.EligRequested:
				pending = true
			case store.EligAnswered:
				if t, err := time.Parse(time.RFC3339Nano, last.AnsweredAt); err == nil {
					answered = &t
				}
			}
		}
		if !eligibility.NeedsCheck(now, dos, payer.EligibilityFreshDays, answered, pending) {
			continue
		}
		due = append(due, k)
		if s.Data != nil {
			read = append(read, store.SessionContent{ID: s.ID, Data: s.Data})
		} else {
			firsts = append(firsts, s.ID)
		}
	}
	parties, err := store.DecodeParties(read)
	if err != nil {
		return nil, err
	}
	others, err := p.DB.SessionParties(ctx, firsts)
	if err != nil {
		return nil, err
	}
	maps.Copy(parties, others)
	out := make([]PlannedInquiry, 0, len(due))
	for _, k := range due {
		g := groups[k]
		s := g.first
		people, ok := parties[s.ID]
		if !ok {
			continue // gone since it was listed
		}
		payer, _ := p.Cfg.Payer(s.Payer)
		pr, _ := p.Cfg.Practice(s.Practice)
		inq := eligibility.Inquiry{
			Trace: newTrace(now) + fmt.Sprintf("%03d", len(out)), Originator: "9" + pr.TaxID,
			PayerName: payer.Name, PayerID: payer.PayerID, ProviderName: pr.Name, ProviderNPI: pr.NPI,
			MemberID: people.Coverage.MemberID, Date: s.Date, ServiceTypes: payer.ServiceTypes, SessionIDs: g.ids,
		}
		sub, dep := patientParties(people.Coverage, people.Client)
		inq.Subscriber = eligibilityPerson(sub)
		if dep != nil {
			d := eligibilityPerson(*dep)
			inq.Dependent = &d
		}
		out = append(out, PlannedInquiry{Clearinghouse: payer.Clearinghouse, Payer: s.Payer, Inquiry: inq, Trace: inq.Trace,
			MemberID: inq.MemberID, Date: s.Date, Sessions: g.ids, ServiceTypes: payer.ServiceTypes, client: people.Client.ID})
	}
	return out, nil
}

// RequestEligibility writes one 270 file per clearinghouse into its outbound folder and
// records the inquiries. The record is committed before the file appears under its final
// name, so an uploaded 270 always has its traces stored; a crash in between leaves a
// .tmp file that is never uploaded, and the recorded inquiries stay pending until
// their answer or a retry.
func (p *Pipeline) RequestEligibility(ctx context.Context) ([]string, error) {
	plan, err := p.PlanEligibility(ctx)
	if err != nil {
		return nil, err
	}
	// Inquiries are large: sized once per clearinghouse (and not copied at all for one).
	count := map[string]int{}
	for i := range plan {
		count[plan[i].Clearinghouse]++
	}
	byCH := make(map[string][]PlannedInquiry, len(count))
	for i := range plan {
		ch := plan[i].Clearinghouse
		if len(count) == 1 {
			byCH[ch] = plan
			break
		}
		if byCH[ch] == nil {
			byCH[ch] = make([]PlannedInquiry, 0, count[ch])
		}
		byCH[ch] = append(byCH[ch], plan[i])
	}
	chs := make([]string, 0, len(byCH))
	for ch := range byCH {
		chs = append(chs, ch)
	}
	sort.Strings(chs)
	var files []string
	for _, chID := range chs {
		ch, ok := p.Cfg.Clearinghouse(chID)
		if !ok {
			return files, fmt.Errorf("eligibility: clearinghouse %q is not configured", chID)
		}
		// An inquiry another instance recorded first (same member and date) is left out
		// and the file written again.
		for qs := byCH[chID]; len(qs) > 0; {
			path, lost, err := p.write270(ctx, ch, qs)
			if err != nil {
				return files, err
			}
			if lost == nil {
				files = append(files, path)
				break
			}
			qs = slices.DeleteFunc(qs, func(q PlannedInquiry) bool { return slices.Contains(lost, q.Trace) })
		}
	}
	return files, nil
}

// write270 records the inquiries of one 270 file and then writes it. When another
// instance holds an open inquiry for some member and date, nothing is recorded or written
// and lost names the traces to leave out.
func (p *Pipeline) write270(ctx context.Context, ch *config.Clearinghouse, qs []PlannedInquiry) (path string, lost []string, err error) {
	inqs := make([]eligibility.Inquiry, 0, len(qs))
	checks := make([]store.EligibilityCheck, 0, len(qs))
	for i := range qs {
		q := &qs[i]
		inqs = append(inqs, q.Inquiry)
		checks = append(checks, store.EligibilityCheck{Trace: q.Trace, Payer: q.Payer, MemberID: q.MemberID,
			ClientID: q.client, ServiceDate: q.Date, SessionIDs: q.Sessions})
	}
	var buf bytes.Buffer
	ctl, err := eligibility.Write270(ctx, &buf, envelopeFor(ch, p.now()), p.DB, inqs)
	if err != nil {
		return "", nil, fmt.Errorf("eligibility: 270 for %s: %w", ch.ID, err)
	}
	name := fmt.Sprintf("270_%s_%s.x12", x12.FormatISAControl(ctl.Interchange), p.now().Format("20060102T150405"))
	if err := p.DB.RecordEligibilityRequests(ctx, checks, name); err != nil {
		if lost := lostWork(err); lost != nil {
			return "", lost, nil
		}
		return "", nil, err
	}
	path, err = writeDurable(p.OutboundDir(ch.ID), name, buf.Bytes())
	if err != nil {
		return "", nil, fmt.Errorf("eligibility: writing %s: %w", name, err)
	}
	p.Log.Info().Str("file", name).Str("clearinghouse", ch.ID).Int("inquiries", len(inqs)).Msg("270 written")
	return path, nil, nil
}

// patientParties splits a session's people the way the 270 and 276 name them: the
// subscriber, and the client as a dependent when the client is not the subscriber.
func patientParties(cov claims.Coverage, client claims.Person) (sub claims.Person, dep *claims.Person) {
	if cov.Relationship == "" || cov.Relationship == "self" || cov.Subscriber == nil {
		return client, nil
	}
	return *cov.Subscriber, &client
}

func eligibilityPerson(p claims.Person) eligibility.Person {
	return eligibility.Person{FirstName: p.FirstName, LastName: p.LastName, DOB: p.DOB, Gender: p.Gender}
}

// envelopeFor addresses a 270 or 276 file to a clearinghouse.
func envelopeFor(ch *config.Clearinghouse, now time.Time) x12.Outbound {
	env := ch.ISA.Outbound()
	env.Now = now
	return env
}

// Apply271 maps every 271 in a file and applies each answer to the sessions its trace
// covered. Answers whose trace edigate never sent are reported, not guessed at.
//
// The file is streamed twice and never held whole: first for the verdict (one verdict
// with x12 validate and eligibility parse: an invalid file, truncated, with a missing
// trailer, a wrong count or a guide finding, is applied not at all), then answer by
// answer, each in its own transaction. An answer applied before from the same file (a
// run stopped midway) is not applied again: ApplyEligibility knows it by trace and file.
func (p *Pipeline) Apply271(ctx context.Context, name string, r io.ReadSeeker) (applied int, err error) {
	opts := x12.ParseOptions{Guides: guides.Registry, CodeLists: p.Cfg.CodeListPolicy()}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("271 %s: %w", name, err)
	}
	if _, err := eligibility.Stream271(ctx, r, opts, nil); err != nil { // the verdict alone
		return 0, fmt.Errorf("271 %s: %w", name, err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("271 %s: %w", name, err)
	}
	unknown := 0
	// Answers are applied answersPerTx at a time, each chunk in one transaction: its
	// inquiries and the sessions deciding needs are read in a few statements, each answer
	// is decided (eligibility.Decide), and the chunk is applied in a few multi-row
	// statements (store.Batch.ApplyEligibilities), one commit per chunk. Each answer's
	// change is guarded as before (the same file twice changes nothing), so a crash
	// between chunks leaves the rest to the file's next application.
	rules, err := claims.NewAuthRules(p.Cfg.ClaimsPayers())
	if err != nil {
		rules = nil // decide then goes by the 271 alone, as before when the rules failed
	}
	var chunk []eligibility.Result
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		traces := make([]string, len(chunk))
		for i := range chunk {
			traces[i] = chunk[i].Trace
		}
		n, missing := 0, 0 // counted once the chunk commits
		err := p.DB.Batch(ctx, nil, func(b *store.Batch) error {
			n, missing = 0, 0
			targets, err := b.EligibilityTargets(traces)
			if err != nil {
				return err
			}
			answers := make([]store.EligibilityAnswer, 0, len(chunk))
			for _, res := range chunk {
				t, ok := targets[res.Trace]
				if !ok {
					missing++
					continue
				}
				d := decide(rules, res, t)
				answers = append(answers, store.EligibilityAnswer{Trace: res.Trace, Outcome: store.EligibilityOutcome{
					Hold: d.Hold, Reason: d.Reason, Retry: d.Retry, Warnings: d.Warnings, Result: res, Decision: d}})
			}
			n, err = b.ApplyEligibilities(name, answers, targets)
			return err
		})
		clear(chunk)
		chunk = chunk[:0]
		if err != nil {
			return err
		}
		applied += n
		unknown += missing
		return nil
	}
	_, err = eligibility.Stream271(ctx, r, opts, func(res eligibility.Result) error {
		if res.Trace == "" {
			p.Log.Warn().Str("file", name).Str("level", res.Level).Msg("271 reject without a trace: nothing to apply it to")
			return nil
		}
		chunk = append(chunk, res)
		if len(chunk) == answersPerTx {
			return flush()
		}
		return nil
	})
	if err != nil {
		return applied, fmt.Errorf("271 %s: %w", name, err)
	}
	if err := flush(); err != nil {
		return applied, err
	}
	if unknown > 0 {
		return applied, fmt.Errorf("271 %s: %d answer(s) for traces edigate never sent", name, unknown)
	}
	return applied, nil
}

// decide applies the payer's own rules (whether the configuration already requires prior
// authorization for the sessions' code) and then eligibility.Decide. The rules are made
// once per file by the caller (nil: none could be made); a target without a session's
// payer and code (the session is gone) is decided by the 271 alone.
func decide(rules *claims.AuthRules, res eligibility.Result, t store.EligibilityTarget) eligibility.Decision {
	cfgAuth := false
	if rules != nil && t.Payer != "" {
		cfgAuth = rules.Required(t.Payer, t.Code)
	}
	return eligibility.Decide(res, t.Code, cfgAuth)
}

// answersPerTx is how many 271 answers Apply271 applies in one transaction (a variable so
// a test can stop a file between chunks). On a store of 1,000,000 sessions a 45,953-answer
// 271 cost 11.4 CPU-s in chunks of 1,000, 8.6-8.9 in chunks of 4,000 and 7.9 in chunks of
// 10,000: every commit writes again the pages the chunks share (the checks' pages
// being split as their rows grow by the answer, the tails of events and outbox, index
// interior pages) and checkpoints the WAL. 5,000 keeps most of that gain while a chunk
// holds the write lock for a second or two and its answers in memory (~160 MB at 10,000).
var answersPerTx = 5000

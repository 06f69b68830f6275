package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// BuiltClaims is the outcome of building and scrubbing the ready sessions.
type BuiltClaims struct {
	Claims  []*claims.Claim
	Results []claims.Result
	Held    []store.SessionRecord // sessions on an intake hold, not on a claim
	Waiting []WaitingClaim        // changed or voided billed sessions that cannot be resubmitted yet
	// COBWaits are the secondary/tertiary corrections among Waiting; storing the claims
	// records them on their claims (RecordCOBWaits).
	COBWaits []COBWait
	// AwaitingEligibility are ready sessions kept off claims while their 270 is unanswered
	// (claims.wait_for_eligibility, eligibility.BillNow).
	AwaitingEligibility []string
}

// WaitingClaim is a filed claim whose sessions changed but whose replacement or void cannot
// be built yet (no payer claim number, REF*F8).
type WaitingClaim struct {
	Claim    string   `json:"claim"`
	Sessions []string `json:"sessions"`
	Reason   string   `json:"reason"`
}

// BuildClaims groups the ready sessions into claims, adds the replacements (frequency 7) and
// voids (8) of billed sessions that changed, and scrubs them all. The authorization units
// the ready sessions already took at intake are given back to the scrubber's view, so its
// units check asks "is there room for these sessions" and not "room for them twice".
func (p *Pipeline) BuildClaims(ctx context.Context) (*BuiltClaims, error) {
	ready, err := p.DB.Sessions(ctx, store.SessionFilter{State: store.StateReady, Lean: true})
	if err != nil {
		return nil, err
	}
	held, err := p.DB.Sessions(ctx, store.SessionFilter{State: store.StateHeld})
	if err != nil {
		return nil, err
	}
	taken := map[string]int{}
	sessions := make([]claims.Session, 0, len(ready))
	var awaiting []string
	bills, err := p.billNow(ctx, ready)
	if err != nil {
		return nil, err
	}
	warn := map[string]string{}
	for _, r := range ready {
		if b := bills[r.ID]; b.Wait {
			awaiting = append(awaiting, r.ID)
			continue
		} else if b.Warning != "" {
			warn[r.ID] = b.Warning
		}
		s := r.Session
		if s.Authorization == "" && r.AuthNumber != "" {
			// Intake matched the session to this authorization; the claim carries it (REF*G1).
			s.Authorization = r.AuthNumber
		}
		if r.AuthNumber != "" {
			taken[claims.AuthKey{Payer: r.Payer, Number: r.AuthNumber}.String()] += r.AuthUnits
		}
		sessions = append(sessions, s)
	}
	builder := &claims.Builder{Setup: p.Cfg.ClaimsSetup()}
	built := builder.Claims(sessions)
	pend, err := p.DB.PendingResubmissions(ctx)
	if err != nil {
		return nil, err
	}
	var waiting []WaitingClaim
	for _, pr := range pend {
		if pr.PayerClaimNumber == "" {
			waiting = append(waiting, WaitingClaim{pr.Claim.ID, pr.Changed,
				"waiting for the payer's claim number (277CA or 835) to send a replacement or void"})
			continue
		}
		var rc *claims.Claim
		if pr.VoidedAllSessions {
			rc, err = builder.Void(&pr.Claim, pr.PayerClaimNumber, pr.Version)
		} else {
			rc, err = builder.Replacement(&pr.Claim, pr.Sessions, pr.PayerClaimNumber, pr.Version)
		}
		if err != nil {
			waiting = append(waiting, WaitingClaim{pr.Claim.ID, pr.Changed, err.Error()})
			continue
		}
		for k, u := range pr.Taken {
			taken[k] += u
		}
		built = append(built, rc)
	}
	secondary, err := p.SecondaryClaims(ctx, builder)
	if err != nil {
		return nil, err
	}
	built = append(built, secondary...)
	updates, cobWaits, err := p.COBUpdates(ctx, builder)
	if err != nil {
		return nil, err
	}
	built = append(built, updates...)
	for _, w := range cobWaits {
		waiting = append(waiting, WaitingClaim{w.Claim.ID, w.Claim.SessionIDs, w.Reason})
	}
	// Only the authorizations the claims name: the scrubber looks nothing else up, and the
	// practice's every authorization ever is history, not this run's work.
	auths, err := p.DB.AuthUsesNumbered(ctx, claims.AuthNumbers(built))
	if err != nil {
		return nil, err
	}
	for i := range auths {
		auths[i].Used = max(auths[i].Used-taken[auths[i].Key().String()], 0)
	}
	// The clients' other claims of the same days: a service the payer already holds on one
	// of them is held here (service.billed_twice), whichever inbox file its session came in.
	billed, err := p.DB.StoredClaimsOn(ctx, claims.DayKeys(built))
	if err != nil {
		return nil, err
	}
	results := (&claims.Scrubber{Setup: p.Cfg.ClaimsSetup(), Auths: auths, Billed: billed, Today: p.now()}).Scrub(built)
	if err := p.checkOverrides(ctx, built, results); err != nil {
		return nil, err
	}
	eligibilityWarnings(built, results, warn)
	return &BuiltClaims{Claims: built, Results: results, Held: held, Waiting: waiting, COBWaits: cobWaits,
		AwaitingEligibility: awaiting}, nil
}

// billNow applies the eligibility gate (eligibility.BillNow) to ready sessions: whether
// each one's claim waits for the 271 of the 270 that goes out ahead of it, and the warning
// its claim carries when it goes out without one. The latest checks are read for all
// sessions at once (store.LatestEligibilities), not a query per session.
func (p *Pipeline) billNow(ctx context.Context, ss []store.SessionRecord) (map[string]eligibility.Billing, error) {
	wait := p.Cfg.Claims.EligibilityWait()
	if wait <= 0 || len(ss) == 0 {
		return nil, nil
	}
	keys := make([]store.EligibilityKey, len(ss))
	for i, s := range ss {
		keys[i] = store.EligibilityKey{Payer: s.Payer, MemberID: s.Session.Coverage.MemberID, ServiceDate: s.Date}
	}
	latest, err := p.DB.LatestEligibilities(ctx, keys)
	if err != nil {
		return nil, err
	}
	now := p.now()
	out := make(map[string]eligibility.Billing, len(ss))
	for i, s := range ss {
		w := eligibility.ClaimWait{Wait: wait, Now: now}
		if t, err := time.Parse(time.RFC3339Nano, s.ReceivedAt); err == nil {
			w.Received = t
		} else {
			w.Received = now // unreadable: count from now rather than never bill
		}
		if c, ok := latest[keys[i]]; ok {
			if c.State == store.EligAnswered {
				w.Answered = true
			} else if asked, err := time.Parse(time.RFC3339Nano, c.RequestedAt); err == nil {
				w.Asked = &asked
			}
		}
		out[s.ID] = eligibility.BillNow(w)
	}
	return out, nil
}

// eligibilityWarnings adds to each result a warning for its sessions billed without an
// eligibility answer (eligibility.BillNow), so the claim says why it went out anyway.
func eligibilityWarnings(built []*claims.Claim, results []claims.Result, warn map[string]string) {
	if len(warn) == 0 {
		return
	}
	for i, c := range built {
		for _, id := range c.SessionIDs {
			if w := warn[id]; w != "" {
				results[i].Findings = append(results[i].Findings, claims.Finding{Rule: RuleEligibilityUnanswered,
					Severity: claims.SeverityWarning, Message: w, Reference: "config claims.wait_for_eligibility",
					ClaimID: c.ID, SessionID: id})
			}
		}
	}
}

// RuleEligibilityUnanswered is the warning of a claim billed without a 271.
const RuleEligibilityUnanswered = "eligibility.unanswered"

// StoreClaim stores one built claim with its scrub result: built (clean) or held (an error
// finding). A claim already filed is never overwritten (store.ErrClaimFiled).
func (p *Pipeline) StoreClaim(ctx context.Context, c *claims.Claim, r claims.Result) (state lifecycle.State, err error) {
	err = p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		st, err := b.PutClaim(c, r)
		state = st
		if err != nil || c.Frequency != claims.FrequencyOriginal || c.PriorClaim != "" {
			return err
		}
		// The sessions' scrub record says what their claim says (ScrubNew): with the claim,
		// whose row this transaction holds first, as filing does.
		for _, id := range c.SessionIDs {
			if _, err := b.RecordScrub(store.SessionScrub{Session: id, Findings: r.Findings}); err != nil {
				return err
			}
		}
		return nil
	})
	return state, err
}

// claimsPerTx is how many claims StoreClaims stores in one transaction: large enough that
// the commit (an fsync on SQLite, a round trip on PostgreSQL) is paid per thousands of
// claims, small enough that a batch holds the write lock briefly (intake and other
// instances wait for it) and a crash loses little work (the claims are built again).
var claimsPerTx = 2000

// StoreClaims stores built claims with their scrub results, claimsPerTx to a transaction
// (store.Batch.PutClaims). states[i] is the state cs[i] has now: built or held when it was
// stored, another state when it was already filed and so left alone.
func (p *Pipeline) StoreClaims(ctx context.Context, cs []*claims.Claim, rs []claims.Result) ([]lifecycle.State, error) {
	// In id order: instances building the same claims then cut the same batches and lock
	// rows in the same order (see PutClaims).
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return strings.Compare(cs[x].ID, cs[y].ID) })
	states := make([]lifecycle.State, len(cs))
	for len(order) > 0 {
		part := order[:min(len(order), claimsPerTx)]
		order = order[len(part):]
		pc := make([]*claims.Claim, len(part))
		pr := make([]claims.Result, len(part))
		for k, i := range part {
			pc[k], pr[k] = cs[i], rs[i]
		}
		var revs []int64
		err := p.DB.Batch(ctx, nil, func(b *store.Batch) error {
			st, rv, err := b.PutClaimsAt(pc, pr)
			for k, i := range part {
				if err == nil {
					states[i] = st[k]
				}
			}
			revs = rv
			return err
		})
		if err != nil {
			return states, err
		}
		// Committed: these claims are built at these revisions, whatever happens next.
		for k, i := range part {
			if states[i] == lifecycle.Built && revs[k] >= 0 {
				p.stored.add(pc[k], revs[k])
			}
		}
	}
	return states, nil
}

// storedClaims holds the claims this process stored as built, at the revision it stored:
// FileClaims files those still built at that revision as they are in memory, instead of
// reading every built claim back and decoding its JSON (half the cost of filing 100,000
// claims). Any other built claim (built by another run or instance, or rebuilt since) is
// read from the store as before.
type storedClaims struct {
	mu sync.Mutex
	m  map[string]storedClaim
}

type storedClaim struct {
	claim *claims.Claim
	rev   int64
}

func (s *storedClaims) add(c *claims.Claim, rev int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]storedClaim{}
	}
	s.m[c.ID] = storedClaim{c, rev}
}

// take returns the claims held and forgets them: a claim not filed now is read from the
// store next time.
func (s *storedClaims) take() map[string]storedClaim {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.m
	s.m = nil
	return m
}

// builtClaims returns the built claims by date of service, then id, with the revision each
// one is built at: from memory when this process stored that revision, else read.
func (p *Pipeline) builtClaims(ctx context.Context) ([]*claims.Claim, map[string]int64, error) {
	held := p.stored.take()
	refs, err := p.DB.ClaimRevisions(ctx, lifecycle.Built)
	if err != nil {
		return nil, nil, err
	}
	list := make([]*claims.Claim, len(refs))
	revs := make(map[string]int64, len(refs))
	var missing []string
	for i, r := range refs {
		if h, ok := held[r.ID]; ok && h.rev == r.Revision {
			list[i] = h.claim
			revs[r.ID] = r.Revision
		} else {
			missing = append(missing, r.ID)
		}
	}
	if len(missing) > 0 {
		recs, err := p.DB.ClaimsByID(ctx, missing)
		if err != nil {
			return nil, nil, err
		}
		byID := make(map[string]*store.ClaimRecord, len(recs))
		for i := range recs {
			byID[recs[i].ID] = &recs[i]
		}
		for i, r := range refs {
			if list[i] != nil {
				continue
			}
			// Gone from built since the listing (another instance filed or rebuilt it): the
			// lease would not take it; left out.
			if rec := byID[r.ID]; rec != nil && rec.State == lifecycle.Built {
				list[i] = &rec.Claim
				revs[r.ID] = rec.Revision
			}
		}
		list = slices.DeleteFunc(list, func(c *claims.Claim) bool { return c == nil })
	}
	return list, revs, nil
}

// BuildAndStoreClaims builds, scrubs and stores the claims (built or held) for FileClaims
// to file: the CLI's `claims build`. Its duration is logged (claims stored, debug) so a
// benchmark can tell building and storing from filing.
func (p *Pipeline) BuildAndStoreClaims(ctx context.Context) (built, held int, err error) {
	start := time.Now()
	b, err := p.BuildClaims(ctx)
	if err != nil {
		return 0, 0, err
	}
	return p.storeBuilt(ctx, start, b, b.Claims, b.Results, 0)
}

// BuildAndFileClaims is the daemon's claims step: build and scrub, store the held claims
// (and the rebuilds of stored ones) as BuildAndStoreClaims does, then file the clean new
// claims together with the built ones (FileClaims): each clean new claim is inserted
// already filed in the transaction that records its file, instead of being stored built
// and leased to filed again (each claim row and its indexes written once).
func (p *Pipeline) BuildAndFileClaims(ctx context.Context) ([]FiledFile, error) {
	start := time.Now()
	b, err := p.BuildClaims(ctx)
	if err != nil {
		return nil, err
	}
	fresh, cs, rs, err := p.freshClaims(ctx, b)
	if err != nil {
		return nil, err
	}
	if _, _, err := p.storeBuilt(ctx, start, b, cs, rs, len(fresh)); err != nil {
		return nil, err
	}
	return p.fileClaims(ctx, fresh)
}

// freshClaims splits the built claims into the clean ones that are new to the store (by
// id: filed as they are stored) and the rest (held, or a rebuild of a stored claim, which
// keeps its guarded update), with the rest's results.
func (p *Pipeline) freshClaims(ctx context.Context, b *BuiltClaims) (map[string]freshClaim, []*claims.Claim, []claims.Result, error) {
	ids := make([]string, len(b.Claims))
	times := make(map[string]int, len(b.Claims))
	for i, c := range b.Claims {
		ids[i] = c.ID
		times[c.ID]++
	}
	stored, err := p.DB.StoredClaimIDs(ctx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	fresh := map[string]freshClaim{}
	var cs []*claims.Claim
	var rs []claims.Result
	for i, c := range b.Claims {
		if !b.Results[i].Held && !stored[c.ID] && times[c.ID] == 1 {
			fresh[c.ID] = freshClaim{c, b.Results[i]}
			continue
		}
		cs = append(cs, c)
		rs = append(rs, b.Results[i])
	}
	return fresh, cs, rs, nil
}

// freshClaim is a clean claim built now and not stored yet, with its scrub result.
type freshClaim struct {
	claim  *claims.Claim
	result claims.Result
}

// storeBuilt stores the claims cs of b (StoreClaims), records b's COB waits and logs the
// claims stored; fresh counts the clean claims left to filing, logged as built.
func (p *Pipeline) storeBuilt(ctx context.Context, start time.Time, b *BuiltClaims, cs []*claims.Claim, rs []claims.Result, fresh int) (built, held int, err error) {
	states, err := p.StoreClaims(ctx, cs, rs)
	for _, st := range states {
		switch st {
		case lifecycle.Built:
			built++
		case lifecycle.Held:
			held++
		}
	}
	if err != nil {
		return built, held, err
	}
	if err := p.RecordCOBWaits(ctx, b.COBWaits); err != nil {
		return built, held, err
	}
	p.Log.Debug().Int("built", built+fresh).Int("held", held).Dur("took", time.Since(start)).Msg("claims stored")
	return built, held, nil
}

// FiledFile is one 837P file written for a clearinghouse.
type FiledFile struct {
	Clearinghouse string           `json:"clearinghouse"`
	File          string           `json:"file"`
	ISAControl    int64            `json:"isa_control"`
	GSControl     int64            `json:"gs_control"`
	Sets          []claims.SetInfo `json:"sets"`
	Claims        int              `json:"claims"`
	Total         x12.Amount       `json:"total"`
}

// FileClaims writes the built claims into 837P files per clearinghouse (up to
// claimsPerFile claims each, an ST per 5,000) in its outbound folder. Order of durability: the file is written as NAME.tmp (locked, see
// createLockedTmp) and synced, the store records it (claims filed, sessions billed) in one
// transaction, then the rename publishes it to the upload job. A crash before the commit
// leaves a .tmp that RecoverClaimFiles deletes (the claims are still built); after the
// commit, one it renames. Recording is each claim's lease: a claim another instance filed
// or rebuilt meanwhile is left out and the file written again without it. Files recorded
// from this data folder that vanished before upload give their claims back first
// (RefileLostClaimFiles).
func (p *Pipeline) FileClaims(ctx context.Context) ([]FiledFile, error) {
	return p.fileClaims(ctx, nil)
}

// fileClaims is FileClaims that also files the fresh claims (see BuildAndFileClaims).
func (p *Pipeline) fileClaims(ctx context.Context, fresh map[string]freshClaim) ([]FiledFile, error) {
	origin, err := p.FolderID()
	if err != nil {
		return nil, fmt.Errorf("data folder id: %w", err)
	}
	if _, err := p.RefileLostClaimFiles(ctx, origin); err != nil {
		return nil, err
	}
	list, revs, err := p.builtClaims(ctx)
	if err != nil {
		return nil, err
	}
	if len(fresh) > 0 {
		listed := make(map[string]bool, len(list))
		for _, c := range list {
			listed[c.ID] = true
		}
		for id, f := range fresh {
			if listed[id] {
				// Stored built meanwhile (another instance): filed as stored, by its lease.
				delete(fresh, id)
				continue
			}
			list = append(list, f.claim)
		}
		// The order builtClaims lists in, so files cut the same way whichever way a claim came.
		slices.SortFunc(list, func(x, y *claims.Claim) int {
			if c := strings.Compare(x.Date, y.Date); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
	}
	ids, batches := claims.ByClearinghouse(list)
	out := []FiledFile{}
	for _, ch := range ids {
		dir := p.OutboundDir(ch)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return out, err
		}
		if err := p.RecoverClaimFiles(ctx, dir); err != nil {
			return out, err
		}
		if batches[ch], err = p.holdOverrideFailures(ctx, batches[ch], fresh); err != nil {
			return out, err
		}
		for rest := batches[ch]; len(rest) > 0; {
			n := min(len(rest), claimsPerFile)
			part := rest[:n:n]
			rest = rest[n:]
			for len(part) > 0 {
				ff, lost, err := p.fileBatch(ctx, ch, dir, origin, part, revs, fresh)
				if err != nil {
					return out, err
				}
				if len(lost) == 0 {
					out = append(out, ff)
					break
				}
				gone := make(map[string]bool, len(lost))
				for _, id := range lost {
					gone[id] = true
				}
				part = slices.DeleteFunc(part, func(c *claims.Claim) bool { return gone[c.ID] })
				p.Log.Info().Str("clearinghouse", ch).Int("claims", len(lost)).Msg("claims filed or rebuilt by another instance: left out of this 837P")
			}
		}
	}
	return out, nil
}

// claimsPerFile caps the claims of one 837P file: 25,000 is five transaction sets of the
// 5,000 the 837P guide allows in one ST, a file of a few tens of megabytes that a
// clearinghouse takes in one upload, and a recording transaction that stays short.
var claimsPerFile = 25_000

// fileBatch writes, records and publishes one 837P file of batch; its fresh claims are
// stored filed as the file is recorded (store.ClaimFile.New). When another writer leased
// some of its claims first, or stored a fresh one or billed one of its sessions first,
// nothing is recorded or published and lost names them.
func (p *Pipeline) fileBatch(ctx context.Context, ch, dir, origin string, batch []*claims.Claim, revs map[string]int64, fresh map[string]freshClaim) (ff FiledFile, lost []string, err error) {
	var buf bytes.Buffer
	res, err := claims.Write837(ctx, &buf, batch, claims.FileOptions{Setup: p.Cfg.ClaimsSetup(), Clearinghouse: ch, Sequence: p.DB, Now: p.now()})
	if err != nil {
		return ff, nil, err
	}
	var total x12.Amount
	for _, c := range batch {
		total += c.Total
	}
	name := fmt.Sprintf("837P_%s_%09d.x12", safeName(ch), res.ISAControl)
	final := filepath.Join(dir, name)
	tmp := final + ".tmp"
	f, err := writeLockedTmp(tmp, buf.Bytes())
	if err != nil {
		return ff, nil, err
	}
	defer f.Close() // the lock goes with it, after the file is published or removed
	sum := sha256.Sum256(buf.Bytes())
	rec := &store.ClaimFile{Name: name, Total: total, SHA256: hex.EncodeToString(sum[:]), Origin: origin, Revisions: revs, Written: batch}
	for _, c := range batch {
		if f, ok := fresh[c.ID]; ok {
			rec.New = append(rec.New, f.claim)
			rec.NewResults = append(rec.NewResults, f.result)
		}
	}
	err = p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		_, err := b.RecordClaimFile(rec, res)
		return err
	})
	if err != nil {
		os.Remove(tmp)
		if lost := lostWork(err); lost != nil {
			return ff, lost, nil
		}
		return ff, nil, err
	}
	if err := durable.Publish(tmp, final); err != nil {
		return ff, nil, err
	}
	p.Log.Info().Str("file", name).Str("clearinghouse", ch).Int("claims", res.Claims).Msg("837P written")
	return FiledFile{Clearinghouse: ch, File: final, ISAControl: res.ISAControl, GSControl: res.GSControl,
		Sets: res.Sets, Claims: res.Claims, Total: total}, nil, nil
}

// safeName keeps a configuration id usable in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// checkOverrides adds to the scrub results the findings of the payers' companion-guide
// overrides (claims.OverrideCheck) for the claims the scrubber let through, so a claim the
// payer's front end would reject is held with the override's note instead of filed.
func (p *Pipeline) checkOverrides(ctx context.Context, list []*claims.Claim, results []claims.Result) error {
	var clean []*claims.Claim
	for i, c := range list {
		if !results[i].Held {
			clean = append(clean, c)
		}
	}
	found, err := (&claims.OverrideCheck{Setup: p.Cfg.ClaimsSetup(), Guides: guides.Registry, Now: p.now()}).Check(ctx, clean)
	if err != nil {
		return err
	}
	for i, c := range list {
		if fs := found[c.ID]; len(fs) > 0 {
			results[i].Findings = append(results[i].Findings, fs...)
			results[i].Held = true
		}
	}
	return nil
}

// holdOverrideFailures checks built claims against their payers' overrides once more just
// before filing (the configuration may have changed since they were built), holds those
// that fail with the finding added to their stored ones, and returns the rest. The fresh
// claims were checked as they were built (checkOverrides), moments ago.
func (p *Pipeline) holdOverrideFailures(ctx context.Context, batch []*claims.Claim, fresh map[string]freshClaim) ([]*claims.Claim, error) {
	check := batch
	if len(fresh) > 0 {
		check = slices.DeleteFunc(slices.Clone(batch), func(c *claims.Claim) bool { _, ok := fresh[c.ID]; return ok })
	}
	found, err := (&claims.OverrideCheck{Setup: p.Cfg.ClaimsSetup(), Guides: guides.Registry, Now: p.now()}).Check(ctx, check)
	if err != nil || len(found) == 0 {
		return batch, err
	}
	keep := batch[:0:0]
	for _, c := range batch {
		fs := found[c.ID]
		if len(fs) == 0 {
			keep = append(keep, c)
			continue
		}
		rec, err := p.DB.Claim(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		r := claims.Result{ClaimID: c.ID, Held: true, Findings: append(rec.Findings, fs...)}
		if _, err := p.StoreClaim(ctx, c, r); err != nil {
			return nil, err
		}
		p.Log.Warn().Str("claim", c.ID).Str("payer", c.Payer).Msg("claim held: payer companion-guide override")
	}
	return keep, nil
}

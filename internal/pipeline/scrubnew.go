package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
)

// scrubChunk is how many sessions' scrubs share one transaction: short write locks beside
// a running intake, few enough commits for 100,000 sessions.
const scrubChunk = 5000

// ScrubSummary counts what one ScrubNew did.
type ScrubSummary struct {
	Sessions int `json:"sessions"` // new or changed ready sessions scrubbed
	Peers    int `json:"peers"`    // ready sessions read to group them as the claims step will
	Held     int `json:"held"`     // of Sessions, those with errors
	Recorded int `json:"recorded"` // scrubs recorded (a session changed meanwhile is not)
}

// ScrubNew runs the scrubber over the ready sessions that are new or changed since their
// last scrub, right after intake, so a problem shows within a minute of the session arriving
// instead of at the next claims run. It is a dry build: the same grouping (with the ready
// sessions a new one would share a claim with), the same rules and payer overrides as the
// claims step, but no claim is stored; the findings are recorded on the sessions
// (store.ScrubHold), which `sessions list`, the holds queue and the web read. The claims
// step still builds and scrubs again. A crash before the record leaves the sessions
// unscrubbed, and the next run scrubs them.
//
// Intake scrubs the sessions it stores in their own transaction (ScrubWritten); ScrubNew
// takes what that left: sessions made ready otherwise (a hold released, a correction) or
// stored without it.
func (p *Pipeline) ScrubNew(ctx context.Context) (ScrubSummary, error) {
	var sum ScrubSummary
	targets, err := p.DB.UnscrubbedSessions(ctx, 0)
	if err != nil || len(targets) == 0 {
		return sum, err
	}
	sum.Sessions = len(targets)
	all, err := p.withPeers(ctx, targets)
	if err != nil {
		return sum, err
	}
	sum.Peers = len(all) - len(targets)
	list, held, err := p.dryScrub(ctx, all[:len(targets)], all[len(targets):], func(keys []claims.AuthKey) ([]claims.AuthUse, error) {
		// Only the authorizations these sessions name, read by number: a dry build of a
		// few sessions should not pay for every authorization on file.
		numbers := make([]string, len(keys))
		for i, k := range keys {
			numbers[i] = k.Number
		}
		return p.DB.AuthUsesNumbered(ctx, numbers)
	})
	if err != nil {
		return sum, err
	}
	sum.Held = held
	for part := range slices.Chunk(list, scrubChunk) {
		n, err := p.DB.RecordScrubs(ctx, part)
		sum.Recorded += n
		if err != nil {
			return sum, fmt.Errorf("scrub at intake: %w", err)
		}
	}
	if sum.Held > 0 {
		p.Log.Info().Int("sessions", sum.Sessions).Int("held", sum.Held).Msg("scrub at intake: sessions held")
	}
	return sum, nil
}

// ScrubWritten is the scrub at intake inside intake's own transaction (intake.Intake's
// Scrub): the sessions the batch wrote ready are dry-built with the ready sessions they may
// share a claim with, and the scrub is in their rows in the same transaction, so a new
// session is durable with its scrub or not at all. A failure of the scrub itself (not of
// the store) leaves the sessions unscrubbed for ScrubNew, which reports it, instead of
// failing the intake of the file.
func (p *Pipeline) ScrubWritten(b *store.Batch) (ScrubSummary, error) {
	var sum ScrubSummary
	targets, err := b.WrittenReady()
	if err != nil || len(targets) == 0 {
		return sum, err
	}
	sum.Sessions = len(targets)
	skip := make(map[string]bool, len(targets))
	keys := make([]store.GroupKey, len(targets))
	for i, t := range targets {
		skip[t.ID] = true
		keys[i] = store.GroupKey{Payer: t.Payer, Client: t.ClientID, Member: t.Session.Coverage.MemberID, Date: t.Date}
	}
	peers, err := b.ReadyPeers(keys, skip)
	if err != nil {
		return sum, err
	}
	sum.Peers = len(peers)
	// Two slices, not one appended: a batch's targets are 20,000 large records, and the copy
	// an append makes of them was a visible part of the scrub's time.
	in, err := dryInputOf(targets, peers, b.AuthUses)
	if err != nil {
		return sum, err
	}
	// The dry build runs on another goroutine while this one writes the batch's session rows
	// (their inserts and the build each cost about as much); the rows go in as scrubbed
	// clean, and RecordScrubs corrects the few the build finds something on. The build
	// leaves a core to the writer: on two cores, a build split over both kept the writer
	// waiting for a core for 3.5 of its 16 s at 100,000 sessions (runtime trace).
	type dry struct {
		list []store.SessionScrub
		held int
		err  error
	}
	done := make(chan dry, 1)
	go func() {
		var d dry
		d.list, d.held, d.err = p.dryBuild(context.Background(), in, max(1, runtime.GOMAXPROCS(0)-1))
		done <- d
	}()
	werr := b.WriteScrubbing()
	d := <-done
	if werr != nil {
		return sum, werr
	}
	if d.err != nil {
		if se := (scrubError{}); errors.As(d.err, &se) {
			p.Log.Warn().Err(d.err).Msg("scrub at intake: left for the next run")
			// Recording no scrub sets the rows written as clean back to unscrubbed.
			_, err := b.RecordScrubs(nil)
			return ScrubSummary{}, err
		}
		return sum, d.err
	}
	sum.Held = d.held
	if sum.Recorded, err = b.RecordScrubs(d.list); err != nil {
		return sum, fmt.Errorf("scrub at intake: %w", err)
	}
	if sum.Held > 0 {
		p.Log.Info().Int("sessions", sum.Sessions).Int("held", sum.Held).Msg("scrub at intake: sessions held")
	}
	return sum, nil
}

// scrubError is a failure of the dry build itself, not of reading the store.
type scrubError struct{ err error }

func (e scrubError) Error() string { return e.err.Error() }
func (e scrubError) Unwrap() error { return e.err }

// dryScrub builds and scrubs the claims of the targets and their peers and returns the
// scrub to record on each session of each claim, and how many targets are held. authsOf returns the authorizations with the keys
// the sessions name, with the units they have taken counted as used.
func (p *Pipeline) dryScrub(ctx context.Context, targets, peers []store.ScrubTarget,
	authsOf func([]claims.AuthKey) ([]claims.AuthUse, error)) ([]store.SessionScrub, int, error) {
	in, err := dryInputOf(targets, peers, authsOf)
	if err != nil {
		return nil, 0, err
	}
	return p.dryBuild(ctx, in, runtime.GOMAXPROCS(0))
}

// dryInput is what a dry build reads: the sessions of the targets and their peers, as the
// claims step will build them, and their authorizations.
type dryInput struct {
	targets  []store.ScrubTarget
	sessions []claims.Session
	hashes   map[string]string
	before   map[string]*string
	auths    []claims.AuthUse
}

// dryInputOf gathers a dry build's input; authsOf is the only store read.
func dryInputOf(targets, peers []store.ScrubTarget, authsOf func([]claims.AuthKey) ([]claims.AuthUse, error)) (*dryInput, error) {
	n := len(targets) + len(peers)
	taken := map[claims.AuthKey]int{}
	in := &dryInput{targets: targets, sessions: make([]claims.Session, 0, n), hashes: make(map[string]string, n),
		before: make(map[string]*string, n)}
	var keys []claims.AuthKey
	named := map[claims.AuthKey]bool{}
	for i := range n {
		var r *store.ScrubTarget
		if i < len(targets) {
			r = &targets[i]
		} else {
			r = &peers[i-len(targets)]
		}
		s := r.Session
		if s.Authorization == "" && r.AuthNumber != "" {
			s.Authorization = r.AuthNumber
		}
		if r.AuthNumber != "" {
			// These sessions took their units at intake: the scrubber asks whether there is
			// room for them, not room for them twice (as BuildClaims does).
			taken[claims.AuthKey{Payer: r.Payer, Number: r.AuthNumber}] += r.AuthUnits
		}
		if s.Authorization != "" {
			if k := (claims.AuthKey{Payer: r.Payer, Number: s.Authorization}); !named[k] {
				named[k] = true
				keys = append(keys, k)
			}
		}
		in.sessions = append(in.sessions, s)
		in.hashes[r.ID] = r.Hash
		if !r.RulesUnread {
			rules := r.ScrubHold.RuleText()
			in.before[r.ID] = &rules
		}
	}
	auths, err := authsOf(keys)
	if err != nil {
		return nil, err
	}
	for i := range auths {
		auths[i].Used = max(auths[i].Used-taken[auths[i].Key()], 0)
	}
	in.auths = auths
	return in, nil
}

// dryBuild builds and scrubs a dry build's input on n cores. It reads nothing of the
// store, so it may run beside the transaction that gathered its input.
func (p *Pipeline) dryBuild(ctx context.Context, in *dryInput, n int) ([]store.SessionScrub, int, error) {
	built, results := buildAndScrub(p.Cfg.ClaimsSetup(), in.sessions, in.auths, p.now(), n)
	if err := p.checkOverrides(ctx, built, results); err != nil {
		return nil, 0, scrubError{err}
	}
	isTarget := make(map[string]bool, len(in.targets))
	for _, t := range in.targets {
		isTarget[t.ID] = true
	}
	held := 0
	var list []store.SessionScrub
	for i, c := range built {
		for _, id := range c.SessionIDs {
			list = append(list, store.SessionScrub{Session: id, Hash: in.hashes[id], Findings: results[i].Findings, Before: in.before[id]})
			if isTarget[id] && results[i].Held {
				held++
			}
		}
	}
	return list, held, nil
}

// withPeers adds to targets the other ready sessions that may share a claim with one of them
// (same payer, date and client), so the dry build groups as the claims step will.
func (p *Pipeline) withPeers(ctx context.Context, targets []store.ScrubTarget) ([]store.ScrubTarget, error) {
	// Peers matter without same-day grouping too: an add-on joins its base code's claim.
	keys := make([]store.GroupKey, len(targets))
	for i, t := range targets {
		keys[i] = store.GroupKey{Payer: t.Payer, Client: t.ClientID, Member: t.Session.Coverage.MemberID, Date: t.Date}
	}
	ids, err := p.DB.ReadyPeers(ctx, keys)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(targets))
	for _, t := range targets {
		have[t.ID] = true
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return have[id] })
	if len(ids) == 0 {
		return targets, nil
	}
	peers, err := p.DB.ReadySessionsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return append(targets, peers...), nil
}

// parallelScrubMin is the fewest sessions worth splitting a dry build over the cores.
const parallelScrubMin = 2000

// buildAndScrub is Builder.Claims and Scrubber.Scrub over sessions, on n cores: the
// sessions are split into parts that share nothing the two look across claims at (a
// claim's client, the authorization numbers whose units claims consume in order), and each
// part is built and scrubbed on its own. The claims and their findings are those of one
// build of all, in another order.
func buildAndScrub(setup *claims.Setup, sessions []claims.Session, auths []claims.AuthUse, today time.Time, n int) ([]*claims.Claim, []claims.Result) {
	parts := scrubParts(sessions, n)
	if len(parts) == 1 {
		built := (&claims.Builder{Setup: setup}).Claims(sessions)
		return built, (&claims.Scrubber{Setup: setup, Auths: auths, Today: today}).Scrub(built)
	}
	built := make([][]*claims.Claim, len(parts))
	results := make([][]claims.Result, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			built[i] = (&claims.Builder{Setup: setup}).Claims(part)
			results[i] = (&claims.Scrubber{Setup: setup, Auths: auths, Today: today}).Scrub(built[i])
		}()
	}
	wg.Wait()
	return slices.Concat(built...), slices.Concat(results...)
}

// scrubParts splits sessions into at most n parts (one when they are few) so that the
// sessions of one client, and those naming one authorization number, are in the same part.
func scrubParts(sessions []claims.Session, n int) [][]claims.Session {
	if n < 2 || len(sessions) < parallelScrubMin {
		return [][]claims.Session{sessions}
	}
	// Union-find over clients and authorization numbers: a session joins its client to
	// the authorization it names.
	parent := map[string]string{}
	var find func(x string) string
	find = func(x string) string {
		p, ok := parent[x]
		if !ok || p == x {
			parent[x] = x
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	for i := range sessions {
		c := "c:" + sessions[i].Client.ID
		if a := sessions[i].Authorization; a != "" {
			if rc, ra := find(c), find("a:"+a); rc != ra {
				parent[ra] = rc
			}
		} else {
			find(c)
		}
	}
	// Components go to the lightest part, largest first, so the parts are near equal.
	size := map[string]int{}
	for i := range sessions {
		size[find("c:"+sessions[i].Client.ID)]++
	}
	roots := make([]string, 0, len(size))
	for r := range size {
		roots = append(roots, r)
	}
	slices.SortFunc(roots, func(a, b string) int { return cmp.Or(cmp.Compare(size[b], size[a]), cmp.Compare(a, b)) })
	load := make([]int, n)
	partOf := make(map[string]int, len(roots))
	for _, r := range roots {
		i := slices.Index(load, slices.Min(load))
		partOf[r] = i
		load[i] += size[r]
	}
	parts := make([][]claims.Session, n)
	for i := range sessions {
		k := partOf[find("c:"+sessions[i].Client.ID)]
		parts[k] = append(parts[k], sessions[i])
	}
	return slices.DeleteFunc(parts, func(p []claims.Session) bool { return len(p) == 0 })
}

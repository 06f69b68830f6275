package pipeline

import (
	"context"
	"fmt"
	"slices"

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
	taken := map[string]int{}
	sessions := make([]claims.Session, 0, len(all))
	hashes := make(map[string]string, len(all))
	before := make(map[string]*string, len(all))
	for _, r := range all {
		s := r.Session
		if s.Authorization == "" && r.AuthNumber != "" {
			s.Authorization = r.AuthNumber
		}
		if r.AuthNumber != "" {
			// These sessions took their units at intake: the scrubber asks whether there is
			// room for them, not room for them twice (as BuildClaims does).
			taken[claims.AuthKey{Payer: r.Payer, Number: r.AuthNumber}.String()] += r.AuthUnits
		}
		sessions = append(sessions, s)
		hashes[r.ID] = r.Hash
		rules := r.ScrubHold.RuleText()
		before[r.ID] = &rules
	}
	setup := p.Cfg.ClaimsSetup()
	built := (&claims.Builder{Setup: setup}).Claims(sessions)
	// Only the authorizations these claims name (all the scrubber looks up), read by
	// number: a dry build of a few sessions should not pay for every authorization on file.
	auths, err := p.DB.AuthUsesNumbered(ctx, claims.AuthNumbers(built))
	if err != nil {
		return sum, err
	}
	for i := range auths {
		auths[i].Used = max(auths[i].Used-taken[auths[i].Key().String()], 0)
	}
	results := (&claims.Scrubber{Setup: setup, Auths: auths, Today: p.now()}).Scrub(built)
	if err := p.checkOverrides(ctx, built, results); err != nil {
		return sum, err
	}
	isTarget := make(map[string]bool, len(targets))
	for _, t := range targets {
		isTarget[t.ID] = true
	}
	var list []store.SessionScrub
	for i, c := range built {
		for _, id := range c.SessionIDs {
			list = append(list, store.SessionScrub{Session: id, Hash: hashes[id], Findings: results[i].Findings, Before: before[id]})
			if isTarget[id] && results[i].Held {
				sum.Held++
			}
		}
	}
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

// withPeers adds to targets the other ready sessions that may share a claim with one of them
// (same payer, date and client or member), so the dry build groups as the claims step will.
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

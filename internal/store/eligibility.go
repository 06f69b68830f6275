package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/edigate/edigate/lifecycle"
)

// Eligibility check states.
const (
	EligRequested = "requested"
	EligAnswered  = "answered"
	EligRetry     = "retry" // the payer could not answer (AAA 42): ask again on the next run
)

// EligibilityCheck is one 270 inquiry and, once it came, its 271 answer.
type EligibilityCheck struct {
	Trace       string          `json:"trace"`
	Payer       string          `json:"payer"`
	MemberID    string          `json:"member_id"`
	ClientID    string          `json:"client_id"`
	ServiceDate string          `json:"service_date"`
	SessionIDs  []string        `json:"session_ids"`
	State       string          `json:"state"`
	File        string          `json:"file,omitempty"`
	AnswerFile  string          `json:"answer_file,omitempty"`
	RequestedAt string          `json:"requested_at"`
	AnsweredAt  string          `json:"answered_at,omitempty"`
	Result      json.RawMessage `json:"result,omitempty"`
	Decision    json.RawMessage `json:"decision,omitempty"`
}

// EligibilityOutcome is what an answer means for the sessions it covers (see
// eligibility.Decision; the store keeps it opaque but acts on these fields).
type EligibilityOutcome struct {
	Hold     bool
	Reason   string // hold reason, stored as "eligibility_<reason>"
	Retry    bool
	Warnings []string
	Result   any // stored as JSON
	Decision any // stored as JSON
}

// RecordEligibilityRequests stores the inquiries of one 270 file and an event per session,
// in one transaction, before the file may be uploaded. Storing an inquiry is its claim:
// when another instance already holds an open one for some member and date, nothing is
// recorded and the error is a *LostWorkError naming the traces to leave out.
func (db *DB) RecordEligibilityRequests(ctx context.Context, checks []EligibilityCheck, file string) error {
	return db.Batch(ctx, nil, func(b *Batch) error {
		sorted := sortedChecks(checks)
		now := timestamp(b.now)
		vals := make([]any, 0, 9*len(sorted))
		for _, c := range sorted {
			vals = append(vals, c.Trace, c.Payer, c.MemberID, c.ClientID, c.ServiceDate, string(sessionIDsJSON(c.SessionIDs)), EligRequested, file, now)
		}
		// A retry reuses nothing: every inquiry has a fresh trace. An open inquiry for the
		// same member and date (eligibility_checks_open) means another instance asked
		// first: that one is lost, and left out of the file.
		inserted := make(map[string]bool, len(sorted))
		for len(vals) > 0 {
			n := min(len(vals)/9, rowsPerStatement)
			rows, err := b.query(`INSERT INTO eligibility_checks (trace, payer, member_id, client_id, service_date, session_ids, state, file, requested_at)
				VALUES `+valuesList(n, 9)+` ON CONFLICT DO NOTHING RETURNING trace`, vals[:9*n]...)
			if err != nil {
				return fmt.Errorf("store: eligibility requests: %w", err)
			}
			traces, err := collectRows(rows, scanString)
			if err != nil {
				return fmt.Errorf("store: eligibility requests: %w", err)
			}
			for _, t := range traces {
				inserted[t] = true
			}
			vals = vals[9*n:]
		}
		var lost []string
		for _, c := range sorted {
			if !inserted[c.Trace] {
				lost = append(lost, c.Trace)
			}
		}
		if len(lost) > 0 {
			return &LostWorkError{IDs: lost}
		}
		// A retried inquiry supersedes the earlier one for the same member and date. The
		// retries waiting are few (eligibility_checks_retry indexes just them), so they are
		// read once and only those asked again are updated.
		rows, err := b.query(`SELECT trace, payer, member_id, service_date FROM eligibility_checks WHERE state = '` + EligRetry + `'`)
		if err != nil {
			return err
		}
		type retry struct {
			trace string
			key   EligibilityKey
		}
		retries, err := collectRows(rows, func(sc scanner) (retry, error) {
			var r retry
			err := sc.Scan(&r.trace, &r.key.Payer, &r.key.MemberID, &r.key.ServiceDate)
			return r, err
		})
		if err != nil {
			return fmt.Errorf("store: eligibility retries: %w", err)
		}
		asked := make(map[EligibilityKey]bool, len(sorted))
		for _, c := range sorted {
			asked[EligibilityKey{c.Payer, c.MemberID, c.ServiceDate}] = true
		}
		for _, r := range retries {
			if !asked[r.key] {
				continue
			}
			if _, err := b.exec(`UPDATE eligibility_checks SET state = 'superseded' WHERE trace = ? AND state = ?`, r.trace, EligRetry); err != nil {
				return err
			}
		}
		for _, c := range sorted {
			// The detail as json.Marshal writes {"trace": ...}, without a map per session.
			detail := append(appendJSONString([]byte(`{"trace":`), c.Trace), '}')
			for _, id := range c.SessionIDs {
				if err := b.queueEvent(lifecycle.EntitySession, id, lifecycle.EligibilityRequested, file, detail); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// sessionIDsJSON is ids as json.Marshal writes them (null for none), without reflection.
func sessionIDsJSON(ids []string) []byte {
	if ids == nil {
		return []byte("null")
	}
	d := make([]byte, 0, 2+len(ids)*16)
	d = append(d, '[')
	for i, id := range ids {
		if i > 0 {
			d = append(d, ',')
		}
		d = appendJSONString(d, id)
	}
	return append(d, ']')
}

// LatestEligibility returns the newest check for a member and date of service (any state),
// or ErrNotFound.
func (db *DB) LatestEligibility(ctx context.Context, payer, memberID, serviceDate string) (EligibilityCheck, error) {
	row := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+eligColumns+` FROM eligibility_checks
		WHERE payer = ? AND member_id = ? AND service_date = ? AND state <> 'superseded' ORDER BY requested_at DESC, trace DESC LIMIT 1`), payer, memberID, serviceDate)
	return scanElig(row)
}

// EligibilityForSession returns the newest check that covered a session, or ErrNotFound.
func (db *DB) EligibilityForSession(ctx context.Context, s SessionRecord) (EligibilityCheck, error) {
	return db.LatestEligibility(ctx, s.Payer, s.Session.Coverage.MemberID, s.Date)
}

// EligibilityCheck returns one check by trace.
func (db *DB) EligibilityCheck(ctx context.Context, trace string) (EligibilityCheck, error) {
	row := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT `+eligColumns+` FROM eligibility_checks WHERE trace = ?`), trace)
	return scanElig(row)
}

const eligColumns = `trace, payer, member_id, client_id, service_date, session_ids, state, file, answer_file, requested_at, answered_at, result, decision`

func scanElig(row *sql.Row) (EligibilityCheck, error) {
	return scanEligRow(row)
}

func scanEligRow(row scanner) (EligibilityCheck, error) {
	var c EligibilityCheck
	var ids, result, decision string
	err := row.Scan(&c.Trace, &c.Payer, &c.MemberID, &c.ClientID, &c.ServiceDate, &ids, &c.State, &c.File, &c.AnswerFile,
		&c.RequestedAt, &c.AnsweredAt, &result, &decision)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store: eligibility check: %w", err)
	}
	if err := json.Unmarshal([]byte(ids), &c.SessionIDs); err != nil {
		return c, fmt.Errorf("store: eligibility check %s session ids: %w", c.Trace, err)
	}
	if result != "" {
		c.Result = json.RawMessage(result)
	}
	if decision != "" {
		c.Decision = json.RawMessage(decision)
	}
	return c, nil
}

// ApplyEligibility records a 271 answer for a trace and applies it to the sessions the
// inquiry covered: a hold puts ready/scheduled sessions on an eligibility hold (never a
// billed one), a retry leaves them as they are and marks the check for a new inquiry, and
// warnings become events. Applying the same answer file twice changes nothing.
func (db *DB) ApplyEligibility(ctx context.Context, trace, answerFile string, o EligibilityOutcome) (applied bool, err error) {
	err = db.Batch(ctx, nil, func(b *Batch) error {
		applied, err = b.ApplyEligibility(trace, answerFile, o)
		return err
	})
	return applied, err
}

// ApplyEligibility is DB.ApplyEligibility inside a batch: ApplyEligibilities for one answer.
func (b *Batch) ApplyEligibility(trace, answerFile string, o EligibilityOutcome) (applied bool, err error) {
	targets, err := b.EligibilityTargets([]string{trace})
	if err != nil {
		return false, err
	}
	n, err := b.ApplyEligibilities(answerFile, []EligibilityAnswer{{Trace: trace, Outcome: o}}, targets)
	return n == 1, err
}

// EligibilityKey names what an inquiry asks about: a payer's member on a date of service.
type EligibilityKey struct {
	Payer, MemberID, ServiceDate string
}

// LatestEligibilities is LatestEligibility for many keys at once: the newest check (not
// superseded) of each key that has one, with what planning and the claims gate read of it
// (trace, key, state, requested_at, answered_at; not its sessions, answer or decision).
// It seeks each key through the member index (payer, member_id, service_date): keys are
// grouped by payer and date of service, idsPerStatement members a statement, so a run
// planning 20,000 inquiries pays tens of statements instead of 20,000, and the rows read
// are the keys' own checks, not every check of each member's history (a member seen weekly
// for two years has a hundred, each with a 271 answer of about 1.5 KB).
func (db *DB) LatestEligibilities(ctx context.Context, keys []EligibilityKey) (map[EligibilityKey]EligibilityCheck, error) {
	type payerDate struct{ payer, date string }
	members := map[payerDate][]string{}
	seen := make(map[EligibilityKey]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			pd := payerDate{k.Payer, k.ServiceDate}
			members[pd] = append(members[pd], k.MemberID)
		}
	}
	groups := make([]payerDate, 0, len(members))
	for pd := range members {
		groups = append(groups, pd)
	}
	slices.SortFunc(groups, func(a, b payerDate) int {
		if c := strings.Compare(a.payer, b.payer); c != 0 {
			return c
		}
		return strings.Compare(a.date, b.date)
	})
	out := make(map[EligibilityKey]EligibilityCheck, len(seen))
	for _, pd := range groups {
		ms := members[pd]
		slices.Sort(ms)
		err := chunks(ms, idsPerStatement, func(part []string) error {
			in, args := inList(part)
			// payer = ? AND member_id IN (...) AND service_date = ?: one index seek per
			// key. (A row-value IN over (member_id, service_date) would make SQLite walk
			// the payer's whole range of the index.)
			rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT trace, payer, member_id, service_date, state, requested_at, answered_at
				FROM eligibility_checks WHERE payer = ? AND member_id IN `+in+` AND service_date = ? AND state <> 'superseded'`),
				append(append([]any{pd.payer}, args...), pd.date)...)
			if err != nil {
				return fmt.Errorf("store: eligibility checks: %w", err)
			}
			checks, err := collectRows(rows, func(sc scanner) (EligibilityCheck, error) {
				var c EligibilityCheck
				err := sc.Scan(&c.Trace, &c.Payer, &c.MemberID, &c.ServiceDate, &c.State, &c.RequestedAt, &c.AnsweredAt)
				return c, err
			})
			if err != nil {
				return fmt.Errorf("store: eligibility checks: %w", err)
			}
			for _, c := range checks {
				k := EligibilityKey{c.Payer, c.MemberID, c.ServiceDate}
				// The newest: requested_at, then trace, as LatestEligibility orders them.
				if o, ok := out[k]; !ok || c.RequestedAt > o.RequestedAt || (c.RequestedAt == o.RequestedAt && c.Trace > o.Trace) {
					out[k] = c
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

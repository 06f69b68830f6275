package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/lifecycle"
)

// The response side of eligibility: applying the answers of a 271 a chunk at a time. A
// 271 of 44,000 answers costs a few statements per chunk of answers (one read of their
// inquiries, one of the sessions deciding needs, one guarded update of the checks, one
// update of the sessions held or released, multi-row event and outbox inserts), not
// several statements per answer, and nothing is read back that the batch just wrote.

// EligibilityTarget is what deciding an answer needs of the inquiry it answers: the
// sessions it covered and the payer and service code of the first (empty when that
// session is gone).
type EligibilityTarget struct {
	Trace      string
	SessionIDs []string
	Payer      string
	Code       string
}

// EligibilityAnswer is one answer to apply: the trace it echoes and what it means.
type EligibilityAnswer struct {
	Trace   string
	Outcome EligibilityOutcome
}

// EligibilityTargets reads the inquiries of traces (those edigate never sent are absent)
// and the payer and code of each one's first session, in the batch's transaction: one
// statement per 500 traces and one per 500 sessions.
func (b *Batch) EligibilityTargets(traces []string) (map[string]EligibilityTarget, error) {
	out := make(map[string]EligibilityTarget, len(traces))
	err := b.chunked(sortedUnique(traces), `SELECT trace, session_ids FROM eligibility_checks WHERE trace IN `, ``, func(sc func(...any) error) error {
		var t EligibilityTarget
		var ids string
		if err := sc(&t.Trace, &ids); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(ids), &t.SessionIDs); err != nil {
			return fmt.Errorf("eligibility check %s session ids: %w", t.Trace, err)
		}
		out[t.Trace] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: eligibility checks: %w", err)
	}
	// Every session of the chunk (usually one an inquiry): the first one's payer and code
	// for deciding, and each one's practice, which the outbox then need not look up.
	type payerCode struct{ payer, code string }
	var ids []string
	for _, t := range out {
		ids = append(ids, t.SessionIDs...)
	}
	sess := make(map[string]payerCode, len(ids))
	err = b.chunked(sortedUnique(ids), `SELECT id, payer, code, practice FROM sessions WHERE id IN `, ``, func(sc func(...any) error) error {
		var id, practice string
		var pc payerCode
		if err := sc(&id, &pc.payer, &pc.code, &practice); err != nil {
			return err
		}
		sess[id] = pc
		b.notePractice(id, practice)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: eligibility sessions: %w", err)
	}
	for tr, t := range out {
		if len(t.SessionIDs) > 0 {
			pc := sess[t.SessionIDs[0]]
			t.Payer, t.Code = pc.payer, pc.code
			out[tr] = t
		}
	}
	return out, nil
}

// ApplyEligibilities records the answers of one 271 file and applies each to the sessions
// its inquiry covered, as ApplyEligibility does one by one and in the same order: the
// answers are cut into runs in which no trace and no session comes twice (a later answer
// must see what an earlier one did to a session), and each run costs a few multi-row
// statements. targets are the answers' inquiries (EligibilityTargets, read in this
// batch); an answer whose trace is not among them is an error. The count is of answers
// applied: an answer of this file already applied (the file again, or a run stopped
// midway) changes nothing.
func (b *Batch) ApplyEligibilities(answerFile string, answers []EligibilityAnswer, targets map[string]EligibilityTarget) (applied int, err error) {
	var run []EligibilityAnswer
	traces := map[string]bool{}
	sessions := map[string]bool{}
	for _, a := range answers {
		t, ok := targets[a.Trace]
		if !ok {
			return applied, fmt.Errorf("271 trace %s: %w", a.Trace, ErrNotFound)
		}
		clash := traces[a.Trace]
		for _, id := range t.SessionIDs {
			clash = clash || sessions[id]
		}
		if clash {
			n, err := b.applyEligibilityRun(answerFile, run, targets)
			applied += n
			if err != nil {
				return applied, err
			}
			run = run[:0]
			clear(traces)
			clear(sessions)
		}
		run = append(run, a)
		traces[a.Trace] = true
		for _, id := range t.SessionIDs {
			sessions[id] = true
		}
	}
	n, err := b.applyEligibilityRun(answerFile, run, targets)
	return applied + n, err
}

// eligibilityRowsPerUpdate bounds the answers of one UPDATE ... FROM (VALUES ...): four
// parameters a row.
const eligibilityRowsPerUpdate = 250

// applyEligibilityRun applies answers of distinct traces covering distinct sessions.
func (b *Batch) applyEligibilityRun(answerFile string, answers []EligibilityAnswer, targets map[string]EligibilityTarget) (int, error) {
	if len(answers) == 0 {
		return 0, nil
	}
	now := timestamp(b.now)
	// The checks: one guarded UPDATE per eligibilityRowsPerUpdate answers. The guard is
	// the one-by-one rule: a check this file already answered (answered or retry) is
	// left alone, so the file again changes nothing; RETURNING names those changed.
	changed := make(map[string]bool, len(answers))
	for part := range slices.Chunk(answers, eligibilityRowsPerUpdate) {
		args := make([]any, 0, 4*len(part)+3)
		args = append(args, answerFile, now)
		for i := range part {
			a := &part[i]
			result, err := json.Marshal(a.Outcome.Result)
			if err != nil {
				return 0, err
			}
			decision, err := json.Marshal(a.Outcome.Decision)
			if err != nil {
				return 0, err
			}
			state := EligAnswered
			if a.Outcome.Retry {
				state = EligRetry
			}
			args = append(args, a.Trace, state, string(result), string(decision))
		}
		args = append(args, answerFile)
		// VALUES columns are column1..column4 in SQLite and PostgreSQL alike. SQLite
		// materializes the VALUES and seeks each trace by the primary key.
		rows, err := b.query(b.db.dialect.updateFail(`UPDATE eligibility_checks SET state = v.column2, answer_file = ?, answered_at = ?, result = v.column3, decision = v.column4
			FROM (VALUES `+valuesList(len(part), 4)+`) AS v
			WHERE eligibility_checks.trace = v.column1 AND NOT (eligibility_checks.answer_file = ? AND eligibility_checks.state <> '`+EligRequested+`')
			RETURNING eligibility_checks.trace`), args...)
		if err != nil {
			return 0, fmt.Errorf("store: eligibility answers: %w", err)
		}
		done, err := collectRows(rows, scanString)
		if err != nil {
			return 0, fmt.Errorf("store: eligibility answers: %w", err)
		}
		for _, t := range done {
			changed[t] = true
		}
	}
	// The sessions: holds by reason, releases all together. Each UPDATE names the states
	// it moves from and returns the sessions it moved (with their practice, which the
	// outbox then need not look up).
	holds := map[string][]string{}
	var reasons, release []string
	for i := range answers {
		a := &answers[i]
		if !changed[a.Trace] {
			continue
		}
		ids := targets[a.Trace].SessionIDs
		if a.Outcome.Hold {
			if _, ok := holds[a.Outcome.Reason]; !ok {
				reasons = append(reasons, a.Outcome.Reason)
			}
			holds[a.Outcome.Reason] = append(holds[a.Outcome.Reason], ids...)
		} else {
			release = append(release, ids...)
		}
	}
	moved := map[string]bool{}
	// collect runs q (its IN list written "(@ids)") over ids with the arguments before and
	// after the list.
	collect := func(q string, ids []string, before, after []any) error {
		return chunks(ids, idsPerStatement, func(part []string) error {
			in, args := inList(part)
			args = append(append(append(make([]any, 0, len(before)+len(args)+len(after)), before...), args...), after...)
			return b.eachRow(b.db.dialect.updateFail(strings.Replace(q, "(@ids)", in, 1)), args, func(sc func(...any) error) error {
				var id, practice string
				if err := sc(&id, &practice); err != nil {
					return err
				}
				moved[id] = true
				b.notePractice(id, practice)
				return nil
			})
		})
	}
	if err := b.flushWrites(); err != nil {
		return 0, err
	}
	// "+state" (SQLite): the id list is the way in; the state index would walk every
	// session held.
	state := b.db.dialect.unindexed("state")
	for _, r := range reasons {
		if err := collect(`UPDATE sessions SET state = ?, hold_reason = ?, updated_at = ? WHERE id IN (@ids) AND `+state+` IN (?, ?) RETURNING id, practice`,
			holds[r], []any{StateHeld, "eligibility_" + r, now}, []any{StateReady, StateScheduled}); err != nil {
			return 0, fmt.Errorf("store: eligibility holds: %w", err)
		}
	}
	// A clean answer releases an earlier eligibility hold (not an authorization one).
	if err := collect(`UPDATE sessions SET state = ?, hold_reason = '', updated_at = ? WHERE id IN (@ids) AND `+state+` = ? AND hold_reason LIKE 'eligibility_%' RETURNING id, practice`,
		release, []any{StateReady, now}, []any{StateHeld}); err != nil {
		return 0, fmt.Errorf("store: eligibility releases: %w", err)
	}
	// The events, in the order the answers came and as ApplyEligibility wrote them.
	applied := 0
	for i := range answers {
		a := &answers[i]
		if !changed[a.Trace] {
			continue
		}
		applied++
		o := &a.Outcome
		st := EligAnswered
		if o.Retry {
			st = EligRetry
		}
		b.noteEligibilityResult(a.Trace, o.Result)
		for _, id := range targets[a.Trace].SessionIDs {
			if err := b.queueEventValue(lifecycle.EntitySession, id, lifecycle.EligibilityAnswered, answerFile,
				answeredDetail(a.Trace, st, o.Hold, o.Reason, o.Hold && !moved[id]), answeredTrace(a.Trace)); err != nil {
				return applied, err
			}
			if !o.Hold && moved[id] {
				// Recorded, so the history and the practice system hear the hold ended.
				d := append(appendJSONString([]byte(`{"trace":`), a.Trace), `,"was":"eligibility"}`...)
				if err := b.queueEvent(lifecycle.EntitySession, id, lifecycle.SessionReleased, answerFile, d); err != nil {
					return applied, err
				}
			}
			for _, w := range o.Warnings {
				d := appendJSONString([]byte(`{"trace":`), a.Trace)
				d = append(appendJSONString(append(d, `,"warning":`...), w), '}')
				if err := b.queueEvent(lifecycle.EntitySession, id, lifecycle.EligibilityWarning, answerFile, d); err != nil {
					return applied, err
				}
			}
		}
	}
	return applied, nil
}

// answeredTrace is the value of an eligibility_answered event the batch records: the
// trace, which the outbox reads instead of decoding the detail for it.
type answeredTrace string

// answeredDetail is the detail of an eligibility_answered event as json.Marshal writes the
// map it once was (keys sorted): hold and hold_skipped only for a hold.
func answeredDetail(trace, state string, hold bool, reason string, skipped bool) []byte {
	d := []byte{'{'}
	if hold {
		d = append(appendJSONString(append(d, `"hold":`...), reason), ',')
		if skipped {
			d = append(d, `"hold_skipped":"session is not ready or scheduled",`...)
		}
	}
	d = appendJSONString(append(d, `"state":`...), state)
	d = appendJSONString(append(d, `,"trace":`...), trace)
	return append(d, '}')
}

// noteEligibilityResult keeps an answer's result for the outbox, which tells the practice
// what it said without reading back and decoding what the batch just stored.
func (b *Batch) noteEligibilityResult(trace string, result any) {
	var r *eligibility.Result
	switch v := result.(type) {
	case eligibility.Result:
		r = &v
	case *eligibility.Result:
		r = v
	default:
		return // another shape (tests): the outbox reads the stored JSON
	}
	if b.eligResults == nil {
		b.eligResults = map[string]*eligibility.Result{}
	}
	b.eligResults[trace] = r
}

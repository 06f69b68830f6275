// Package queue is the one work-queue model: holds, rejections, denials, appeals, follow-up
// and review items, each with its thread (assignee, notes, actions, outcome, who and when).
// The CLI, the web UI and the jobs use this one type; the store records it. Deciding what a
// resolution leads to is a plain function here, so it is the same wherever a biller acts.
package queue

import (
	"strconv"

	"github.com/edigate/edigate/x12"
)

// Kind is a work queue.
type Kind string

// Queues.
const (
	Holds      Kind = "holds"      // held sessions and scrubber-held claims
	Rejections Kind = "rejections" // TA1/999 and 277CA rejections
	Denials    Kind = "denials"    // 835 denials and partial denials
	Appeals    Kind = "appeals"    // appeals sent, waiting for the payer
	FollowUp   Kind = "follow-up"  // claims with no 835 after the follow-up days
	Review     Kind = "review"     // unbalanced 835s, remittances for claims we do not know
)

// State is an item's state.
type State string

// Item states.
const (
	Open     State = "open"
	Resolved State = "resolved"
)

// Outcome is how a biller resolved an item.
type Outcome string

// Outcomes.
const (
	Resubmitted Outcome = "resubmitted" // sent again as a replacement (frequency 7) or corrected original
	AppealSent  Outcome = "appeal_sent"
	WrittenOff  Outcome = "written_off"
	AppealWon   Outcome = "appeal_won"
	AppealLost  Outcome = "appeal_lost"
	NoAction    Outcome = "no_action"
	Remitted    Outcome = "remitted" // closed by the jobs: the 835 arrived
)

// Item is one thing a biller has to act on.
type Item struct {
	ID         int64      `json:"id"`
	Kind       Kind       `json:"kind"`
	ClaimID    string     `json:"claim_id,omitempty"`
	SessionID  string     `json:"session_id,omitempty"`
	Line       int        `json:"line,omitempty"`
	Payer      string     `json:"payer,omitempty"`
	Date       string     `json:"date,omitempty"` // date of service, when the item knows it
	Code       string     `json:"code,omitempty"` // procedure code, when the item knows it
	Reason     string     `json:"reason"`
	Category   string     `json:"category,omitempty"`
	Action     string     `json:"action,omitempty"`
	Message    string     `json:"message,omitempty"`
	Due        string     `json:"due,omitempty"`
	Amount     x12.Amount `json:"amount"`
	Source     string     `json:"source,omitempty"`
	State      State      `json:"state"`
	Assignee   string     `json:"assignee,omitempty"`
	Outcome    Outcome    `json:"outcome,omitempty"`
	CreatedAt  string     `json:"created_at"`
	ResolvedAt string     `json:"resolved_at,omitempty"`
	Thread     []Entry    `json:"thread,omitempty"`
}

// Entry is one step of an item's thread: an assignment, a note or the resolution, with who
// and when (a comment given with an assignment or a resolution is a note of its own). A follow-up item (a denial that became an appeal) carries its
// predecessor's entries, so the work keeps its history.
type Entry struct {
	At   string     `json:"at"`
	Who  string     `json:"who,omitempty"`
	What ActionKind `json:"what"`           // assign, note, resolve
	Text string     `json:"text,omitempty"` // the assignee, the note, or the outcome
	From int64      `json:"from,omitempty"` // the predecessor item the entry was written on
}

// Key names an item within its queue, for URLs and the command line: the id of a stored
// item; "session-ID" or "claim-ID" for a hold, which is not a stored item but the held
// session or claim itself.
func (it Item) Key() string {
	switch {
	case it.ID != 0:
		return strconv.FormatInt(it.ID, 10)
	case it.SessionID != "":
		return "session-" + it.SessionID
	case it.ClaimID != "":
		return "claim-" + it.ClaimID
	}
	return ""
}

// LatestNote is the newest note on the thread, predecessors' included; false when none.
func (it Item) LatestNote() (Entry, bool) {
	for i := len(it.Thread) - 1; i >= 0; i-- {
		if it.Thread[i].What == ActNote {
			return it.Thread[i], true
		}
	}
	return Entry{}, false
}

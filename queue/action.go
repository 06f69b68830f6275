package queue

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/edigate/edigate/lifecycle"
)

// ActionKind is what a biller does to an item.
type ActionKind string

// Actions.
const (
	ActAssign  ActionKind = "assign"
	ActNote    ActionKind = "note"
	ActResolve ActionKind = "resolve"
)

// ParseAction reads an action name.
func ParseAction(s string) (ActionKind, error) {
	switch a := ActionKind(s); a {
	case ActAssign, ActNote, ActResolve:
		return a, nil
	}
	return "", fmt.Errorf("%w: %q: want assign, note or resolve", ErrBadAction, s)
}

// Action is one biller action on an item, from the CLI or the web UI alike.
type Action struct {
	Kind     ActionKind
	Who      string  // the signed-in user, or the CLI's --who
	Assignee string  // assign
	Text     string  // the note; the optional comment of assign and resolve
	Outcome  Outcome // resolve
	Source   string  // where it was done ("web", "cli"), recorded with the event
}

// Engine is who the engine's own entries are by (a 277 answer noted on a follow-up item,
// an item closed because its 835 arrived).
const Engine = "edigate"

// Errors the queue service answers with; callers map them (404, 400, exit codes).
var (
	ErrNoItem    = errors.New("no such queue item")
	ErrBadAction = errors.New("action not allowed on this item")
	ErrResolved  = errors.New("queue item already resolved")
)

// Event is a history row a plan records: about the item's claim, session or the item.
type Event struct {
	Entity lifecycle.Entity
	ID     string
	Kind   lifecycle.EventKind
	Detail map[string]any
}

// Subject is what an item's actions are recorded on, so they show in the same history as
// intake, claims and remittances: the held session, else the item's claim, else the item.
func (it Item) Subject() (lifecycle.Entity, string) {
	switch {
	case it.Kind == Holds && it.SessionID != "":
		return lifecycle.EntitySession, it.SessionID
	case it.ClaimID != "":
		return lifecycle.EntityClaim, it.ClaimID
	}
	return lifecycle.EntityQueue, strconv.FormatInt(it.ID, 10)
}

// Stamp is the thread's timestamp format (the store's event timestamps).
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// Change is an assignment or a note: the entries it adds to the thread and the event
// recording it.
type Change struct {
	Assignee string // the new assignee; "" for a note
	Entries  []Entry
	Event    Event
}

// Record decides an assign or note action on an open item.
func Record(it Item, a Action, now time.Time) (Change, error) {
	if it.State == Resolved {
		return Change{}, fmt.Errorf("item %s: %w (%s)", it.Key(), ErrResolved, it.Outcome)
	}
	at := Stamp(now)
	var c Change
	switch a.Kind {
	case ActAssign:
		if a.Assignee == "" {
			return Change{}, fmt.Errorf("%w: assign needs an assignee", ErrBadAction)
		}
		c.Assignee = a.Assignee
		c.Entries = append(c.Entries, Entry{At: at, Who: a.Who, What: ActAssign, Text: a.Assignee})
		if a.Text != "" {
			c.Entries = append(c.Entries, Entry{At: at, Who: a.Who, What: ActNote, Text: a.Text})
		}
	case ActNote:
		if a.Text == "" {
			return Change{}, fmt.Errorf("%w: the note is empty", ErrBadAction)
		}
		c.Entries = append(c.Entries, Entry{At: at, Who: a.Who, What: ActNote, Text: a.Text})
	default:
		return Change{}, fmt.Errorf("%w: %s is not an assignment or a note", ErrBadAction, a.Kind)
	}
	c.Event = it.audit(a)
	return c, nil
}

// audit is the event recording a on the item's subject; who acted and their words go in
// the detail (billers are told not to type PHI; the detail is never logged).
func (it Item) audit(a Action) Event {
	ent, id := it.Subject()
	d := map[string]any{"queue": string(it.Kind), "item": it.Key()}
	for k, v := range map[string]string{"who": a.Who, "assignee": a.Assignee, "text": a.Text, "outcome": string(a.Outcome)} {
		if v != "" {
			d[k] = v
		}
	}
	kind := map[ActionKind]lifecycle.EventKind{ActAssign: lifecycle.QueueAssign, ActNote: lifecycle.QueueNote, ActResolve: lifecycle.QueueResolve}[a.Kind]
	return Event{Entity: ent, ID: id, Kind: kind, Detail: d}
}

// Replay adds to a hold's thread an action recorded on its subject (Record's event): a
// hold is no stored item, its history is its thread. Events of other items or kinds are
// ignored.
func (it *Item) Replay(kind lifecycle.EventKind, at string, detail map[string]string) {
	if detail["item"] != it.Key() {
		return
	}
	who, text := detail["who"], detail["text"]
	switch kind {
	case lifecycle.QueueAssign:
		it.Assignee = detail["assignee"]
		it.Thread = append(it.Thread, Entry{At: at, Who: who, What: ActAssign, Text: it.Assignee})
	case lifecycle.QueueNote:
	default:
		return
	}
	if text != "" {
		it.Thread = append(it.Thread, Entry{At: at, Who: who, What: ActNote, Text: text})
	}
}

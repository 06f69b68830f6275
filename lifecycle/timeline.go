package lifecycle

import (
	"encoding/json"
	"sort"
)

// Event is one row of an entity's history: what happened (Kind), when, from which file,
// with ids and codes in Detail (never PHI).
type Event struct {
	ID         int64           `json:"id"`
	EntityKind Entity          `json:"entity_kind"`
	EntityID   string          `json:"entity_id"`
	Kind       EventKind       `json:"kind"`
	At         string          `json:"at"`
	SourceFile string          `json:"source_file,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"`
}

// Timeline merges the histories of the entities one trace covers (a session, its claims,
// the authorization it used) into one, in the order things happened. Event ids are one
// sequence across entities, so they order the merge exactly even when timestamps tie; an
// event in two histories shows once. `edigate trace` and the web session page both read
// this, so they show the same entries.
func Timeline(histories ...[]Event) []Event {
	var out []Event
	seen := map[int64]bool{}
	for _, h := range histories {
		for _, e := range h {
			if !seen[e.ID] {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

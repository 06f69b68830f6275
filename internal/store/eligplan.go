package store

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/edigate/edigate/claims"
)

// EligibilitySession is what planning 270s reads of a session: the row's own short columns,
// not its content (PlanEligibility reads the people of one session per inquiry, Parties).
type EligibilitySession struct {
	ID, Practice, Payer, ClientID, MemberID, Date, HoldReason string
}

// EligibilitySessions lists the sessions in state by date of service, then id (the order
// of Sessions), without decoding their content.
func (db *DB) EligibilitySessions(ctx context.Context, state string) ([]EligibilitySession, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, practice, payer, client_id, member_id, service_date, hold_reason
		FROM sessions WHERE state = ? ORDER BY service_date, id`), state)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	return collectRows(rows, func(sc scanner) (EligibilitySession, error) {
		var s EligibilitySession
		err := sc.Scan(&s.ID, &s.Practice, &s.Payer, &s.ClientID, &s.MemberID, &s.Date, &s.HoldReason)
		return s, err
	})
}

// Parties is the people of a session as an inquiry names them.
type Parties struct {
	Client   claims.Person   `json:"client"`
	Coverage claims.Coverage `json:"coverage"`
}

// SessionParties reads the client and coverage of the sessions with these ids (those that
// exist). The content is decoded on all cores: it is most of the cost.
func (db *DB) SessionParties(ctx context.Context, ids []string) (map[string]*Parties, error) {
	type raw struct {
		id   string
		data []byte
	}
	var all []raw
	for part := range slices.Chunk(ids, idsPerStatement) {
		in, args := inList(part)
		rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, data FROM sessions WHERE id IN `+in), args...)
		if err != nil {
			return nil, fmt.Errorf("store: session parties: %w", err)
		}
		got, err := collectRows(rows, func(sc scanner) (raw, error) {
			var r raw
			err := sc.Scan(&r.id, &r.data)
			return r, err
		})
		if err != nil {
			return nil, fmt.Errorf("store: session parties: %w", err)
		}
		all = append(all, got...)
	}
	out := make([]Parties, len(all))
	errs := make([]error, len(all))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(all)/1000))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(all); i += workers {
				if err := json.Unmarshal(all[i].data, &out[i]); err != nil {
					errs[i] = fmt.Errorf("store: session %s data: %w", all[i].id, err)
				}
			}
		}()
	}
	wg.Wait()
	m := make(map[string]*Parties, len(all))
	for i := range all {
		if errs[i] != nil {
			return nil, errs[i]
		}
		m[all[i].id] = &out[i]
	}
	return m, nil
}

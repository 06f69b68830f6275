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
// and its content only where EligibilitySessions says so (PlanEligibility reads the people
// of one session per inquiry, Parties).
type EligibilitySession struct {
	ID, Practice, Payer, ClientID, MemberID, Date, HoldReason string
	// Data is the session's content when it was read with the row (withData), else nil.
	Data []byte
}

// EligibilitySessions lists the sessions in state by date of service, then id (the order
// of Sessions). withData reads each one's content as well: for ready sessions, which are
// new and nearly all due an inquiry, the listing visits every row anyway, and reading the
// content there costs less than looking the rows up again by id (SessionParties).
func (db *DB) EligibilitySessions(ctx context.Context, state string, withData bool) ([]EligibilitySession, error) {
	data := "''"
	if withData {
		data = "data"
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, practice, payer, client_id, member_id, service_date, hold_reason, `+data+`
		FROM sessions WHERE state = ? ORDER BY service_date, id`), state)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	return collectRows(rows, func(sc scanner) (EligibilitySession, error) {
		var s EligibilitySession
		err := sc.Scan(&s.ID, &s.Practice, &s.Payer, &s.ClientID, &s.MemberID, &s.Date, &s.HoldReason, &s.Data)
		if len(s.Data) == 0 {
			s.Data = nil
		}
		return s, err
	})
}

// Parties is the people of a session as an inquiry names them.
type Parties struct {
	Client   claims.Person   `json:"client"`
	Coverage claims.Coverage `json:"coverage"`
}

// SessionContent is a session's id and stored content.
type SessionContent struct {
	ID   string
	Data []byte
}

// SessionParties reads the client and coverage of the sessions with these ids (those that
// exist). The content is decoded on all cores: it is most of the cost.
func (db *DB) SessionParties(ctx context.Context, ids []string) (map[string]*Parties, error) {
	var all []SessionContent
	for part := range slices.Chunk(ids, idsPerStatement) {
		in, args := inList(part)
		rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, data FROM sessions WHERE id IN `+in), args...)
		if err != nil {
			return nil, fmt.Errorf("store: session parties: %w", err)
		}
		got, err := collectRows(rows, func(sc scanner) (SessionContent, error) {
			var r SessionContent
			err := sc.Scan(&r.ID, &r.Data)
			return r, err
		})
		if err != nil {
			return nil, fmt.Errorf("store: session parties: %w", err)
		}
		all = append(all, got...)
	}
	return DecodeParties(all)
}

// DecodeParties decodes the client and coverage of sessions' content, on all cores.
func DecodeParties(all []SessionContent) (map[string]*Parties, error) {
	out := make([]Parties, len(all))
	errs := make([]error, len(all))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(all)/1000))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(all); i += workers {
				if err := json.Unmarshal(all[i].Data, &out[i]); err != nil {
					errs[i] = fmt.Errorf("store: session %s data: %w", all[i].ID, err)
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
		m[all[i].ID] = &out[i]
	}
	return m, nil
}

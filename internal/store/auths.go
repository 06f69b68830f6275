package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// authsFor loads the authorizations of a payer's client (by client id or member id). On
// PostgreSQL the rows stay locked until the batch ends: its units are consumed in memory.
func (b *Batch) authsFor(payer, clientID, memberID string) ([]claims.AuthUse, error) {
	// UNION ALL without ORDER BY (deduplicated and sorted below): OR, UNION and ORDER BY
	// each made SQLite walk every authorization of the payer, quadratic over a large intake.
	// PostgreSQL refuses FOR UPDATE with UNION; its planner handles the OR with both indexes.
	q := `SELECT number, hash, data, used FROM authorizations WHERE payer = ? AND client_id = ?
		UNION ALL SELECT number, hash, data, used FROM authorizations WHERE payer = ? AND member_id = ?`
	args := []any{payer, clientID, payer, memberID}
	if b.db.dialect.name == "postgres" {
		q = `SELECT number, hash, data, used FROM authorizations WHERE payer = ? AND (client_id = ? OR member_id = ?)
			ORDER BY number FOR UPDATE`
		args = []any{payer, clientID, memberID}
	}
	if err := b.flushAuthInserts(); err != nil {
		return nil, err
	}
	// Raw: pending consumption is reconciled by adoptAuth, which keeps the batch's copy.
	rows, err := b.queryRaw(q, args...)
	if err != nil {
		return nil, err
	}
	out, err := b.appendAuths(nil, rows, payer, map[string]bool{})
	if err != nil {
		return nil, err
	}
	// The admission's match must not depend on the engine's row order.
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// appendAuths appends the "number, hash, data, used" rows of one payer's authorizations to
// out, each number once (seen spans calls, for chunked reads), and closes rows. data is
// decoded while its row is current (sql.RawBytes), through the DB's cache.
func (b *Batch) appendAuths(out []claims.AuthUse, rows *sql.Rows, payer string, seen map[string]bool) ([]claims.AuthUse, error) {
	defer rows.Close()
	for rows.Next() {
		var number, hash string
		var data sql.RawBytes
		var a claims.AuthUse
		if err := rows.Scan(&number, &hash, &data, &a.Used); err != nil {
			return nil, err
		}
		if seen[number] {
			continue
		}
		seen[number] = true
		var err error
		if a.Authorization, err = b.db.auths.decode(payer, number, hash, data); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// authPrefetch selects the authorizations of one payer's clients (nc ids) or members (nm
// ids); the arguments are the payer and the ids for each non-empty list. SQLite answers the
// OR of the two IN lists with both indexes (a MULTI-INDEX OR, each row once); PostgreSQL
// locks the rows in number order.
func (d dialect) authPrefetch(nc, nm int) string {
	var q strings.Builder
	q.WriteString(`SELECT number, hash, data, used FROM authorizations WHERE `)
	for i, n := range []int{nc, nm} {
		if n == 0 {
			continue
		}
		if i == 1 && nc > 0 {
			q.WriteString(` OR `)
		}
		q.WriteString(`(payer = ? AND ` + [2]string{"client_id", "member_id"}[i] + ` IN (?` + strings.Repeat(", ?", n-1) + `))`)
	}
	if d.name == "postgres" {
		q.WriteString(` ORDER BY number FOR UPDATE`)
	}
	return q.String()
}

// PrefetchAuthorizations reads, in a few IN queries, the authorizations (and their open
// alerts) of every session a batch is about to put that needs one, instead of one lookup
// per payer/client. On PostgreSQL the rows are locked for the batch, in (payer, number)
// order so that two batches lock them in the same order.
func (b *Batch) PrefetchAuthorizations(ss []*claims.Session) error {
	type pc struct{ payer, client, member string }
	var want []pc
	seen := map[pc]bool{}
	clients := map[string][]string{} // payer -> client ids
	members := map[string][]string{} // payer -> member ids
	cseen, mseen := map[[2]string]bool{}, map[[2]string]bool{}
	for _, s := range ss {
		if !b.rules.AuthsNeeded(s, nil) {
			continue
		}
		k := pc{s.Coverage.Payer, s.Client.ID, s.Coverage.MemberID}
		if seen[k] {
			continue
		}
		if _, ok := b.auths[k.payer+"\x00"+k.client+"\x00"+k.member]; ok {
			continue
		}
		seen[k] = true
		want = append(want, k)
		if c := [2]string{k.payer, k.client}; !cseen[c] {
			cseen[c] = true
			clients[k.payer] = append(clients[k.payer], k.client)
		}
		if m := [2]string{k.payer, k.member}; !mseen[m] {
			mseen[m] = true
			members[k.payer] = append(members[k.payer], k.member)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if err := b.flushAuthInserts(); err != nil {
		return err
	}
	var found []claims.AuthUse
	// One query reads a chunk of clients and members together (authPrefetch).
	read := func(payer string, cs, ms []string) error {
		dup := map[string]bool{} // numbers of this payer already read
		const chunk = 400
		for start := 0; start < max(len(cs), len(ms)); start += chunk {
			cpart := cs[min(start, len(cs)):min(start+chunk, len(cs))]
			mpart := ms[min(start, len(ms)):min(start+chunk, len(ms))]
			args := make([]any, 0, len(cpart)+len(mpart)+2)
			for _, part := range [][]string{cpart, mpart} {
				if len(part) > 0 {
					args = append(args, payer)
				}
				for _, v := range part {
					args = append(args, v)
				}
			}
			rows, err := b.queryRaw(b.db.dialect.authPrefetch(len(cpart), len(mpart)), args...)
			if err != nil {
				return err
			}
			if found, err = b.appendAuths(found, rows, payer, dup); err != nil {
				return err
			}
		}
		return nil
	}
	payers := make([]string, 0, len(clients))
	for p := range clients {
		payers = append(payers, p)
	}
	sort.Strings(payers)
	for _, p := range payers {
		if err := read(p, clients[p], members[p]); err != nil {
			return fmt.Errorf("store: prefetch authorizations: %w", err)
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Payer != found[j].Payer {
			return found[i].Payer < found[j].Payer
		}
		return found[i].Number < found[j].Number
	})
	byClient := map[[2]string][]*authState{}
	byMember := map[[2]string][]*authState{}
	var keys []string
	for i := range found {
		st := b.adoptAuth(&found[i])
		byClient[[2]string{st.Payer, st.ClientID}] = append(byClient[[2]string{st.Payer, st.ClientID}], st)
		byMember[[2]string{st.Payer, st.MemberID}] = append(byMember[[2]string{st.Payer, st.MemberID}], st)
		k := st.Key().String()
		if _, ok := b.openAlerts[k]; !ok {
			keys = append(keys, k)
		}
	}
	// Each wanted key gets what authsFor would return: client or member matches, by number.
	// The lists are a few authorizations long: a linear check beats a map per key.
	for _, k := range want {
		byC := byClient[[2]string{k.payer, k.client}]
		as := append(make([]*authState, 0, len(byC)+1), byC...)
		for _, st := range byMember[[2]string{k.payer, k.member}] {
			if !slices.Contains(byC, st) {
				as = append(as, st)
			}
		}
		if len(as) > 1 {
			slices.SortFunc(as, func(x, y *authState) int { return strings.Compare(x.Number, y.Number) })
		}
		b.setAuths(k.payer+"\x00"+k.client+"\x00"+k.member, as)
	}
	return b.prefetchAlerts(keys)
}

// prefetchAlerts loads the open alert kinds of these authorization keys.
func (b *Batch) prefetchAlerts(keys []string) error {
	if b.openAlerts == nil {
		b.openAlerts = map[string]map[string]bool{}
	}
	for part := range slices.Chunk(keys, 500) {
		for _, k := range part {
			b.openAlerts[k] = nil
		}
		in, args := inList(part)
		rows, err := b.queryRaw(`SELECT entity_id, kind FROM alerts WHERE entity_kind = 'authorization' AND cleared_at = '' AND entity_id IN `+in, args...)
		if err != nil {
			return fmt.Errorf("store: prefetch alerts: %w", err)
		}
		for rows.Next() {
			var k, kind string
			if err := rows.Scan(&k, &kind); err != nil {
				rows.Close()
				return fmt.Errorf("store: prefetch alerts: %w", err)
			}
			if b.openAlerts[k] == nil {
				b.openAlerts[k] = map[string]bool{}
			}
			b.openAlerts[k][kind] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: prefetch alerts: %w", err)
		}
	}
	return nil
}

// openAlertKinds returns the open alerts of an authorization (cached for the batch: only
// authAlerts changes authorization alerts, and it keeps the cache current).
func (b *Batch) openAlertKinds(key string) (map[string]bool, error) {
	if open, ok := b.openAlerts[key]; ok {
		return open, nil
	}
	if err := b.prefetchAlerts([]string{key}); err != nil {
		return nil, err
	}
	return b.openAlerts[key], nil
}

// authByKey returns the batch's copy of an authorization, reading (and on PostgreSQL
// locking) it when the batch has none.
func (b *Batch) authByKey(k claims.AuthKey) (*authState, error) {
	if st, ok := b.byAuth[k]; ok {
		return st, nil
	}
	q := `SELECT number, hash, data, used FROM authorizations WHERE payer = ? AND number = ?`
	if b.db.dialect.name == "postgres" {
		q += ` FOR UPDATE`
	}
	rows, err := b.query(q, k.Payer, k.Number)
	if err != nil {
		return nil, err
	}
	found, err := b.appendAuths(nil, rows, k.Payer, map[string]bool{})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("authorization %s: %w", k, ErrNotFound)
	}
	return b.adoptAuth(&found[0]), nil
}

// authAlerts raises each alert whose threshold a is now past (once: an open alert is not
// raised again) and, when mayClear, clears open alerts whose condition no longer holds, so
// the next crossing raises a new one.
func (b *Batch) authAlerts(a *claims.AuthUse, cause string, mayClear bool) error {
	low, days := b.rules.Thresholds(a.Payer)
	active := claims.AuthAlerts(a, low, days, b.now)
	if len(active) == 0 && !mayClear {
		return nil
	}
	key := a.Key().String()
	open, err := b.openAlertKinds(key)
	if err != nil {
		return err
	}
	isActive := map[string]bool{}
	for _, k := range active {
		isActive[k] = true
		if open[k] {
			continue
		}
		detail, _ := json.Marshal(map[string]any{"remaining": a.Remaining(), "units": a.Units, "end": a.End, "cause": cause})
		if _, err := b.execRaw(`INSERT INTO alerts (entity_kind, entity_id, kind, detail, raised_at) VALUES ('authorization', ?, ?, ?, ?)`,
			key, k, string(detail), timestamp(b.now)); err != nil {
			return err
		}
		if b.openAlerts[key] == nil {
			b.openAlerts[key] = map[string]bool{}
		}
		b.openAlerts[key][k] = true
		if err := b.Event(lifecycle.EntityAuthorization, key, lifecycle.AlertPrefix+lifecycle.EventKind(k), "", map[string]any{"remaining": a.Remaining(), "end": a.End}); err != nil {
			return err
		}
	}
	if mayClear {
		for k := range open {
			if isActive[k] {
				continue
			}
			if _, err := b.execRaw(`UPDATE alerts SET cleared_at = ? WHERE entity_kind = 'authorization' AND entity_id = ? AND kind = ? AND cleared_at = ''`,
				timestamp(b.now), key, k); err != nil {
				return err
			}
			delete(b.openAlerts[key], k)
			if err := b.Event(lifecycle.EntityAuthorization, key, lifecycle.AlertClearedPrefix+lifecycle.EventKind(k), "", nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrUnitsBelowUsed rejects an authorization update granting fewer units than already used.
var ErrUnitsBelowUsed = claims.ErrUnitsBelowUsed

// PutAuthorization stores a validated authorization (new, renewed or corrected) and then
// releases the held sessions it now covers, oldest date of service first, so the earliest
// sessions get the units when there are not enough for all.
func (b *Batch) PutAuthorization(a *claims.Authorization, source string) (Result, error) {
	r, err := b.putAuthorization(a, source)
	if err != nil {
		return r, fmt.Errorf("store: authorization %s: %w", a.Number, err)
	}
	return r, nil
}

func (b *Batch) putAuthorization(a *claims.Authorization, source string) (Result, error) {
	data, hash, err := contentJSON(a)
	if err != nil {
		return Result{}, err
	}
	var stored *claims.StoredAuth
	var oldHash string
	var used int
	pre, prefetched := b.authRows[a.Key()]
	if prefetched {
		// Read ahead with the run of authorizations this one is in (PrefetchAuthorizationRecords),
		// once: a second record for the same key reads the row its first one wrote.
		delete(b.authRows, a.Key())
		if pre.found {
			oldHash, used = pre.hash, pre.used
			stored = &claims.StoredAuth{SameContent: oldHash == hash, Used: used}
		}
	} else {
		q := `SELECT hash, used FROM authorizations WHERE payer = ? AND number = ?`
		if b.db.dialect.name == "postgres" {
			q += ` FOR UPDATE` // the units used stay what the decision saw
		}
		row, err := b.queryRow(q, a.Payer, a.Number)
		if err != nil {
			return Result{}, err
		}
		switch err := row.Scan(&oldHash, &used); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return Result{}, err
		default:
			stored = &claims.StoredAuth{SameContent: oldHash == hash, Used: used}
		}
	}
	change, err := claims.AuthChange(a, stored)
	if err != nil || change == ChangeUnchanged {
		return Result{Change: change}, err
	}
	if err := b.resetAuths(); err != nil {
		return Result{}, err
	}
	if change == ChangeCreated {
		// A new authorization has no alerts yet: nothing to read back.
		if b.openAlerts == nil {
			b.openAlerts = map[string]map[string]bool{}
		}
		b.openAlerts[a.Key().String()] = nil
	}
	now := b.nowStamp()
	row := []any{a.Payer, a.Number, a.ClientID, a.MemberID, a.UnitKind, a.Units, a.Start, a.End, string(data), hash, now, now}
	if prefetched && stored == nil && !b.authInsKeys[a.Key()] {
		// New when the run was read ahead: its row joins a multi-row upsert, written before
		// anything reads authorizations (flushAuthInserts).
		b.queueAuthInsert(a.Key(), row)
	} else {
		r, err := b.exec(authUpsert+authRow1+authUpsertTail, row...)
		if err := oneRow(r, err); err != nil {
			return Result{}, err
		}
	}
	res := Result{Change: change}
	key := a.Key().String()
	if err := b.Event(lifecycle.EntityAuthorization, key, lifecycle.EventKind(res.Change), source, map[string]any{"units": a.Units, "used": used, "start": a.Start, "end": a.End}); err != nil {
		return Result{}, err
	}
	au := &claims.AuthUse{Authorization: *a, Used: used}
	if err := b.authAlerts(au, "authorization "+res.Change, true); err != nil {
		return Result{}, err
	}
	return res, b.releaseHeld(a, source)
}

// heldForAuth finds held sessions by payer and client or member. The literal 'held' lets
// both databases use the partial indexes of migration 0002 (a bound parameter would not).
const heldForAuth = `SELECT received_at, id, data, hold_reason FROM sessions WHERE state = 'held' AND payer = ? AND client_id = ?
		UNION ALL SELECT received_at, id, data, hold_reason FROM sessions WHERE state = 'held' AND payer = ? AND member_id = ?`

// releaseHeld re-checks the held sessions of the authorization's client and payer: the
// domain plans (claims.PlanRelease), ApplyRelease writes.
func (b *Batch) releaseHeld(a *claims.Authorization, source string) error {
	if b.noHeld[heldKey{a.Payer, a.ClientID, a.MemberID}] {
		return nil // none held when the run was read ahead, and a release only lessens them
	}
	held, auths, err := b.heldFor(a)
	if err != nil {
		return err
	}
	return b.ApplyRelease(claims.PlanRelease(held, auths), source)
}

// heldFor reads the held sessions an authorization may release and the authorizations
// (the batch's copies, current) each of them could use.
func (b *Batch) heldFor(a *claims.Authorization) ([]claims.HeldSession, []claims.AuthUse, error) {
	rows, err := b.query(heldForAuth, a.Payer, a.ClientID, a.Payer, a.MemberID)
	if err != nil {
		return nil, nil, err
	}
	var hs []claims.HeldSession
	seen := map[string]bool{}
	for rows.Next() {
		var received, id, data, reason string
		if err := rows.Scan(&received, &id, &data, &reason); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		h := claims.HeldSession{Session: &claims.Session{}, Reason: reason, Received: received}
		if err := json.Unmarshal([]byte(data), h.Session); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("session %s data: %w", id, err)
		}
		hs = append(hs, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var auths []claims.AuthUse
	got := map[claims.AuthKey]bool{}
	for _, h := range hs {
		sts, err := b.cachedAuths(h.Session.Coverage.Payer, h.Session.Client.ID, h.Session.Coverage.MemberID)
		if err != nil {
			return nil, nil, err
		}
		for _, st := range sts {
			if !got[st.Key()] {
				got[st.Key()] = true
				auths = append(auths, st.AuthUse)
			}
		}
	}
	// The plan's match must not depend on the order sessions were read in.
	slices.SortFunc(auths, func(x, y claims.AuthUse) int {
		return cmp.Or(strings.Compare(x.Payer, y.Payer), strings.Compare(x.Number, y.Number))
	})
	return hs, auths, nil
}

// ApplyRelease writes a release plan (claims.PlanRelease). Each change names the state it
// expects: a session is released only while still held for the reason the plan saw, so
// two writers applying the same renewal release it once; one that finds it changed skips
// it and takes none of its units. Units are taken through take's guard: a plan that would
// take units no longer there fails the batch.
func (b *Batch) ApplyRelease(plan []claims.HeldOutcome, source string) error {
	now := timestamp(b.now)
	for _, o := range plan {
		delete(b.known, o.SessionID) // its row changes below
		var r sql.Result
		var err error
		if o.Released {
			r, err = b.exec(`UPDATE sessions SET state = ?, hold_reason = '', auth_payer = ?, auth_number = ?, auth_units = ?, updated_at = ?
				WHERE id = ? AND state = ? AND hold_reason = ?`,
				StateReady, o.Take.Auth.Payer, o.Take.Auth.Number, o.Take.Units, now, o.SessionID, StateHeld, o.Was)
		} else {
			r, err = b.exec(`UPDATE sessions SET hold_reason = ?, updated_at = ? WHERE id = ? AND state = ? AND hold_reason = ?`,
				o.Hold, now, o.SessionID, StateHeld, o.Was)
		}
		if err := oneRow(r, err); errors.Is(err, ErrStale) {
			continue
		} else if err != nil {
			return fmt.Errorf("session %s: %w", o.SessionID, err)
		}
		if o.Released {
			if err := b.take(o.Take, o.SessionID); err != nil {
				return fmt.Errorf("release session %s: %w", o.SessionID, err)
			}
		}
		if err := b.sessionEvents(o.SessionID, source, []claims.SessionEvent{o.Event}); err != nil {
			return err
		}
	}
	return nil
}

// AuthRecord is a stored authorization with its consumption and open alerts.
type AuthRecord struct {
	Number    string   `json:"number"`
	Payer     string   `json:"payer"`
	ClientID  string   `json:"client"`
	MemberID  string   `json:"member_id,omitempty"`
	Codes     []string `json:"codes"`
	UnitKind  string   `json:"unit_kind"`
	Units     int      `json:"units"`
	Used      int      `json:"used"`
	Remaining int      `json:"remaining"`
	Start     string   `json:"start"`
	End       string   `json:"end"`
	Alerts    []string `json:"alerts"`
}

// Key is the record's authorization key.
func (r *AuthRecord) Key() claims.AuthKey { return claims.AuthKey{Payer: r.Payer, Number: r.Number} }

// Authorizations lists every authorization with its open alerts.
func (db *DB) Authorizations(ctx context.Context) ([]AuthRecord, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT payer, number, data, used FROM authorizations ORDER BY payer, number`)
	if err != nil {
		return nil, fmt.Errorf("store: authorizations: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (AuthRecord, error) {
		var payer, number, data string
		var used int
		if err := sc.Scan(&payer, &number, &data, &used); err != nil {
			return AuthRecord{}, err
		}
		var a claims.Authorization
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return AuthRecord{}, fmt.Errorf("store: authorization %s: %w", number, err)
		}
		return AuthRecord{Number: number, Payer: payer, ClientID: a.ClientID, MemberID: a.MemberID, Codes: a.Codes,
			UnitKind: a.UnitKind, Units: a.Units, Used: used, Remaining: a.Units - used, Start: a.Start, End: a.End, Alerts: []string{}}, nil
	})
	if err != nil {
		return nil, err
	}
	alerts, err := db.Alerts(ctx, true)
	if err != nil {
		return nil, err
	}
	// (payer, number) is the table's key: one record per alert entity.
	byKey := make(map[claims.AuthKey]*AuthRecord, len(out))
	for i := range out {
		byKey[out[i].Key()] = &out[i]
	}
	for _, al := range alerts {
		if al.EntityKind != "authorization" {
			continue
		}
		if r, ok := byKey[claims.AuthKey{Payer: al.Payer, Number: al.Number}]; ok {
			r.Alerts = append(r.Alerts, al.Kind)
		}
	}
	return out, nil
}

// Alert is a raised threshold alert.
type Alert struct {
	ID         int64           `json:"id"`
	EntityKind string          `json:"entity_kind"`
	EntityID   string          `json:"entity_id"`
	Payer      string          `json:"payer,omitempty"`
	Number     string          `json:"number,omitempty"`
	Kind       string          `json:"kind"`
	Detail     json.RawMessage `json:"detail"`
	RaisedAt   string          `json:"raised_at"`
	ClearedAt  string          `json:"cleared_at,omitempty"`
}

// Alerts lists alerts in the order raised; openOnly leaves out cleared ones.
func (db *DB) Alerts(ctx context.Context, openOnly bool) ([]Alert, error) {
	q := `SELECT id, entity_kind, entity_id, kind, detail, raised_at, cleared_at FROM alerts`
	if openOnly {
		q += ` WHERE cleared_at = ''`
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	return collectRows(rows, func(sc scanner) (Alert, error) {
		var a Alert
		var d string
		if err := sc.Scan(&a.ID, &a.EntityKind, &a.EntityID, &a.Kind, &d, &a.RaisedAt, &a.ClearedAt); err != nil {
			return a, err
		}
		a.Detail = json.RawMessage(d)
		if a.EntityKind == "authorization" {
			// A key that does not parse still lists, with its entity id only.
			if k, err := claims.ParseAuthKey(a.EntityID); err == nil {
				a.Payer, a.Number = k.Payer, k.Number
			}
		}
		return a, nil
	})
}

// CheckAuthAlerts re-evaluates the alerts of the authorizations whose alerts the day can
// change, at the store's clock: the end-date alert depends on the day, not only on
// consumption, so the alerts job runs this. Those are the ones not ended before today and
// the ones with an open alert (an ended one clears its end-date alert): an authorization
// that ended without an alert gains none from a new day (its units move only with
// sessions, whose intake checks them). Reading every authorization ever held was most of
// a run's time on two years of history, and a transaction long enough to lose the lease.
func (db *DB) CheckAuthAlerts(ctx context.Context, rules *claims.AuthRules) error {
	return db.Batch(ctx, rules, (*Batch).checkAuthAlerts)
}

func (b *Batch) checkAuthAlerts() error {
	rows, err := b.query(`SELECT data, used FROM authorizations WHERE end_date >= ?`, b.now.UTC().Format("2006-01-02"))
	if err != nil {
		return err
	}
	all, err := collectRows(rows, scanAuthUse)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(all))
	for i := range all {
		have[all[i].Key().String()] = true
	}
	// The open alerts of every authorization checked, in one read: authAlerts then finds
	// each in the batch's cache instead of reading its own (a round trip per
	// authorization on PostgreSQL, 3,800 of the 5,700 of a 20,000-session run).
	rows, err = b.query(`SELECT entity_id, kind FROM alerts WHERE entity_kind = 'authorization' AND cleared_at = ''`)
	if err != nil {
		return err
	}
	open, err := collectRows(rows, func(sc scanner) ([2]string, error) {
		var keyKind [2]string
		return keyKind, sc.Scan(&keyKind[0], &keyKind[1])
	})
	if err != nil {
		return err
	}
	b.openAlerts = make(map[string]map[string]bool, len(all))
	var alerted []string
	for _, kk := range open {
		if b.openAlerts[kk[0]] == nil {
			b.openAlerts[kk[0]] = map[string]bool{}
			alerted = append(alerted, kk[0])
		}
		b.openAlerts[kk[0]][kk[1]] = true
	}
	for key := range have {
		if _, ok := b.openAlerts[key]; !ok {
			b.openAlerts[key] = nil
		}
	}
	for _, key := range alerted {
		k, err := claims.ParseAuthKey(key)
		if err != nil || have[key] {
			continue
		}
		row, err := b.queryRow(`SELECT data, used FROM authorizations WHERE payer = ? AND number = ?`, k.Payer, k.Number)
		if err != nil {
			return err
		}
		a, err := scanAuthUse(row)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		all = append(all, a)
	}
	// In key order, as before: alerts and their events come out in a stable order.
	sort.Slice(all, func(i, j int) bool {
		if all[i].Payer != all[j].Payer {
			return all[i].Payer < all[j].Payer
		}
		return all[i].Number < all[j].Number
	})
	for i := range all {
		if err := b.authAlerts(&all[i], "daily check", true); err != nil {
			return err
		}
	}
	return nil
}

// authRow is what putting an authorization reads of its stored row first.
type authRow struct {
	hash  string
	used  int
	found bool
}

// heldKey is a payer's client and member, as heldForAuth looks held sessions up.
type heldKey struct{ payer, client, member string }

// PrefetchAuthorizationRecords reads ahead, for a run of authorization records about to be
// put one after another, their stored rows (hash and units used; on PostgreSQL locked, in
// (payer, number) order) and whether their clients or members have held sessions at all,
// in a few IN queries instead of two lookups per record (each a round trip on
// PostgreSQL). The read-ahead holds only until a session is put (writeSession drops it):
// between the records of the run, a release changes held sessions only to ready or to
// another hold, so "none held" stays true; and units a release takes from one of them
// drop its row (Batch.use), which is then read again.
func (b *Batch) PrefetchAuthorizationRecords(as []*claims.Authorization) error {
	// Rows queued or units consumed in memory must be visible to the reads below.
	if err := b.flushWrites(); err != nil {
		return err
	}
	b.authRows, b.noHeld = nil, nil
	if len(as) == 0 {
		return nil
	}
	numbers := map[string][]string{} // payer -> numbers
	clients := map[string][]string{}
	members := map[string][]string{}
	seen := map[[3]string]bool{}
	rows := make(map[claims.AuthKey]authRow, len(as))
	for _, a := range as {
		if _, ok := rows[a.Key()]; !ok {
			rows[a.Key()] = authRow{}
			numbers[a.Payer] = append(numbers[a.Payer], a.Number)
		}
		if k := [3]string{a.Payer, "c", a.ClientID}; !seen[k] {
			seen[k] = true
			clients[a.Payer] = append(clients[a.Payer], a.ClientID)
		}
		if k := [3]string{a.Payer, "m", a.MemberID}; !seen[k] {
			seen[k] = true
			members[a.Payer] = append(members[a.Payer], a.MemberID)
		}
	}
	payers := make([]string, 0, len(numbers))
	for p := range numbers {
		payers = append(payers, p)
	}
	slices.Sort(payers)
	lock := ""
	if b.db.dialect.name == "postgres" {
		lock = ` ORDER BY number FOR UPDATE` // as the per-record read locks them
	}
	for _, payer := range payers {
		ns := numbers[payer]
		slices.Sort(ns)
		err := chunks(ns, idsPerStatement, func(part []string) error {
			in, args := inList(part)
			r, err := b.queryRaw(`SELECT number, hash, used FROM authorizations WHERE payer = ? AND number IN `+in+lock, append([]any{payer}, args...)...)
			if err != nil {
				return err
			}
			defer r.Close()
			for r.Next() {
				var number string
				row := authRow{found: true}
				if err := r.Scan(&number, &row.hash, &row.used); err != nil {
					return err
				}
				rows[claims.AuthKey{Payer: payer, Number: number}] = row
			}
			return r.Err()
		})
		if err != nil {
			return fmt.Errorf("store: prefetch authorization records: %w", err)
		}
	}
	// Which of the clients and members have held sessions (heldForAuth's two lookups, for
	// the whole run; the literal 'held' keeps the partial indexes of migration 0002).
	heldC, heldM := map[[2]string]bool{}, map[[2]string]bool{}
	for _, payer := range payers {
		for i, ids := range [][]string{clients[payer], members[payer]} {
			col, into := "client_id", heldC
			if i == 1 {
				col, into = "member_id", heldM
			}
			err := chunks(ids, idsPerStatement, func(part []string) error {
				in, args := inList(part)
				r, err := b.queryRaw(`SELECT DISTINCT `+col+` FROM sessions WHERE state = 'held' AND payer = ? AND `+col+` IN `+in,
					append([]any{payer}, args...)...)
				if err != nil {
					return err
				}
				defer r.Close()
				for r.Next() {
					var id string
					if err := r.Scan(&id); err != nil {
						return err
					}
					into[[2]string{payer, id}] = true
				}
				return r.Err()
			})
			if err != nil {
				return fmt.Errorf("store: prefetch held sessions: %w", err)
			}
		}
	}
	b.authRows = rows
	b.noHeld = make(map[heldKey]bool, len(as))
	for _, a := range as {
		if !heldC[[2]string{a.Payer, a.ClientID}] && !heldM[[2]string{a.Payer, a.MemberID}] {
			b.noHeld[heldKey{a.Payer, a.ClientID, a.MemberID}] = true
		}
	}
	return nil
}

// The authorization upsert: a new row, or new terms for a stored one that keep its units
// used within them (else the row is not written, and the batch fails).
const (
	authUpsert = `INSERT INTO authorizations (payer, number, client_id, member_id, unit_kind, units, used,
			start_date, end_date, data, hash, created_at, updated_at) VALUES `
	authRow1       = `(?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`
	authUpsertTail = `
		ON CONFLICT (payer, number) DO UPDATE SET client_id = excluded.client_id, member_id = excluded.member_id,
			unit_kind = excluded.unit_kind, units = excluded.units, start_date = excluded.start_date,
			end_date = excluded.end_date, data = excluded.data, hash = excluded.hash, updated_at = excluded.updated_at
		WHERE authorizations.used <= excluded.units`
	authColumnCount = 12
)

func (b *Batch) queueAuthInsert(k claims.AuthKey, row []any) {
	if b.authInsKeys == nil {
		b.authInsKeys = map[claims.AuthKey]bool{}
	}
	b.authInsKeys[k] = true
	b.authIns = append(b.authIns, row...)
}

// flushAuthInserts writes the queued authorization upserts, rowsPerStatement rows a
// statement, and checks that each wrote its row (RETURNING), as the one-row upsert does.
// Every read of authorizations in a batch comes after it (flushWrites, or a call first).
func (b *Batch) flushAuthInserts() error {
	for len(b.authIns) > 0 {
		n := min(len(b.authIns)/authColumnCount, rowsPerStatement)
		var q strings.Builder
		q.WriteString(authUpsert)
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(authRow1)
		}
		q.WriteString(authUpsertTail + ` RETURNING number`)
		rows, err := b.queryRaw(q.String(), b.authIns[:authColumnCount*n]...)
		if err != nil {
			return fmt.Errorf("authorizations: %w", err)
		}
		got, err := collectRows(rows, scanString)
		if err != nil {
			return fmt.Errorf("authorizations: %w", err)
		}
		if len(got) != n {
			return fmt.Errorf("authorizations: %d of %d written: %w", len(got), n, ErrStale)
		}
		b.authIns = b.authIns[authColumnCount*n:]
	}
	b.authIns = nil
	clear(b.authInsKeys)
	return nil
}

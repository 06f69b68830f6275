package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
)

// What a biller narrows a queue to: ?payer=ID, ?assignee=NAME ("me", or "none" for
// nobody), ?category=C, ?within=N (deadline in N days or already past).
type queueFilter struct {
	Payer, Assignee, Category, Within string
}

func queueFilterOf(r *http.Request) queueFilter {
	q := r.URL.Query()
	return queueFilter{Payer: q.Get("payer"), Assignee: q.Get("assignee"), Category: q.Get("category"), Within: q.Get("within")}
}

// keep filters items in place; me is the signed-in user, today the handler's date.
func (f queueFilter) keep(items []queue.Item, me, today string) []queue.Item {
	var until string
	if n, err := strconv.Atoi(f.Within); err == nil && n >= 0 {
		if t, err := time.Parse(time.DateOnly, today); err == nil {
			until = t.AddDate(0, 0, n).Format(time.DateOnly)
		}
	}
	want := f.Assignee
	if want == "me" {
		want = me
	}
	out := items[:0]
	for _, it := range items {
		switch {
		case f.Payer != "" && it.Payer != f.Payer,
			f.Category != "" && it.Category != f.Category,
			want == "none" && it.Assignee != "",
			want != "" && want != "none" && it.Assignee != want,
			until != "" && (it.Due == "" || it.Due > until):
			continue
		}
		out = append(out, it)
	}
	return out
}

// reasonWords says an item's reason code for the biller: a hold reason, a CARC
// (group-code, as in CO-197) or a 277CA status (category:code, as in A7:33).
func reasonWords(kind queue.Kind, reason string) string {
	if kind == queue.Holds {
		w, _ := queue.HoldWords(reason)
		return w
	}
	if grp, code, ok := strings.Cut(reason, "-"); ok && len(grp) == 2 {
		return remit.CARCWords(code)
	}
	if cat, code, ok := strings.Cut(reason, ":"); ok {
		return strings.TrimSpace(remit.StatusWords(cat) + ": " + remit.StatusWords(code))
	}
	return ""
}

// writeQueueCSV sends the filtered items as a spreadsheet. A cell that a spreadsheet
// would run as a formula (=, +, -, @) is prefixed with a quote.
func (h *handler) writeQueueCSV(w http.ResponseWriter, kind queue.Kind, items []itemView) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+string(kind)+`.csv"`)
	const amountCol = 11 // a number we write (a reversal is negative), not text from outside
	cw := csv.NewWriter(w)
	cw.Write([]string{"item", "claim", "session", "patient", "payer", "date_of_service", "code", "reason", "reason_words", "category",
		"message", "amount", "due", "assignee", "latest_note"})
	for _, it := range items {
		var note string
		if n, ok := it.LatestNote(); ok {
			note = n.Text
		}
		row := []string{it.Key(), it.ClaimID, it.SessionID, it.Patient, h.payerName(it.Payer), it.Date, it.Code, it.Reason, it.Words,
			it.Category, it.Message, it.Amount.String(), it.Due, it.Assignee, note}
		for i, c := range row {
			if i != amountCol && c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				row[i] = "'" + c
			}
		}
		cw.Write(row)
	}
	cw.Flush()
}

// maxBulk bounds one bulk assignment (a page is at most store.MaxPageSize items).
const maxBulk = 500

// bulkAssign assigns every ticked item of a queue page to one biller. Items resolved or
// gone meanwhile are skipped: the others are still assigned.
func (h *handler) bulkAssign(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	kind, q, ok := h.queueOf(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	keys := r.PostForm["key"]
	u := currentUser(ctx)
	who := strings.TrimSpace(r.PostFormValue("assignee"))
	switch {
	case len(keys) == 0:
		http.Error(w, "tick the items to assign", http.StatusBadRequest)
		return
	case len(keys) > maxBulk:
		http.Error(w, fmt.Sprintf("at most %d items at once", maxBulk), http.StatusBadRequest)
		return
	case who == "" || len(who) > maxAssignee:
		http.Error(w, "assignee must be 1-64 characters", http.StatusBadRequest)
		return
	}
	for _, key := range keys {
		err := q.Act(ctx, key, queue.Action{Kind: queue.ActAssign, Who: u.name, Assignee: who, Source: "web"})
		if err != nil && !errors.Is(err, queue.ErrNoItem) && !errors.Is(err, queue.ErrResolved) {
			h.fail(w, r, fmt.Errorf("queue %s %s bulk assign: %w", kind, key, err))
			return
		}
	}
	h.d.Log.Info().Str("user", u.name).Str("queue", string(kind)).Int("items", len(keys)).Msg("web: queue bulk assign")
	http.Redirect(w, r, "/queues/"+string(kind), http.StatusSeeOther)
}

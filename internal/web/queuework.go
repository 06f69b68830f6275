package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/edigate/edigate/internal/store"
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
// streamQueueCSV sends every item of the filtered queue as CSV, read, described and
// written a store page (store.MaxPageSize items) at a time: 40,000 holds never sit in
// memory at once, and the first rows leave before the last are read. Items are paged
// by offset, so an item assigned or resolved during the download may be missed or
// listed twice; the file is a working list, not a record. A store error after the first
// rows aborts the response, so the download fails rather than ending short.
func (h *handler) streamQueueCSV(w http.ResponseWriter, r *http.Request, kind queue.Kind, q Queue, f store.QueuePageFilter) {
	ctx := r.Context()
	started := false
	for off := 0; ; {
		f.Page = store.Page{Limit: store.MaxPageSize, Offset: off}
		items, total, err := pageQueue(ctx, q, f)
		if err == nil {
			views := make([]itemView, len(items))
			for i, it := range items {
				views[i] = itemView{Item: it, Words: reasonWords(kind, it.Reason)}
			}
			if err = h.describeClaims(ctx, views); err == nil {
				if !started {
					w.Header().Set("Content-Type", "text/csv; charset=utf-8")
					w.Header().Set("Content-Disposition", `attachment; filename="`+string(kind)+`.csv"`)
					started = true
				}
				h.writeQueueCSV(w, views, off == 0)
			}
		}
		if err != nil {
			if !started {
				h.fail(w, r, err)
				return
			}
			panic(http.ErrAbortHandler)
		}
		off += len(items)
		if len(items) == 0 || off >= total {
			return
		}
	}
}

// writeQueueCSV writes queue items as CSV rows (after the header row when head).
func (h *handler) writeQueueCSV(w io.Writer, items []itemView, head bool) {
	const amountCol = 11 // a number we write (a reversal is negative), not text from outside
	cw := csv.NewWriter(w)
	if head {
		cw.Write([]string{"item", "claim", "session", "patient", "payer", "date_of_service", "code", "reason", "reason_words", "category",
			"message", "amount", "due", "assignee", "latest_note"})
	}
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

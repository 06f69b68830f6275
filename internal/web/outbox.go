package web

import (
	"context"
	"net/http"
	"time"

	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/outbox"
)

// outboxView is the dashboard's card of what was told to the practice system.
type outboxView struct {
	pipeline.OutboxStatus
	Behind      int64  // events numbered but not yet in a file
	HTTPBehind  int64  // events not yet delivered over HTTP
	NextAttempt string // "Dec 4, 2026 15:04 UTC" when a delivery is failing
	Statements  bool   // the statements download is wired
}

func (h *handler) outboxView(ctx context.Context) (*outboxView, error) {
	if h.d.Outbox == nil {
		return nil, nil
	}
	st, err := h.d.Outbox(ctx)
	if err != nil {
		return nil, err
	}
	v := &outboxView{OutboxStatus: st, Behind: st.Last - st.Written, Statements: h.d.Statements != nil}
	if st.HTTP != nil {
		v.HTTPBehind = st.Last - st.HTTP.Value
		if st.HTTP.Attempts > 0 && !st.HTTP.NextAttempt.IsZero() {
			v.NextAttempt = st.HTTP.NextAttempt.UTC().Format("Jan 2, 2006 15:04 UTC")
		}
	}
	return v, nil
}

// statementsCSV sends the patient-responsibility lines for statements (what `edigate
// outbox statements` writes): ?client=ID for one client, ?from=YYYY-MM-DD for services on
// or after a date.
func (h *handler) statementsCSV(w http.ResponseWriter, r *http.Request) {
	if h.d.Statements == nil {
		http.NotFound(w, r)
		return
	}
	from := r.URL.Query().Get("from")
	if from != "" {
		if _, err := time.Parse(time.DateOnly, from); err != nil {
			http.Error(w, "from: not a date like 2026-12-04", http.StatusBadRequest)
			return
		}
	}
	msgs, err := h.d.Statements(r.Context(), r.URL.Query().Get("client"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="patient-statements.csv"`)
	if err := outbox.WriteStatementsCSV(w, outbox.Statements(msgs, from)); err != nil {
		h.d.Log.Error().Err(err).Msg("statements csv")
	}
}

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
)

// exchangeAlert is one open clearinghouse alert on the dashboard (an overdue 999 or
// 277CA, an outbound file that could not be sent) in the words an administrator acts on.
type exchangeAlert struct {
	Clearinghouse string
	Problem       string // the kind in plain words
	File          string // the local file name
	Remote        string // the name it was sent under, when it went out
	SinceLabel    string // what happened at Since: sent, submitted, rejected
	Since         string
	Due           string // when the answer was due, for overdue responses
	Todo          string
}

// exchangeAlertDetail is the union of the details store.CheckExchangeOverdue and the
// daemon's rejected-file report record.
type exchangeAlertDetail struct {
	Clearinghouse string `json:"clearinghouse"`
	File          string `json:"file"`
	Remote        string `json:"remote"`
	Set           string `json:"set"`
	UploadedAt    string `json:"uploaded_at"`
	SubmittedAt   string `json:"submitted_at"`
	DueBy         string `json:"due_by"`
	Code          string `json:"code"`
}

// exchangeAlerts lists the open alerts that are not about an authorization, oldest first.
func (h *handler) exchangeAlerts(ctx context.Context) ([]exchangeAlert, error) {
	as, err := h.d.Store.Alerts(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []exchangeAlert
	for _, a := range as {
		if a.EntityKind == "authorization" {
			continue
		}
		out = append(out, h.describeExchangeAlert(a))
	}
	return out, nil
}

func (h *handler) describeExchangeAlert(a store.Alert) exchangeAlert {
	var d exchangeAlertDetail
	json.Unmarshal(a.Detail, &d) // a detail we cannot read still shows the kind and when
	v := exchangeAlert{Clearinghouse: h.clearinghouseName(d.Clearinghouse), File: d.File, SinceLabel: "raised", Since: stamp(a.RaisedAt)}
	switch a.Kind {
	case store.AlertAckOverdue:
		v.Problem = "No 999 acknowledgement for " + setWords(d.Set)
		v.Remote, v.SinceLabel, v.Since, v.Due = d.Remote, "sent", stamp(d.UploadedAt), stamp(d.DueBy)
		sent := d.Remote
		if sent == "" {
			sent = d.File
		}
		v.Todo = fmt.Sprintf("Ask the clearinghouse whether it received %s; if it did not, send the file again.", path.Base(sent))
		if d.Set != "" {
			v.Todo += fmt.Sprintf(" If it never sends a 999 for %s files, take %s out of acks_expected_for.", d.Set, d.Set)
		}
	case store.AlertClaimAckOverdue:
		v.Problem = "No 277CA claim acknowledgement for claim " + a.EntityID
		v.SinceLabel, v.Since, v.Due = "submitted", stamp(d.SubmittedAt), stamp(d.DueBy)
		v.Todo = "Ask the clearinghouse whether claim " + a.EntityID + " reached the payer; if it was lost, resubmit the claim."
	case store.AlertOutboundInvalid:
		v.Problem = "Outbound file could not be sent: " + rejectWords(d.Code)
		v.SinceLabel = "rejected"
		dir := "outbound/" + d.Clearinghouse
		v.Todo = fmt.Sprintf("The reason is in %s.error.json in %s/rejected/. Fix or rebuild the file, then put it back in %s/.", d.File, dir, dir)
	default:
		v.Problem = strings.ReplaceAll(a.Kind, "_", " ")
		if v.File == "" {
			v.File = a.EntityID
		}
		v.Todo = "See /alerts on the admin server for the details."
	}
	return v
}

// clearinghouseName is the configured name with its id, or the id alone.
func (h *handler) clearinghouseName(id string) string {
	if ch, ok := h.d.Config.Clearinghouse(id); ok && ch.Name != "" && ch.Name != id {
		return ch.Name + " (" + id + ")"
	}
	return id
}

func setWords(set string) string {
	switch set {
	case "837":
		return "an 837 claim file"
	case "270":
		return "a 270 eligibility file"
	case "276":
		return "a 276 claim status file"
	case "":
		return "an uploaded file"
	}
	return "a " + set + " file"
}

func rejectWords(code string) string {
	switch code {
	case scheduler.RejectNoEnvelope:
		return "it has no ISA/ST envelope"
	case scheduler.RejectNotX12:
		return "it is not an X12 file"
	case scheduler.RejectUnreadable:
		return "it could not be read"
	case "":
		return "see its reason file"
	}
	return code
}

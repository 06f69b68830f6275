package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// pageSize is how many rows a list shows unless the URL asks for another size.
const pageSize = 50

// pager is the "rows a–b of n" line and the links around it; the links keep the filters.
type pager struct {
	Total, From, To int
	Prev, Next      string
}

// pageOf reads ?page= (1-based) and ?size= from the request.
func pageOf(r *http.Request) store.Page {
	size, _ := strconv.Atoi(r.URL.Query().Get("size"))
	if size <= 0 || size > store.MaxPageSize {
		size = pageSize
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return store.Page{Limit: size, Offset: max(n-1, 0) * size}
}

func newPager(r *http.Request, p store.Page, rows, total int) pager {
	pg := pager{Total: total}
	if rows > 0 {
		pg.From, pg.To = p.Offset+1, p.Offset+rows
	}
	link := func(page int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		return r.URL.Path + "?" + q.Encode()
	}
	cur := p.Offset/p.Limit + 1
	if cur > 1 {
		pg.Prev = link(cur - 1)
	}
	if p.Offset+rows < total {
		pg.Next = link(cur + 1)
	}
	return pg
}

// payerName is the configured name of a payer id, else the id itself.
func (h *handler) payerName(id string) string {
	if p, ok := h.payer[id]; ok && p.Name != "" {
		return p.Name
	}
	return id
}

type claimsPage struct {
	pageBase
	State, Payer, Provider, From, To, Age, Sort string
	Desc                                        bool
	States                                      []lifecycle.State
	Payers                                      []payerOption
	Sorts                                       []string
	Rows                                        []store.ClaimListRow
	Pager                                       pager
	Error                                       string
}

func (h *handler) claims(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := claimsPage{pageBase: h.base(r, "Claims", "claims"), State: q.Get("state"), Payer: q.Get("payer"),
		Provider: strings.TrimSpace(q.Get("provider")), From: q.Get("from"), To: q.Get("to"), Age: q.Get("age"),
		Sort: q.Get("sort"), Desc: q.Get("desc") == "1", States: lifecycle.States(), Payers: h.payerOptions(),
		Sorts: []string{"date", "total", "paid", "state", "payer", "updated"}}
	f := store.ClaimListFilter{State: lifecycle.State(p.State), Payer: p.Payer, Provider: p.Provider, From: p.From, To: p.To,
		Sort: p.Sort, Desc: p.Desc, Page: pageOf(r)}
	var bad []string
	if p.State != "" && !f.State.Valid() {
		bad = append(bad, "unknown state")
	}
	for _, d := range []string{p.From, p.To} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			bad = append(bad, "dates are YYYY-MM-DD")
		}
	}
	if p.Provider != "" && !x12.ValidNPI(p.Provider) {
		bad = append(bad, "the provider is a 10-digit NPI")
	}
	if p.Age != "" {
		// Age is days since the date of service: "older than N days" bounds the date.
		n, err := strconv.Atoi(p.Age)
		if err != nil || n < 0 {
			bad = append(bad, "age is a number of days")
		} else if before := h.d.Now().UTC().AddDate(0, 0, -n).Format(time.DateOnly); f.To == "" || before < f.To {
			f.To = before
		}
	}
	if len(bad) > 0 {
		p.Error = strings.Join(bad, "; ")
		h.renderStatus(w, http.StatusBadRequest, "claims", &p)
		return
	}
	rows, total, err := h.d.Store.ClaimList(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Rows, p.Pager = rows, newPager(r, f.Page, len(rows), total)
	h.render(w, "claims", &p)
}

// lineView is one service line with what the payer made of it in the latest posting.
type lineView struct {
	No                     int
	Date, Code, Session    string
	Units                  int
	Billed                 x12.Amount
	Posted                 bool
	Allowed, Paid, Patient x12.Amount
	Adjustments            []adjView
}

type adjView struct {
	Line                 int
	Group, Reason, Words string
	Amount               x12.Amount
}

type postingView struct {
	store.PostedCLP
	Status      string
	Adjustments []adjView
}

type fileView struct{ Kind, Name, Detail string }

type claimPage struct {
	pageBase
	C          store.ClaimRecord
	PayerName  string
	StateWords string
	Lines      []lineView
	Postings   []postingView
	Files      []fileView
	Trace      []traceRow
	Letter     bool
	Correct    bool // the correction form is offered (correct.go)
}

// adjustmentsInWords gives each CAS reason its CARC words (group CO/PR/OA/PI and code).
func adjustmentsInWords(as []store.PostedAdjustment) []adjView {
	out := make([]adjView, 0, len(as))
	for _, a := range as {
		out = append(out, adjView{Line: a.Line, Group: a.Group, Reason: a.Reason, Words: remit.CARCWords(a.Reason), Amount: a.Amount})
	}
	return out
}

// lineAmounts fills a line's allowed, paid and patient share from a posting's line-level
// adjustments, by the 835's balancing rule (SVC03 = SVC02 − ΣCAS): patient responsibility
// is the PR group, allowed is the charge less every other group's adjustment.
func lineAmounts(l *lineView, adj []adjView) {
	var all, pr x12.Amount
	for _, a := range adj {
		if a.Line != l.No {
			continue
		}
		all += a.Amount
		if a.Group == "PR" {
			pr += a.Amount
		}
		l.Adjustments = append(l.Adjustments, a)
	}
	l.Posted = true
	l.Paid, l.Patient, l.Allowed = l.Billed-all, pr, l.Billed-(all-pr)
}

func (h *handler) claim(w http.ResponseWriter, r *http.Request) {
	p, err := h.claimView(r, r.PathValue("id"))
	if h.failed(w, r, err) {
		return
	}
	h.render(w, "claim", p)
}

// claimView gathers the claim page; store.ErrNotFound for an unknown claim.
func (h *handler) claimView(r *http.Request, id string) (*claimPage, error) {
	ctx := r.Context()
	c, err := h.d.Store.Claim(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &claimPage{pageBase: h.base(r, "Claim "+c.ID, "claims"), C: c, PayerName: h.payerName(c.Payer), StateWords: c.State.Words(),
		Letter: h.d.Appeals != nil && letterStates[c.State], Correct: h.d.Corrections != nil && correctStates[c.State]}
	posts, err := h.d.Store.ClaimPostings(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("claim %s postings: %w", id, err)
	}
	// The lines show the latest posting that is not a reversal: that is what stands.
	var standing []adjView
	for _, pc := range posts {
		v := postingView{PostedCLP: pc, Status: remit.ClaimStatusWords(pc.Status), Adjustments: adjustmentsInWords(pc.Adjustments)}
		p.Postings = append(p.Postings, v)
		if pc.Outcome != lifecycle.Reversed {
			standing = v.Adjustments
		}
	}
	for i, l := range c.Claim.Lines {
		lv := lineView{No: i + 1, Date: l.Date, Code: strings.Join(append([]string{l.Code}, l.Modifiers...), ":"), Session: l.SessionID,
			Units: l.Units, Billed: l.Charge}
		if standing != nil {
			lineAmounts(&lv, standing)
		}
		p.Lines = append(p.Lines, lv)
	}
	for _, s := range c.Submissions {
		p.Files = append(p.Files, fileView{Kind: "837P", Name: s.FileName, Detail: fmt.Sprintf("ISA %d, ST %s, %s", s.ISAControl, s.STControl, stamp(s.At))})
	}
	tr, err := h.d.Store.Trace(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("claim %s trace: %w", id, err)
	}
	seen := map[string]bool{}
	for _, f := range p.Files {
		seen[f.Name] = true
	}
	for _, e := range tr.Events {
		p.Trace = append(p.Trace, traceRow{At: e.At, Entity: string(e.EntityKind) + " " + e.EntityID, Kind: string(e.Kind), Words: e.Summary(),
			Source: e.SourceFile, Detail: details(e.Detail)})
		if s := e.SourceFile; s != "" && !seen[s] && fileKind(s) != "file" {
			seen[s] = true
			p.Files = append(p.Files, fileView{Kind: fileKind(s), Name: s, Detail: e.Kind.Words() + ", " + stamp(e.At)})
		}
	}
	return p, nil
}

// fileKind names a response file's transaction by its extension, as the exchange names
// them; a name it does not know shows as a file.
func fileKind(name string) string {
	switch i := strings.LastIndexByte(name, '.'); strings.ToLower(name[i+1:]) {
	case "999":
		return "999"
	case "277", "277ca":
		return "277CA"
	case "835":
		return "835"
	case "837", "837p", "x12":
		return "837P"
	}
	return "file"
}

// failed answers a lookup's error: 404 for what the store does not have, 500 (logged)
// for anything else. It reports whether it answered.
func (h *handler) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		http.NotFound(w, r)
	default:
		h.fail(w, r, err)
	}
	return true
}

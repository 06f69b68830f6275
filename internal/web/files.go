package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
)

// Responses re-applies a response file that could not be applied (pipeline.Pipeline, the
// service `edigate responses` and `remit post` use).
type Responses interface {
	RetryResponse(ctx context.Context, sha string) (store.InboundFile, error)
}

var _ Responses = (*pipeline.Pipeline)(nil)

// exchangeFiles is what the files page reads; *store.DB has it. It is asked of the Store
// at run time so the pages' Store interface stays as it is.
type exchangeFiles interface {
	SentFiles(ctx context.Context, clearinghouse string, p store.Page) ([]store.SentFile, int, error)
	ReceivedFiles(ctx context.Context, clearinghouse string, p store.Page) ([]store.InboundFile, int, error)
}

// sessionEligibility is the latest 271 answer of a session; *store.DB has it.
type sessionEligibility interface {
	EligibilityForSession(ctx context.Context, s store.SessionRecord) (store.EligibilityCheck, error)
}

var (
	_ exchangeFiles      = (*store.DB)(nil)
	_ sessionEligibility = (*store.DB)(nil)
)

func (h *handler) filesRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /files", h.requireUser(h.filesIndex))
	m.HandleFunc("GET /files/{ch}", h.requireUser(h.files))
	m.HandleFunc("POST /files/{ch}/retry", h.requireUser(h.retryFile))
}

type chLink struct{ ID, Name string }

type filesPage struct {
	pageBase
	Clearinghouses []chLink
	CH             chLink
	Sent           []sentView
	SentPager      pager
	Received       []receivedView
	ReceivedPager  pager
	Retry          bool
	Flash          string
}

type sentView struct {
	store.SentFile
	Billed string // "$1,234.50"
}

type receivedView struct {
	store.InboundFile
	Name string
}

func (h *handler) clearinghouses() []chLink {
	var out []chLink
	for _, c := range h.d.Config.Clearinghouses {
		out = append(out, chLink{ID: c.ID, Name: c.Name})
	}
	return out
}

func (h *handler) filesIndex(w http.ResponseWriter, r *http.Request) {
	chs := h.clearinghouses()
	if len(chs) == 1 {
		http.Redirect(w, r, "/files/"+url.PathEscape(chs[0].ID), http.StatusSeeOther)
		return
	}
	h.render(w, "files", &filesPage{pageBase: h.base(r, "Files", "files"), Clearinghouses: chs})
}

// files shows a clearinghouse's exchange: the 837P files sent (uploaded when, each one's
// claims by 999 and 277CA outcome) and the response files received (applied, or failed
// with the reason and a retry button). Each list pages on its own (?page=, ?rpage=).
func (h *handler) files(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ch := r.PathValue("ch")
	p := &filesPage{pageBase: h.base(r, "Files", "files"), Clearinghouses: h.clearinghouses(), CH: chLink{ID: ch, Name: ch},
		Retry: h.d.Responses != nil}
	known := false
	for _, c := range p.Clearinghouses {
		if c.ID == ch {
			p.CH, known = c, true
		}
	}
	ef, ok := h.d.Store.(exchangeFiles)
	if !known || !ok {
		http.NotFound(w, r)
		return
	}
	p.Title = "Files: " + or(p.CH.Name, ch)
	sp := pageOf(r)
	sent, n, err := ef.SentFiles(ctx, ch, sp)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, f := range sent {
		p.Sent = append(p.Sent, sentView{SentFile: f, Billed: eligibility.Dollars(f.Total)})
	}
	p.SentPager = newPager(r, sp, len(sent), n)
	rp := pageParam(r, "rpage")
	recv, n, err := ef.ReceivedFiles(ctx, ch, rp)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, f := range recv {
		p.Received = append(p.Received, receivedView{InboundFile: f, Name: path.Base(f.Path)})
	}
	p.ReceivedPager = paramPager(r, "rpage", rp, len(recv), n)
	switch r.URL.Query().Get("retried") {
	case "applied":
		p.Flash = "The file was applied."
	case "failed":
		p.Flash = "The file still could not be applied: see the reason below."
	}
	h.render(w, "files", p)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pageParam reads a 1-based page number from param (size as pageOf).
func pageParam(r *http.Request, param string) store.Page {
	n, _ := strconv.Atoi(r.URL.Query().Get(param))
	return store.Page{Limit: pageSize, Offset: max(n-1, 0) * pageSize}
}

// paramPager is newPager for a list paged by another parameter than page.
func paramPager(r *http.Request, param string, p store.Page, rows, total int) pager {
	pg := pager{Total: total}
	if rows > 0 {
		pg.From, pg.To = p.Offset+1, p.Offset+rows
	}
	link := func(page int) string {
		q := r.URL.Query()
		q.Set(param, strconv.Itoa(page))
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

// retryFile applies a failed response file again (the form posts its content hash, an
// opaque id) and goes back to the files page saying how it went.
func (h *handler) retryFile(w http.ResponseWriter, r *http.Request) {
	if h.d.Responses == nil {
		http.Error(w, "retrying files is not connected", http.StatusNotFound)
		return
	}
	ch, sha := r.PathValue("ch"), r.PostFormValue("file")
	rec, err := h.d.Responses.RetryResponse(r.Context(), sha)
	switch {
	case err == nil:
	case errors.Is(err, pipeline.ErrNotFailed), errors.Is(err, store.ErrChanged):
		http.Error(w, "this file is not waiting for a retry (applied or retried meanwhile): reload the page", http.StatusConflict)
		return
	default:
		h.fail(w, r, fmt.Errorf("retry response file %s: %w", sha, err))
		return
	}
	u := currentUser(r.Context())
	h.d.Log.Info().Str("user", u.name).Str("file", sha).Str("state", rec.State).Msg("web: response file retried")
	res := "applied"
	if rec.State != store.InboundProcessed {
		res = "failed"
	}
	http.Redirect(w, r, "/files/"+url.PathEscape(ch)+"?retried="+res, http.StatusSeeOther)
}

// eligView is a session's latest eligibility check in words.
type eligView struct {
	State, Requested, Answered, AnswerFile string
	Facts                                  []eligibility.Fact
	Hold                                   string
	Warnings                               []string
}

// sessionEligibilityView reads the session's latest 271 answer (nil when none was asked).
func (h *handler) sessionEligibilityView(ctx context.Context, s store.SessionRecord) (*eligView, error) {
	er, ok := h.d.Store.(sessionEligibility)
	if !ok {
		return nil, nil
	}
	c, err := er.EligibilityForSession(ctx, s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &eligView{State: map[string]string{store.EligRequested: "asked, no answer yet", store.EligAnswered: "answered",
		store.EligRetry: "the payer could not answer; asked again on the next run"}[c.State], Requested: c.RequestedAt, Answered: c.AnsweredAt,
		AnswerFile: c.AnswerFile}
	if v.State == "" {
		v.State = c.State
	}
	if len(c.Result) > 0 {
		var res eligibility.Result
		if err := json.Unmarshal(c.Result, &res); err == nil {
			v.Facts = eligibility.Words(res)
		}
	}
	if len(c.Decision) > 0 {
		var d eligibility.Decision
		if err := json.Unmarshal(c.Decision, &d); err == nil {
			if d.Hold {
				v.Hold = "Held: " + strings.ReplaceAll(d.Reason, "_", " ")
				if d.Detail != "" {
					v.Hold += ": " + d.Detail
				}
			}
			v.Warnings = d.Warnings
		}
	}
	return v, nil
}

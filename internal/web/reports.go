package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// Reporter is what the reports page reads: the store's report functions, the same ones
// `edigate report` prints, so the page and the command line cannot disagree.
type Reporter interface {
	DenialReport(ctx context.Context, by string) ([]store.DenialRow, error)
	ARReport(ctx context.Context) (store.ARReport, error)
	AcceptanceReport(ctx context.Context) (store.AcceptanceReport, error)
	AppealsReport(ctx context.Context) (store.AppealsReport, error)
	PaymentsReport(ctx context.Context, by string) ([]store.PaymentRow, error)
	DenialReports(ctx context.Context) (map[string][]store.DenialRow, error)
	UnderpaymentReport(ctx context.Context) ([]store.UnderpaymentRow, error)
}

var _ Reporter = (*store.DB)(nil)

// denialGroupings are the denial report's groupings, in page order, with their titles.
var denialGroupings = []struct{ By, Title string }{
	{"payer", "Denials by payer"}, {"cpt", "Denials by procedure (CPT)"}, {"carc", "Denials by reason (CARC)"},
	{"category", "Denials by category"}, {"provider", "Denials by rendering provider"}, {"month", "Denials by month of the remittance"},
}

// reportTable is one report as the page shows it: a chart, the same numbers as a table,
// the counting base in words and the CSV of exactly those numbers.
type reportTable struct {
	ID, Title, Base string
	Chart           template.HTML
	Head            []string
	Rows            [][]string
	Total           []string
	CSV             string
}

type reportsPage struct {
	pageBase
	Connected bool
	Show      string
	Sections  []reportSection
	Reports   []reportTable
	AsOf      string
}

// computeSection computes a section's reports: the denial groupings from one read.
func (h *handler) computeSection(ctx context.Context, rep Reporter, sec *reportSection) ([]reportTable, error) {
	var out []reportTable
	if sec.Key == "denials" {
		all, err := rep.DenialReports(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range denialGroupings {
			out = append(out, h.denialRows(g.By, all[g.By]))
		}
	}
	for _, name := range sec.Reports {
		t, err := h.buildReport(ctx, rep, name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// reportSection is one tab of the reports page: each reads only what it shows, so a page
// costs one pass over the postings however many charts it has.
type reportSection struct {
	Key, Title string
	Reports    []string
}

var reportSections = []reportSection{
	{"denials", "Denials", nil},
	{"claims", "Acceptance, A/R and appeals", []string{"acceptance", "ar", "appeals"}},
	{"payments", "Payments", []string{"payments-payer", "payments-month", "underpayments"}},
}

func (h *handler) reporter() (Reporter, bool) {
	r, ok := h.d.Store.(Reporter)
	return r, ok
}

func (h *handler) reports(w http.ResponseWriter, r *http.Request) {
	p := reportsPage{pageBase: h.base(r, "Reports", "reports"), Show: r.URL.Query().Get("show"), Sections: reportSections}
	var sec *reportSection
	for i := range reportSections {
		if reportSections[i].Key == p.Show {
			sec = &reportSections[i]
		}
	}
	if sec == nil {
		sec, p.Show = &reportSections[0], reportSections[0].Key
	}
	if rep, ok := h.reporter(); ok {
		p.Connected = true
		// Computed for each view: the store keeps the sums with the postings (claimremit.go),
		// so a report reads a few hundred rows, not every posting.
		tables, err := h.computeSection(r.Context(), rep, sec)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Reports, p.AsOf = tables, h.d.Now().UTC().Format("Jan 2, 2006 15:04 UTC")
	}
	h.render(w, "reports", &p)
}

// reportNames are the reports in page order; each is also /reports/NAME.csv.
var reportNames = func() []string {
	var out []string
	for _, g := range denialGroupings {
		out = append(out, "denials-"+g.By)
	}
	return append(out, "acceptance", "ar", "appeals", "payments-payer", "payments-month", "underpayments")
}()

// reportCSV sends one report's table as CSV (the numbers under its chart).
func (h *handler) reportCSV(w http.ResponseWriter, r *http.Request) {
	rep, ok := h.reporter()
	name := strings.TrimSuffix(r.PathValue("file"), ".csv")
	known := false
	for _, n := range reportNames {
		known = known || n == name
	}
	if !ok || !known || !strings.HasSuffix(r.PathValue("file"), ".csv") {
		http.NotFound(w, r)
		return
	}
	// The CSV is the table under the chart the biller is looking at: the same computation.
	var t reportTable
	for i := range reportSections {
		sec := &reportSections[i]
		tables, err := h.computeSection(r.Context(), rep, sec)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, tb := range tables {
			if tb.ID == name {
				t = tb
			}
		}
		if t.ID != "" {
			break
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(t.Head)
	for _, row := range t.Rows {
		cw.Write(defuse(row))
	}
	if t.Total != nil {
		cw.Write(t.Total)
	}
	cw.Flush()
}

// defuse keeps a spreadsheet from running a cell as a formula (a name from outside edigate
// could start with =, +, - or @); amounts are written by us and keep their sign.
func defuse(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@", rune(c[0])) && !isAmount(c) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

func isAmount(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "$")
	_, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return err == nil
}

func (h *handler) buildReport(ctx context.Context, rep Reporter, name string) (reportTable, error) {
	if by, ok := strings.CutPrefix(name, "denials-"); ok {
		return h.denialTable(ctx, rep, by)
	}
	if by, ok := strings.CutPrefix(name, "payments-"); ok {
		return h.paymentsTable(ctx, rep, by)
	}
	switch name {
	case "underpayments":
		return h.underpaymentsTable(ctx, rep)
	case "acceptance":
		a, err := rep.AcceptanceReport(ctx)
		if err != nil {
			return reportTable{}, err
		}
		rows := [][]string{{"Accepted", strconv.Itoa(a.Accepted)}, {"Rejected", strconv.Itoa(a.Rejected)}, {"No answer yet", strconv.Itoa(a.Pending)}}
		return h.countTable(name, "First-pass acceptance",
			fmt.Sprintf("Counted in claims: original claims submitted (%d), by the first answer of the 999 and 277CA. Acceptance rate %s.", a.Submitted, percent(a.Rate)),
			[]string{"Outcome", "Claims"}, rows, []string{"Submitted", strconv.Itoa(a.Submitted)}), nil
	case "ar":
		a, err := rep.ARReport(ctx)
		if err != nil {
			return reportTable{}, err
		}
		t := reportTable{ID: name, Title: "Days in accounts receivable",
			Base: fmt.Sprintf("Counted in claims waiting for a first payment, by days since they were sent (as of %s). Paid claims took %.1f days on average (%d claims).",
				dateWords(a.AsOf), a.AverageDays, a.PaidClaims),
			Head: []string{"Days since sent", "Claims", "Billed"}, CSV: "/reports/" + name + ".csv"}
		var bars []bar
		for _, b := range a.Open {
			t.Rows = append(t.Rows, []string{b.Bucket + " days", strconv.Itoa(b.Claims), money(b.Amount)})
			bars = append(bars, bar{Label: b.Bucket + " days", Value: int64(b.Claims), Text: plural(b.Claims, "claim") + ", " + money(b.Amount)})
		}
		t.Total = []string{"Open", strconv.Itoa(a.OpenClaims), money(a.OpenAmount)}
		t.Chart = barChart(t.Title, bars)
		return t, nil
	case "appeals":
		a, err := rep.AppealsReport(ctx)
		if err != nil {
			return reportTable{}, err
		}
		rows := [][]string{{"Won", strconv.Itoa(a.Won)}, {"Lost", strconv.Itoa(a.Lost)}, {"Waiting", strconv.Itoa(a.Pending)}}
		return h.countTable(name, "Appeals won and lost",
			fmt.Sprintf("Counted in claims appealed (%d); a denied claim a later 835 paid counts as won. Win rate %s of those decided.", a.Appeals, percent(a.WinRate)),
			[]string{"Outcome", "Claims"}, rows, []string{"Appealed", strconv.Itoa(a.Appeals)}), nil
	}
	return reportTable{}, fmt.Errorf("report %q: %w", name, store.ErrNotFound)
}

// countTable is a report of labelled claim counts.
func (h *handler) countTable(id, title, base string, head []string, rows [][]string, total []string) reportTable {
	t := reportTable{ID: id, Title: title, Base: base, Head: head, Rows: rows, Total: total, CSV: "/reports/" + id + ".csv"}
	var bars []bar
	for _, r := range rows {
		n, _ := strconv.Atoi(r[1])
		bars = append(bars, bar{Label: r[0], Value: int64(n), Text: plural(n, "claim")})
	}
	t.Chart = barChart(title, bars)
	return t
}

func (h *handler) denialTable(ctx context.Context, rep Reporter, by string) (reportTable, error) {
	rows, err := rep.DenialReport(ctx, by)
	if err != nil {
		return reportTable{}, err
	}
	return h.denialRows(by, rows), nil
}

func (h *handler) denialRows(by string, rows []store.DenialRow) reportTable {
	title := ""
	for _, g := range denialGroupings {
		if g.By == by {
			title = g.Title
		}
	}
	what := map[string]string{"payer": "Payer", "cpt": "Procedure", "carc": "Reason", "category": "Category", "provider": "Provider", "month": "Month"}[by]
	t := reportTable{ID: "denials-" + by, Title: title, CSV: "/reports/denials-" + by + ".csv",
		Base: "Counted in claims, as each stands after its latest remittance: a denied claim counts once, under the " +
			map[string]string{"payer": "payer", "cpt": "procedure", "carc": "reason", "category": "category", "provider": "provider", "month": "month"}[by] +
			" that holds most of its denied amount, so every grouping adds up to the same denied claims.",
		Head: []string{what, "Claims", "Denied claims", "Denial rate", "Denied lines", "Denied amount"}}
	var bars []bar
	var denied, lines int
	var amount x12.Amount
	for _, r := range rows {
		if r.Denied == 0 {
			continue // a group with claims but no denial: not a denial row
		}
		label := h.denialKeyWords(by, r.Key)
		t.Rows = append(t.Rows, []string{label, strconv.Itoa(r.Claims), strconv.Itoa(r.Denied), percent(r.Rate), strconv.Itoa(r.DeniedLines), money(r.DeniedAmount)})
		bars = append(bars, bar{Label: label, Value: int64(r.Denied), Text: plural(r.Denied, "claim") + ", " + money(r.DeniedAmount)})
		denied, lines, amount = denied+r.Denied, lines+r.DeniedLines, amount+r.DeniedAmount
	}
	t.Total = []string{"All", "", strconv.Itoa(denied), "", strconv.Itoa(lines), money(amount)}
	t.Chart = barChart(title, bars)
	return t
}

func (h *handler) paymentsTable(ctx context.Context, rep Reporter, by string) (reportTable, error) {
	rows, err := rep.PaymentsReport(ctx, by)
	if err != nil {
		return reportTable{}, err
	}
	what := map[string]string{"payer": "Payer", "month": "Month"}[by]
	t := reportTable{ID: "payments-" + by, Title: "Payments by " + strings.ToLower(what), CSV: "/reports/payments-" + by + ".csv",
		Base: "Counted in dollars paid by the 835s, net of reversals; patient responsibility beside it.",
		Head: []string{what, "Claims", "Paid", "Patient responsibility"}}
	var bars []bar
	var paid, patient x12.Amount
	for _, r := range rows {
		label := h.denialKeyWords(by, r.Key)
		t.Rows = append(t.Rows, []string{label, strconv.Itoa(r.Claims), money(r.Paid), money(r.Patient)})
		bars = append(bars, bar{Label: label, Value: int64(r.Paid), Text: money(r.Paid)})
		paid, patient = paid+r.Paid, patient+r.Patient
	}
	t.Total = []string{"All", "", money(paid), money(patient)}
	t.Chart = barChart(t.Title, bars)
	return t, nil
}

// underpaymentsTable is `edigate report underpayments` as a chart and table: the same
// store report, so the page, its CSV and the command line count the same lines.
func (h *handler) underpaymentsTable(ctx context.Context, rep Reporter) (reportTable, error) {
	rows, err := rep.UnderpaymentReport(ctx)
	if err != nil {
		return reportTable{}, err
	}
	t := reportTable{ID: "underpayments", Title: "Underpayments by payer", CSV: "/reports/underpayments.csv",
		Base: "Counted in service lines with a contracted rate (the payer's fee schedule), as each claim's latest remittance paid them; " +
			"expected is the contract less the patient's share, short is what the lines paid below it lack.",
		Head: []string{"Payer", "Lines", "Expected", "Paid", "Underpaid lines", "Short", "Open items", "Open amount"}}
	var bars []bar
	var lines, under, open int
	var exp, paid, short, openAmt x12.Amount
	for _, r := range rows {
		label := h.payerName(r.Payer)
		t.Rows = append(t.Rows, []string{label, strconv.Itoa(r.Lines), money(r.Expected), money(r.Paid), strconv.Itoa(r.Underpaid),
			money(r.Short), strconv.Itoa(r.OpenItems), money(r.OpenAmount)})
		bars = append(bars, bar{Label: label, Value: int64(r.Short), Text: money(r.Short) + " short on " + plural(r.Underpaid, "line")})
		lines, under, open = lines+r.Lines, under+r.Underpaid, open+r.OpenItems
		exp, paid, short, openAmt = exp+r.Expected, paid+r.Paid, short+r.Short, openAmt+r.OpenAmount
	}
	t.Total = []string{"All", strconv.Itoa(lines), money(exp), money(paid), strconv.Itoa(under), money(short), strconv.Itoa(open), money(openAmt)}
	t.Chart = barChart(t.Title, bars)
	return t, nil
}

// denialKeyWords names a report key for the biller: payer and provider names, months as
// "Dec 2026", reasons and categories in words.
func (h *handler) denialKeyWords(by, key string) string {
	switch by {
	case "payer":
		return h.payerName(key)
	case "provider":
		return h.providerName(key)
	case "month":
		if t, err := time.Parse("200601", key); err == nil {
			return t.Format("Jan 2006")
		}
	case "carc":
		if key == "" || key == "-" {
			return "no reason given"
		}
		_, code, _ := strings.Cut(key, "-")
		if w := remit.CARCWords(code); w != "" {
			return key + " " + w
		}
	case "category":
		if key == "" {
			return "no reason given"
		}
		if w, ok := denialCategoryWords[key]; ok {
			return w
		}
		return strings.ReplaceAll(key, "_", " ")
	case "cpt":
		if key == "" {
			return "no code"
		}
	}
	if key == "" {
		return "unknown"
	}
	return key
}

// providerName is a rendering provider's name from the configuration, else its NPI.
func (h *handler) providerName(npi string) string {
	for _, pr := range h.d.Config.Practices {
		for _, p := range pr.Providers {
			if p.NPI == npi && p.LastName != "" {
				n := strings.TrimSpace(p.FirstName + " " + p.LastName)
				if p.Credential != "" {
					n += ", " + p.Credential
				}
				return n
			}
		}
	}
	if npi == "" {
		return "no provider on the remittance"
	}
	return "NPI " + npi
}

// money writes an amount as "$1,234.50" (a refund or reversal as "-$12.00").
func money(a x12.Amount) string { return a.Dollars() }

func percent(r float64) string { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// dateWords writes YYYY-MM-DD as "Dec 4, 2026".
func dateWords(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("Jan 2, 2006")
}

// denialCategoryWords names the denial categories (remit.Category*) for the biller.
var denialCategoryWords = map[string]string{
	remit.CategoryAuthorization: "Authorization missing or invalid",
	remit.CategoryEligibility:   "Coverage or eligibility",
	remit.CategoryCoding:        "Coding (procedure, diagnosis, modifier)",
	remit.CategoryDocumentation: "Missing information or records",
	remit.CategoryDuplicate:     "Duplicate claim",
	remit.CategoryTimelyFiling:  "Filed too late",
	remit.CategoryCOB:           "Another payer pays first",
	remit.CategoryProvider:      "Provider not eligible or enrolled",
	remit.CategoryBenefitLimit:  "Benefit limit reached",
	remit.CategoryContractual:   "Contractual adjustment",
	remit.CategoryOther:         "Other reason",
}

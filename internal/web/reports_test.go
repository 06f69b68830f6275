package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// seedRemits posts adjudications straight into the remit tables: claims of two payers and
// two providers over two months, several denied with more than one CARC (the case where
// counting by payer and by CARC used to disagree), one reversed and paid again.
func seedRemits(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	payers := []string{"demo-commercial", "demo-medicaid"}
	npis := []string{"1245319599", "1003000126"}
	for i := 1; i <= 16; i++ {
		id := fmt.Sprintf("R-%02d", i)
		payer := payers[i%2]
		exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility,
			total_cents, state, data, created_at, updated_at) VALUES (?, ?, 'p', ?, 'sim', 'C', '2026-11-02', '1', 'P', 20000, 'filed', '{}', 't', 't')`, id, id, payer)
		date := []string{"20261203", "20261115"}[i%3%2]
		outcome, paid := "paid", int64(20000)
		if i%4 != 0 {
			outcome, paid = "denied", 0
		}
		if i%5 == 0 {
			outcome, paid = "partially_paid", 12000
		}
		exec(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents, patient_cents,
			outcome, pay_date, rendering_npi, line_codes) VALUES (1, ?, ?, '60054', 'CHK', ?, 'PC', 20000, ?, 0, ?, ?, ?, '90837 90785')`,
			i, id, strconv.Itoa(i), paid, outcome, date, npis[i%2])
		if outcome == "paid" {
			continue
		}
		exec(`INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category) VALUES (1, ?, 1, '90837', 'CO', '197', ?, 'authorization')`,
			i, 15000-i*100)
		if i%3 == 0 { // a second reason on the other line
			exec(`INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category) VALUES (1, ?, 2, '90785', 'CO', '16', ?, 'documentation')`,
				i, 5000+i*1000)
		}
	}
	// R-01 denied, then reversed and paid on a later check: it stands paid.
	exec(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents, patient_cents,
		outcome, pay_date, rendering_npi, line_codes) VALUES (2, 1, 'R-01', '60054', 'CHK2', '22', 'PC', -20000, 0, 0, 'reversed', '20261210', '1245319599', '')`)
	exec(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents, patient_cents,
		outcome, pay_date, rendering_npi, line_codes) VALUES (2, 2, 'R-01', '60054', 'CHK2', '1', 'PC', 20000, 18000, 2000, 'paid', '20261210', '1245319599', '90837 90785')`)
	// Postings written directly: the per-claim totals the posting transaction keeps, once.
	if err := db.RebuildClaimRemit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestReportsAgree: every denial grouping on /reports and in its CSV adds up to the same
// denied claims, lines and amount, which are the store's DenialReport numbers that
// `edigate report denials` prints; the charts are server-side SVG under the strict CSP,
// with payer and provider names and months in words.
func TestReportsAgree(t *testing.T) {
	f := newFixture(t, nil)
	seedRemits(t, f.db)
	c := f.login(t, testUser, testPassword)
	resp, page := f.get(t, c, "/reports")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/reports: %d", resp.StatusCode)
	}
	for _, show := range []string{"claims", "payments"} {
		_, more := f.get(t, c, "/reports?show="+show)
		page += more
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	for _, want := range []string{"<svg class=\"chart\"", "Demo Commercial Health", "Demo State Medicaid", "Dec 2026", "Nov 2026",
		"Dana Rivers", "Counted in claims", "CO-197 Precertification", "Days in accounts receivable", "First-pass acceptance",
		"Appeals won and lost", "Payments by payer", "Payments by month", `href="/reports/denials-carc.csv"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/reports lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", ">60054<", ">202612<", "style="} {
		if strings.Contains(page, bad) {
			t.Errorf("/reports has %q", bad)
		}
	}
	// The store's totals (what the CLI prints).
	want, err := f.db.DenialReport(context.Background(), "payer")
	if err != nil {
		t.Fatal(err)
	}
	var wd, wl int
	var wa x12.Amount
	for _, r := range want {
		wd, wl, wa = wd+r.Denied, wl+r.DeniedLines, wa+r.DeniedAmount
	}
	// 12 of 16 claims denied or part paid (every 4th paid), R-01 paid again after its reversal: 11.
	if wd != 11 {
		t.Fatalf("store counts %d denied claims, want 11: %+v", wd, want)
	}
	for _, g := range denialGroupings {
		resp, body := f.get(t, c, "/reports/denials-"+g.By+".csv")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s csv: %d %s", g.By, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var d, l int
		for _, r := range recs[1 : len(recs)-1] {
			n, _ := strconv.Atoi(r[2])
			m, _ := strconv.Atoi(r[4])
			d, l = d+n, l+m
		}
		total := recs[len(recs)-1]
		if d != wd || l != wl || total[2] != strconv.Itoa(wd) || total[5] != money(wa) {
			t.Errorf("by %s: denied %d lines %d total row %v; store says %d, %d, %s", g.By, d, l, total, wd, wl, money(wa))
		}
		rows, err := f.db.DenialReport(context.Background(), g.By)
		if err != nil {
			t.Fatal(err)
		}
		var sd int
		for _, r := range rows {
			sd += r.Denied
		}
		if sd != wd {
			t.Errorf("store by %s counts %d denied claims, by payer %d", g.By, sd, wd)
		}
	}
	if resp, _ := f.get(t, c, "/reports/nope.csv"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown report: %d", resp.StatusCode)
	}
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{{"0", "$0.00"}, {"5", "$5.00"}, {"1234.5", "$1,234.50"}, {"-12", "-$12.00"}, {"1234567.89", "$1,234,567.89"}, {"999.99", "$999.99"}} {
		if got := money(x12.MustAmount(tc.in)); got != tc.want {
			t.Errorf("money(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestUnderpaymentsAgree: the reports page's underpayments table and its CSV count the
// lines `edigate report underpayments` counts (the store's UnderpaymentReport), by payer
// name, with the open underpayment items.
func TestUnderpaymentsAgree(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		payer, paid := "demo-commercial", int64(9000)
		if i%2 == 1 {
			payer = "demo-medicaid"
		}
		if i%3 == 0 {
			paid = 7000 // 20.00 short
		}
		exec(`INSERT INTO remit_expected (claim_id, line_no, payer, payer_id, check_no, code, service_date, contract_cents, patient_cents,
			expected_cents, paid_cents, rate_source, source_file) VALUES (?, 1, ?, '60054', 'CHK', '90837', '2026-11-02', 10000, 1000, 9000, ?, 'fee_schedule', 'f')`,
			fmt.Sprint("U-", i), payer, paid)
	}
	exec(`INSERT INTO queue_items (kind, claim_id, line_no, payer, reason, category, message, due, amount_cents, state, created_at)
		VALUES ('denials', 'U-0', 1, '60054', 'underpaid', ?, 'Paid below the fee schedule', '', 2000, 'open', 't')`, remit.CategoryUnderpaid)
	want, err := f.db.UnderpaymentReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lines, under, open int
	var short x12.Amount
	for _, r := range want {
		lines, under, open, short = lines+r.Lines, under+r.Underpaid, open+r.OpenItems, short+r.Short
	}
	if lines != 6 || under != 2 || open != 1 || short != x12.MustAmount("40") {
		t.Fatalf("store: %+v", want)
	}
	c := f.login(t, testUser, testPassword)
	_, page := f.get(t, c, "/reports?show=payments")
	for _, s := range []string{"Underpayments by payer", "Counted in service lines", "Demo State Medicaid", `href="/reports/underpayments.csv"`} {
		if !strings.Contains(page, s) {
			t.Errorf("/reports?show=payments lacks %q", s)
		}
	}
	resp, body := f.get(t, c, "/reports/underpayments.csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("underpayments.csv: %d", resp.StatusCode)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var l, u, o int
	for _, r := range recs[1 : len(recs)-1] {
		n, _ := strconv.Atoi(r[1])
		m, _ := strconv.Atoi(r[4])
		k, _ := strconv.Atoi(r[6])
		l, u, o = l+n, u+m, o+k
	}
	total := recs[len(recs)-1]
	if l != lines || u != under || o != open || total[1] != strconv.Itoa(lines) || total[5] != money(short) || len(recs) != 2+len(want) {
		t.Errorf("CSV lines %d underpaid %d open %d, total row %v; store %d %d %d %s", l, u, o, total, lines, under, open, money(short))
	}
}

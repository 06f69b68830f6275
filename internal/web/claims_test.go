package web

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestClaimsPages files claims through the pipeline and the simulator (one paid, one
// denied for a missing authorization), then reads the claims list with its filters and
// paging, and the denied claim's page: its lines with billed, allowed, paid and patient
// amounts, the adjustment's CARC in words, the state in words, the files it travelled in
// and its history.
func TestClaimsPages(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.Appeals = fakeLetters{} })
	w := newLifecycleWorld(t, f)
	w.sessions(false, "C-PAI")
	w.sessions(true, "C-DEN")
	name, data := w.file()
	w.upload(name, data)
	w.answer(data, "835")
	paid, denied := w.claimOf("S-C-PAI"), w.claimOf("S-C-DEN")
	// Filing also built the fixture's three ready sessions (S-1, S-2, S-5): five claims.
	f.h.d.Config.DataDir = f.dir // where the pipeline wrote the 837P
	c := f.login(t, testUser, testPassword)

	tests := []struct {
		name, path  string
		want, avoid []string
	}{
		{"all", "/claims", []string{`id="claim-` + paid, `id="claim-` + denied, "Rows 1–5 of 5", "Demo Commercial Health"}, []string{`rel="next"`}},
		{"denied only", "/claims?state=denied", []string{`id="claim-` + denied, "Rows 1–1 of 1", `<span class="tag">Denied</span>`}, []string{`id="claim-` + paid}},
		{"paging", "/claims?size=1&sort=state", []string{"Rows 1–1 of 5", `href="/claims?page=2&amp;size=1&amp;sort=state" rel="next"`}, nil},
		{"page 2", "/claims?size=1&sort=state&page=2", []string{"Rows 2–2 of 5", `rel="prev"`, `rel="next"`}, nil},
		{"last page", "/claims?size=2&page=3", []string{"Rows 5–5 of 5", `rel="prev"`}, []string{`rel="next"`}},
		{"date range excludes", "/claims?to=2026-11-01", []string{"No claims match.", "No rows"}, nil},
		{"older than 10 days", "/claims?age=10", []string{"Rows 1–5 of 5"}, nil},
		{"older than 11 days", "/claims?age=11", []string{"Rows 1–3 of 3"}, []string{`id="claim-` + paid}},
		{"older than 30 days", "/claims?age=30", []string{"No claims match."}, nil},
		{"provider", "/claims?provider=1245319599&state=paid", []string{`id="claim-` + paid}, []string{`id="claim-` + denied}},
		{"other provider", "/claims?provider=1679576722", []string{"No claims match."}, nil},
		{"denied claim page", "/claims/" + denied, []string{
			"<b>Denied</b>", "Demo Commercial Health",
			"CO-197", "Precertification/authorization/notification/pre-treatment absent",
			`<td class="num">150.00</td> <td class="num">0.00</td><td class="num">0.00</td><td class="num">0.00</td> <td><div>CO-197 150.00`,
			"<td>837P</td><td>" + name + "</td>", "<td>835</td>", "<td>277CA</td>", "<td>999</td>",
			`<a href="/appeals/` + denied + `/letter">`, `<a href="/sessions/S-C-DEN">`,
		}, nil},
		{"837P segments of the claim only", "/claims/" + denied + "/files/1", []string{"CLM*" + denied + "*150***11:B:1", "HL*", "SV1*HC:90837"},
			[]string{"CLM*" + paid, "ISA*", "SE*"}},
		{"999 shown whole or said missing", "/claims/" + denied + "/files/2", []string{"no longer in the data directory"}, nil},
		{"paid claim page", "/claims/" + paid, []string{"<b>Paid</b>", "processed as primary",
			`<td class="num">150.00</td> <td class="num">120.00</td><td class="num">120.00</td><td class="num">0.00</td> <td><div>CO-45 30.00: Charge exceeds fee schedule`}, []string{"/letter"}},
		{"session links its claim", "/sessions/S-C-DEN", []string{`<a href="/claims/` + denied + `">`, "Denied"}, nil},
		{"sessions page", "/sessions?size=2", []string{"Rows 1–2 of 7", `rel="next"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := squash(f.page(t, c, tc.path))
			for _, s := range tc.want {
				if !strings.Contains(page, s) {
					t.Errorf("%s lacks %q\n%s", tc.path, s, page)
				}
			}
			for _, s := range tc.avoid {
				if strings.Contains(page, s) {
					t.Errorf("%s has %q", tc.path, s)
				}
			}
		})
	}
	for _, bad := range []string{"/claims?state=nope", "/claims?from=12/01/2026", "/claims?provider=123", "/claims?age=-3"} {
		if resp, _ := f.get(t, c, bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp, _ := f.get(t, c, "/claims/NOPE"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown claim: status %d", resp.StatusCode)
	}
}

// TestQueuePaging: the holds queue shows one page of items, nearest deadline first, with
// links to the next and previous pages; the dashboard counts holds by reason without
// listing them.
func TestQueuePaging(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	for _, tc := range []struct {
		path, want, avoid, pager string
	}{
		{"/queues/holds?size=1", `Patient: <b>Doe-C-88, Jane</b>`, `id="session-S-3"`, `Rows 1–1 of 2 · <a href="/queues/holds?page=2&amp;size=1" rel="next">`},
		{"/queues/holds?size=1&page=2", `id="session-S-3"`, `id="session-S-4"`, `Rows 2–2 of 2 · <a href="/queues/holds?page=1&amp;size=1" rel="prev">`},
		{"/queues/holds?size=1&page=9", "Nothing to work here.", `id="session-S`, "No rows on this page (2 in all)"},
	} {
		page := squash(f.page(t, c, tc.path))
		if !strings.Contains(page, tc.want) || strings.Contains(page, tc.avoid) || !strings.Contains(page, tc.pager) {
			t.Errorf("%s: want %q and %q, not %q\n%s", tc.path, tc.want, tc.pager, tc.avoid, page)
		}
	}
}

func TestClaimSegments(t *testing.T) {
	isa := "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261120*1200*^*00501*000000001*0*T*:~"
	file := isa + "GS*HC*S*R*20261120*1200*1*X*005010X222A1~ST*837*0001~HL*1**20*1~NM1*85*2*P~HL*2*1*22*0~CLM*A1*100***11:B:1~SV1*HC:90837*100~" +
		"HL*3*1*22*0~CLM*A2*90***11:B:1~SV1*HC:90834*90~SE*9*0001~GE*1*1~IEA*1*000000001~"
	era := isa + "ST*835*1~CLP*A1*1*100*80**12*P1~CAS*CO*45*20~CLP*A2*4*90*0**12*P2~CAS*CO*197*90~SE*6*1~"
	tests := []struct {
		kind, data, claim string
		want              []string
		ok                bool
	}{
		{"837P", file, "A1", []string{"HL*2*1*22*0", "CLM*A1*100***11:B:1", "SV1*HC:90837*100"}, true},
		{"837P", file, "A2", []string{"HL*3*1*22*0", "CLM*A2*90***11:B:1", "SV1*HC:90834*90"}, true},
		{"837P", file, "A", nil, false},
		{"835", era, "A1", []string{"CLP*A1*1*100*80**12*P1", "CAS*CO*45*20"}, true},
		{"835", era, "A2", []string{"CLP*A2*4*90*0**12*P2", "CAS*CO*197*90"}, true},
		{"837P", "not x12", "A1", nil, false},
	}
	for _, tc := range tests {
		got, ok := claimSegments(tc.kind, []byte(tc.data), tc.claim)
		if ok != tc.ok || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s %s: %q %v, want %q %v", tc.kind, tc.claim, got, ok, tc.want, tc.ok)
		}
	}
}

// TestQueueFiltersAndCSV: a queue narrows by payer, assignee (me, none, a name), category
// and deadline, and exports what it shows as CSV, with reasons in words, payer names and
// formula-looking cells defused.
func TestQueueFiltersAndCSV(t *testing.T) {
	f := newFixture(t, allQueues)
	openItems(t, f.db,
		`(31, 'denials', 'PCN1', 0, 'demo-commercial', 'CO-197', 'authorization', 'appeal', '=HYPERLINK("x")', '2026-11-25', 15000, 'open', 't')`,
		`(32, 'denials', 'PCN2', 0, 'demo-medicaid', 'CO-50', 'medical_necessity', 'appeal', '', '2027-03-01', 9000, 'open', 't')`,
		`(33, 'denials', 'PCN3', 0, 'demo-commercial', 'CO-16', '', '', '', '', 0, 'open', 't')`)
	if _, err := f.db.SQL().ExecContext(t.Context(), `UPDATE queue_items SET assignee = 'biller' WHERE id = 32`); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, testUser, testPassword)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"31", "32", "33"}},
		{"?payer=demo-medicaid", []string{"32"}},
		{"?assignee=me", []string{"32"}},
		{"?assignee=none", []string{"31", "33"}},
		{"?category=authorization", []string{"31"}},
		{"?within=10", []string{"31"}},
		{"?within=365&payer=demo-commercial", []string{"31"}},
	} {
		page := f.page(t, c, "/queues/denials"+tc.query)
		for _, id := range []string{"31", "32", "33"} {
			if got, want := strings.Contains(page, `<article class="card item" id="`+id+`">`), slices.Contains(tc.want, id); got != want {
				t.Errorf("%s: item %s shown %v, want %v", tc.query, id, got, want)
			}
		}
	}
	resp, body := f.get(t, c, "/queues/denials?payer=demo-commercial&format=csv")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv rows %q, %v", rows, err)
	}
	if got := strings.Join(rows[1], "|"); got != `31|PCN1|||Demo Commercial Health|||CO-197|Precertification/authorization/notification/pre-treatment absent|authorization|'=HYPERLINK("x")|150.00|2026-11-25||` {
		t.Errorf("csv row = %s", got)
	}
	if !strings.Contains(f.page(t, c, "/queues/denials"), `href="/queues/denials?format=csv"`) {
		t.Error("no CSV link")
	}
}

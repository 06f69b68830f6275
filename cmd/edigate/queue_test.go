package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// A denied 835 posted through the CLI lands on the denial queue; the item is resolved as
// an appeal; the letter, report and trace show it; posting the file again changes nothing.
func TestQueueAppealFlow(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := `{"id":"PCN3001","practice":"demo-practice","payer":"demo-commercial","client":{"first_name":"Test","last_name":"Patient"},` +
		`"coverage":{"payer":"demo-commercial","member_id":"MEMBER003"},"date":"2024-11-01"}`
	if _, err := db.SQL().Exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency,
		responsibility, total_cents, state, data, created_at, updated_at)
		VALUES ('PCN3001', 'PCN3001', 'demo-practice', 'demo-commercial', 'sim', 'c', '2024-11-01', '1', 'P', 15000, 'filed', ?, 't', 't')`, data); err != nil {
		t.Fatal(err)
	}
	db.Close()
	d := "--data=" + dir
	if code, out, stderr := runCmd(t, "", "remit", "post", d, rt+"835-denied-co197.x12"); code != exitOK || !strings.Contains(out, "applied 1") {
		t.Fatalf("post: %d %s %s", code, out, stderr)
	}
	if _, out, _ := runCmd(t, "", "remit", "post", d, rt+"835-denied-co197.x12"); !strings.Contains(out, "already applied") {
		t.Errorf("second post: %s", out)
	}
	code, out, stderr := runCmd(t, "", "queue", "list", d, "--kind", "denials", "--json")
	var items []store.QueueItem
	if err := json.Unmarshal([]byte(out), &items); err != nil || code != exitOK || len(items) != 1 {
		t.Fatalf("queue list: %d %s %s %v", code, out, stderr, err)
	}
	if items[0].Reason != "CO-197" || items[0].Category != "authorization" || items[0].Due != "2025-05-30" {
		t.Errorf("item = %+v", items[0])
	}
	code, out, stderr = runCmd(t, "", "appeal", "letter", d, "PCN3001")
	if code != exitOK || !strings.Contains(out, "Demo Commercial Health") || !strings.Contains(out, "CO-197") ||
		!strings.Contains(out, "Member ID: MEMBER003") || !strings.Contains(out, "adjudicated on 2024-12-01") {
		t.Errorf("letter: %d %s %s", code, out, stderr)
	}
	id := fmt.Sprint(items[0].ID)
	// The denial is assigned and noted; the list shows who has it and the latest note.
	for _, args := range [][]string{
		{"queue", "assign", d, "--who", "lee", id, "kim"},
		{"queue", "note", d, "--who", "kim", id, "asked", "the", "practice", "for", "the", "auth", "record"},
	} {
		if code, _, stderr := runCmd(t, "", args...); code != exitOK {
			t.Fatalf("%v: %d %s", args, code, stderr)
		}
	}
	_, out, _ = runCmd(t, "", "queue", "list", d, "--kind", "denials")
	if !strings.Contains(out, "ASSIGNEE") || !strings.Contains(out, "LATEST NOTE") || !strings.Contains(out, "kim: asked the practice for the auth record") {
		t.Errorf("queue list text:\n%s", out)
	}
	// Unknown queues and outcomes are errors that say the valid ones.
	for _, args := range [][]string{
		{"queue", "list", d, "--kind", "denial"},
		{"queue", "resolve", d, id, "--outcome", "appealed"},
	} {
		code, _, stderr := runCmd(t, "", args...)
		if code != exitUsage || (!strings.Contains(stderr, "holds, rejections, denials, appeals, follow-up, review") &&
			!strings.Contains(stderr, "resubmitted, appeal_sent, written_off, appeal_won, appeal_lost, no_action")) {
			t.Errorf("%v: exit %d %s", args, code, stderr)
		}
	}
	if code, _, stderr := runCmd(t, "", "queue", "resolve", d, id, "--outcome", "appeal_sent", "--who", "kim", "--note", "faxed"); code != exitOK {
		t.Fatalf("resolve: %s", stderr)
	}
	if code, _, _ := runCmd(t, "", "queue", "resolve", d, id, "--outcome", "appeal_sent"); code != exitInvalid {
		t.Errorf("resolving twice: exit %d", code)
	}
	if code, _, _ := runCmd(t, "", "queue", "note", d, id, "late"); code != exitInvalid {
		t.Errorf("noting a resolved item: exit %d", code)
	}
	// The appeal the denial became keeps its assignee and notes.
	_, out, _ = runCmd(t, "", "queue", "list", d, "--kind", "appeals", "--json")
	var appeals []store.QueueItem
	if err := json.Unmarshal([]byte(out), &appeals); err != nil || len(appeals) != 1 {
		t.Fatalf("appeals: %s %v", out, err)
	}
	var thread []string
	for _, e := range appeals[0].Thread {
		thread = append(thread, fmt.Sprintf("%s %s %s %d", e.Who, e.What, e.Text, e.From))
	}
	want := []string{"lee assign kim " + id, "kim note asked the practice for the auth record " + id, "kim note faxed " + id, "kim resolve appeal_sent " + id}
	if ap := appeals[0]; ap.ClaimID != "PCN3001" || ap.Assignee != "kim" || strings.Join(thread, "|") != strings.Join(want, "|") {
		t.Errorf("appeal = %+v\nthread %q", ap, thread)
	}
	_, out, _ = runCmd(t, "", "queue", "list", d, "--kind", "appeals")
	if !strings.Contains(out, "kim: faxed") {
		t.Errorf("appeals text:\n%s", out)
	}
	// queue show prints the appeal's whole thread, the denial's entries marked as its.
	code, out, stderr = runCmd(t, "", "queue", "show", d, fmt.Sprint(appeals[0].ID))
	if code != exitOK || !strings.Contains(out, "Appeals item "+fmt.Sprint(appeals[0].ID)+": claim PCN3001, open") ||
		!strings.Contains(out, "assignee: kim") || !regexp.MustCompile(`lee\s+assign\s+kim\s+`+id).MatchString(out) ||
		!regexp.MustCompile(`kim\s+resolve\s+appeal_sent\s+`+id).MatchString(out) {
		t.Errorf("queue show: %d %s\n%s", code, stderr, out)
	}
	if code, _, _ := runCmd(t, "", "queue", "show", d, "999"); code != exitInvalid {
		t.Errorf("queue show unknown: exit %d", code)
	}
	_, out, _ = runCmd(t, "", "report", "denials", d, "--by", "carc", "--json")
	if !strings.Contains(out, `"key": "CO-197"`) || !strings.Contains(out, `"denied_amount": "150.00"`) {
		t.Errorf("report: %s", out)
	}
	code, out, _ = runCmd(t, "", "trace", d, "PCN3001")
	if code != exitOK || !strings.Contains(out, "denied") || !strings.Contains(out, "appealed") {
		t.Errorf("trace: %s", out)
	}
	if code, _, _ := runCmd(t, "", "trace", d, "NOPE"); code != exitInvalid {
		t.Errorf("trace unknown: %d", code)
	}
	if code, _, _ := runCmd(t, "", "appeal", "letter", d, "--out", filepath.Join(dir, "l.txt"), "PCN3001"); code != exitOK {
		t.Fatal("letter --out")
	}
	if fi, err := os.Stat(filepath.Join(dir, "l.txt")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("letter file mode %v %v", fi.Mode(), err)
	}
}

// The report verbs and queue followup print the store's numbers as JSON: a denied claim
// counts in the CO-197 line rate and as accepted (adjudicated), and follow-up has nothing
// to ask about a claim that already has its 835.
func TestReportsAndFollowupCLI(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency,
		responsibility, total_cents, state, data, created_at, updated_at)
		VALUES ('PCN3001', 'PCN3001', 'demo-practice', 'demo-commercial', 'sim', 'c', '2024-11-01', '1', 'P', 15000, 'filed', '{}', 't', 't')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
		VALUES ('sim', 'f.x12', 'T', 1, 1, 1, 15000, 'x', '2024-11-02T10:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control) VALUES ('PCN3001', 1, 1, 1, '0001')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	d := "--data=" + dir
	if code, out, stderr := runCmd(t, "", "remit", "post", d, rt+"835-denied-co197.x12"); code != exitOK {
		t.Fatalf("post: %d %s %s", code, out, stderr)
	}
	var acc store.AcceptanceReport
	if code, out, stderr := runCmd(t, "", "report", "acceptance", d, "--json"); code != exitOK || json.Unmarshal([]byte(out), &acc) != nil ||
		acc.Submitted != 1 || acc.Accepted != 1 || acc.Rate != 1 {
		t.Errorf("acceptance: %d %s %s", code, out, stderr)
	}
	var ar store.ARReport
	if code, out, stderr := runCmd(t, "", "report", "ar", d, "--json"); code != exitOK || json.Unmarshal([]byte(out), &ar) != nil ||
		ar.PaidClaims != 0 || ar.OpenClaims != 1 || ar.Open[3].Claims != 1 {
		t.Errorf("ar: %d %s %s", code, out, stderr)
	}
	var ap store.AppealsReport
	if code, out, stderr := runCmd(t, "", "report", "appeals", d, "--json"); code != exitOK || json.Unmarshal([]byte(out), &ap) != nil || ap.Appeals != 0 {
		t.Errorf("appeals: %d %s %s", code, out, stderr)
	}
	var rows struct{ Rows []store.DenialRow }
	if code, out, stderr := runCmd(t, "", "report", "denials", d, "--by", "carc", "--json"); code != exitOK || json.Unmarshal([]byte(out), &rows) != nil ||
		len(rows.Rows) != 1 || rows.Rows[0].Key != "CO-197" || rows.Rows[0].Lines == 0 || rows.Rows[0].LineRate <= 0 {
		t.Errorf("denials by carc: %d %s %s", code, out, stderr)
	}
	code, out, stderr := runCmd(t, "", "queue", "followup", d, "--json")
	if code != exitOK || !strings.Contains(out, `"queued": []`) || !strings.Contains(out, `"inquiries": 0`) {
		t.Errorf("followup: %d %s %s", code, out, stderr)
	}
}

// TestQueueListPages: `queue list --kind K` prints one page of the queue, counted in the
// store, and says on standard error which page of how many it is.
func TestQueueListPages(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.SQL().Exec(`INSERT INTO queue_items (kind, claim_id, payer, reason, category, message, due, amount_cents, state, created_at)
			VALUES ('denials', ?, 'demo-commercial', 'CO-197', 'authorization', 'Precertification absent', ?, 15000, 'open', 't')`,
			fmt.Sprint("CL-", i), fmt.Sprintf("2027-01-%02d", 10-i)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	d := "--data=" + dir
	var got []string
	for page, want := range map[string][]string{"1": {"CL-4", "CL-3"}, "3": {"CL-0"}} {
		code, out, stderr := runCmd(t, "", "queue", "list", d, "--kind", "denials", "--size", "2", "--page", page, "--json")
		var items []store.QueueItem
		if err := json.Unmarshal([]byte(out), &items); err != nil || code != exitOK {
			t.Fatalf("page %s: %d %s %s %v", page, code, out, stderr, err)
		}
		got = got[:0]
		for _, it := range items {
			got = append(got, it.ClaimID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || !strings.Contains(stderr, "page "+page+" of 3 (5 items)") {
			t.Errorf("page %s: %v, %q; want %v (nearest deadline first)", page, got, stderr, want)
		}
	}
	if code, _, stderr := runCmd(t, "", "queue", "list", d, "--kind", "denials", "--size", "501"); code != exitUsage {
		t.Errorf("--size 501: exit %d %s", code, stderr)
	}
}

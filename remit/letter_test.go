package remit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testLetter(t *testing.T, file string) *Letter {
	p := readFile(t, "testdata/"+file).Remittance.Payments[0]
	c := p.Claims[0]
	l := &Letter{Date: "2024-12-05",
		Practice: LetterPractice{Name: "Sunrise Counseling", Address: "1 Main St, Springfield IL", NPI: "1234567893", TaxID: "123456789",
			Contact: "Billing Office", Phone: "555-0100"},
		Payer:         LetterPayer{ID: "60054", Name: p.Payer},
		Member:        LetterMember{Name: "Test Patient", ID: "MEMBER003"},
		Claim:         LetterClaim{ID: c.PatientControl, PayerClaim: c.PayerClaim, ServiceDate: "2024-11-01", Charge: c.Charge, Paid: c.Paid},
		Denial:        LetterDenial{Category: c.DenialCategory, RemitDate: p.Date, Check: p.Check, Due: c.AppealDue, Items: c.Denials},
		Authorization: LetterAuthorization{Number: "AUTH777", Start: "2024-10-01", End: "2025-03-31", Units: 24},
		Proof:         []string{"999 accepted 2024-11-02 (ISA 000000101);", "277CA accepted 2024-11-03 (payer claim PAYER3001)."},
	}
	l.Enclosures = DefaultEnclosures(l.Denial.Category, true, l.Proof)
	return l
}

func TestAppealLetterByCategory(t *testing.T) {
	l := testLetter(t, "835-denied-co197.x12")
	txt, err := Renderer{}.Text(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"claim PCN3001 (payer claim number PAYER3001)", "CO-197 150.00 Precertification/authorization",
		"remark N54", "prior authorization AUTH777 (24 units, valid 2024-10-01 to 2025-03-31)", "- Prior authorization record",
		"due 2025-05-30", "Member ID: MEMBER003"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("text letter lacks %q:\n%s", want, txt)
		}
	}
	// Timely filing argues with the submission proof.
	l.Denial.Category = CategoryTimelyFiling
	l.Enclosures = DefaultEnclosures(l.Denial.Category, true, l.Proof)
	txt, _ = Renderer{}.Text(l)
	if !strings.Contains(string(txt), "999 accepted 2024-11-02") || !strings.Contains(string(txt), "acceptance dates") {
		t.Errorf("timely filing letter:\n%s", txt)
	}

	l.Member.Name = "<script>x</script>"
	h, err := Renderer{}.HTML(l)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h), "<script>x") || !strings.Contains(string(h), "<td>CO-197</td>") {
		t.Errorf("html letter not escaped or lacks the denial table:\n%s", h)
	}
}

func TestAppealLetterOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "60054"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "60054", "appeal.txt.tmpl"), []byte(`ACME FORM {{.Claim.ID}} {{template "argument" .}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	l := testLetter(t, "835-denied-co197.x12")
	txt, err := Renderer{Dir: dir}.Text(l)
	if err != nil || !strings.HasPrefix(string(txt), "ACME FORM PCN3001 The services were rendered under prior authorization") {
		t.Errorf("payer override: %s %v", txt, err)
	}
	l.Payer.ID = "other"
	txt, _ = Renderer{Dir: dir}.Text(l)
	if strings.HasPrefix(string(txt), "ACME FORM") {
		t.Error("override applied to another payer")
	}
}

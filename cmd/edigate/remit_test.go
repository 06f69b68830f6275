package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const rt = "../../remit/testdata/"

func TestRemitParseExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"835", []string{rt + "835-paid.x12"}, exitOK},
		{"unbalanced 835 prints and fails", []string{rt + "835-unbalanced.x12"}, exitInvalid},
		{"unbalanced 835 as JSON fails too", []string{"--json", rt + "835-unbalanced.x12"}, exitInvalid},
		{"277CA", []string{rt + "277ca-mix.x12"}, exitOK},
		{"999", []string{fx + "999-partial.x12"}, exitOK},
		{"837 is not a response", []string{fx + "837p-two-sets.x12"}, exitInvalid},
		{"271 points to eligibility parse", []string{"../../eligibility/testdata/deductible-coinsurance.271"}, exitInvalid},
		{"truncated", []string{fx + "bad-truncated-isa.x12"}, exitInvalid},
		{"missing file", []string{rt + "nope.x12"}, exitUsage},
		{"no file", nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", append([]string{"remit", "parse"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			if strings.HasPrefix(tt.name, "unbalanced") && (!strings.Contains(stderr, "do not balance") || !strings.Contains(strings.ToLower(stdout), "balanced")) {
				t.Errorf("unbalanced 835: stdout %q, stderr %q", stdout, stderr)
			}
			if strings.HasPrefix(tt.name, "271") && !strings.Contains(stderr, "edigate eligibility parse") {
				t.Errorf("stderr %q does not point to eligibility parse", stderr)
			}
			if strings.HasPrefix(tt.name, "837") && !strings.Contains(stderr, "x12 validate") {
				t.Errorf("stderr %q does not point to x12 validate", stderr)
			}
		})
	}
}

// The JSON keys are the ones issue 8 names; amounts are strings.
func TestRemitParseJSONShape(t *testing.T) {
	code, out, stderr := runCmd(t, "", "remit", "parse", "--json", rt+"835-unknown-carc.x12")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Payments []struct {
			Payer, PayeeNPI, Check, Date, Total string
			Balanced                            *bool
			BalanceErrors                       []any `json:"balance_errors"`
			PLB                                 []any `json:"plb"`
			Claims                              []struct {
				PatientControl string `json:"patient_control"`
				Status         string
				StatusText     string `json:"status_text"`
				Charge, Paid   string
				PR             string `json:"patient_responsibility"`
				PayerClaim     string `json:"payer_claim"`
				Adjustments    []any
				Remarks        []struct{ Code string }
				DenialCategory string `json:"denial_category"`
				Lines          []struct {
					Code, Charge, Paid, Units, Date string
					Modifiers                       []string
					Adjustments                     []struct{ Group, Reason, Amount string }
					Remarks                         []struct{ Code string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Payments[0]
	c := p.Claims[0]
	if p.Payer != "ACME HEALTH" || p.Total != "60.00" || p.Balanced == nil || !*p.Balanced || p.BalanceErrors == nil ||
		p.PLB == nil || c.PatientControl != "PCN9001" || c.StatusText == "" || c.PR != "0.00" || c.PayerClaim != "PAYER9001" ||
		c.DenialCategory != "documentation" || c.Remarks[0].Code != "MA130" || c.Lines[1].Adjustments[0].Reason != "16" ||
		c.Lines[1].Adjustments[0].Amount != "100.00" || c.Lines[1].Remarks[0].Code != "N290" || c.Lines[0].Units != "1" {
		t.Errorf("835 JSON = %s", out)
	}

	code, out, _ = runCmd(t, "", "remit", "parse", "--json", rt+"277ca-mix.x12")
	var ca struct {
		Claims []struct {
			PatientControl string `json:"patient_control"`
			Category       string
			Accepted       *bool
			PayerClaim     string `json:"payer_claim"`
			Message        string
		}
	}
	if err := json.Unmarshal([]byte(out), &ca); err != nil || code != exitOK {
		t.Fatal(code, err)
	}
	if len(ca.Claims) != 4 || ca.Claims[1].Category != "A7" || ca.Claims[1].Accepted == nil || *ca.Claims[1].Accepted ||
		ca.Claims[0].PayerClaim != "PAYER1001" || ca.Claims[1].Message == "" {
		t.Errorf("277CA JSON = %s", out)
	}

	_, out, _ = runCmd(t, "", "remit", "parse", "--json", fx+"999-partial.x12")
	var ak struct {
		Groups []struct {
			Sets []struct {
				Status string
				Errors []struct {
					Segment  string
					Elements []struct{ Code string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &ak); err != nil {
		t.Fatal(err)
	}
	if len(ak.Groups) != 1 || ak.Groups[0].Sets[1].Status != "R" || ak.Groups[0].Sets[1].Errors[0].Elements[0].Code != "7" {
		t.Errorf("999 JSON = %s", out)
	}
}

// The text output is for people: the payment date reads as a date, not as CCYYMMDD.
func TestRemitParseTextDate(t *testing.T) {
	code, out, stderr := runCmd(t, "", "remit", "parse", rt+"835-paid.x12")
	if code != exitOK || !strings.Contains(out, " on 2024-12-01: ") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
}

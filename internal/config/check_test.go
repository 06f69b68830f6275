package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIdentifierChecks(t *testing.T) {
	cases := []struct {
		name  string
		check func(string) string
		in    string
		want  string // substring of the problem; "" means valid
	}{
		{"npi valid", npiProblem, "1245319599", ""},
		{"npi valid 2", npiProblem, "1003000126", ""},
		{"npi check digit", npiProblem, "1245319598", "fails the NPI check digit"},
		{"npi swapped digits", npiProblem, "1254319599", "fails the NPI check digit"},
		{"npi short", npiProblem, "124531959", "must be 10 digits"},
		{"npi letters", npiProblem, "12453195X9", "must be 10 digits"},
		{"npi empty", npiProblem, "", "must be 10 digits"},
		{"tax id digits", taxIDProblem, "371234567", ""},
		{"tax id with dash", taxIDProblem, "37-1234567", ""},
		{"tax id dash misplaced", taxIDProblem, "371-234567", "must be 9 digits"},
		{"tax id short", taxIDProblem, "37123456", "must be 9 digits"},
		{"tax id ssn style", taxIDProblem, "371-23-4567", "must be 9 digits"},
		{"taxonomy valid", taxonomyProblem, "101YP2500X", ""},
		{"taxonomy empty is optional", taxonomyProblem, "", ""},
		{"taxonomy lower case", taxonomyProblem, "101yp2500x", "is not a taxonomy code"},
		{"taxonomy no X", taxonomyProblem, "101YP25001", "is not a taxonomy code"},
		{"taxonomy 11 chars", taxonomyProblem, "101YP25000X", "is not a taxonomy code"},
		{"payer id", payerIDProblem, "60054", ""},
		{"payer id letters", payerIDProblem, "BH001", ""},
		{"payer id empty", payerIDProblem, "", "must not be empty"},
		{"payer id space", payerIDProblem, "60 054", "is not a payer id"},
		{"payer id one char", payerIDProblem, "6", "is not a payer id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.check(c.in)
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("%q: got %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// Each broken value in a file is one problem naming its key and line.
func TestCheckProblemsCarryLines(t *testing.T) {
	const file = `data_dri: /tmp/x
log:
  levle: info
practices:
  - id: p1
    npi: "1234567890"
    tax_id: "37-1234567"
    taxonomy: 261qm0801x
    providers:
      - npi: "1245319599"
        supervisor: "1003000126"
      - npi: "1245319599"
payers:
  - id: payer1
    payer_id: "60 054"
    clearinghouse: simm
    claim_filing_indicator: CI
    timely_filing_dayz: 90
  - id: payer2
    payer_id: "12345"
    clearinghouse: sim
    claim_filing_indicator: CI
    appeal_days: ninety
    enrollment:
      - {npi: "1111111111", status: active}
`
	path := filepath.Join(t.TempDir(), "practice.yml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		key  string
		msg  string
	}{
		{1, "data_dri", "did you mean data_dir?"},
		{3, "log.levle", "did you mean log.level?"},
		{6, "practices[0].npi", "fails the NPI check digit"},
		{8, "practices[0].taxonomy", "is not a taxonomy code"},
		{11, "practices[0].providers[0].supervisor", `1003000126 is not a provider of practice "p1"`},
		{12, "practices[0].providers[1].npi", "listed twice"},
		{15, "payers[0].payer_id", "is not a payer id"},
		{16, "payers[0].clearinghouse", `"simm" is not a configured clearinghouse`},
		{18, "payers[0].timely_filing_dayz", "did you mean payers[0].timely_filing_days?"},
		{23, "payers[1].appeal_days", `"ninety": cannot parse value as 'int'`},
		{25, "payers[1].enrollment[0].npi", "fails the NPI check digit"},
	}
	if len(c.Problems) != len(want) {
		for _, p := range c.Problems {
			t.Log(p)
		}
		t.Fatalf("%d problems, want %d", len(c.Problems), len(want))
	}
	for i, w := range want {
		p := c.Problems[i]
		if p.Line != w.line || p.Key != w.key || !strings.Contains(p.Message, w.msg) || p.File != path {
			t.Errorf("problem %d = %v, want line %d key %s message with %q", i, p, w.line, w.key, w.msg)
		}
	}
	if got := c.Problems[0].Error(); got != path+":1: config data_dri: unknown key; did you mean data_dir?" {
		t.Errorf("error text %q", got)
	}
	// Load refuses the same file with every problem in its error.
	_, err = Load(path)
	if ps := Problems(err); len(ps) != len(want) {
		t.Errorf("Load: %d problems in %v", len(ps), err)
	}
}

// A valid file loads; the EIN's dash is dropped so the 837 and the 270 get nine digits.
func TestCheckValidFileNormalizes(t *testing.T) {
	const file = `practices:
  - id: p1
    name: Valley Counseling
    npi: "1245319599"
    tax_id: "37-1234567"
    taxonomy: 101YP2500X
    providers:
      - {npi: "1003000126", credential: LPC-A, supervisor: "1245319599"}
      - {npi: "1245319599", credential: LCSW, licensed: true}
`
	path := filepath.Join(t.TempDir(), "ok.yml")
	os.WriteFile(path, []byte(file), 0o600)
	c, err := Check(path)
	if err != nil || len(c.Problems) != 0 {
		t.Fatalf("%v %v", err, c.Problems)
	}
	if got := c.Config.Practices[0].TaxID; got != "371234567" {
		t.Errorf("tax id %q", got)
	}
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
}

// Validation problems on values the file does not set (built-in or environment) name the
// key without a line.
func TestProblemWithoutFileHasNoLine(t *testing.T) {
	p := &Problem{Key: "store", Message: `"mysql" is neither sqlite nor a postgres:// URL`}
	if got := p.Error(); got != `config store: "mysql" is neither sqlite nor a postgres:// URL` {
		t.Errorf("%q", got)
	}
}

func TestCheckUnreadable(t *testing.T) {
	dir := t.TempDir()
	if _, err := Check(filepath.Join(dir, "missing.yml")); err == nil {
		t.Error("missing file accepted")
	}
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("payers:\n  - id: x\n   name: y\n"), 0o600)
	if _, err := Check(bad); err == nil || !strings.Contains(err.Error(), "yaml: line") {
		t.Errorf("syntax error: %v", err)
	}
}

// An unknown key in the secrets file is named with that file's line.
func TestCheckSecretsUnknownKey(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.yml")
	os.WriteFile(secrets, []byte("clearinghouses:\n  - id: sim\n    sftp:\n      pasword: x\n"), 0o600)
	t.Setenv("APP_CONFIG", "")
	t.Setenv("APP_CONFIG_SECRETS", secrets)
	c, err := Check("")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 1 || c.Problems[0].File != secrets || c.Problems[0].Line != 4 ||
		c.Problems[0].Message != "unknown key; did you mean clearinghouses[0].sftp.password?" {
		t.Fatalf("%v", c.Problems)
	}
	if _, err := Load(""); err == nil {
		t.Error("Load accepted it")
	}
}

// A bad value from an EDIGATE_* variable names the variable, not the file's line.
func TestCheckEnvOverrideNamed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yml")
	os.WriteFile(path, []byte("store: sqlite\nlog:\n  level: info\n"), 0o600)
	t.Setenv("EDIGATE_STORE", "mysql")
	c, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 1 || c.Problems[0].Line != 0 ||
		c.Problems[0].Error() != `config store: "mysql" is neither sqlite nor a postgres:// URL (set by EDIGATE_STORE)` {
		t.Fatalf("%v", c.Problems)
	}
}

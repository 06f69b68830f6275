package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneVerdict: every command gives the same verdict on a file. Truncated files, a
// missing trailer, a wrong count or a guide finding are exit 1 everywhere, never output
// with exit 0; the read-only commands still print what they could read and the errors.
func TestOneVerdict(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mix := read("../../remit/testdata/277ca-mix.x12")
	reversal := read("../../remit/testdata/835-reversal.x12")
	elig := read(fx + "271-active-coverage.x12")
	tests := []struct {
		name  string
		data  string
		parse string // "remit" or "eligibility"
		code  int
		shows string // in the parse command's stdout
	}{
		{"277CA valid", mix, "remit", exitOK, "claim "},
		{"277CA cut before SE", mix[:strings.Index(mix, "\nSE*")+1], "remit", exitInvalid, "has no SE"},
		{"277CA cut inside a segment", mix[:strings.Index(mix, "\nSE*")-3], "remit", exitInvalid, "error(s)"},
		{"835 bad reversal CLP03", strings.Replace(reversal, "CLP*PCN4001*22*-150*", "CLP*PCN4001*22**", 1), "remit", exitInvalid, "claim left out"},
		{"835 wrong SE count", strings.Replace(reversal, "SE*18*", "SE*17*", 1), "remit", exitInvalid, "payment CHK4001"},
		{"271 valid", elig, "eligibility", exitOK, "active"},
		{"271 missing IEA", elig[:strings.Index(elig, "IEA|")], "eligibility", exitInvalid, "active"},
		{"271 wrong GE count", strings.Replace(elig, "GE|1|", "GE|2|", 1), "eligibility", exitInvalid, "active"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".x12")
			if err := os.WriteFile(name, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"x12", "validate", name}, {"x12", "ack", name}, {"x12", "json", name}} {
				if code, _, stderr := runCmd(t, "", args...); code != tt.code {
					t.Errorf("%v: exit %d, want %d (%s)", args[:2], code, tt.code, stderr)
				}
			}
			code, out, stderr := runCmd(t, "", tt.parse, "parse", name)
			if code != tt.code || !strings.Contains(out+stderr, tt.shows) {
				t.Errorf("%s parse: exit %d, want %d; output %q lacks %q (stderr %s)", tt.parse, code, tt.code, out, tt.shows, stderr)
			}
			if tt.parse != "remit" || i == 0 {
				return
			}
			code, out, _ = runCmd(t, "", "remit", "parse", "--json", name)
			var got remitParseJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil || code != tt.code {
				t.Fatalf("remit parse --json: exit %d, %v: %s", code, err, out)
			}
			if tt.code != exitOK && len(got.Errors) == 0 {
				t.Errorf("remit parse --json: no errors in %s", out)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const fx = "../../fixtures/x12/"

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &app{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin)}, args)
	return code, out.String(), errb.String()
}

func TestX12ValidateExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"valid files", []string{fx + "837p-two-sets.x12", fx + "835-carets.x12", fx + "ta1-and-999.x12"}, exitOK},
		{"one invalid", []string{fx + "837p-two-sets.x12", fx + "bad-837p-sv103-code.x12"}, exitInvalid},
		{"missing file", []string{fx + "837p-two-sets.x12", fx + "no-such-file.x12"}, exitUsage},
		{"no file", nil, exitUsage},
		{"help", []string{"-h"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", append([]string{"x12", "validate"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
		})
	}
}

func TestX12ValidateJSON(t *testing.T) {
	code, out, _ := runCmd(t, "", "x12", "validate", "--json", fx+"bad-837p-sv103-code.x12", fx+"bad-iea-control.x12")
	if code != exitInvalid {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON object per file, got %d lines", len(lines))
	}
	var f jsonFile
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatal(err)
	}
	if f.Valid || len(f.Transactions) != 1 || f.Transactions[0].Guide != "005010X222A1" || f.Transactions[0].Control != "0001" {
		t.Fatalf("%+v", f)
	}
	var el *jsonError
	for i, e := range f.Transactions[0].Errors {
		if e.Element != "" {
			el = &f.Transactions[0].Errors[i]
		}
	}
	if el == nil || el.Segment != "SV1" || el.Position != 23 || el.Loop != "2400" || el.Element != "SV103" || el.Code != "7" || el.Message == "" {
		t.Errorf("element error %+v", el)
	}
	var g map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &g); err != nil {
		t.Fatal(err)
	}
	errs, _ := g["errors"].([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["code"] != "001" || errs[0].(map[string]any)["element"] != "IEA02" {
		t.Errorf("envelope errors %v", g["errors"])
	}
}

func TestX12ValidateText(t *testing.T) {
	code, out, _ := runCmd(t, "", "x12", "validate", fx+"bad-837p-clm01-long.x12")
	if code != exitInvalid {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"bad-837p-clm01-long.x12: INVALID", "CLM at position 19 in loop 2300 element CLM01", "(code 5)"} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

// Malformed input: a clear error and exit 1 from every verb, never a panic.
func TestX12Malformed(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	isa := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240305*1407*^*00501*000000001*0*T*:~"
	files := map[string]string{
		"garbage":     string(garbage),
		"truncated":   isa[:50],
		"wrong-delim": strings.ReplaceAll(isa, "*", "A") + "GS*HC~",
		"no-term":     isa + "GS*HC*A*B*20240305*1407*1*X*005010X222A1",
		"empty":       "",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"validate", "ack", "fmt", "json"} {
			code, _, stderr := runCmd(t, "", "x12", verb, p)
			if code != exitInvalid {
				t.Errorf("%s %s: exit %d, want 1 (stderr %q)", verb, name, code, stderr)
			}
		}
	}
}

func TestX12Ack(t *testing.T) {
	// An invalid file: the ack is written, and the exit code says the file is invalid.
	code, out, stderr := runCmd(t, "", "x12", "ack", "--ta1", fx+"bad-837p-sv103-code.x12")
	if code != exitInvalid {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"TA1*000000808*240305*1407*A*000~", "AK1*HC*808*005010X222A1~", "IK3*SV1*23*2400*8~", "IK4*3*355*7*XX~", "AK9*R*1*1*0~"} {
		if !strings.Contains(out, s) {
			t.Errorf("ack lacks %q:\n%s", s, out)
		}
	}
	// The ack itself validates.
	p := filepath.Join(t.TempDir(), "ack.x12")
	if err := os.WriteFile(p, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, rep, _ := runCmd(t, "", "x12", "validate", p); code != exitOK {
		t.Errorf("ack does not validate:\n%s", rep)
	}
	// Without --ta1, no TA1; stdin works.
	b, _ := os.ReadFile(fx + "837p-two-sets.x12")
	code, out, _ = runCmd(t, string(b), "x12", "ack", "-")
	if code != exitOK || strings.Contains(out, "TA1") || !strings.Contains(out, "AK9*A*2*2*2~") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestX12Fmt(t *testing.T) {
	code, out, _ := runCmd(t, "", "x12", "fmt", fx+"999-partial.x12")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 18 || lines[7] != "IK3*SV1*23*2400*8~" || !strings.HasPrefix(lines[0], "ISA*") || lines[17] != "IEA*1*000000602~" {
		t.Errorf("%d lines:\n%s", len(lines), out)
	}
}

func TestX12JSON(t *testing.T) {
	code, out, _ := runCmd(t, "", "x12", "json", fx+"270-and-837p-two-groups.x12")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d objects", len(lines))
	}
	var tr struct {
		Set  string
		Tree *jsonLoop
	}
	if err := json.Unmarshal([]byte(lines[1]), &tr); err != nil {
		t.Fatal(err)
	}
	// Find loop 2400 and its SV1 somewhere below the root.
	var found []string
	var walk func(l *jsonLoop)
	walk = func(l *jsonLoop) {
		if l.ID == "2400" {
			for _, s := range l.Segments {
				if s[0] == "SV1" {
					found = append(found, s[1])
				}
			}
		}
		for _, c := range l.Loops {
			walk(c)
		}
	}
	walk(tr.Tree)
	if tr.Set != "837" || len(found) != 2 || found[0] != "HC:90837" {
		t.Errorf("set %s, SV101s %v", tr.Set, found)
	}
}

func TestX12Help(t *testing.T) {
	for _, verb := range []string{"validate", "ack", "json", "fmt"} {
		code, _, stderr := runCmd(t, "", "x12", verb, "-h")
		if code != exitOK || !strings.Contains(stderr, "Usage: edigate x12 "+verb) {
			t.Errorf("%s -h: exit %d %q", verb, code, stderr)
		}
	}
	if code, _, _ := runCmd(t, "", "x12", "bogus"); code != exitUsage {
		t.Errorf("unknown verb exit %d", code)
	}
}

// No message repeats the interchange or group it is printed under.
func TestX12ValidateNoDoubledPrefix(t *testing.T) {
	files, _ := filepath.Glob(fx + "bad-*.x12")
	if len(files) < 10 {
		t.Fatalf("only %d bad fixtures", len(files))
	}
	doubled := regexp.MustCompile(`interchange [0-9]+: interchange [0-9]+|group [0-9]+ \([A-Z]+\): group [0-9]+`)
	for _, f := range files {
		_, out, _ := runCmd(t, "", "x12", "validate", f)
		if m := doubled.FindString(out); m != "" {
			t.Errorf("%s: doubled prefix %q in\n%s", filepath.Base(f), m, out)
		}
	}
}

// TestX12ValidateEnvelopeOnly: a 005010X222A2 file (no HIPAA guide) is invalid with the
// supported versions named, and valid with --envelope-only.
func TestX12ValidateEnvelopeOnly(t *testing.T) {
	b, err := os.ReadFile(fx + "837p-two-sets.x12")
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "x222a2.x12")
	if err := os.WriteFile(name, bytes.ReplaceAll(b, []byte("005010X222A1"), []byte("005010X222A2")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "", "x12", "validate", name)
	if code != exitInvalid || !strings.Contains(out, "supported versions: ") || !strings.Contains(out, "(code 2)") {
		t.Fatalf("exit %d, out %s", code, out)
	}
	if code, out, _ := runCmd(t, "", "x12", "validate", "--envelope-only", name); code != exitOK {
		t.Fatalf("--envelope-only: exit %d, out %s", code, out)
	}
}

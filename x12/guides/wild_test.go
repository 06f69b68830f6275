package guides

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// wildDir holds public X12 files from other projects' test suites and the guides'
// examples, each listed in its SOURCES.md with its origin, licence and expected verdict.
const wildDir = "../../fixtures/x12/wild"

// wildRow is one SOURCES.md table row.
type wildRow struct {
	file, verdict string
	want          []string // findings that must be present ("level code SEG@pos loop element")
	why           string
}

// wildRows reads the table of SOURCES.md: | file | repository @ commit | path | licence |
// source says | verdict | expected findings | why |.
func wildRows(t *testing.T) map[string]wildRow {
	t.Helper()
	f, err := os.Open(filepath.Join(wildDir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]wildRow{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cols) != 8 {
			t.Fatalf("SOURCES.md row has %d columns, want 8: %s", len(cols), line)
		}
		r := wildRow{file: strings.Trim(strings.TrimSpace(cols[0]), "`"), verdict: strings.TrimSpace(cols[5]),
			why: strings.TrimSpace(cols[7])}
		for _, w := range strings.Split(cols[6], ";") {
			if w = strings.Trim(strings.TrimSpace(w), "`"); w != "" && w != "-" {
				r.want = append(r.want, w)
			}
		}
		if r.verdict != "valid" && r.verdict != "invalid" {
			t.Fatalf("%s: verdict %q, want valid or invalid", r.file, r.verdict)
		}
		if r.why == "" || strings.TrimSpace(cols[3]) == "" {
			t.Fatalf("%s: no licence or no reason", r.file)
		}
		rows[r.file] = r
	}
	return rows
}

// TestWildCorpus: x12 validate's verdict on every file of the wild corpus is the one
// SOURCES.md expects, with its listed findings; every file is listed.
func TestWildCorpus(t *testing.T) {
	rows := wildRows(t)
	files, err := filepath.Glob(filepath.Join(wildDir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	perType := map[string]int{}
	for _, path := range files {
		rel, _ := filepath.Rel(wildDir, path)
		rel = filepath.ToSlash(rel)
		perType[filepath.Dir(rel)]++
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := x12.Validate(context.Background(), strings.NewReader(string(b)), x12.ParseOptions{Guides: Registry})
			if err != nil {
				t.Fatal(err)
			}
			got := locators(res)
			r, ok := rows[rel]
			if !ok {
				t.Fatalf("not in SOURCES.md; findings: %s", strings.Join(got, "; "))
			}
			if v := map[bool]string{true: "valid", false: "invalid"}[res.Valid()]; v != r.verdict {
				t.Fatalf("verdict %s, SOURCES.md expects %s (%s); findings: %s", v, r.verdict, r.why, strings.Join(got, "; "))
			}
			hasAll(t, got, r.want)
		})
	}
	for rel := range rows {
		if _, err := os.Stat(filepath.Join(wildDir, rel)); err != nil {
			t.Errorf("SOURCES.md lists %s, which is not in the corpus", rel)
		}
	}
	t.Logf("wild corpus: %d files, per transaction type %v", len(files), perType)
}

// TestWildBodies: the stupidedi fixtures that start with the guide's scenario text, read
// from their ISA on, are what SOURCES.md says of their bodies.
func TestWildBodies(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []string // nil: valid
	}{
		{"276/stupidedi-x212-scenario-2.edi", nil},
		{"277/stupidedi-x214-scenario-1.edi", []string{"transaction 4 SE SE01", "element 1 STC@32 2220D STC02"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(wildDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			body := string(b)[strings.Index(string(b), "ISA*"):]
			res, err := x12.Validate(context.Background(), strings.NewReader(body), x12.ParseOptions{Guides: Registry})
			if err != nil {
				t.Fatal(err)
			}
			got := locators(res)
			if res.Valid() != (tt.want == nil) {
				t.Fatalf("valid = %v; findings %q", res.Valid(), got)
			}
			hasAll(t, got, tt.want)
		})
	}
}

func locators(res *x12.FileResult) []string {
	var got []string
	for _, e := range res.Findings() {
		got = append(got, e.Locator())
	}
	return got
}

// hasAll reports every finding of want that got lacks.
func hasAll(t *testing.T, got, want []string) {
	t.Helper()
	joined := "|" + strings.Join(got, "|") + "|"
	for _, w := range want {
		if !strings.Contains(joined, "|"+w+"|") {
			t.Errorf("missing finding %q; got: %s", w, strings.Join(got, "; "))
		}
	}
}

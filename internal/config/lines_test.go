package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSourceLineAndHas(t *testing.T) {
	const file = `log:
  level: debug
payers:
  - id: a
    telehealth:
      pos: []
  - id: b
    Appeal_Days: 30
`
	path := filepath.Join(t.TempDir(), "c.yml")
	os.WriteFile(path, []byte(file), 0o600)
	src, err := ParseSource(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key  string
		line int
		has  bool
	}{
		{"log.level", 2, true},
		{"log.format", 1, false}, // nearest enclosing key
		{"payers", 3, true},
		{"payers[0]", 4, true},
		{"payers[0].telehealth.pos", 6, true},
		{"payers[0].telehealth.modifier", 5, false},
		{"payers[1].appeal_days", 8, true}, // keys match without regard to case, as viper's do
		{"payers[2].id", 3, false},
		{"data_dir", 0, false},
		{"payers[x].id", 3, false},
	}
	for _, c := range cases {
		if got := src.Line(c.key); got != c.line {
			t.Errorf("Line(%s) = %d, want %d", c.key, got, c.line)
		}
		if got := src.Has(c.key); got != c.has {
			t.Errorf("Has(%s) = %v, want %v", c.key, got, c.has)
		}
	}
	var none *Source
	if none.Has("payers") || none.Line("payers") != 0 {
		t.Error("a nil source has nothing")
	}
}

func TestUnknownKeysSuggest(t *testing.T) {
	const file = `data_dir: x
stor: sqlite
clearinghouses:
  - id: c
    sftp: {hots: h, port: 22}
    submitter: {nmae: n}
payers:
  - id: p
    credential_modifiers: {LCSW: AJ, anything: goes}
    denial_map: {"50": medical_necessity}
    completely_unrelated: 1
`
	path := filepath.Join(t.TempDir(), "c.yml")
	os.WriteFile(path, []byte(file), 0o600)
	src, err := ParseSource(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		line int
		msg  string
	}{
		"stor":                             {2, "unknown key; did you mean store?"},
		"clearinghouses[0].sftp.hots":      {5, "unknown key; did you mean clearinghouses[0].sftp.host?"},
		"clearinghouses[0].submitter.nmae": {6, "unknown key; did you mean clearinghouses[0].submitter.name?"},
		"payers[0].completely_unrelated":   {11, "unknown key"},
	}
	got := src.UnknownKeys()
	if len(got) != len(want) {
		t.Fatalf("unknown keys %v", got)
	}
	for _, p := range got {
		w, ok := want[p.Key]
		if !ok || p.Line != w.line || p.Message != w.msg {
			t.Errorf("%v, want %+v", p, w)
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"data_dri", "data_dir", 2}, {"stor", "store", 1}, {"kitten", "sitting", 3},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

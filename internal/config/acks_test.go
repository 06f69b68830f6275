package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpectsAck(t *testing.T) {
	cases := []struct {
		name string
		sets []string
		want map[string]bool
	}{
		{"empty means the default", nil, map[string]bool{"837": true, "276": true, "270": false, "": true}},
		{"270 acknowledged too", []string{"837", "270"}, map[string]bool{"837": true, "270": true, "276": false}},
		{"none", []string{"none"}, map[string]bool{"837": false, "270": false, "276": false, "": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := Clearinghouse{AcksExpectedFor: c.sets}
			for set, want := range c.want {
				if got := ch.ExpectsAck(set); got != want {
					t.Errorf("ExpectsAck(%q) = %v, want %v", set, got, want)
				}
			}
		})
	}
}

// The built-in clearinghouse does not expect a 999 for a 270, and a configured one that
// says nothing gets the same default.
func TestAcksExpectedForDefault(t *testing.T) {
	ch := Default().Clearinghouses[0]
	if ch.ExpectsAck("270") || !ch.ExpectsAck("837") || !ch.ExpectsAck("276") {
		t.Errorf("default acks_expected_for %v", ch.AcksExpectedFor)
	}
}

// loadYAML loads a configuration of one simulator clearinghouse "ch", with more of its
// keys (indented under it), and the rest of the file.
func loadYAML(t *testing.T, chKeys, rest string) (*Config, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "c.yml")
	body := "clearinghouses:\n  - id: ch\n    simulator: true\n    after_download: delete\n    rename: posix\n" +
		"    isa: {usage: T, sender_id: ME, receiver_id: THEM}\n" + chKeys + rest
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(f)
}

func TestAcksExpectedForValidation(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown set", `["837", "835"]`, `config clearinghouses[0].acks_expected_for: "835" is not 837, 270, 276 or none`},
		{"none with others", `["none", "837"]`, `config clearinghouses[0].acks_expected_for: none must be the only entry`},
		{"valid", `["837", "270", "276"]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadYAML(t, "    acks_expected_for: "+c.yaml+"\n", "payers: []\n")
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !cfg.Clearinghouses[0].ExpectsAck("270") {
					t.Errorf("270 listed but not expected: %v", cfg.Clearinghouses[0].AcksExpectedFor)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// TestCodeLists: code_lists maps list names to error, warning or off for the parser; an
// unknown list or value is a configuration error naming it.
func TestCodeLists(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, yml string
		want      x12.CodeListPolicy
		err       string
	}{
		{"none", "", nil, ""},
		{"npi warning, state off", "code_lists:\n  npi: warning\n  state: \"off\"\n",
			x12.CodeListPolicy{"npi": x12.ListWarn, "state": x12.ListOff}, ""},
		{"unknown value", "code_lists:\n  npi: lenient\n", nil, "config code_lists.npi"},
		{"unknown list", "code_lists:\n  zip: warning\n", nil, "config code_lists.zip"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "c"+string(rune('0'+i))+".yml")
			if err := os.WriteFile(path, []byte("data_dir: /tmp/x\n"+tt.yml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.CodeListPolicy()
			if len(got) != len(tt.want) {
				t.Fatalf("policy = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("policy[%s] = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

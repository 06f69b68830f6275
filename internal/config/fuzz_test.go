package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheck feeds arbitrary YAML to the configuration loader (Check, the core of Load and
// `edigate config check`): it may report problems or fail, but never panic, every problem
// names its key or line, and a configuration it accepts without problems is complete.
func FuzzCheck(f *testing.F) {
	def, err := os.ReadFile("configs/config.default.yml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	f.Add([]byte("log:\n  level: debug\n"))
	f.Add([]byte("intake:\n  complete: quiet\n  stable_for: 2s\npayers:\n  - id: x\n    timely_filing_days: -1\n"))
	f.Add([]byte("store: [1, 2\n"))
	f.Add([]byte("clearinghouses:\n  - id: sim\n    sftp: {port: \"x\"}\n"))
	f.Setenv("APP_CONFIG_SECRETS", "") // only the fuzzed file is read
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "config.yml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Check(path)
		if err != nil {
			return
		}
		for _, p := range c.Problems {
			if p == nil || (p.Key == "" && p.Line == 0 && p.Message == "") {
				t.Fatalf("a problem that names nothing: %+v", p)
			}
		}
		if len(c.Problems) == 0 && c.Config == nil {
			t.Fatal("no problem and no configuration")
		}
	})
}

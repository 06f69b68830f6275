package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadDefaultsNeedNoFile(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "./edigate-data" || cfg.Store != "sqlite" || len(cfg.Payers) != 3 {
		t.Fatalf("defaults: %+v", cfg)
	}
	p, ok := cfg.Practice("demo-practice")
	if !ok || p.NPI != "1234567893" || len(p.Providers) != 2 {
		t.Fatalf("practice: %+v", p)
	}
	if pv, _ := p.Provider("1003000126"); pv == nil || pv.Supervisor != "1245319599" || pv.Licensed {
		t.Fatalf("provider: %+v", pv)
	}
}

func TestLoadFileOverridesAndValidation(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	os.WriteFile(good, []byte("data_dir: /var/lib/edigate\nlog:\n  level: debug\n  format: json\n"), 0o600)
	cfg, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/edigate" || cfg.Log.Level != "debug" || len(cfg.Payers) != 3 {
		t.Fatalf("merged: %+v", cfg)
	}
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("store: mysql\nlog:\n  level: loud\n  format: json\n"), 0o600)
	_, err = Load(bad)
	if err == nil || !strings.Contains(err.Error(), "config store") || !strings.Contains(err.Error(), "config log.level") {
		t.Fatalf("want errors naming store and log.level, got %v", err)
	}
	unknown := filepath.Join(dir, "unknown.yml")
	os.WriteFile(unknown, []byte("data_dri: x\n"), 0o600)
	if _, err := Load(unknown); err == nil || !strings.Contains(err.Error(), "data_dri") {
		t.Fatalf("want unknown key named, got %v", err)
	}
}

func TestEnvOverride(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	t.Setenv("EDIGATE_DATA_DIR", "/tmp/x")
	cfg, err := Load("")
	if err != nil || cfg.DataDir != "/tmp/x" {
		t.Fatalf("%v %v", cfg, err)
	}
}

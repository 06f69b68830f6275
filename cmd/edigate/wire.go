package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/daemon"
	"github.com/edigate/edigate/internal/sim"
)

// wireSteps adds to the daemon the steps and response handlers of the domain packages.
func wireSteps(d *daemon.Daemon) {
}

// demoRules are the simulator's scenarios for the demo batch's members.
func demoRules() (sim.Rules, error) {
	b, err := fs.ReadFile(fixtures.Demo(), "sim/demo-rules.json")
	if err != nil {
		return sim.Rules{}, err
	}
	r := sim.DefaultRules()
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("demo rules: %w", err)
	}
	return r, r.Validate()
}

// copyDemoBatch puts the sample batch into the inbox the way practice systems should:
// written under a temporary name, then renamed into place.
func copyDemoBatch(inbox string) (int, error) {
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		return 0, err
	}
	n := 0
	err := fs.WalkDir(fixtures.Demo(), "sessions", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fixtures.Demo(), p)
		if err != nil {
			return err
		}
		dst := filepath.Join(inbox, "demo-"+filepath.Base(p))
		if err := os.WriteFile(dst+".part", b, 0o600); err != nil {
			return err
		}
		n++
		return os.Rename(dst+".part", dst)
	})
	if err != nil && !os.IsNotExist(err) {
		return n, err
	}
	return n, nil
}

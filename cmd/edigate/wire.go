package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/sim"
)

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

// relativeDates replaces ${D-5} / ${D+120} tokens with dates relative to today, so the demo
// batch is always within timely filing and its authorizations are current.
func relativeDates(b []byte, now time.Time) []byte {
	re := regexp.MustCompile(`\$\{D([+-]\d+)\}`)
	return re.ReplaceAllFunc(b, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(re.FindSubmatch(m)[1]))
		return []byte(now.AddDate(0, 0, n).Format("2006-01-02"))
	})
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
		b = relativeDates(b, time.Now())
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

package logging

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNewCLI(t *testing.T) {
	cases := []struct {
		name, level, format string
		want, not           []string
	}{
		{"words by default", "info", "auto", []string{"edigate claims: warning: claim held claim=C-1\n", "edigate claims: error: upload failed error=boom"}, []string{"837P written", "{"}},
		{"console is words too", "info", "console", []string{"edigate claims: warning: claim held claim=C-1"}, []string{"{"}},
		{"json when asked", "info", "json", []string{`"level":"warn"`, `"message":"claim held"`, `"cmd":"claims"`}, []string{"837P written"}},
		{"debug when asked", "debug", "auto", []string{"edigate claims: note: 837P written", "edigate claims: debug: detail"}, nil},
		{"error only", "error", "auto", []string{"edigate claims: error: upload failed"}, []string{"warning"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			log := NewCLI(&b, "claims", c.level, c.format)
			log.Debug().Msg("detail")
			log.Info().Str("file", "x").Msg("837P written")
			log.Warn().Str("claim", "C-1").Msg("claim held")
			log.Error().Err(errors.New("boom")).Msg("upload failed")
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range c.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("output has %q:\n%s", w, b.String())
				}
			}
		})
	}
}

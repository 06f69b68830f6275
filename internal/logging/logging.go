// Package logging builds edigate's zerolog logger. Log lines carry opaque IDs only (session,
// claim, file and control numbers), never names, member IDs, dates of birth or diagnoses.
package logging

import (
	"io"
	"os"

	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// New returns a logger writing JSON, or a console format when format is "console" or
// "auto" and w is a terminal.
func New(w io.Writer, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	out := w
	console := format == "console"
	if format == "auto" || format == "" {
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			console = true
		}
	}
	if console {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05"}
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger()
}

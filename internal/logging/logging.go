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

// NewCLI returns the logger of a command-line command, whose results go to stdout: only
// warnings and errors (debug too when level asks for it), as words on w ("edigate claims:
// warning: claim held ... claim=C-1"), or as JSON lines when format is "json".
func NewCLI(w io.Writer, name, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" || lvl == zerolog.InfoLevel {
		lvl = zerolog.WarnLevel
	}
	if format == "json" {
		return zerolog.New(w).Level(lvl).With().Timestamp().Str("cmd", name).Logger()
	}
	words := map[string]string{"trace": "trace", "debug": "debug", "info": "note", "warn": "warning", "error": "error", "fatal": "fatal", "panic": "panic"}
	out := zerolog.ConsoleWriter{Out: w, NoColor: true,
		PartsOrder: []string{zerolog.LevelFieldName, zerolog.MessageFieldName},
		FormatLevel: func(i any) string {
			s, _ := i.(string)
			if wd, ok := words[s]; ok {
				s = wd
			}
			return "edigate " + name + ": " + s + ":"
		},
	}
	return zerolog.New(out).Level(lvl)
}

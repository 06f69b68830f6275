package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
	"github.com/edigate/edigate/x12/guides"
)

// runX12 dispatches the x12 verbs: validate, ack, json, fmt.
func runX12(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "x12", []command{
		{"validate", "validate files against the envelopes and implementation guides", runX12Validate},
		{"ack", "write the 999 (and with --ta1 the TA1) acknowledging a file", runX12Ack},
		{"json", "print the parsed loop tree as JSON", runX12JSON},
		{"fmt", "print one segment per line", runX12Fmt},
	}, args)
}

// openInput opens a file argument; "-" is standard input.
func openInput(a *app, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(a.stdin), nil
	}
	return os.Open(name)
}

// jsonError is one finding in validate --json output.
type jsonError struct {
	Level    x12.Level `json:"level,omitempty"`
	Segment  string    `json:"segment,omitempty"`
	Position int       `json:"position,omitempty"`
	Loop     string    `json:"loop,omitempty"`
	Element  string    `json:"element,omitempty"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Offset   int64     `json:"offset,omitempty"` // byte offset in the file
}

type jsonTransaction struct {
	Set     string      `json:"set"`
	Control string      `json:"control"`
	Guide   string      `json:"guide"`
	Valid   bool        `json:"valid"`
	Errors  []jsonError `json:"errors"`
}

type jsonFile struct {
	File         string            `json:"file"`
	Valid        bool              `json:"valid"`
	Transactions []jsonTransaction `json:"transactions"`
	Errors       []jsonError       `json:"errors"`
	// Warnings do not make the file invalid: blanks before a segment ID, code-list
	// values a payer's policy downgrades.
	Warnings []jsonError `json:"warnings,omitempty"`
}

func toJSONErrors(errs []x12.Error, withLevel bool) []jsonError {
	out := make([]jsonError, 0, len(errs))
	for _, e := range errs {
		je := jsonError{Segment: e.Segment, Position: e.Position, Loop: e.Loop, Element: e.Element, Code: e.Code, Message: e.Message, Offset: e.Offset}
		if withLevel {
			je.Level = e.Level
		}
		out = append(out, je)
	}
	return out
}

// report turns a FileResult into the validate output shape.
func report(name string, res *x12.FileResult) jsonFile {
	f := jsonFile{File: name, Valid: res.Valid(), Transactions: []jsonTransaction{}}
	env := append([]x12.Error(nil), res.Errors...)
	for _, ic := range res.Interchanges {
		env = append(env, ic.Errors...)
		for _, g := range ic.Groups {
			env = append(env, g.Errors...)
			for _, s := range g.Sets {
				f.Transactions = append(f.Transactions, jsonTransaction{Set: s.Set, Control: s.Control, Guide: s.Guide,
					Valid: s.Accepted, Errors: toJSONErrors(s.Errors, false)})
			}
		}
	}
	f.Errors = toJSONErrors(env, true)
	if len(res.Warnings) > 0 {
		f.Warnings = toJSONErrors(res.Warnings, true)
	}
	return f
}

func runX12Validate(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "x12 validate", "FILE...",
		"Validate X12 files: envelopes (ISA/GS/ST counts and control numbers) and, for known\n"+
			"guides, loops, segments and elements. Exit 0 when every file is valid, 1 otherwise,\n"+
			"2 when a file cannot be read. FILE - reads standard input.")
	asJSON := fs.Bool("json", false, "print one JSON object per file")
	envOnly := fs.Bool("envelope-only", false, "check only the envelopes (ISA/GS/ST counts and control numbers), whatever the version;\nwithout it a group whose GS08 names no guide edigate has is an error")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	enc := json.NewEncoder(a.stdout)
	for _, name := range fs.Args() {
		var g x12.Guides = guides.Registry
		if *envOnly {
			g = nil
		}
		res, err := validateFile(ctx, a, name, g)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate x12 validate: %v\n", err)
			code = exitUsage
			continue
		}
		rep := report(name, res)
		if !rep.Valid && code == exitOK {
			code = exitInvalid
		}
		if *asJSON {
			if err := enc.Encode(rep); err != nil {
				fmt.Fprintf(a.stderr, "edigate x12 validate: %v\n", err)
				return exitUsage
			}
			continue
		}
		printReport(a.stdout, res, rep)
	}
	return code
}

func validateFile(ctx context.Context, a *app, name string, g x12.Guides) (*x12.FileResult, error) {
	f, err := openInput(a, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := x12.Validate(ctx, f, x12.ParseOptions{Guides: g})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// printReport writes the human report: file verdict, then each finding with where it is.
func printReport(w io.Writer, res *x12.FileResult, rep jsonFile) {
	verdict := "valid"
	if !rep.Valid {
		verdict = "INVALID"
	}
	n := len(rep.Transactions)
	fmt.Fprintf(w, "%s: %s (%d interchange(s), %d transaction set(s))\n", rep.File, verdict, len(res.Interchanges), n)
	if len(res.Interchanges) == 0 {
		for _, e := range rep.Errors {
			fmt.Fprintf(w, "  file: %s (code %s)\n", e.Message, e.Code)
		}
	} else {
		for _, e := range res.Errors {
			fmt.Fprintf(w, "  file: %s (code %s)\n", e.Message, e.Code)
		}
	}
	for _, e := range res.Warnings {
		fmt.Fprintf(w, "  warning: %s (code %s)\n", e.Message, e.Code)
	}
	for _, ic := range res.Interchanges {
		for _, e := range ic.Errors {
			fmt.Fprintf(w, "  interchange %s: %s\n", ic.Control, e.Detail())
		}
		for _, g := range ic.Groups {
			for _, e := range g.Errors {
				fmt.Fprintf(w, "  group %s (%s): %s\n", g.Control, g.FunctionalID, e.Detail())
			}
			for _, s := range g.Sets {
				if s.Accepted {
					continue
				}
				guide := s.Guide
				if guide == "" {
					guide = "no guide: envelope checks only"
				}
				fmt.Fprintf(w, "  %s %s (%s):\n", s.Set, s.Control, guide)
				for _, e := range s.Errors {
					fmt.Fprintf(w, "    %s\n", e.Error())
				}
			}
		}
	}
}

func runX12Ack(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "x12 ack", "FILE",
		"Write to standard output the 999 acknowledging each functional group of FILE (and,\n"+
			"with --ta1, the TA1 of each interchange), addressed back to its sender. Exit 0 when\n"+
			"FILE is valid, 1 when it has errors (the acknowledgement is still written) or has no\n"+
			"interchange. Control numbers start at 1: this is for inspection, the daemon uses its\n"+
			"durable sequences.")
	ta1 := fs.Bool("ta1", false, "also write the TA1 interchange acknowledgement")
	f, name, code := parseFileArg(a, "x12 ack", fs, args)
	if f == nil {
		return code
	}
	defer f.Close()
	res, txs, code := readWithTrees(ctx, a, "ack", name, f)
	if res == nil {
		return code
	}
	if len(res.Interchanges) == 0 {
		fmt.Fprintf(a.stderr, "edigate x12 ack: %s: nothing to acknowledge: %v\n", name, fatalOrEmpty(res))
		return exitInvalid
	}
	opts := ack.Options{Sequence: x12.NewMemorySequence(), Now: time.Now(), Newline: true, Transactions: txs}
	bw := bufio.NewWriter(a.stdout)
	if err := ack.Build(ctx, bw, res, opts, *ta1); err != nil {
		fmt.Fprintf(a.stderr, "edigate x12 ack: %s: %v\n", name, err)
		return exitInvalid
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(a.stderr, "edigate x12 ack: %v\n", err)
		return exitUsage
	}
	if !res.Valid() {
		if res.Fatal != nil {
			fmt.Fprintf(a.stderr, "edigate x12 ack: %s: %v\n", name, res.Fatal)
		}
		return exitInvalid
	}
	return exitOK
}

func fatalOrEmpty(res *x12.FileResult) error {
	if res.Fatal != nil {
		return res.Fatal
	}
	return errors.New("no interchange (ISA) found")
}

// jsonLoop is the loop tree as printed by x12 json: segments as arrays of element strings
// (composites and repetitions as received, with their delimiters).
type jsonLoop struct {
	ID       string      `json:"id"`
	Name     string      `json:"name,omitempty"`
	Segments [][]string  `json:"segments"`
	Loops    []*jsonLoop `json:"loops,omitempty"`
}

func toJSONLoop(l *x12.Loop) *jsonLoop {
	j := &jsonLoop{ID: l.ID, Segments: make([][]string, 0, len(l.Segments))}
	if l.Def != nil {
		j.Name = l.Def.Name
	}
	for i := range l.Segments {
		s := &l.Segments[i]
		els := make([]string, len(s.Elements))
		for k, e := range s.Elements {
			els[k] = string(e)
		}
		j.Segments = append(j.Segments, els)
	}
	for _, c := range l.Children {
		j.Loops = append(j.Loops, toJSONLoop(c))
	}
	return j
}

type jsonTree struct {
	Set      string       `json:"set"`
	Control  string       `json:"control"`
	Guide    string       `json:"guide"`
	Envelope x12.Envelope `json:"envelope"`
	Valid    bool         `json:"valid"`
	Errors   []jsonError  `json:"errors"`
	Tree     *jsonLoop    `json:"tree"`
}

func runX12JSON(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "x12 json", "FILE",
		"Print each transaction set of FILE as its loop tree in JSON (one object per line and\n"+
			"set, with its envelope and findings). The output holds the file's data, PHI included.\n"+
			"Exit 1 when the file is not valid (the verdict of x12 validate); the trees are printed.")
	f, name, code := parseFileArg(a, "x12 json", fs, args)
	if f == nil {
		return code
	}
	defer f.Close()
	res, txs, code := readWithTrees(ctx, a, "json", name, f)
	if res == nil {
		return code
	}
	enc := json.NewEncoder(a.stdout)
	for _, t := range txs {
		out := jsonTree{Set: t.Set, Control: t.Control, Envelope: t.Envelope, Valid: t.Valid(),
			Errors: toJSONErrors(t.Errors, true)}
		if t.Guide != nil {
			out.Guide = t.Guide.Version
		}
		if t.Root != nil {
			out.Tree = toJSONLoop(t.Root)
		}
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(a.stderr, "edigate x12 json: %v\n", err)
			return exitUsage
		}
	}
	if res.Fatal != nil || len(res.Interchanges) == 0 {
		fmt.Fprintf(a.stderr, "edigate x12 json: %s: %v\n", name, fatalOrEmpty(res))
		return exitInvalid
	}
	if !res.Valid() {
		// The verdict of x12 validate; the trees and their findings are printed above.
		fmt.Fprintf(a.stderr, "edigate x12 json: %s: not valid (%d finding(s))\n", name, len(res.Findings()))
		return exitInvalid
	}
	return exitOK
}

func runX12Fmt(_ context.Context, a *app, args []string) int {
	fs := newFlags(a, "x12 fmt", "FILE",
		"Print FILE with one segment per line, delimiters unchanged.")
	f, name, code := parseFileArg(a, "x12 fmt", fs, args)
	if f == nil {
		return code
	}
	defer f.Close()
	bw := bufio.NewWriter(a.stdout)
	defer bw.Flush()
	r := x12.NewReader(f)
	for n := 0; ; n++ {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				fmt.Fprintf(a.stderr, "edigate x12 fmt: %s: no segments\n", name)
				return exitInvalid
			}
			return exitOK
		}
		if err != nil {
			bw.Flush()
			var se *x12.SyntaxError
			fmt.Fprintf(a.stderr, "edigate x12 fmt: %s: %v\n", name, err)
			if errors.As(err, &se) {
				return exitInvalid
			}
			return exitUsage
		}
		for i, e := range seg.Elements {
			if i > 0 {
				bw.WriteByte(seg.Delims.Element)
			}
			bw.Write(e)
		}
		bw.WriteByte(seg.Delims.Segment)
		if err := bw.WriteByte('\n'); err != nil {
			return exitUsage
		}
	}
}

// readWithTrees parses a file (or "-") with loop trees for the verbs that print or
// acknowledge its content; on failure it has printed why and returns the exit code.
func readWithTrees(ctx context.Context, a *app, verb, name string, f io.Reader) (*x12.FileResult, []*x12.Transaction, int) {
	res, txs, err := ack.Read(ctx, f, guides.Registry)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate x12 %s: %s: %v\n", verb, name, err)
		return nil, nil, exitUsage
	}
	return res, txs, exitOK
}

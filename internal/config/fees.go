package config

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/x12"
)

// FeeEntry is one contracted rate of a payer (payers[].fee_schedule, or a row of
// payers[].fee_schedule_file): what the payer pays per unit of a code with these modifiers
// for dates of service from From to To (inclusive, either may be left out).
type FeeEntry struct {
	Code      string   `mapstructure:"code" yaml:"code"`
	Modifiers []string `mapstructure:"modifiers" yaml:"modifiers"`
	From      string   `mapstructure:"from" yaml:"from"`
	To        string   `mapstructure:"to" yaml:"to"`
	// Rate is dollars and cents ("135.00"); it is kept as integer cents, never a float.
	Rate string `mapstructure:"rate" yaml:"rate"`
}

var (
	feeCodeRe     = regexp.MustCompile(`^[A-Z0-9]{5}$`)
	feeModifierRe = regexp.MustCompile(`^[A-Z0-9]{2}$`)
)

// feeProblems checks one entry; each problem names the field ("rate") and what is wrong.
func (e *FeeEntry) problems() (fields, msgs []string) {
	bad := func(f, format string, args ...any) {
		fields, msgs = append(fields, f), append(msgs, fmt.Sprintf(format, args...))
	}
	if !feeCodeRe.MatchString(e.Code) {
		bad("code", "%q is not a CPT or HCPCS code (5 letters or digits)", e.Code)
	}
	if len(e.Modifiers) > 4 {
		bad("modifiers", "has %d modifiers; a line carries at most 4", len(e.Modifiers))
	}
	for _, m := range e.Modifiers {
		if !feeModifierRe.MatchString(m) {
			bad("modifiers", "%q is not a modifier (2 letters or digits)", m)
		}
	}
	for _, d := range []struct{ f, v string }{{"from", e.From}, {"to", e.To}} {
		if _, err := time.Parse(time.DateOnly, d.v); d.v != "" && err != nil {
			bad(d.f, "%q is not a date (YYYY-MM-DD)", d.v)
		}
	}
	if e.From != "" && e.To != "" && e.To < e.From {
		bad("to", "%s is before from %s", e.To, e.From)
	}
	if a, err := parseRate(e.Rate); err != nil {
		bad("rate", "%v", err)
	} else if a < 0 {
		bad("rate", "%q is negative", e.Rate)
	}
	return fields, msgs
}

// parseRate reads a rate exactly: "135", "135.5", "$1,350.00".
func parseRate(s string) (x12.Amount, error) {
	v := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	if v == "" {
		return 0, errors.New("is required (dollars and cents, e.g. 135.00)")
	}
	a, err := x12.ParseAmount(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount in dollars and cents (e.g. 135.00)", s)
	}
	return a, nil
}

// feeRate is the domain's form of a valid entry.
func (e *FeeEntry) feeRate(source string) claims.FeeRate {
	a, _ := parseRate(e.Rate)
	return claims.FeeRate{Code: e.Code, Modifiers: e.Modifiers, From: e.From, To: e.To, Rate: a, Source: source}
}

// Fees is the payer's whole fee schedule: the YAML entries (key is the payer's key,
// "payers[0]") and the rows of its fee_schedule_file, invalid ones left out (Check reports
// them).
func (p *Payer) Fees(key string) claims.FeeSchedule {
	var out claims.FeeSchedule
	for j := range p.FeeSchedule {
		if f, _ := p.FeeSchedule[j].problems(); len(f) == 0 {
			out = append(out, p.FeeSchedule[j].feeRate(fmt.Sprintf("%s.fee_schedule[%d]", key, j)))
		}
	}
	for _, r := range p.feeRows {
		out = append(out, r.entry.feeRate(fmt.Sprintf("%s line %d", filepath.Base(p.FeeScheduleFile), r.line)))
	}
	return out
}

// feeRow is a valid row of a fee schedule file with its line.
type feeRow struct {
	entry FeeEntry
	line  int
}

// feeColumns are the columns a fee schedule file has, in any order (a header names them).
var feeColumns = []string{"code", "modifiers", "from", "to", "rate"}

// loadFeeFiles reads every payer's fee_schedule_file (relative paths from the config
// file's folder, dir) and keeps its valid rows; each bad row, or a file that cannot be
// read, is a problem naming the file and line.
func (c *Config) loadFeeFiles(dir string) []*Problem {
	var out []*Problem
	for i := range c.Payers {
		p := &c.Payers[i]
		p.feeRows = nil
		if p.FeeScheduleFile == "" {
			continue
		}
		path := p.FeeScheduleFile
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		key := fmt.Sprintf("payers[%d].fee_schedule_file", i)
		rows, ps := readFeeFile(path, key)
		p.feeRows = rows
		out = append(out, ps...)
	}
	return out
}

// readFeeFile reads a CSV fee schedule: a header naming the columns (code, modifiers,
// from, to, rate; modifiers separated by spaces, : or -), then one rate a row.
func readFeeFile(path, key string) ([]feeRow, []*Problem) {
	f, err := os.Open(path)
	if err != nil {
		return nil, []*Problem{{Key: key, Message: fmt.Sprintf("cannot read the fee schedule: %v", err)}}
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []feeRow
	var ps []*Problem
	bad := func(line int, format string, args ...any) {
		ps = append(ps, &Problem{Key: key, File: path, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	col := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad(line, "not CSV: %v", err)
			return rows, ps
		}
		if len(col) == 0 {
			for j, name := range rec {
				name = strings.ToLower(strings.TrimSpace(name))
				if !containsString(feeColumns, name) {
					bad(line, "unknown column %q (the columns are %s)", name, strings.Join(feeColumns, ", "))
				}
				col[name] = j
			}
			for _, need := range []string{"code", "rate"} {
				if _, ok := col[need]; !ok {
					bad(line, "the header has no %s column (the columns are %s)", need, strings.Join(feeColumns, ", "))
				}
			}
			if len(ps) > 0 {
				return nil, ps
			}
			continue
		}
		get := func(name string) string {
			if j, ok := col[name]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		e := FeeEntry{Code: strings.ToUpper(get("code")), From: get("from"), To: get("to"), Rate: get("rate"),
			Modifiers: strings.FieldsFunc(strings.ToUpper(get("modifiers")), func(r rune) bool { return r == ' ' || r == ':' || r == '-' })}
		if fields, msgs := e.problems(); len(fields) > 0 {
			for k := range fields {
				bad(line, "%s %s", fields[k], msgs[k])
			}
			continue
		}
		rows = append(rows, feeRow{e, line})
	}
	return rows, ps
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// runClaims dispatches the claims verbs: build, scrub, show, file.
func runClaims(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "claims", []command{
		{"build", "group ready sessions into 837P claims, scrub them and store them (built or held)", runClaimsBuild},
		{"scrub", "scrub ready and held sessions and print each session's findings", runClaimsScrub},
		{"show", "print one claim (CLM01) with its findings, files and history", runClaimsShow},
		{"file", "write built claims as 837P files into DATA/outbound/ and mark them filed", runClaimsFile},
	}, args)
}

// claimsFlags are the flags every claims verb takes.
type claimsFlags struct {
	config string
	json   bool
}

func (f *claimsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration file (default: APP_CONFIG, else built-in defaults)")
	fs.BoolVar(&f.json, "json", false, "print JSON")
}

// claimsEnv is the configuration and store a claims verb works with.
type claimsEnv struct {
	cfg *config.Config
	db  *store.DB
	now time.Time
}

func openClaimsEnv(ctx context.Context, a *app, path string) (*claimsEnv, int) {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims: %v\n", err)
		return nil, exitUsage
	}
	db, err := store.OpenConfig(ctx, cfg, store.Options{})
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims: %v\n", err)
		return nil, exitUsage
	}
	return &claimsEnv{cfg: cfg, db: db, now: time.Now().UTC()}, exitOK
}

// builtClaims is the outcome of building and scrubbing the ready sessions.
type builtClaims struct {
	claims  []*claims.Claim
	results []claims.Result
	held    []store.SessionRecord // sessions on an intake hold (authorization), not on a claim
	waiting []waitingJSON         // changed or voided billed sessions that cannot be resubmitted yet
}

// waitingJSON is a filed claim whose sessions changed but whose replacement or void cannot
// be built yet.
type waitingJSON struct {
	Claim    string   `json:"claim"`
	Sessions []string `json:"sessions"`
	Reason   string   `json:"reason"`
}

// build groups the ready sessions into claims and scrubs them. The authorization units the
// ready sessions already took at intake are given back to the scrubber's view, so the
// units check asks "is there room for these sessions" and not "room for them twice".
func (e *claimsEnv) build(ctx context.Context) (*builtClaims, error) {
	ready, err := e.db.Sessions(ctx, store.SessionFilter{State: store.StateReady})
	if err != nil {
		return nil, err
	}
	held, err := e.db.Sessions(ctx, store.SessionFilter{State: store.StateHeld})
	if err != nil {
		return nil, err
	}
	auths, err := e.db.AuthUses(ctx)
	if err != nil {
		return nil, err
	}
	taken := map[string]int{}
	sessions := make([]claims.Session, 0, len(ready))
	for _, r := range ready {
		s := r.Session
		if s.Authorization == "" && r.AuthNumber != "" {
			// Intake matched the session to this authorization; the claim carries it (REF*G1).
			s.Authorization = r.AuthNumber
		}
		if r.AuthNumber != "" {
			taken[r.Payer+"/"+r.AuthNumber] += r.AuthUnits
		}
		sessions = append(sessions, s)
	}
	builder := &claims.Builder{Config: e.cfg}
	built := builder.Claims(sessions)
	// Billed sessions changed or voided since filing: a replacement (7) or void (8) of their
	// claim, once the payer's claim number (REF*F8) is known.
	pend, err := e.db.PendingResubmissions(ctx)
	if err != nil {
		return nil, err
	}
	var waiting []waitingJSON
	for _, p := range pend {
		if p.PayerClaimNumber == "" {
			waiting = append(waiting, waitingJSON{p.Claim.ID, p.Changed,
				"waiting for the payer's claim number (277CA or 835) to send a replacement or void"})
			continue
		}
		var rc *claims.Claim
		if p.VoidedAllSessions {
			rc, err = builder.Void(&p.Claim, p.PayerClaimNumber, p.Version)
		} else {
			rc, err = builder.Replacement(&p.Claim, p.Sessions, p.PayerClaimNumber, p.Version)
		}
		if err != nil {
			waiting = append(waiting, waitingJSON{p.Claim.ID, p.Changed, err.Error()})
			continue
		}
		for k, u := range p.Taken {
			taken[k] += u
		}
		built = append(built, rc)
	}
	for i := range auths {
		auths[i].Used = max(auths[i].Used-taken[auths[i].Payer+"/"+auths[i].Number], 0)
	}
	// Claims already filed are not rebuilt: their sessions are billed, so they are not
	// ready; a claim id that is filed but whose sessions are ready again means a session
	// was re-sent unchanged after billing, which the store already reports.
	results := (&claims.Scrubber{Config: e.cfg, Auths: auths, Today: e.now}).Scrub(built)
	return &builtClaims{claims: built, results: results, held: held, waiting: waiting}, nil
}

type claimJSON struct {
	ID            string           `json:"id"`
	Practice      string           `json:"practice"`
	Payer         string           `json:"payer"`
	Clearinghouse string           `json:"clearinghouse"`
	Date          string           `json:"date"`
	Frequency     string           `json:"frequency"`
	Sessions      []string         `json:"sessions"`
	Lines         int              `json:"lines"`
	Total         x12.Amount       `json:"total"`
	State         string           `json:"state"`
	Findings      []claims.Finding `json:"findings"`
	Error         string           `json:"error,omitempty"`
}

func runClaimsBuild(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims build", "", "Group ready sessions into claims (one per client, payer, rendering provider and date),\nscrub them and store them as built (clean) or held (an error finding).")
	var f claimsFlags
	f.register(fs)
	dry := fs.Bool("dry-run", false, "build and scrub, store nothing")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	env, code := openClaimsEnv(ctx, a, f.config)
	if env == nil {
		return code
	}
	defer env.db.Close()
	b, err := env.build(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims build: %v\n", err)
		return exitUsage
	}
	out := struct {
		DryRun  bool          `json:"dry_run"`
		Built   int           `json:"built"`
		Held    int           `json:"held"`
		Claims  []claimJSON   `json:"claims"`
		Waiting []waitingJSON `json:"waiting"`
	}{DryRun: *dry, Claims: []claimJSON{}, Waiting: b.waiting}
	if out.Waiting == nil {
		out.Waiting = []waitingJSON{}
	}
	for i, c := range b.claims {
		r := b.results[i]
		state := store.ClaimBuilt
		if r.Held {
			state = store.ClaimHeld
		}
		cj := claimJSON{ID: c.ID, Practice: c.Practice, Payer: c.Payer, Clearinghouse: c.Clearinghouse, Date: c.Date,
			Frequency: c.Frequency, Sessions: c.SessionIDs, Lines: len(c.Lines), Total: c.Total, State: state,
			Findings: r.Findings}
		if cj.Findings == nil {
			cj.Findings = []claims.Finding{}
		}
		if !*dry {
			err := env.db.Batch(ctx, nil, func(bt *store.Batch) error {
				st, err := bt.PutClaim(c, r)
				cj.State = st
				return err
			})
			if err != nil {
				if !errors.Is(err, store.ErrClaimFiled) {
					fmt.Fprintf(a.stderr, "edigate claims build: %v\n", err)
					return exitUsage
				}
				cj.Error = err.Error()
			}
		}
		if cj.State == store.ClaimHeld {
			out.Held++
		} else if cj.State == store.ClaimBuilt {
			out.Built++
		}
		out.Claims = append(out.Claims, cj)
	}
	if f.json {
		return printJSON(a, out)
	}
	verb := "stored"
	if *dry {
		verb = "would store (dry run)"
	}
	fmt.Fprintf(a.stdout, "%d claims %s: %d built, %d held\n", len(out.Claims), verb, out.Built, out.Held)
	for _, c := range out.Claims {
		fmt.Fprintf(a.stdout, "%-20s %-6s %-16s %s %3d line(s) %10s\n", c.ID, c.State, c.Payer, c.Date, c.Lines, c.Total)
		printFindings(a.stdout, c.Findings)
	}
	for _, w := range out.Waiting {
		fmt.Fprintf(a.stdout, "%-20s waiting (sessions %s): %s\n", w.Claim, strings.Join(w.Sessions, ", "), w.Reason)
	}
	return exitOK
}

func printFindings(w io.Writer, fs []claims.Finding) {
	for _, f := range fs {
		loc := ""
		if f.Line > 0 {
			loc = fmt.Sprintf(" line %d", f.Line)
		}
		fmt.Fprintf(w, "    %-7s %-24s%s %s\n", f.Severity, f.Rule, loc, f.Message)
	}
}

func printJSON(a *app, v any) int {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(a.stderr, "edigate claims: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// sessionFinding is one line of `claims scrub --json`.
type sessionFinding struct {
	Rule     string          `json:"rule"`
	Severity claims.Severity `json:"severity"`
	Message  string          `json:"message"`
}

type sessionScrub struct {
	Session  string           `json:"session"`
	Claim    string           `json:"claim,omitempty"`
	Held     bool             `json:"held"`
	Findings []sessionFinding `json:"findings"`
}

func runClaimsScrub(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims scrub", "", "Scrub the ready sessions as claims would be built now, and list held sessions with\ntheir hold. Exit 1 when any session is held.")
	var f claimsFlags
	f.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	env, code := openClaimsEnv(ctx, a, f.config)
	if env == nil {
		return code
	}
	defer env.db.Close()
	b, err := env.build(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims scrub: %v\n", err)
		return exitUsage
	}
	out := []sessionScrub{}
	anyHeld := false
	for i, c := range b.claims {
		r := b.results[i]
		for _, sid := range c.SessionIDs {
			ss := sessionScrub{Session: sid, Claim: c.ID, Findings: []sessionFinding{}}
			for _, fd := range r.Findings {
				// A claim-level finding concerns every session on the claim.
				if fd.Line == 0 || fd.SessionID == sid {
					ss.Findings = append(ss.Findings, sessionFinding{fd.Rule, fd.Severity, fd.Message})
					ss.Held = ss.Held || fd.Severity == claims.SeverityError
				}
			}
			anyHeld = anyHeld || ss.Held
			out = append(out, ss)
		}
	}
	for _, w := range b.waiting {
		for _, sid := range w.Sessions {
			out = append(out, sessionScrub{Session: sid, Claim: w.Claim, Held: true, Findings: []sessionFinding{{
				Rule: "frequency.f8", Severity: claims.SeverityError, Message: w.Reason}}})
			anyHeld = true
		}
	}
	for _, h := range b.held {
		anyHeld = true
		out = append(out, sessionScrub{Session: h.ID, Held: true, Findings: []sessionFinding{{
			Rule: "intake." + h.HoldReason, Severity: claims.SeverityError,
			Message: "Held at intake: " + strings.ReplaceAll(h.HoldReason, "_", " ") + "; load or fix the authorization to release it.",
		}}})
	}
	if f.json {
		if c := printJSON(a, out); c != exitOK {
			return c
		}
	} else {
		for _, s := range out {
			state := "ok"
			if s.Held {
				state = "held"
			}
			fmt.Fprintf(a.stdout, "%-24s %-4s %s\n", s.Session, state, s.Claim)
			for _, fd := range s.Findings {
				fmt.Fprintf(a.stdout, "    %-7s %-24s %s\n", fd.Severity, fd.Rule, fd.Message)
			}
		}
	}
	if anyHeld {
		return exitInvalid
	}
	return exitOK
}

func runClaimsShow(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims show", "CLM01", "Print one claim with its lines, findings, files and history.")
	var f claimsFlags
	f.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	env, code := openClaimsEnv(ctx, a, f.config)
	if env == nil {
		return code
	}
	defer env.db.Close()
	rec, err := env.db.Claim(ctx, fs.Arg(0))
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(a.stderr, "edigate claims show: no claim %s\n", fs.Arg(0))
		return exitInvalid
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims show: %v\n", err)
		return exitUsage
	}
	events, err := env.db.Events(ctx, "claim", rec.ID)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims show: %v\n", err)
		return exitUsage
	}
	if f.json {
		return printJSON(a, struct {
			store.ClaimRecord
			Events []store.Event `json:"events"`
		}{rec, events})
	}
	c := &rec.Claim
	fmt.Fprintf(a.stdout, "claim %s  %s  payer %s  date %s  frequency %s  total %s\n", rec.ID, rec.State, rec.Payer, rec.Date, rec.Frequency, rec.Total)
	fmt.Fprintf(a.stdout, "sessions %s\n", strings.Join(c.SessionIDs, ", "))
	for i, l := range c.Lines {
		fmt.Fprintf(a.stdout, "  %2d %s %-12s units %d  %10s\n", i+1, l.Code, strings.Join(l.Modifiers, ":"), l.Units, l.Charge)
	}
	printFindings(a.stdout, rec.Findings)
	for _, s := range rec.Submissions {
		fmt.Fprintf(a.stdout, "file %s ISA %09d GS %d ST %s at %s\n", s.FileName, s.ISAControl, s.GSControl, s.STControl, s.At)
	}
	for _, e := range events {
		fmt.Fprintf(a.stdout, "%s %s\n", e.At, e.Kind)
	}
	return exitOK
}

type fileJSON struct {
	Clearinghouse string           `json:"clearinghouse"`
	File          string           `json:"file"`
	ISAControl    int64            `json:"isa_control"`
	GSControl     int64            `json:"gs_control"`
	Sets          []claims.SetInfo `json:"sets"`
	Claims        int              `json:"claims"`
	Total         x12.Amount       `json:"total"`
}

func runClaimsFile(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims file", "", "Write every built claim into one 837P file per clearinghouse in DATA/outbound/ (mode 0600),\nrecord the file and its control numbers, and move the claims to filed.")
	var f claimsFlags
	f.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	env, code := openClaimsEnv(ctx, a, f.config)
	if env == nil {
		return code
	}
	defer env.db.Close()
	dir := filepath.Join(env.cfg.DataDir, "outbound")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintf(a.stderr, "edigate claims file: %v\n", err)
		return exitUsage
	}
	if err := recoverClaimFiles(ctx, env.db, dir); err != nil {
		fmt.Fprintf(a.stderr, "edigate claims file: %v\n", err)
		return exitUsage
	}
	out, err := fileClaims(ctx, env, dir)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate claims file: %v\n", err)
		return exitUsage
	}
	if f.json {
		return printJSON(a, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(a.stdout, "no built claims to file")
	}
	for _, o := range out {
		fmt.Fprintf(a.stdout, "%s: %d claims, %s, ISA %09d, %d set(s)\n", o.File, o.Claims, o.Total, o.ISAControl, len(o.Sets))
	}
	return exitOK
}

// fileClaims writes the built claims, one file per clearinghouse. Order of durability: the
// file is written as NAME.tmp and synced, the store records it (claims filed, sessions
// billed) in one transaction, then the rename publishes it to the exchange job. A crash
// before the commit leaves a .tmp that recoverClaimFiles deletes (the claims are still
// built); after the commit, one it renames.
func fileClaims(ctx context.Context, env *claimsEnv, dir string) ([]fileJSON, error) {
	recs, err := env.db.Claims(ctx, store.ClaimFilter{State: store.ClaimBuilt})
	if err != nil {
		return nil, err
	}
	list := make([]*claims.Claim, len(recs))
	for i := range recs {
		list[i] = &recs[i].Claim
	}
	ids, batches := claims.ByClearinghouse(list)
	out := []fileJSON{}
	for _, ch := range ids {
		var buf bytes.Buffer
		res, err := claims.Write837(ctx, &buf, batches[ch], claims.FileOptions{Config: env.cfg, Clearinghouse: ch, Sequence: env.db, Now: env.now})
		if err != nil {
			return out, err
		}
		var total x12.Amount
		for _, c := range batches[ch] {
			total += c.Total
		}
		name := fmt.Sprintf("837P_%s_%09d.x12", safeName(ch), res.ISAControl)
		final := filepath.Join(dir, name)
		tmp := final + ".tmp"
		if err := writeSynced(tmp, buf.Bytes()); err != nil {
			return out, err
		}
		sum := sha256.Sum256(buf.Bytes())
		err = env.db.Batch(ctx, nil, func(b *store.Batch) error {
			_, err := b.RecordClaimFile(&store.ClaimFile{Name: name, Total: total, SHA256: hex.EncodeToString(sum[:])}, res)
			return err
		})
		if err != nil {
			os.Remove(tmp)
			return out, err
		}
		if err := publish(tmp, final); err != nil {
			return out, err
		}
		out = append(out, fileJSON{Clearinghouse: ch, File: final, ISAControl: res.ISAControl, GSControl: res.GSControl,
			Sets: res.Sets, Claims: res.Claims, Total: total})
	}
	return out, nil
}

// recoverClaimFiles finishes or discards the .tmp files of an interrupted `claims file`.
func recoverClaimFiles(ctx context.Context, db *store.DB, dir string) error {
	tmps, err := filepath.Glob(filepath.Join(dir, "837P_*.x12.tmp"))
	if err != nil {
		return err
	}
	for _, tmp := range tmps {
		final := strings.TrimSuffix(tmp, ".tmp")
		ok, err := db.ClaimFileRecorded(ctx, filepath.Base(final))
		if err != nil {
			return err
		}
		if ok {
			if err := publish(tmp, final); err != nil {
				return err
			}
		} else if err := os.Remove(tmp); err != nil {
			return err
		}
	}
	return nil
}

// writeSynced creates path 0600 (837P files hold PHI) and syncs it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// publish renames tmp to final and syncs the folder so the rename survives a power cut.
func publish(tmp, final string) error {
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(final))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// safeName keeps a configuration id usable in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
)

// modifierFlags collects --modifier LINE:MOD[,MOD...] (repeatable), the modifiers of
// one line of the claim.
type modifierFlags map[int][]string

func (m modifierFlags) String() string { return "" }

func (m modifierFlags) Set(v string) error {
	line, mods, ok := strings.Cut(v, ":")
	n, err := strconv.Atoi(line)
	if !ok || err != nil || n < 1 {
		return fmt.Errorf("%q: want LINE:MOD[,MOD...], as in 1:95 or 2:HO,95 (an empty list, 1:, removes them)", v)
	}
	m[n] = splitList(mods)
	if m[n] == nil {
		m[n] = []string{}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// correctionFlags registers the correctable fields on fs.
func correctionFlags(fs *flag.FlagSet) func() claims.Correction {
	var c claims.Correction
	mods := modifierFlags{}
	var dx string
	fs.StringVar(&c.MemberID, "member-id", "", "the subscriber's member id (2010BA NM109)")
	fs.StringVar(&c.SubscriberFirst, "subscriber-first", "", "the subscriber's first name")
	fs.StringVar(&c.SubscriberLast, "subscriber-last", "", "the subscriber's last name")
	fs.StringVar(&c.SubscriberDOB, "subscriber-dob", "", "the subscriber's date of birth, YYYY-MM-DD")
	fs.StringVar(&dx, "dx", "", "the diagnoses, principal first, comma-separated (F41.1,F32.9)")
	fs.Var(mods, "modifier", "LINE:MOD[,MOD...]: a line's modifiers (repeatable; 1:95 sets line 1's to 95)")
	fs.StringVar(&c.PlaceOfService, "pos", "", "the place of service (two digits: 11 office, 10 telehealth at home, 02 telehealth)")
	fs.StringVar(&c.Rendering, "rendering", "", "the rendering provider's NPI")
	fs.StringVar(&c.Supervising, "supervising", "", "the supervising provider's NPI, or none to remove it")
	fs.StringVar(&c.Authorization, "auth", "", "the prior authorization number (REF*G1)")
	return func() claims.Correction {
		c.Diagnoses = splitList(dx)
		if len(mods) > 0 {
			c.Modifiers = mods
		}
		return c
	}
}

// runClaimsCorrect corrects a rejected or denied claim and resubmits it.
func runClaimsCorrect(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "claims correct", "CLM01", "Correct a rejected or denied claim and resubmit it: the corrected claim goes out as a new\n"+
		"original after a rejection (277CA, 999) or as a replacement (frequency 7, REF*F8 = the payer's\n"+
		"claim number) after the payer adjudicated it, and resolves the claim's open rejection or\n"+
		"denial. Each change is kept on the sessions (later claims built from them carry it) and in\n"+
		"the claim's history (who, field, old -> new). A rejection corrected to nothing new is\n"+
		"refused with its reason and what to fix.")
	var f claimsFlags
	f.register(fs, true)
	corr := correctionFlags(fs)
	item := fs.String("item", "", "the rejection or denial item to resolve (default: the claim's oldest open one)")
	note := fs.String("note", "", "note to keep with the item")
	who := fs.String("who", "", "who is correcting it (default: $USER)")
	env, code := openClaimsEnv(ctx, a, fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	c := corr()
	if c.Empty() {
		fmt.Fprintln(a.stderr, "edigate claims correct: no field to correct: give at least one of --member-id, --subscriber-first, --subscriber-last, --subscriber-dob, --dx, --modifier, --pos, --rendering, --supervising, --auth")
		return exitUsage
	}
	r, err := pipeline.Queues{Pipeline: env.Pipeline}.Correct(ctx, fs.Arg(0), *item, c,
		queue.Action{Who: actor(*who), Text: *note, Source: "cli"})
	var unchanged *remit.UnchangedError
	switch {
	case errors.As(err, &unchanged), errors.Is(err, claims.ErrCorrection), errors.Is(err, queue.ErrNoItem), errors.Is(err, pipeline.ErrNothingToCorrect),
		errors.Is(err, queue.ErrResolved), errors.Is(err, store.ErrChanged):
		fmt.Fprintf(a.stderr, "edigate claims correct: %v\n", err)
		return exitInvalid
	case err != nil:
		fmt.Fprintf(a.stderr, "edigate claims correct: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "claims", r)
	}
	for _, ch := range r.Changes {
		fmt.Fprintf(a.stdout, "corrected %s\n", ch.Words())
	}
	kind := "a corrected original"
	if r.Frequency == claims.FrequencyReplacement {
		kind = "a replacement of payer claim " + r.Replaces
	}
	fmt.Fprintf(a.stdout, "item %d resolved: resubmitted\nclaim %s (%s) %s; it is filed with the next claims file\n", r.Item.ID, r.Claim, kind, r.State)
	for _, f := range r.Findings {
		fmt.Fprintf(a.stdout, "  hold: %s\n", f)
	}
	return exitOK
}

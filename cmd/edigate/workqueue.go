package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// runQueue dispatches the queue verbs.
func runQueue(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "queue", []command{
		{"list", "list queue items (--kind " + kindList() + ")", runQueueList},
		{"show", "show an item and its thread (assignments, notes, outcome; a predecessor's too)", runQueueShow},
		{"resolve", "resolve an item: --outcome " + outcomeList(), runQueueResolve},
		{"assign", "assign an item: queue assign ID WHO", runQueueAssign},
		{"note", "add a note to an item: queue note ID TEXT", runQueueNote},
		{"followup", "queue claims with no 835 after claims.follow_up_days and write 276 status inquiries", runQueueFollowup},
	}, args)
}

func kindList() string {
	var s []string
	for _, k := range queue.Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, "|")
}

func outcomeList() string {
	var s []string
	for _, o := range queue.Outcomes() {
		s = append(s, string(o))
	}
	return strings.Join(s, "|")
}

// queues is the queue service the web UI uses too, so a verb here means what the button
// there does.
func queues(env *cliEnv) pipeline.Queues { return pipeline.Queues{Pipeline: env.pipeline()} }

func runQueueList(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue list", "", "List work queue items, nearest deadline first, with who has them and the latest note.")
	var f remitFlags
	f.register(fs, true)
	kindFlag := fs.String("kind", "", strings.ReplaceAll(kindList(), "|", ", ")+" (default: all but holds)")
	all := fs.Bool("all", false, "include resolved items (every item of the queue, not paged)")
	page := fs.Int("page", 1, "with --kind: the page to list, nearest deadline first")
	size := fs.Int("size", 50, fmt.Sprintf("with --kind: items a page (at most %d)", store.MaxPageSize))
	env, code := parseAndOpen(ctx, a, "queue list", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	var kind queue.Kind
	if *kindFlag != "" {
		k, err := queue.ParseKind(*kindFlag)
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate queue list: %v\n", err)
			return exitUsage
		}
		kind = k
	}
	svc := queues(env)
	var items []queue.Item
	var err error
	paged := kind != "" && !*all
	var total int
	if paged {
		// One queue's open items a page at a time, paged and counted in the store as the
		// web UI's are: 40,000 holds are not read to print 50.
		if *page < 1 || *size < 1 || *size > store.MaxPageSize {
			fmt.Fprintf(a.stderr, "edigate queue list: --page must be 1 or more and --size 1 to %d\n", store.MaxPageSize)
			return exitUsage
		}
		items, total, err = svc.Page(ctx, kind, store.QueuePageFilter{Page: store.Page{Limit: *size, Offset: (*page - 1) * *size}})
	} else {
		items, err = svc.List(ctx, kind, *all)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue list: %v\n", err)
		return exitUsage
	}
	if paged && (*page > 1 || len(items) < total) {
		pages := (total + *size - 1) / *size
		note := fmt.Sprintf("page %d of %d (%d items)", *page, pages, total)
		if *page < pages {
			note += fmt.Sprintf("; next: --page %d", *page+1)
		}
		fmt.Fprintln(a.stderr, note) // stderr, so --json output stays one document
	}
	if f.json {
		return emitJSON(a, "remit", items)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	if kind == queue.Holds {
		fmt.Fprintln(w, "HELD\tID\tPAYER\tDATE\tREASON\tFILE BY\tASSIGNEE\tLATEST NOTE\tWHAT TO DO")
	} else {
		fmt.Fprintln(w, "ID\tQUEUE\tCLAIM\tREASON\tCATEGORY/ACTION\tAMOUNT\tDUE\tASSIGNEE\tLATEST NOTE\tMESSAGE")
	}
	for _, it := range items {
		if kind == queue.Holds {
			held, id := "session", it.SessionID
			if id == "" {
				held, id = "claim", it.ClaimID
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", held, id, it.Payer, it.Date, it.Message, it.Due,
				it.Assignee, latestNote(it), it.Action)
			continue
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Kind, it.ClaimID, it.Reason, it.Category+"/"+it.Action,
			it.Amount, it.Due, it.Assignee, latestNote(it), it.Message)
	}
	w.Flush()
	if kind == "" {
		// Holds are not stored items (they clear themselves); say how many there are.
		holds, err := svc.Summary(ctx, queue.Holds, time.Now().UTC().Format(time.DateOnly))
		if err != nil {
			fmt.Fprintf(a.stderr, "edigate queue list: %v\n", err)
			return exitUsage
		}
		if holds.Open > 0 {
			fmt.Fprintf(a.stdout, "\n%d held session(s) or claim(s): edigate queue list --kind holds\n", holds.Open)
		}
	}
	return exitOK
}

func runQueueShow(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue show", "ID", "Show a queue item (a hold by session-ID or claim-ID) with its whole thread: who was\nassigned, every note, the outcome, and the history of the item it came from.")
	var f remitFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "queue show", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	it, err := queues(env).Item(ctx, "", fs.Arg(0))
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue show: %v\n", err)
		return exitInvalid
	}
	if f.json {
		return emitJSON(a, "remit", it)
	}
	subject, id := it.Subject()
	fmt.Fprintf(a.stdout, "%s item %s: %s %s, %s\n", it.Kind.Title(), it.Key(), subject, id, it.State)
	due := it.Due
	if due != "" && it.Kind.DueFor() != "" {
		due += " (" + it.Kind.DueFor() + ")"
	}
	for _, kv := range [][2]string{{"reason", strings.TrimSuffix(it.Reason+" "+it.Category, " ")}, {"message", it.Message},
		{"action", it.Action}, {"due", due}, {"amount", it.Amount.String()}, {"assignee", it.Assignee}, {"outcome", string(it.Outcome)}} {
		if kv[1] != "" {
			fmt.Fprintf(a.stdout, "  %-9s %s\n", kv[0]+":", kv[1])
		}
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TIME (UTC)\tWHO\tWHAT\tTEXT\tON ITEM")
	for _, e := range it.Thread {
		on := it.Key()
		if e.From != 0 {
			on = fmt.Sprint(e.From)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", utcTime(e.At, "2006-01-02 15:04"), e.Who, e.What, strings.Join(strings.Fields(e.Text), " "), on)
	}
	w.Flush()
	return exitOK
}

// maxNoteCell keeps a long note from stretching the whole table; `--json` has it whole.
const maxNoteCell = 60

// latestNote is the item's newest note on one line, "who: text", cut to maxNoteCell.
func latestNote(it queue.Item) string {
	n, ok := it.LatestNote()
	if !ok {
		return ""
	}
	s := strings.Join(strings.Fields(n.Text), " ")
	if n.Who != "" {
		s = n.Who + ": " + s
	}
	if r := []rune(s); len(r) > maxNoteCell {
		s = string(r[:maxNoteCell-1]) + "…"
	}
	return s
}

// actor is who the CLI records as acting: --who, else the login name.
func actor(who string) string {
	if who != "" {
		return who
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}

func runQueueResolve(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue resolve", "ID", "Resolve a queue item with an outcome; appeal_sent opens an appeals item that keeps the\nitem's assignee and notes, resubmitted builds the corrected claim, written_off closes it.")
	var f remitFlags
	f.register(fs, true)
	outcome := fs.String("outcome", "", strings.ReplaceAll(outcomeList(), "|", ", "))
	note := fs.String("note", "", "note to keep with the item")
	who := fs.String("who", "", "who is resolving it (default: $USER)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || *outcome == "" {
		fs.Usage()
		return exitUsage
	}
	o, err := queue.ParseOutcome(*outcome)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue resolve: %v\n", err)
		return exitUsage
	}
	env, code := remitEnv(ctx, a, "queue resolve", f)
	if code != exitOK {
		return code
	}
	defer env.db.Close()
	r, err := queues(env).Resolve(ctx, "", fs.Arg(0), queue.Action{Kind: queue.ActResolve, Who: actor(*who), Outcome: o, Text: *note, Source: "cli"})
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue resolve: %v\n", err)
		return exitInvalid
	}
	if f.json {
		return emitJSON(a, "remit", r)
	}
	fmt.Fprintf(a.stdout, "item %d resolved: %s\n", r.Item.ID, r.Item.Outcome)
	if r.Claim != "" {
		fmt.Fprintf(a.stdout, "claim %s (frequency %s) %s; it is filed with the next claims file\n", r.Claim, r.Frequency, r.State)
		for _, f := range r.Findings {
			fmt.Fprintf(a.stdout, "  hold: %s\n", f)
		}
	}
	return exitOK
}

// runQueueFollowup runs the daemon's follow-up step once.
func runQueueFollowup(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "queue followup", "", "Put claims with no 835 claims.follow_up_days after submission on the follow-up queue\n(once per claim) and write 276 claim status inquiries for them into DATA/outbound/<clearinghouse>/.")
	var f remitFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "queue followup", fs, &f, args, -1)
	if env == nil {
		return code
	}
	defer env.db.Close()
	p := env.pipeline()
	r, err := p.FollowUp(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate queue followup: %v\n", err)
		return exitUsage
	}
	if f.json {
		return emitJSON(a, "remit", r)
	}
	fmt.Fprintf(a.stdout, "queued %d, closed %d, 276 inquiries %d\n", len(r.Queued), r.Closed, r.Inquiries)
	for _, fl := range r.Files {
		fmt.Fprintln(a.stdout, fl)
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(a.stdout, "skipped %s\n", s)
	}
	return exitOK
}

func runQueueAssign(ctx context.Context, a *app, args []string) int {
	return queueUpdate(ctx, a, queue.ActAssign, args)
}

func runQueueNote(ctx context.Context, a *app, args []string) int {
	return queueUpdate(ctx, a, queue.ActNote, args)
}

// queueUpdate assigns or notes an item: a stored item by its id, a hold by its key
// (session-ID or claim-ID, as `queue list --kind holds --json` shows).
func queueUpdate(ctx context.Context, a *app, act queue.ActionKind, args []string) int {
	verb := string(act)
	fs := newFlags(a, "queue "+verb, "ID TEXT", verb+" a queue item (a hold by session-ID or claim-ID)")
	var f remitFlags
	f.register(fs, true)
	who := fs.String("who", "", "who is acting (default: $USER)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return exitUsage
	}
	env, code := remitEnv(ctx, a, "queue "+verb, f)
	if code != exitOK {
		return code
	}
	defer env.db.Close()
	text := strings.Join(fs.Args()[1:], " ")
	action := queue.Action{Kind: act, Who: actor(*who), Source: "cli"}
	if act == queue.ActAssign {
		action.Assignee = text
	} else {
		action.Text = text
	}
	if err := queues(env).Act(ctx, "", fs.Arg(0), action); err != nil {
		fmt.Fprintf(a.stderr, "edigate queue %s: %v\n", verb, err)
		if errors.Is(err, queue.ErrNoItem) || errors.Is(err, queue.ErrResolved) || errors.Is(err, queue.ErrBadAction) {
			return exitInvalid
		}
		return exitUsage
	}
	return exitOK
}

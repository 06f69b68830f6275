// Command edigate is the EDI X12 gateway for behavioral-health practices: one binary with
// subcommands for the daemon, the CLI tools billers use, and the clearinghouse simulator.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0 // success
	exitInvalid = 1 // the input is invalid or the check failed
	exitUsage   = 2 // usage or I/O error
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand. Run gets the arguments after the subcommand name.
type command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, a *app, args []string) int
}

// app carries what every subcommand needs; there is no global state beyond it.
type app struct {
	stdout, stderr io.Writer
	stdin          io.Reader
}

func commands() []command {
	return []command{
		{"help", "list the subcommands", runHelp},
		{"version", "print the version", runVersion},
		{"x12", "validate, acknowledge, format and inspect X12 files", runX12},
		{"eligibility", "270 inquiries due, 271 answers mapped and applied", runEligibility},
		{"run", "run the daemon (or every step once with --once)", runRun},
		{"demo", "run the whole cycle locally with the simulator and a sample batch", runDemo},
		{"sim", "run the clearinghouse simulator on its own", runSim},
		{"claims", "build, scrub, show and file 837P claims", runClaims},
		{"remit", "read 835 remittances, 277CA/277 claim statuses and 999/TA1 acknowledgements", runRemit},
		{"queue", "work queues: rejections, denials, appeals, follow-up, review, holds", runQueue},
		{"report", "denial reports by payer, CPT, CARC, category, provider, month", runReport},
		{"users", "web users and their roles (admin, biller, viewer)", runUsers},
		{"trace", "the full timeline of a claim or session", runTrace},
		{"appeal", "appeal letters for denied claims", runAppeal},
		{"sessions", "stored sessions and their history", runSessions},
		{"auth", "prior authorizations and their alerts", runAuth},
		{"responses", "downloaded response files that could not be applied, with the reason", runResponses},
		{"config", "check a configuration: every problem with its line, the effective values", runConfig},
		{"init", "write a commented starter configuration for one practice, payer and clearinghouse", runInit},
		{"outbox", "results back to the practice system: status, write, replay, patient statements", runOutbox},
	}
}

func main() {
	os.Exit(profiled())
}

// profiled runs the command line; with EDIGATE_CPUPROFILE=FILE it writes a CPU profile of
// the whole command (scripts/bench-e2e.sh BENCH_PROFILE=1 uses it): where a slow step spends
// its time, measured on the real binary.
func profiled() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := os.Getenv("EDIGATE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "edigate: cpu profile: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "edigate: cpu profile: %v\n", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}
	return run(ctx, &app{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:])
}

func run(ctx context.Context, a *app, args []string) int {
	if len(args) == 0 {
		runHelp(ctx, a, nil)
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	for _, c := range commands() {
		if c.Name == name {
			return c.Run(ctx, a, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "edigate: unknown command %q (see 'edigate help')\n", name)
	return exitUsage
}

func runHelp(_ context.Context, a *app, _ []string) int {
	fmt.Fprintln(a.stdout, "edigate: EDI X12 gateway for behavioral-health practices")
	fmt.Fprintln(a.stdout, "\nUsage: edigate COMMAND [flags] [args]   (every command takes -h)")
	fmt.Fprintln(a.stdout, "\nCommands:")
	cmds := commands()
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		fmt.Fprintf(a.stdout, "  %-12s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(a.stdout, "\nExit codes: 0 success, 1 invalid input or failed check, 2 usage or I/O error.")
	return exitOK
}

func runVersion(_ context.Context, a *app, args []string) int {
	fs := newFlags(a, "version", "", "print the version")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	fmt.Fprintln(a.stdout, "edigate", version)
	return exitOK
}

// newFlags returns a FlagSet whose -h prints usage to stderr.
func newFlags(a *app, name, argsUsage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("edigate "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: edigate %s [flags] %s\n\n%s\n\nFlags:\n", name, argsUsage, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; ok is false when the command must return code now (-h or bad flags).
// Flags may follow positional arguments ("validate FILE --json").
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return exitOK, false
			}
			return exitUsage, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
		if len(args) == 0 {
			break
		}
	}
	// Re-parse with only the positional arguments left so fs.Args() returns them.
	_ = fs.Parse(append([]string{"--"}, pos...))
	return 0, true
}

// subcommand dispatches "edigate GROUP VERB ..." to one of subs.
func subcommand(ctx context.Context, a *app, group string, subs []command, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(a.stderr, "Usage: edigate %s VERB [flags] [args]\n\nVerbs:\n", group)
		for _, c := range subs {
			fmt.Fprintf(a.stderr, "  %-10s %s\n", c.Name, c.Summary)
		}
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range subs {
		if c.Name == args[0] {
			return c.Run(ctx, a, args[1:])
		}
	}
	names := make([]string, len(subs))
	for i, c := range subs {
		names[i] = c.Name
	}
	fmt.Fprintf(a.stderr, "edigate %s: unknown verb %q (one of %s)\n", group, args[0], strings.Join(names, ", "))
	return exitUsage
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/user"
	"strings"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/webusers"
)

// runUsers dispatches the web user verbs. Every change is written to the audit trail
// (source cli, as the operating-system user who ran it) with the change itself.
func runUsers(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "users", []command{
		{"add", "add a web user: NAME --role admin|biller|viewer (password on standard input)", runUsersAdd},
		{"list", "list the web users, their roles and whether they are disabled", runUsersList},
		{"set-role", "change a user's role: NAME ROLE", runUsersSetRole},
		{"disable", "disable a user (kept for the audit trail): NAME (--enable to undo)", runUsersDisable},
		{"passwd", "set a user's password: NAME (password on standard input)", runUsersPasswd},
	}, args)
}

// cliActor names who ran the command in the audit trail.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

func cliAudit(action, target string) store.AuditEntry {
	return store.AuditEntry{Who: cliActor(), Action: action, Target: target, Remote: "local", Outcome: "done", Source: "cli"}
}

// readPassword reads the password from the first line of standard input (so it is never
// in the shell history or the process list): printf '%s\n' "$PW" | edigate users add ...
func readPassword(a *app) (string, error) {
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("give the password on standard input (one line)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUsersAdd(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "users add", "NAME", "Add a web user. The password is read from standard input (one line) and stored as a bcrypt hash.")
	var f commonFlags
	f.register(fs, false)
	roleFlag := fs.String("role", "biller", "admin, biller or viewer")
	env, code := parseAndOpen(ctx, a, "users add", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.Close()
	name := fs.Arg(0)
	role, err := webusers.ParseRole(*roleFlag)
	if err == nil && !webusers.NameRE.MatchString(name) {
		err = fmt.Errorf("user name %q: 1 to 64 letters, digits, dots, dashes, underscores or @", name)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate users add: %v\n", err)
		return exitUsage
	}
	pw, err := readPassword(a)
	var hash []byte
	if err == nil {
		hash, err = webusers.HashPassword(pw)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate users add: %v\n", err)
		return exitUsage
	}
	if err := env.db.AddWebUser(ctx, store.WebUser{Name: name, Hash: hash, Role: string(role)},
		cliAudit(fmt.Sprintf("added user %s as %s", name, role), name)); err != nil {
		fmt.Fprintf(a.stderr, "edigate users add: %v\n", err)
		if errors.Is(err, store.ErrUserExists) {
			return exitInvalid
		}
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "added %s as %s (%s)\n", name, role, role.Words())
	return exitOK
}

func runUsersList(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "users list", "", "List the web users.")
	var f commonFlags
	f.register(fs, true)
	env, code := parseAndOpen(ctx, a, "users list", fs, &f, args, 0)
	if env == nil {
		return code
	}
	defer env.Close()
	us, err := env.db.WebUsers(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate users list: %v\n", err)
		return exitUsage
	}
	return emitList(a, "users list", f.json, us, "no web users stored (add one with edigate users add)", "USER\tROLE\tSTATUS\tCHANGED",
		func(u store.WebUser) string {
			st := "active"
			if u.Disabled {
				st = "disabled"
			}
			return u.Name + "\t" + u.Role + "\t" + st + "\t" + utcTime(u.UpdatedAt, "Jan 2, 2006 15:04 UTC")
		})
}

// changeUser applies one change to the user NAME as it reads it now.
func changeUser(ctx context.Context, a *app, env *cliEnv, verb, name string, c store.UserChange, words string) int {
	u, err := env.db.WebUser(ctx, name)
	if err == nil {
		err = env.db.ChangeWebUser(ctx, name, u.UpdatedAt, c, cliAudit(words, name))
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate users %s: %v\n", verb, err)
		if errors.Is(err, store.ErrNotFound) {
			return exitInvalid
		}
		return exitUsage
	}
	fmt.Fprintln(a.stdout, words)
	return exitOK
}

func runUsersSetRole(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "users set-role", "NAME ROLE", "Change a web user's role (admin, biller or viewer); it applies at the user's next page.")
	var f commonFlags
	f.register(fs, false)
	env, code := parseAndOpen(ctx, a, "users set-role", fs, &f, args, 2)
	if env == nil {
		return code
	}
	defer env.Close()
	role, err := webusers.ParseRole(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate users set-role: %v\n", err)
		return exitUsage
	}
	return changeUser(ctx, a, env, "set-role", fs.Arg(0), store.UserChange{Role: string(role)}, fmt.Sprintf("set the role of %s to %s", fs.Arg(0), role))
}

func runUsersDisable(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "users disable", "NAME", "Disable a web user: signed out at the next page and unable to sign in. The user is kept for the audit trail.")
	var f commonFlags
	f.register(fs, false)
	enable := fs.Bool("enable", false, "enable the user again instead")
	env, code := parseAndOpen(ctx, a, "users disable", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.Close()
	off := !*enable
	words := "disabled user " + fs.Arg(0)
	if *enable {
		words = "enabled user " + fs.Arg(0)
	}
	return changeUser(ctx, a, env, "disable", fs.Arg(0), store.UserChange{Disabled: &off}, words)
}

func runUsersPasswd(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "users passwd", "NAME", "Set a web user's password, read from standard input (one line).")
	var f commonFlags
	f.register(fs, false)
	env, code := parseAndOpen(ctx, a, "users passwd", fs, &f, args, 1)
	if env == nil {
		return code
	}
	defer env.Close()
	pw, err := readPassword(a)
	var hash []byte
	if err == nil {
		hash, err = webusers.HashPassword(pw)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate users passwd: %v\n", err)
		return exitUsage
	}
	return changeUser(ctx, a, env, "passwd", fs.Arg(0), store.UserChange{Hash: hash}, "set a new password for "+fs.Arg(0))
}

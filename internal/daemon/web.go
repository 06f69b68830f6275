package daemon

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/web"
	"github.com/edigate/edigate/scheduler"
)

// ServeWeb builds the biller web UI on the daemon's store and pipeline; Run serves it on
// web.listen. Biller accounts come from the environment (lookupEnv); with none, a one-time
// admin password for this run is printed on Options.Out (the console, never the log), so
// the demo's web UI can be opened at once.
func (d *Daemon) ServeWeb(lookupEnv func(string) (string, bool)) error {
	users, err := web.UsersFromEnv(lookupEnv)
	if err != nil {
		return err
	}
	stored, err := d.DB.WebUsers(context.Background())
	if err != nil {
		return err
	}
	// A one-time admin only when nobody at all could sign in (no environment users and
	// none stored by `edigate users add` or the users page).
	if len(users) == 0 && len(stored) == 0 {
		var b [9]byte
		_, _ = rand.Read(b[:])
		pw := base64.RawURLEncoding.EncodeToString(b[:])
		if err := users.Add("admin", pw); err != nil {
			return err
		}
		if d.opts.Out != nil {
			fmt.Fprintf(d.opts.Out, "web UI login (this run only; set %s or %s to keep one): admin / %s\n", web.EnvPassword, web.EnvUsers, pw)
		}
	}
	// Every queue goes through the queue service `edigate queue` uses: an action in the web
	// UI means what the verb means.
	deps := web.StoreDeps(d.DB, d.Pipeline.Cfg, users, pipeline.Queues{Pipeline: d.Pipeline},
		func() []scheduler.JobStatus { return d.Status().Jobs }, func() []scheduler.Health { return d.Status().Clearinghouses }, d.log)
	deps.Appeals = d.Pipeline
	deps.Corrections = pipeline.Queues{Pipeline: d.Pipeline}
	deps.Responses = d.Pipeline
	deps.Outbox, deps.Statements = d.Pipeline.OutboxStatus, d.DB.StatementMessages
	d.Web = web.New(deps)
	return nil
}

package daemon

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/web"
	"github.com/edigate/edigate/scheduler"
)

// WireWeb builds the web UI served on web.listen (nothing when none is configured): the
// store's pages, every queue through the queue service the CLI uses, appeal letters. The
// biller accounts come from the environment (lookup); with none, a one-time admin
// password for this run is printed on console (not in the log), so the demo's UI opens
// at once.
func (d *Daemon) WireWeb(lookup func(string) (string, bool), console io.Writer) error {
	if d.cfg.Web.Listen == "" {
		return nil
	}
	users, err := web.UsersFromEnv(lookup)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		var b [9]byte
		_, _ = rand.Read(b[:])
		pw := base64.RawURLEncoding.EncodeToString(b[:])
		if err := users.Add("admin", pw); err != nil {
			return err
		}
		fmt.Fprintf(console, "web UI login (this run only; set %s or %s to keep one): admin / %s\n", web.EnvPassword, web.EnvUsers, pw)
	}
	deps := web.StoreDeps(d.DB, d.Pipeline.Cfg, users, pipeline.Queues{Pipeline: d.Pipeline},
		func() []scheduler.JobStatus { return d.Status().Jobs }, func() []scheduler.Health { return d.Status().Clearinghouses }, d.log)
	deps.Appeals = d.Pipeline
	d.Web = web.New(deps)
	return nil
}

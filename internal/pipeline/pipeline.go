// Package pipeline is the glue between the store and the transaction packages: the steps
// the daemon schedules and the CLI runs by hand (ask eligibility, apply responses...). Each
// step makes its state change durable before the next external side effect, and can be
// run again after a crash with the same result.
package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/internal/store"
)

// Pipeline holds what every step needs.
type Pipeline struct {
	Cfg *config.Config
	DB  *store.DB
	Log zerolog.Logger
	Now func() time.Time
	// ResponsePart is how many claims of a large response file (835, 277CA) are applied
	// per transaction; 0 means DefaultResponsePart.
	ResponsePart int

	// stored holds the claims this process stored as built, for FileClaims (storedClaims).
	stored storedClaims

	// afterResponsePart, when set, runs after each part of a response file is applied
	// (tests stop a run there, as a crash would).
	afterResponsePart func(parts int) error
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

// OutboundDir is where files for a clearinghouse wait for upload (scheduler.DirOutbox).
func (p *Pipeline) OutboundDir(clearinghouse string) string {
	return filepath.Join(p.Cfg.DataDir, "outbound", clearinghouse)
}

// InboundDir is where downloads from clearinghouses are stored (scheduler.Exchange).
func (p *Pipeline) InboundDir() string { return filepath.Join(p.Cfg.DataDir, "inbound") }

// writeDurable writes data to dir/name through a synced temp file and a synced rename, so
// an uploader never sees a partial file and a crash leaves either nothing or the whole file.
// PHI-bearing files are 0600 in 0700 folders.
func writeDurable(dir, name string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	final := filepath.Join(dir, name)
	if err := durable.WriteSynced(final+".tmp", data); err != nil {
		return "", err
	}
	return final, durable.Publish(final+".tmp", final)
}

// newTrace returns a unique TRN02 trace: time-ordered and random, so two daemons sharing a
// PostgreSQL store cannot collide.
func newTrace(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("E%s%s", now.Format("060102150405"), hex.EncodeToString(b[:]))
}

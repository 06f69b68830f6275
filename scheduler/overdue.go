package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/x12"
)

// AckStore is the storage the overdue check works on (internal/store implements it).
type AckStore interface {
	// UnscannedAckFiles lists processed 999/TA1 files not yet read for acknowledgements.
	UnscannedAckFiles(ctx context.Context) ([]AckFile, error)
	// RecordExchangeAcks records the acknowledgements read from f and marks it read.
	RecordExchangeAcks(ctx context.Context, f AckFile, acks []Ack) error
	// CheckExchangeOverdue matches uploads to their acknowledgements, then raises and
	// clears the overdue alerts.
	CheckExchangeOverdue(ctx context.Context, c OverdueCheck) (OverdueResult, error)
}

// AckFile is a processed 999/TA1 response file not yet read for acknowledgements.
type AckFile struct {
	SHA256        string
	Path          string // relative to the data directory
	Clearinghouse string
	ProcessedAt   time.Time
}

// Ack is one acknowledgement in a 999 (per AK1) or a TA1.
type Ack struct {
	Kind         string // "999" or "TA1"
	FunctionalID string // AK101; "" for a TA1
	Control      int64  // AK102 (the GS06 we sent) or TA101 (the ISA13 we sent)
	Accepted     bool
}

// OverdueCheck is one overdue run's clock and thresholds; a zero duration turns that
// check off.
type OverdueCheck struct {
	Now           time.Time
	AckAfter      time.Duration // claims.ack_overdue_hours
	ClaimAckAfter time.Duration // claims.claim_ack_overdue_days
	// ExpectsAck says whether the clearinghouse answers an upload of this transaction set
	// with a 999 (clearinghouses[].acks_expected_for); an upload it does not is neither
	// waiting nor overdue, and an alert already open for it is cleared. nil: every upload.
	ExpectsAck func(clearinghouse, set string) bool
}

// OverdueResult counts what one check did.
type OverdueResult struct {
	Acked   int `json:"acked"`   // uploads whose acknowledgement was found this time
	Raised  int `json:"raised"`  // alerts raised
	Cleared int `json:"cleared"` // alerts cleared because the response arrived
	Waiting int `json:"waiting"` // uploads still awaiting a 999 (overdue or not)
}

// Overdue watches for silence from clearinghouses: an upload no 999 answered within
// AckAfter, a claim no 277CA answered within ClaimAckAfter. It runs in the alerts job,
// after the responses job has processed what was downloaded.
type Overdue struct {
	Store   AckStore
	DataDir string // inbound_files paths are relative to it
	// AckAfter is claims.ack_overdue_hours, ClaimAckAfter claims.claim_ack_overdue_days;
	// zero turns that check off.
	AckAfter      time.Duration
	ClaimAckAfter time.Duration
	// ExpectsAck says whether a clearinghouse acknowledges uploads of a transaction set
	// (clearinghouses[].acks_expected_for); nil expects a 999 for every upload.
	ExpectsAck func(clearinghouse, set string) bool
	Now        func() time.Time
	Log        zerolog.Logger
}

// Check reads the acknowledgements of newly processed 999/TA1 files, then raises and
// clears the overdue alerts (see AckStore.CheckExchangeOverdue).
func (o *Overdue) Check(ctx context.Context) (OverdueResult, error) {
	files, err := o.Store.UnscannedAckFiles(ctx)
	if err != nil {
		return OverdueResult{}, err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return OverdueResult{}, err
		}
		acks, err := ScanAcks(filepath.Join(o.DataDir, filepath.FromSlash(f.Path)))
		if errors.Is(err, fs.ErrNotExist) {
			// Removed by hand since it was processed: nothing to learn from it any more.
			o.Log.Warn().Str("file", f.Path).Msg("acknowledgement file gone before it was read for overdue checks")
		} else if err != nil {
			// Whatever was read before the error still counts; the responses job has
			// already recorded the file as failed if it is broken.
			o.Log.Warn().Str("file", f.Path).Err(err).Msg("acknowledgement file only partly readable")
		}
		if err := o.Store.RecordExchangeAcks(ctx, f, acks); err != nil {
			return OverdueResult{}, err
		}
	}
	now := time.Now().UTC()
	if o.Now != nil {
		now = o.Now().UTC()
	}
	res, err := o.Store.CheckExchangeOverdue(ctx, OverdueCheck{Now: now, AckAfter: o.AckAfter, ClaimAckAfter: o.ClaimAckAfter,
		ExpectsAck: o.ExpectsAck})
	if err != nil {
		return res, err
	}
	if res.Raised > 0 || res.Cleared > 0 {
		o.Log.Warn().Int("raised", res.Raised).Int("cleared", res.Cleared).Int("awaiting_999", res.Waiting).Msg("overdue clearinghouse responses")
	}
	return res, nil
}

// ScanAcks reads the acknowledgements in a 999/TA1 file: one per AK1 (the group it
// answers and whether AK9 accepted it) and one per TA1. Only the envelope-level segments
// are looked at, so a 999 that fails the full guide still tells which upload it answers.
func ScanAcks(path string) ([]Ack, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return scanAcks(f)
}

func scanAcks(r io.Reader) ([]Ack, error) {
	var out []Ack
	cur := -1 // index in out of the AK1 whose AK9 is still to come
	rd := x12.NewReader(r)
	for {
		seg, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("acknowledgements: %w", err)
		}
		switch seg.ID() {
		case "AK1":
			n, err := strconv.ParseInt(strings.TrimSpace(seg.Str(2)), 10, 64)
			if err != nil || n < 0 {
				cur = -1
				continue // not a group number we could have sent
			}
			out = append(out, Ack{Kind: "999", FunctionalID: strings.TrimSpace(seg.Str(1)), Control: n})
			cur = len(out) - 1
		case "AK9":
			if cur >= 0 {
				switch seg.Str(1) {
				case "A", "E", "P":
					out[cur].Accepted = true
				}
				cur = -1
			}
		case "TA1":
			n, err := strconv.ParseInt(strings.TrimSpace(seg.Str(1)), 10, 64)
			if err != nil || n < 0 {
				continue
			}
			st := seg.Str(4)
			out = append(out, Ack{Kind: "TA1", Control: n, Accepted: st == "A" || st == "E"})
		}
	}
}

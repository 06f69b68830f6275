package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/x12"
)

// DirOutbox is the Outbox over a local folder (data_dir/outbound): every X12 file directly
// in it is pending; Sent moves it to outbound/sent/. The durable record of the delivery
// (and marking claims submitted) is the caller's Record function.
type DirOutbox struct {
	Dir string
	// Patterns select the files (default *.x12, *.edi, *.txt); temp files a writer is
	// still filling must not match (write NAME.tmp and rename).
	Patterns []string
	// Record is called with the upload before the file leaves the outbox; it must be
	// durable and idempotent (it may see the same upload twice after a crash).
	Record func(ctx context.Context, f OutboxFile, u Upload) error
	// OnReject is told about every file Pending moved to rejected/ (log it, raise an alert).
	OnReject func(ctx context.Context, r RejectedFile)
	Now      func() time.Time
}

// ErrNoEnvelope means an outbound file parsed as X12 but has no ISA or no ST, so nothing
// could match a 999 or 277CA back to it.
var ErrNoEnvelope = errors.New("no ISA/ST envelope")

// Reject codes in RejectedFile.Code (the machine-readable reason).
const (
	RejectNoEnvelope = "no_envelope" // X12 without an ISA or ST
	RejectNotX12     = "not_x12"     // the tokenizer could not read it
	RejectUnreadable = "unreadable"  // the local file could not be read
)

// RejectedFile is an outbound file that cannot be sent as it is. It waits in
// outbound/<clearinghouse>/rejected/ beside NAME.error.json (this struct) for a person:
// one bad file must not hold back the others, and it must not be lost silently either.
type RejectedFile struct {
	File       string    `json:"file"`   // base name
	Path       string    `json:"path"`   // where it is now
	Code       string    `json:"code"`   // RejectNoEnvelope, RejectNotX12, RejectUnreadable
	Reason     string    `json:"reason"` // in words; may quote file content, so not for logs
	RejectedAt time.Time `json:"rejected_at"`
}

// Pending lists the outbox files, oldest name first, with their envelope numbers. A file
// whose envelope cannot be read is moved to rejected/ (see RejectedFile) and left out, so
// the run goes on with the others.
func (o *DirOutbox) Pending(ctx context.Context) ([]OutboxFile, error) {
	ents, err := os.ReadDir(o.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pats := o.Patterns
	if len(pats) == 0 {
		pats = []string{"*.x12", "*.edi", "*.txt"}
	}
	var out []OutboxFile
	for _, e := range ents {
		if !e.Type().IsRegular() || !matchAny(pats, e.Name()) {
			continue
		}
		p := filepath.Join(o.Dir, e.Name())
		f, err := DescribeX12(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // moved away since the listing (another run sent it)
		}
		if err != nil {
			if rerr := o.reject(ctx, p, err); rerr != nil {
				return nil, rerr
			}
			continue
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// reject moves p to rejected/ with its reason. The reason file is written first: after a
// crash between the two steps the file is still pending and is rejected again.
func (o *DirOutbox) reject(ctx context.Context, p string, cause error) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	dir := filepath.Join(o.Dir, "rejected")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("outbox: rejected folder: %w", err)
	}
	name := filepath.Base(p)
	r := RejectedFile{File: name, Path: filepath.Join(dir, name), Code: rejectCode(cause), Reason: cause.Error(), RejectedAt: now().UTC()}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	// 0600: the reason may quote the file, and outbound files hold PHI.
	if err := durable.WriteFile(filepath.Join(dir, name+".error.json"), append(b, '\n')); err != nil {
		return fmt.Errorf("outbox: reject %s: %w", name, err)
	}
	if err := os.Rename(p, r.Path); err != nil {
		return fmt.Errorf("outbox: reject %s: %w", name, err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return fmt.Errorf("outbox: reject %s: %w", name, err)
	}
	if err := durable.SyncDir(o.Dir); err != nil {
		return fmt.Errorf("outbox: reject %s: %w", name, err)
	}
	if o.OnReject != nil {
		o.OnReject(ctx, r)
	}
	return nil
}

func rejectCode(err error) string {
	var syn *x12.SyntaxError
	var pe *fs.PathError
	switch {
	case errors.Is(err, ErrNoEnvelope):
		return RejectNoEnvelope
	case errors.As(err, &syn):
		return RejectNotX12
	case errors.As(err, &pe):
		return RejectUnreadable
	}
	return RejectNotX12
}

// Uploaded hands the delivery to Record.
func (o *DirOutbox) Uploaded(ctx context.Context, f OutboxFile, u Upload) error {
	if o.Record == nil {
		return nil
	}
	return o.Record(ctx, f, u)
}

// Sent moves the file to outbound/sent/ (rename, then fsync the folder); a file already
// there from an earlier run is fine.
func (o *DirOutbox) Sent(_ context.Context, f OutboxFile) error {
	sent := filepath.Join(o.Dir, "sent")
	if err := os.MkdirAll(sent, 0o700); err != nil {
		return err
	}
	dest := filepath.Join(sent, filepath.Base(f.Path))
	if err := os.Rename(f.Path, dest); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, serr := os.Stat(dest); serr == nil {
				return nil
			}
		}
		return err
	}
	if err := durable.SyncDir(sent); err != nil {
		return err
	}
	return durable.SyncDir(o.Dir)
}

func matchAny(pats []string, name string) bool {
	lower := strings.ToLower(name)
	for _, p := range pats {
		if ok, _ := filepath.Match(strings.ToLower(p), lower); ok {
			return true
		}
	}
	return false
}

// DescribeX12 reads the envelope numbers and claim ids of an outbound file: the ledger
// keeps them with the upload so that a 999 or 277CA can be matched back to the file.
func DescribeX12(p string) (OutboxFile, error) {
	out := OutboxFile{Path: p}
	f, err := os.Open(p)
	if err != nil {
		return out, err
	}
	defer f.Close()
	r := x12.NewReader(f)
	for {
		seg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, fmt.Errorf("outbox %s: %w", filepath.Base(p), err)
		}
		switch seg.ID() {
		case "ISA":
			if out.Control == "" {
				out.Control = strings.TrimSpace(seg.Str(13))
			}
		case "GS":
			out.Groups = append(out.Groups, seg.Str(6))
		case "ST":
			if out.Set == "" {
				out.Set = seg.Str(1)
			}
			out.Transactions = append(out.Transactions, seg.Str(2))
		case "CLM":
			out.Claims = append(out.Claims, seg.Str(1))
		}
	}
	if out.Control == "" || out.Set == "" {
		return out, fmt.Errorf("outbox %s: %w", filepath.Base(p), ErrNoEnvelope)
	}
	return out, nil
}

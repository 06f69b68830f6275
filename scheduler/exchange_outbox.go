package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
}

// Pending lists the outbox files, oldest name first, with their envelope numbers.
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
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
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
	if err := syncDir(sent); err != nil {
		return err
	}
	return syncDir(o.Dir)
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
		return out, fmt.Errorf("outbox %s: no ISA/ST envelope", filepath.Base(p))
	}
	return out, nil
}

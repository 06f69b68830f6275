package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/internal/store"
)

// A claim file is written as NAME.tmp, created exclusively and flocked from birth until it
// is published or removed. Several instances may share a data folder: recovery touches a
// temp file only when it can take that lock, so never one a live writer is still writing
// or recording; a writer killed at any point leaves a temp file whose lock died with it.

// createLockedTmp creates path exclusively and locks it. A recovery that locked and removed
// the file between its creation and the lock is detected (the path no longer names the
// open file) and the file is created again.
func createLockedTmp(path string) (*os.File, error) {
	for try := 0; try < 4; try++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		if _, err := lockFile(f, true); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", filepath.Base(path), err)
		}
		if names(path, f) {
			return f, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("temp file %s keeps being removed under its writer", filepath.Base(path))
}

// names reports whether path still names the open file f.
func names(path string, f *os.File) bool {
	a, err := os.Stat(path)
	if err != nil {
		return false
	}
	b, err := f.Stat()
	return err == nil && os.SameFile(a, b)
}

// writeLockedTmp writes data into a new locked temp file and fsyncs it; the caller keeps
// the file open (and so locked) until it is published or removed.
func writeLockedTmp(path string, data []byte) (*os.File, error) {
	f, err := createLockedTmp(path)
	if err != nil {
		return nil, err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		os.Remove(path)
		f.Close()
		return nil, err
	}
	return f, nil
}

// RecoverClaimFiles finishes or discards the .tmp files of an interrupted FileClaims.
func (p *Pipeline) RecoverClaimFiles(ctx context.Context, dir string) error {
	return recoverTemps(ctx, filepath.Join(dir, "837P_*.x12.tmp"), p.DB.ClaimFileRecorded)
}

// recoverTemps finishes or discards the temp files matching glob: a file recorded (by its
// final name) is published, an unrecorded one removed (its work is still to do). A temp
// file some live writer holds locked is left to it.
func recoverTemps(ctx context.Context, glob string, recorded func(context.Context, string) (bool, error)) error {
	tmps, err := filepath.Glob(glob)
	if err != nil {
		return err
	}
	for _, tmp := range tmps {
		if err := recoverTemp(ctx, tmp, recorded); err != nil {
			return err
		}
	}
	return nil
}

func recoverTemp(ctx context.Context, tmp string, recorded func(context.Context, string) (bool, error)) error {
	f, err := os.Open(tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // its writer published or removed it since the folder was read
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if got, err := lockFile(f, false); err != nil || !got {
		return err
	}
	if !names(tmp, f) {
		return nil
	}
	final := strings.TrimSuffix(tmp, ".tmp")
	ok, err := recorded(ctx, filepath.Base(final))
	if err != nil {
		return err
	}
	if ok {
		return durable.Publish(tmp, final)
	}
	return os.Remove(tmp)
}

// lostWork returns the ids of a *store.LostWorkError (nil for any other error).
func lostWork(err error) []string {
	var le *store.LostWorkError
	if errors.As(err, &le) {
		return le.IDs
	}
	return nil
}

// FolderID names this data folder in the store (claim_files.origin): instances sharing
// the folder share the id, instances with folders of their own each have one. A new id is
// written to a temp name and hard-linked into place, which fails if another instance got
// there first, so instances started together agree on one id and none reads a partial one.
func (p *Pipeline) FolderID() (string, error) {
	path := filepath.Join(p.Cfg.DataDir, "folder-id")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(raw[:])
	tmp := path + "." + id + ".tmp"
	if err := durable.WriteSynced(tmp, []byte(id+"\n")); err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	b, err := os.ReadFile(path)
	return strings.TrimSpace(string(b)), err
}

// RefileLostClaimFiles finds the 837P files written in this data folder whose claims are
// still filed (not uploaded) but which exist neither as a temp nor as a published file,
// and puts those claims back to built, with an event, so the next filing writes them
// again. A file is looked for where it goes in the order it goes there (temp, then
// published); once uploaded its claims are submitted, which the guarded move checks.
func (p *Pipeline) RefileLostClaimFiles(ctx context.Context, origin string) (int, error) {
	files, err := p.DB.UnsentClaimFiles(ctx, origin)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		final := filepath.Join(p.OutboundDir(f.Clearinghouse), f.Name)
		if !missing(final+".tmp") || !missing(final) {
			continue
		}
		var moved int
		if err := p.DB.Batch(ctx, nil, func(b *store.Batch) error {
			moved, err = b.RefileLostClaimFile(f.ID, f.Name)
			return err
		}); err != nil {
			return n, err
		}
		if moved > 0 {
			p.Log.Warn().Str("file", f.Name).Int("claims", moved).Msg("837P missing from the outbound folder: its claims are filed again")
		}
		n += moved
	}
	return n, nil
}

// missing reports a path that is surely absent; any other error counts as present, so a
// file is never written twice because its folder could not be read.
func missing(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

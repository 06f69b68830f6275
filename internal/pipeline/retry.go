package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edigate/edigate/internal/store"
)

// ErrNotFailed is a retry of a response file that is not (or no longer) failed.
var ErrNotFailed = errors.New("the file is not waiting for a retry")

// RetryResponse applies a response file that could not be applied once more (after the
// cause was fixed: the claim it names was loaded, a configuration corrected), with the
// handlers the responses step uses (ResponseHandlers), and records the new outcome on the
// file's record, expecting it still failed. The returned record says whether it applied
// now and, if not, why. The file is read from the data folder and must still be the file
// that failed (same content hash).
func (p *Pipeline) RetryResponse(ctx context.Context, sha string) (store.InboundFile, error) {
	rec, err := p.DB.InboundFileState(ctx, sha)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rec.State != store.InboundFailed) {
		return rec, fmt.Errorf("response file %s: %w", sha, ErrNotFailed)
	}
	if err != nil {
		return rec, err
	}
	// Streamed like the responses step: a retried 835 may be large.
	f, err := os.Open(filepath.Join(p.Cfg.DataDir, rec.Path))
	if err != nil {
		return rec, fmt.Errorf("response file %s: %w", rec.Path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return rec, fmt.Errorf("response file %s: %w", rec.Path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sha {
		return rec, fmt.Errorf("response file %s changed on disk since it failed; it is not the file recorded", rec.Path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return rec, fmt.Errorf("response file %s: %w", rec.Path, err)
	}
	rec.Kind = ClassifyReader(f)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return rec, fmt.Errorf("response file %s: %w", rec.Path, err)
	}
	rec.State, rec.Error = store.InboundProcessed, ""
	if herr := p.handleResponse(ctx, rec.Kind, rec.Path, f, p.ResponseHandlers()); herr != nil {
		if ctx.Err() != nil {
			return rec, ctx.Err()
		}
		rec.State, rec.Error = store.InboundFailed, herr.Error()
	}
	// The reason may quote the file (PHI): ids only in the log.
	p.Log.Info().Str("file", rec.Path).Str("kind", rec.Kind).Str("state", rec.State).Msg("response file retried")
	return rec, p.DB.RetriedInbound(ctx, rec)
}

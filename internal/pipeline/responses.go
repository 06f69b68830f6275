package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// Response kinds, from the file's envelope.
const (
	KindTA1     = "TA1"
	Kind999     = "999"
	Kind277CA   = "277CA"
	Kind277     = "277" // X212 claim status
	Kind835     = "835"
	Kind271     = "271"
	KindUnknown = "unknown"
)

// Handler processes one response file, read from r (which it may rewind and read again;
// the file is never loaded whole, so a 1 GB 835 costs no 1 GB of memory). It must be
// idempotent: a file is handed over again if the process died before its outcome was
// recorded.
type Handler func(ctx context.Context, name string, r io.ReadSeeker) error

// Classify tells a response file's kind from its envelope: GS01 (FA 999, HN 277/277CA by
// GS08, HP 835, HB 271), or a TA1 alone.
func Classify(data []byte) string { return ClassifyReader(bytes.NewReader(data)) }

// ClassifyReader is Classify reading the first segments of a file from src.
func ClassifyReader(src io.Reader) string {
	r := x12.NewReaderSize(src, 4096)
	sawTA1 := false
	for i := 0; i < 8; i++ {
		s, err := r.Next()
		if err != nil {
			break
		}
		switch s.ID() {
		case "TA1":
			sawTA1 = true
		case "GS":
			switch s.Str(1) {
			case "FA":
				return Kind999
			case "HN":
				if strings.Contains(s.Str(8), "X214") {
					return Kind277CA
				}
				return Kind277
			case "HP":
				return Kind835
			case "HB":
				return Kind271
			}
			return KindUnknown
		}
	}
	if sawTA1 {
		return KindTA1
	}
	return KindUnknown
}

// kindRank orders the response kinds of one download as the exchange produces them;
// unknown kinds go last.
var kindRank = map[string]int{KindTA1: 0, Kind999: 1, Kind277CA: 2, Kind277: 3, Kind271: 4, Kind835: 5, KindUnknown: 6}

// ProcessResponses hands every downloaded response file not yet processed to the handler
// for its kind, oldest folder first, and records the outcome by content hash. A 271 is
// handled here; the daemon registers the others (remit). A file with no handler, or whose
// handler fails, is recorded as failed with the reason and not retried automatically.
func (p *Pipeline) ProcessResponses(ctx context.Context, handlers map[string]Handler) (processed, failed int, err error) {
	files, err := responseFiles(p.InboundDir())
	if err != nil {
		return 0, 0, err
	}
	pending, err := p.newResponses(ctx, files)
	if err != nil {
		return 0, 0, err
	}
	exchangeOrder(pending)
	for _, f := range pending {
		if err := ctx.Err(); err != nil {
			return processed, failed, err
		}
		outcome, err := p.applyResponse(ctx, f, handlers)
		switch outcome {
		case store.InboundProcessed:
			processed++
		case store.InboundFailed:
			failed++
		}
		if err != nil {
			return processed, failed, err
		}
	}
	return processed, failed, nil
}

// responseFile is one downloaded file: its path, the clearinghouse folder it came from,
// and its kind once read.
type responseFile struct{ path, ch, kind string }

// responseFiles lists the downloaded files under root in path order (oldest folder first),
// leaving out partial downloads (.tmp) and hidden files; no root is no files.
func responseFiles(root string) ([]responseFile, error) {
	var files []responseFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if d.Name() == ".partial" {
				return filepath.SkipDir // the exchange's downloads still being written (scheduler's partialDir)
			}
			return nil
		}
		if strings.HasSuffix(path, ".tmp") || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		ch, _, _ := strings.Cut(rel, string(filepath.Separator))
		files = append(files, responseFile{path: path, ch: ch})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("responses: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files, nil
}

// newResponses keeps the files whose content was never recorded, each with its kind.
func (p *Pipeline) newResponses(ctx context.Context, files []responseFile) ([]responseFile, error) {
	var pending []responseFile
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sha, kind, err := hashAndClassify(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // gone since it was listed (an instance sharing the folder moved it)
		}
		if err != nil {
			return nil, err
		}
		if _, err := p.DB.InboundFileState(ctx, sha); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		f.kind = kind
		pending = append(pending, f)
	}
	return pending, nil
}

// exchangeOrder sorts the files of one download folder in the order the exchange happens
// (TA1/999, then 277CA/277, then 271 and 835), whatever their names sort as: a claim's
// history then reads file accepted -> accepted -> paid. Folders stay oldest first.
func exchangeOrder(pending []responseFile) {
	sort.SliceStable(pending, func(i, j int) bool {
		di, dj := filepath.Dir(pending[i].path), filepath.Dir(pending[j].path)
		if di != dj {
			return di < dj
		}
		return kindRank[pending[i].kind] < kindRank[pending[j].kind]
	})
}

// applyResponse hands one file to its handler and records the outcome, which it returns
// (empty when the file was recorded meanwhile or ctx ended during the handler: it is
// handled again next run). The outcome counts even when recording it failed.
func (p *Pipeline) applyResponse(ctx context.Context, f responseFile, handlers map[string]Handler) (string, error) {
	in, err := os.Open(f.path)
	if err != nil {
		return "", fmt.Errorf("responses: %w", err)
	}
	defer in.Close()
	// Hash and classify again: this open file is what gets applied and recorded, and
	// two copies of one file in this run are applied once.
	sha, kind, err := readHashAndClassify(in)
	if err != nil {
		return "", fmt.Errorf("responses: %s: %w", f.path, err)
	}
	if _, err := p.DB.InboundFileState(ctx, sha); err == nil {
		return "", nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	name, _ := filepath.Rel(p.Cfg.DataDir, f.path)
	rec := store.InboundFile{SHA256: sha, Path: name, Clearinghouse: f.ch, Kind: kind, State: store.InboundProcessed}
	if herr := p.handleResponse(ctx, kind, name, in, handlers); herr != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		rec.State, rec.Error = store.InboundFailed, herr.Error()
		// The reason may quote file content (PHI): it goes to the store, not the log.
		p.Log.Error().Str("file", name).Str("kind", kind).Msg("response file failed; see edigate responses")
	} else {
		p.Log.Info().Str("file", name).Str("kind", kind).Msg("response file processed")
	}
	return rec.State, p.DB.MarkInbound(ctx, rec)
}

// handleResponse runs the handler registered for kind; a 271 without one is applied here.
func (p *Pipeline) handleResponse(ctx context.Context, kind, name string, r io.ReadSeeker, handlers map[string]Handler) error {
	if r == nil {
		r = bytes.NewReader(nil)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	switch h, ok := handlers[kind]; {
	case kind == Kind271 && !ok:
		_, err := p.Apply271(ctx, name, r)
		return err
	case ok:
		return h(ctx, name, r)
	default:
		return fmt.Errorf("no handler for %s files", kind)
	}
}

// hashAndClassify reads a file's content hash and kind without loading it whole.
func hashAndClassify(path string) (sha, kind string, err error) {
	in, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("responses: %w", err)
	}
	defer in.Close()
	sha, kind, err = readHashAndClassify(in)
	if err != nil {
		return "", "", fmt.Errorf("responses: %s: %w", path, err)
	}
	return sha, kind, nil
}

// readHashAndClassify hashes in from its start and classifies it by its first segments.
func readHashAndClassify(in io.ReadSeeker) (sha, kind string, err error) {
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return "", "", err
	}
	kind = ClassifyReader(in)
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return "", "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, in); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(h.Sum(nil)), kind, nil
}

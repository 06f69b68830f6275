// Package intake turns files that practice systems drop into DATA/inbox into stored,
// authorization-checked sessions. Valid records are stored, each invalid record is set aside
// in DATA/rejected with a readable reason, and the file moves to DATA/archive/YYYY-MM-DD once
// everything in it is durable. See README.md for the record formats and the rules.
package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/internal/store"
)

// Store is what intake needs from the store.
type Store interface {
	Batch(ctx context.Context, rules *claims.AuthRules, fn func(b *store.Batch) error) error
	InboxFile(ctx context.Context, hash string) (store.InboxFile, error)
}

// defaultBatchSize is how many records share a transaction unless BatchSize says otherwise.
// Large: each commit pays an fsync, a WAL write of every page the batch dirtied and usually
// a checkpoint: 100,000 sessions took 10.5 CPU-seconds in 25,000-record batches against
// 12.3 in 2,000 (README, Throughput). The write lock is held about a second per batch.
const defaultBatchSize = 20000

// Intake polls one data directory. It keeps the sizes seen at the last poll (to judge
// whether a file is complete), so use one Intake per running process.
type Intake struct {
	store     Store
	cfg       *claims.Setup // the practices and payers records are validated against
	rules     *claims.AuthRules
	log       zerolog.Logger
	now       func() time.Time
	dataDir   string
	stableFor time.Duration
	// BatchSize is how many records share one transaction (one fsync).
	BatchSize int
	seen      map[string]fileState
}

type fileState struct {
	size    int64
	mtime   time.Time
	firstAt time.Time
}

// New returns an Intake over cfg.DataDir.
func New(cfg *config.Config, st Store, log zerolog.Logger) (*Intake, error) {
	setup := cfg.ClaimsSetup()
	rules, err := claims.NewAuthRules(setup.Payers)
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	in := &Intake{store: st, cfg: setup, rules: rules, log: log, now: time.Now, dataDir: cfg.DataDir,
		stableFor: cfg.Intake.StableFor, BatchSize: defaultBatchSize, seen: map[string]fileState{}}
	for _, d := range []string{in.dir("inbox"), in.dir("archive"), in.dir("rejected")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("intake: %w", err)
		}
	}
	return in, nil
}

// SetClock replaces the clock (tests: validation of future dates, archive day).
func (in *Intake) SetClock(now func() time.Time) { in.now = now }

func (in *Intake) dir(name string) string { return filepath.Join(in.dataDir, name) }

// Summary counts what one run did.
type Summary struct {
	Files      int `json:"files"`
	Records    int `json:"records"`
	Accepted   int `json:"accepted"`
	Rejected   int `json:"rejected"`
	Duplicates int `json:"duplicates"` // files whose identical content was already processed
	Unparsable int `json:"unparsable"`
	Waiting    int `json:"waiting"` // files not yet complete
}

// RunOnce processes every complete file in the inbox, oldest first. With all set every
// present file counts as complete (`edigate run --once`).
func (in *Intake) RunOnce(ctx context.Context, all bool) (Summary, error) {
	var sum Summary
	entries, err := os.ReadDir(in.dir("inbox"))
	if err != nil {
		return sum, fmt.Errorf("intake: %w", err)
	}
	type cand struct {
		name  string
		mtime time.Time
	}
	var files []cand
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || ignored(name) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		present[name] = true
		if !all && !in.complete(name, info) {
			sum.Waiting++
			continue
		}
		files = append(files, cand{name, info.ModTime()})
	}
	for name := range in.seen {
		if !present[name] {
			delete(in.seen, name)
		}
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].mtime.Equal(files[j].mtime) {
			return files[i].mtime.Before(files[j].mtime)
		}
		return files[i].name < files[j].name
	})
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if err := in.processFile(ctx, f.name, &sum); err != nil {
			return sum, err
		}
		delete(in.seen, f.name)
	}
	return sum, nil
}

// ignored names are never records: hidden and temporary names (writers write to these and
// rename, which is the safe way to deliver) and .done markers.
func ignored(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasSuffix(l, ".tmp") || strings.HasSuffix(l, ".part") ||
		strings.HasSuffix(l, ".done")
}

// complete applies the complete-file rule: a NAME.done marker; or size and mtime unchanged
// across two polls at least stable_for apart; or an mtime already stable_for old when first
// seen (a file written elsewhere and renamed in, or present since before a restart).
func (in *Intake) complete(name string, info os.FileInfo) bool {
	if _, err := os.Stat(filepath.Join(in.dir("inbox"), name+".done")); err == nil {
		return true
	}
	now := in.now()
	st, ok := in.seen[name]
	if !ok || st.size != info.Size() || !st.mtime.Equal(info.ModTime()) {
		in.seen[name] = fileState{size: info.Size(), mtime: info.ModTime(), firstAt: now}
		return now.Sub(info.ModTime()) >= in.stableFor && in.stableFor > 0
	}
	return now.Sub(st.firstAt) >= in.stableFor
}

// rejection is what rejected/NAME.error.json holds.
type rejection struct {
	File    string              `json:"file"`
	Record  int                 `json:"record,omitempty"`
	Line    int                 `json:"line,omitempty"`
	Field   string              `json:"field,omitempty"`
	Reason  string              `json:"reason"`
	Message string              `json:"message"`
	Errors  []claims.FieldError `json:"errors,omitempty"`
	At      string              `json:"at"`
}

// processFile takes one file through to archive/ or rejected/. Every step is safe to
// repeat after a crash: records already stored are no-ops, rejected files are rewritten
// with the same names, and the file is moved only after the store marks it done.
func (in *Intake) processFile(ctx context.Context, name string, sum *Summary) error {
	path := filepath.Join(in.dir("inbox"), name)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("intake %s: %w", name, err)
	}
	// The content hash (the file's identity, needed first by the lookup below) is computed
	// while the records are split and the decoder starts: all three only read data.
	hashed := make(chan string, 1)
	go func() {
		h := sha256.Sum256(data)
		hashed <- hex.EncodeToString(h[:])
	}()
	recs, splitErr := splitRecords(name, data)
	today := in.now()
	size := in.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	var chunks <-chan []decoded
	if splitErr == nil {
		var stop func()
		chunks, stop = in.decodeAhead(ctx, recs, today, 2*size)
		defer stop()
	}
	hash := <-hashed
	log := in.log.With().Str("file", name).Str("sha256", hash[:12]).Logger()
	sum.Files++

	prev, err := in.store.InboxFile(ctx, hash)
	switch {
	case err == nil && prev.State != store.FileProcessing:
		// Already processed: either a crash hit between the store commit and the move, or
		// the same content was dropped again. Nothing is stored twice either way.
		if prev.Name != name {
			sum.Duplicates++
			log.Info().Str("first_file", prev.Name).Msg("intake: identical file already processed; archiving")
			if err := in.store.Batch(ctx, in.rules, func(b *store.Batch) error {
				return b.Event("file", hash, "duplicate", name, map[string]string{"first": prev.Name})
			}); err != nil {
				return fmt.Errorf("intake %s: %w", name, err)
			}
		}
		if prev.State == store.FileRejected {
			return in.moveTo(name, in.dir("rejected"), hash)
		}
		return in.archive(name, hash)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("intake %s: %w", name, err)
	}

	var up errUnparseable
	if err := splitErr; errors.As(err, &up) {
		sum.Unparsable++
		log.Warn().Str("reason", up.msg).Msg("intake: file is not parseable; moved to rejected")
		if err := in.writeJSON(filepath.Join(in.dir("rejected"), name+".error.json"), rejection{
			File: name, Reason: up.msg, Message: name + ": " + up.msg, At: timestampNow(in.now)}); err != nil {
			return err
		}
		if err := in.store.Batch(ctx, in.rules, func(b *store.Batch) error {
			if err := b.BeginFile(hash, name, int64(len(data))); err != nil {
				return err
			}
			return b.FinishFile(hash, name, store.FileRejected, 0, 0, 0)
		}); err != nil {
			return fmt.Errorf("intake %s: %w", name, err)
		}
		return in.moveTo(name, in.dir("rejected"), hash)
	}
	if splitErr != nil {
		return fmt.Errorf("intake %s: %w", name, splitErr)
	}

	accepted, rejected := 0, 0
	type valid struct {
		rec record
		v   any
	}
	const firstBatch = 2000
	var good []valid
	decodedAll := false
	// next fills good up to one batch (or to the end of the file), setting invalid
	// records aside as they come.
	next := func(size int) error {
		for !decodedAll && len(good) < size {
			c, ok := <-chunks
			if !ok {
				decodedAll = true
				break
			}
			for _, d := range c {
				if len(d.errs) == 0 {
					good = append(good, valid{d.rec, d.v})
					continue
				}
				rejected++
				if err := in.reject(name, hash, d.rec, d.errs); err != nil {
					return err
				}
				log.Info().Int("record", d.rec.num).Str("field", d.errs[0].Field).Msg("intake: record rejected")
			}
		}
		return nil
	}
	// Store the valid records in batches; the last batch also marks the file done, so the
	// file is archived only when all of it is durable.
	for first := true; ; first = false {
		// The first batch is small so that the writer starts soon after the decoder.
		size := size
		if first {
			size = min(size, firstBatch)
		}
		if err := next(size); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(size, len(good))
		last := decodedAll && end == len(good)
		batch := good[:end]
		var lateRejects []struct {
			rec  record
			errs []claims.FieldError
		}
		acc := 0
		err := in.store.Batch(ctx, in.rules, func(b *store.Batch) error {
			lateRejects = lateRejects[:0]
			acc = 0
			if first {
				if err := b.BeginFile(hash, name, int64(len(data))); err != nil {
					return err
				}
			}
			var ids []string
			for _, g := range batch {
				if s := sessionOf(g.v); s != nil {
					ids = append(ids, s.ID)
				}
			}
			if err := b.PrefetchSessions(ids); err != nil {
				return err
			}
			// Authorizations are read ahead for the run of sessions up to the next
			// authorization record: putting an authorization drops the batch's cache.
			authsRead := false
			for i, g := range batch {
				switch g.v.(type) {
				case *claims.Authorization:
					authsRead = false
				case *claims.Session, *store.PreparedSession:
					if !authsRead {
						var ss []*claims.Session
						for _, h := range batch[i:] {
							if _, ok := h.v.(*claims.Authorization); ok {
								break
							}
							if s := sessionOf(h.v); s != nil {
								ss = append(ss, s)
							}
						}
						if err := b.PrefetchAuthorizations(ss); err != nil {
							return err
						}
						authsRead = true
					}
				}
				var err error
				switch v := g.v.(type) {
				case *claims.Session:
					_, err = b.PutSession(v, name)
				case *store.PreparedSession:
					_, err = b.PutPrepared(v, name)
				case *claims.Authorization:
					_, err = b.PutAuthorization(v, name)
				case *clientRecord:
					_, err = b.PutClient(v.practice(in.cfg), &v.Client, name)
				}
				if errors.Is(err, store.ErrUnitsBelowUsed) {
					lateRejects = append(lateRejects, struct {
						rec  record
						errs []claims.FieldError
					}{g.rec, []claims.FieldError{{Field: "units", Value: fmt.Sprint(g.v.(*claims.Authorization).Units), Reason: "is fewer than the units already used"}}})
					continue
				}
				if err != nil {
					return fmt.Errorf("record %d: %w", g.rec.num, err)
				}
				acc++
			}
			if last {
				// Rejections are on disk before the commit that lets the file be archived.
				for _, lr := range lateRejects {
					if err := in.reject(name, hash, lr.rec, lr.errs); err != nil {
						return err
					}
				}
				return b.FinishFile(hash, name, store.FileDone, len(recs), accepted+acc, rejected+len(lateRejects))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("intake %s: %w", name, err)
		}
		if !last {
			for _, lr := range lateRejects {
				if err := in.reject(name, hash, lr.rec, lr.errs); err != nil {
					return err
				}
			}
		}
		accepted += acc
		rejected += len(lateRejects)
		if last {
			break
		}
		good = good[end:]
	}
	sum.Records += len(recs)
	sum.Accepted += accepted
	sum.Rejected += rejected
	log.Info().Int("records", len(recs)).Int("accepted", accepted).Int("rejected", rejected).Msg("intake: file processed")
	return in.archive(name, hash)
}

// decoded is a record after decoding and validation: v is a *store.PreparedSession,
// *claims.Session, *claims.Authorization or *clientRecord when errs is empty.
type decoded struct {
	rec  record
	v    any
	errs []claims.FieldError
}

// decodeChunk is how many records the decoder hands over at a time.
const decodeChunk = 500

// decodeAhead decodes and validates recs on another goroutine, so that JSON decoding and
// SQLite share the machine's cores instead of taking turns. It runs up to ahead records in
// front of the writer: enough that the next batch is decoded when the writer wants it, few
// enough that a large file's decoded records are not all in memory at once (they take
// about three times the file's size). stop ends it early.
func (in *Intake) decodeAhead(ctx context.Context, recs []record, today time.Time, ahead int) (<-chan []decoded, func()) {
	dctx, stop := context.WithCancel(ctx)
	chunks := make(chan []decoded, ahead/decodeChunk+1)
	go func() {
		defer close(chunks)
		for i := 0; i < len(recs) && dctx.Err() == nil; i += decodeChunk {
			part := recs[i:min(i+decodeChunk, len(recs))]
			out := make([]decoded, len(part))
			for j, r := range part {
				v, ferrs := in.decode(r, today)
				if s, ok := v.(*claims.Session); ok && len(ferrs) == 0 {
					// The stored JSON and hash are computed here too, off the writer.
					if p, err := store.PrepareSession(s); err == nil {
						v = p
					}
				}
				out[j] = decoded{r, v, ferrs}
			}
			select {
			case chunks <- out:
			case <-dctx.Done():
				return
			}
		}
	}()
	return chunks, stop
}

// sessionOf is the session of a decoded record, or nil.
func sessionOf(v any) *claims.Session {
	switch v := v.(type) {
	case *claims.Session:
		return v
	case *store.PreparedSession:
		return v.Session
	}
	return nil
}

// clientRecord is a client record with the practice it belongs to.
type clientRecord struct {
	claims.Client
	Practice string `json:"practice"`
}

func (c *clientRecord) practice(cfg *claims.Setup) string {
	if c.Practice != "" {
		return c.Practice
	}
	if len(cfg.Practices) == 1 {
		return cfg.Practices[0].ID
	}
	return ""
}

// decode parses and validates one record.
func (in *Intake) decode(r record, today time.Time) (any, []claims.FieldError) {
	if r.json == nil {
		return nil, []claims.FieldError{{Field: "", Reason: "CSV row has a different number of fields than the header"}}
	}
	// Most records are sessions: decode as one straight away, and read the type on its
	// own only when that guess is wrong. A syntax error fills nothing, so it falls through
	// to the head decode and reports as before.
	s := &claims.Session{}
	if err := json.Unmarshal(r.json, s); s.Type == typeSession {
		if err != nil {
			return nil, []claims.FieldError{jsonError(err)}
		}
		return s, claims.ValidateSession(s, in.cfg, today)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(r.json, &head); err != nil {
		return nil, []claims.FieldError{jsonError(err)}
	}
	var target any
	switch head.Type {
	case typeSession:
		target = &claims.Session{}
	case typeAuthorization:
		target = &claims.Authorization{}
	case typeClient:
		target = &clientRecord{}
	case "":
		return nil, []claims.FieldError{{Field: "type", Reason: "is required (session, authorization or client)"}}
	default:
		return nil, []claims.FieldError{{Field: "type", Value: head.Type, Reason: "is not session, authorization or client"}}
	}
	if err := json.Unmarshal(r.json, target); err != nil {
		return nil, []claims.FieldError{jsonError(err)}
	}
	var errs []claims.FieldError
	switch v := target.(type) {
	case *claims.Session:
		errs = claims.ValidateSession(v, in.cfg, today)
	case *claims.Authorization:
		errs = claims.ValidateAuthorization(v, in.cfg)
	case *clientRecord:
		errs = claims.ValidateClient(&v.Client, today)
		if v.practice(in.cfg) == "" {
			errs = append(errs, claims.FieldError{Field: "practice", Reason: "is required when several practices are configured"})
		} else if _, ok := in.cfg.Practice(v.practice(in.cfg)); !ok {
			errs = append(errs, claims.FieldError{Field: "practice", Value: v.Practice, Reason: "is not a configured practice"})
		}
	}
	return target, errs
}

// jsonError names the field of a JSON type error ("client.dob: expected string, got number").
func jsonError(err error) claims.FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return claims.FieldError{Field: te.Field, Value: te.Value, Reason: "has the wrong type (want " + te.Type.String() + ")"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return claims.FieldError{Reason: "is not valid JSON: " + se.Error()}
	}
	// Amount and other custom decoders report their own message.
	msg := err.Error()
	field := ""
	if strings.Contains(msg, "amount") {
		field = "charge"
	}
	return claims.FieldError{Field: field, Reason: msg}
}

// rejectBase names the rejected copy of record n: stable for the same file content, so a
// rerun after a crash rewrites rather than adds.
func rejectBase(name, hash string, n int) (record, errorFile string) {
	ext := filepath.Ext(name)
	stem := fmt.Sprintf("%s.%s.record-%d", strings.TrimSuffix(name, ext), hash[:8], n)
	return stem + ext, stem + ".error.json"
}

func (in *Intake) reject(name, hash string, r record, errs []claims.FieldError) error {
	base, errName := rejectBase(name, hash, r.num)
	raw := r.raw
	if !bytes.HasSuffix(raw, []byte("\n")) {
		raw = append(append([]byte{}, raw...), '\n')
	}
	if err := durable.WriteFile(filepath.Join(in.dir("rejected"), base), raw); err != nil {
		return fmt.Errorf("intake %s: %w", name, err)
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	rej := rejection{File: name, Record: r.num, Line: r.line, Field: errs[0].Field, Reason: errs[0].Reason,
		Message: fmt.Sprintf("record %d: %s", r.num, strings.Join(msgs, "; ")), Errors: errs, At: timestampNow(in.now)}
	return in.writeJSON(filepath.Join(in.dir("rejected"), errName), rej)
}

func (in *Intake) writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return durable.WriteFile(path, append(b, '\n'))
}

func timestampNow(now func() time.Time) string { return now().UTC().Format(time.RFC3339) }

// archive moves the file to archive/YYYY-MM-DD/ (and drops its .done marker).
func (in *Intake) archive(name, hash string) error {
	day := in.now().UTC().Format("2006-01-02")
	dir := filepath.Join(in.dir("archive"), day)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("intake %s: %w", name, err)
	}
	return in.moveTo(name, dir, hash)
}

func (in *Intake) moveTo(name, dir, hash string) error {
	src := filepath.Join(in.dir("inbox"), name)
	dst := filepath.Join(dir, name)
	if _, err := os.Stat(dst); err == nil {
		// Another file of this name is already there: keep both.
		ext := filepath.Ext(name)
		dst = filepath.Join(dir, strings.TrimSuffix(name, ext)+"."+hash[:8]+ext)
	}
	if err := os.Rename(src, dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("intake %s: %w", name, err)
	}
	os.Chmod(dst, 0o600)
	os.Remove(src + ".done")
	return durable.SyncDir(dir)
}

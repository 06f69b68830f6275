// Package intake turns files that practice systems drop into DATA/inbox into stored,
// authorization-checked sessions. Valid records are stored, each invalid record is set aside
// in DATA/rejected with a readable reason, and the file moves to DATA/archive/YYYY-MM-DD once
// everything in it is durable. See README.md for the record formats and the rules.
package intake

import (
	"bytes"
	"context"
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
	"github.com/edigate/edigate/lifecycle"
)

// Store is what intake needs from the store.
type Store interface {
	Batch(ctx context.Context, rules *claims.AuthRules, fn func(b *store.Batch) error) error
	InboxFile(ctx context.Context, hash string) (store.InboxFile, error)
	RaiseAlert(ctx context.Context, entityKind, entityID, kind string, detail map[string]any) (bool, error)
}

// defaultBatchSize is how many records share a transaction unless BatchSize says otherwise.
// Large: each commit pays an fsync, a WAL write of every page the batch dirtied and usually
// a checkpoint: 100,000 sessions took 10.5 CPU-seconds in 25,000-record batches against
// 12.3 in 2,000 (README, Throughput). The write lock is held about a second per batch.
const defaultBatchSize = 20000

// maxAttempts is how many runs a file may fail in (the store refusing a batch, say) before
// it is set aside whole, so that one file never holds up the ones behind it for long.
const maxAttempts = 3

// Complete-file rules (config intake.complete).
const (
	completeRename = "rename"
	completeDone   = "done"
	completeQuiet  = "quiet"
)

// Intake polls one data directory. It keeps the sizes seen at the last poll (to judge
// whether a file is complete), the files it moved (to catch late appends) and failed
// attempts per file, so use one Intake per running process.
type Intake struct {
	store        Store
	cfg          *claims.Setup // the practices and payers records are validated against
	rules        *claims.AuthRules
	log          zerolog.Logger
	now          func() time.Time
	dataDir      string
	completeRule string
	stableFor    time.Duration
	// BatchSize is how many records share one transaction (one fsync).
	BatchSize int
	// Scrub, when set, runs in each batch's transaction after its records are put: the
	// scrub at intake (pipeline.ScrubWritten), so the sessions are stored with their scrub.
	Scrub func(b *store.Batch) error
	seen  map[string]fileState
	taken []taken
	// watchLoaded: the watch records of earlier processes were read (loadWatched).
	watchLoaded bool
	failures    map[string]int
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
	rule := cfg.Intake.Complete
	if rule == "" {
		rule = completeRename
	}
	in := &Intake{store: st, cfg: setup, rules: rules, log: log, now: time.Now, dataDir: cfg.DataDir,
		completeRule: rule, stableFor: cfg.Intake.StableFor, BatchSize: defaultBatchSize,
		seen: map[string]fileState{}, failures: map[string]int{}}
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
	Waiting    int `json:"waiting"`   // files not yet complete
	SetAside   int `json:"set_aside"` // links, special files and files that failed, moved whole to rejected/
	Failed     int `json:"failed"`    // files that failed this run and stay in the inbox for another attempt
	Changed    int `json:"changed"`   // taken files that changed afterwards (their new bytes are a new input)
}

// RunOnce processes every complete file in the inbox, oldest first. With all set every
// present file counts as complete (`edigate run --once`). A file that fails does not stop
// the files after it: it is retried on the next runs and then set aside; the run's error
// reports the failures.
func (in *Intake) RunOnce(ctx context.Context, all bool) (Summary, error) {
	var sum Summary
	var errs []error
	in.loadWatched()
	if err := in.checkWatched(ctx, &sum); err != nil {
		errs = append(errs, err)
	}
	files, err := in.complete(ctx, all, &sum, &errs)
	if err != nil {
		return sum, err
	}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		err := in.processFile(ctx, name, &sum)
		if err == nil {
			delete(in.seen, name)
			delete(in.failures, name)
			continue
		}
		if ctx.Err() != nil {
			return sum, err
		}
		if err := in.failed(ctx, name, err, &sum); err != nil {
			errs = append(errs, err)
		}
	}
	return sum, errors.Join(errs...)
}

// complete lists the inbox files that are complete, oldest first, and sets aside links,
// folders and special files (never followed); one that cannot be set aside adds to errs
// and holds up nothing.
func (in *Intake) complete(ctx context.Context, all bool, sum *Summary, errs *[]error) ([]string, error) {
	entries, err := os.ReadDir(in.dir("inbox"))
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	type cand struct {
		name  string
		mtime time.Time
	}
	var files []cand
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if ignored(name) {
			continue
		}
		if !e.Type().IsRegular() {
			if _, err := in.setAside(ctx, name, nameID(name), "intake_file_refused", fileFault{reason: "is " + describe(e.Type()) + ", not a regular file"}); err != nil {
				*errs = append(*errs, err)
				continue
			}
			sum.SetAside++
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		present[name] = true
		if !all && !in.isComplete(name, info) {
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
	for name := range in.failures {
		if !present[name] {
			delete(in.failures, name)
		}
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].mtime.Equal(files[j].mtime) {
			return files[i].mtime.Before(files[j].mtime)
		}
		return files[i].name < files[j].name
	})
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.name
	}
	return names, nil
}

// failed handles a file whose processing failed: a fault of the file itself, or the last
// allowed attempt, sets it aside whole; otherwise it stays for the next run.
func (in *Intake) failed(ctx context.Context, name string, err error, sum *Summary) error {
	id := nameID(name)
	var fe fileError
	if errors.As(err, &fe) {
		id = fe.id
	}
	in.failures[name]++
	var ff fileFault
	if !errors.As(err, &ff) && in.failures[name] < maxAttempts {
		sum.Failed++
		in.log.Warn().Str("file_id", shortID(id)).Int("attempt", in.failures[name]).Err(err).
			Msg("intake: file failed; it stays in the inbox for another attempt")
		return fileError{id, err}
	}
	if _, aerr := in.setAside(ctx, name, id, "intake_file_failed", err); aerr != nil {
		return errors.Join(fileError{id, err}, aerr)
	}
	delete(in.failures, name)
	delete(in.seen, name)
	sum.SetAside++
	return nil
}

// ignored names are never records: hidden and temporary names (writers write to these and
// rename, which is the safe way to deliver) and .done markers.
func ignored(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasSuffix(l, ".tmp") || strings.HasSuffix(l, ".part") ||
		strings.HasSuffix(l, ".done")
}

// isComplete applies the complete-file rule. rename: every visible name (writers rename
// into the inbox). done: a NAME.done marker. quiet: a marker; or size and mtime unchanged
// across two polls at least stable_for apart; or an mtime already stable_for old when
// first seen (present since before a restart).
func (in *Intake) isComplete(name string, info os.FileInfo) bool {
	if in.completeRule == completeRename {
		return true
	}
	if _, err := os.Stat(filepath.Join(in.dir("inbox"), name+".done")); err == nil {
		return true
	}
	if in.completeRule != completeQuiet {
		return false
	}
	now := in.now()
	st, ok := in.seen[name]
	if !ok || st.size != info.Size() || !st.mtime.Equal(info.ModTime()) {
		in.seen[name] = fileState{size: info.Size(), mtime: info.ModTime(), firstAt: now}
		return now.Sub(info.ModTime()) >= in.stableFor && in.stableFor > 0
	}
	return now.Sub(st.firstAt) >= in.stableFor
}

// rejection is what a reason file in rejected/ holds: NAME.error.json for a file set aside
// whole, NAME.HASH8.record-N.error.json for one record.
type rejection struct {
	File    string              `json:"file"`
	FileID  string              `json:"file_id,omitempty"`
	Record  int                 `json:"record,omitempty"`
	Line    int                 `json:"line,omitempty"`
	Field   string              `json:"field,omitempty"`
	Reason  string              `json:"reason"`
	Message string              `json:"message"`
	Errors  []claims.FieldError `json:"errors,omitempty"`
	At      string              `json:"at"`
}

// inboxFile is one file being processed.
type inboxFile struct {
	name string // the practice's name: reason files and the store only, never logs
	id   string // SHA-256 of the content
	data []byte
	tk   taken
	log  zerolog.Logger
}

func (f *inboxFile) fail(err error) error { return fileError{f.id, err} }

// processFile takes one file through to archive/ or rejected/. Every step is safe to
// repeat after a crash: records already stored are no-ops, rejected files are rewritten
// with the same names, and the file is moved only after the store marks it done.
func (in *Intake) processFile(ctx context.Context, name string, sum *Summary) error {
	data, tk, err := in.read(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// The content hash (the file's identity, needed first by the lookup below) is computed
	// while the records are split and the decoder starts: all three only read data.
	hashed := make(chan string, 1)
	go func() { hashed <- sha256Hex(data) }()
	recs, splitErr := splitRecords(name, data)
	var chunks <-chan []decoded
	if splitErr == nil {
		var stop func()
		chunks, stop = in.decodeAhead(ctx, recs, in.now(), 2*in.batchSize())
		defer stop()
	}
	tk.hash = <-hashed
	f := &inboxFile{name: name, id: tk.hash, data: data, tk: tk, log: in.log.With().Str("file_id", shortID(tk.hash)).Logger()}
	sum.Files++

	if done, err := in.alreadyProcessed(ctx, f, sum); done || err != nil {
		return err
	}
	var up errUnparseable
	if errors.As(splitErr, &up) {
		return in.rejectUnparseable(ctx, f, up, sum)
	}
	if splitErr != nil {
		return f.fail(splitErr)
	}
	w := &writer{in: in, f: f, chunks: chunks, records: len(recs)}
	if err := w.run(ctx); err != nil {
		return err
	}
	sum.Records += len(recs)
	sum.Accepted += w.accepted
	sum.Rejected += w.rejected
	f.log.Info().Int("records", len(recs)).Int("accepted", w.accepted).Int("rejected", w.rejected).Msg("intake: file processed")
	return in.archive(ctx, f, sum)
}

func (in *Intake) batchSize() int {
	if in.BatchSize <= 0 {
		return defaultBatchSize
	}
	return in.BatchSize
}

// alreadyProcessed finishes a file whose content the store has already seen through: a
// crash hit between the store commit and the move, or the same content was dropped again.
// Nothing is stored twice either way.
func (in *Intake) alreadyProcessed(ctx context.Context, f *inboxFile, sum *Summary) (bool, error) {
	prev, err := in.store.InboxFile(ctx, f.id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, f.fail(err)
	case prev.State == store.FileProcessing:
		return false, nil
	}
	if prev.Name != f.name {
		sum.Duplicates++
		f.log.Info().Msg("intake: identical file already processed; archiving")
		if err := in.store.Batch(ctx, in.rules, func(b *store.Batch) error {
			return b.Event(lifecycle.EntityFile, f.id, lifecycle.FileDuplicate, f.name, map[string]string{"first": prev.Name})
		}); err != nil {
			return true, f.fail(err)
		}
	}
	if prev.State == store.FileRejected {
		return true, in.moveTo(ctx, f, in.dir("rejected"), boundedName(f.name, shortID(f.id)), sum)
	}
	return true, in.archive(ctx, f, sum)
}

// rejectUnparseable moves a file that cannot be split into records whole to rejected/.
func (in *Intake) rejectUnparseable(ctx context.Context, f *inboxFile, up errUnparseable, sum *Summary) error {
	sum.Unparsable++
	f.log.Warn().Str("reason", up.msg).Msg("intake: file is not parseable; moved to rejected")
	if err := in.writeJSON(filepath.Join(in.dir("rejected"), boundedName(f.name, shortID(f.id))+".error.json"), rejection{
		File: f.name, FileID: f.id, Reason: up.msg, Message: "the file cannot be split into records: " + up.msg, At: timestampNow(in.now)}); err != nil {
		return f.fail(err)
	}
	if err := in.store.Batch(ctx, in.rules, func(b *store.Batch) error {
		if err := b.BeginFile(f.id, f.name, f.tk.size); err != nil {
			return err
		}
		return b.FinishFile(f.id, f.name, store.FileRejected, 0, 0, 0)
	}); err != nil {
		return f.fail(err)
	}
	return in.moveTo(ctx, f, in.dir("rejected"), boundedName(f.name, shortID(f.id)), sum)
}

// valid is a record that passed validation, waiting for its batch.
type valid struct {
	rec record
	v   any
}

// lateReject is a record the store refused in its batch (an authorization with fewer
// units than already used).
type lateReject struct {
	rec  record
	errs []claims.FieldError
}

// firstBatch is small so that the writer starts soon after the decoder.
const firstBatch = 2000

// writer stores one file's valid records in batches; the last batch also marks the file
// done, so the file is archived only when all of it is durable.
type writer struct {
	in         *Intake
	f          *inboxFile
	chunks     <-chan []decoded
	records    int
	good       []valid
	decodedAll bool
	accepted   int
	rejected   int
}

func (w *writer) run(ctx context.Context) error {
	size := w.in.batchSize()
	for first := true; ; first = false {
		n := size
		if first {
			n = min(size, firstBatch)
		}
		if err := w.fill(n); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(n, len(w.good))
		last := w.decodedAll && end == len(w.good)
		acc, late, err := w.commit(ctx, w.good[:end], first, last)
		if err != nil {
			return w.f.fail(err)
		}
		if !last {
			if err := w.rejectAll(late); err != nil {
				return err
			}
		}
		w.accepted += acc
		w.rejected += len(late)
		if last {
			return nil
		}
		w.good = w.good[end:]
	}
}

// fill takes decoded records until one batch is ready (or the file ends), setting invalid
// records aside as they come.
func (w *writer) fill(size int) error {
	for !w.decodedAll && len(w.good) < size {
		c, ok := <-w.chunks
		if !ok {
			w.decodedAll = true
			break
		}
		for _, d := range c {
			if len(d.errs) == 0 {
				w.good = append(w.good, valid{d.rec, d.v})
				continue
			}
			w.rejected++
			if err := w.in.reject(w.f, d.rec, d.errs); err != nil {
				return err
			}
			w.f.log.Info().Int("record", d.rec.num).Str("field", d.errs[0].Field).Msg("intake: record rejected")
		}
	}
	return nil
}

func (w *writer) rejectAll(late []lateReject) error {
	for _, lr := range late {
		if err := w.in.reject(w.f, lr.rec, lr.errs); err != nil {
			return err
		}
	}
	return nil
}

// commit stores one batch in one transaction.
func (w *writer) commit(ctx context.Context, batch []valid, first, last bool) (int, []lateReject, error) {
	var late []lateReject
	acc := 0
	err := w.in.store.Batch(ctx, w.in.rules, func(b *store.Batch) error {
		late, acc = late[:0], 0
		if first {
			if err := b.BeginFile(w.f.id, w.f.name, w.f.tk.size); err != nil {
				return err
			}
		}
		if err := prefetchSessions(b, batch); err != nil {
			return err
		}
		authsRead, recordsRead := false, false
		for i, g := range batch {
			if err := prefetchAuthorizations(b, batch, i, &authsRead); err != nil {
				return err
			}
			if err := prefetchAuthorizationRecords(b, batch, i, &recordsRead); err != nil {
				return err
			}
			err := w.put(b, g)
			if errors.Is(err, store.ErrUnitsBelowUsed) {
				late = append(late, lateReject{g.rec, []claims.FieldError{{Field: "units", Value: fmt.Sprint(g.v.(*claims.Authorization).Units), Reason: "is fewer than the units already used"}}})
				continue
			}
			if err != nil {
				return fmt.Errorf("record %d: %w", g.rec.num, err)
			}
			acc++
		}
		if w.in.Scrub != nil {
			if err := w.in.Scrub(b); err != nil {
				return err
			}
		}
		if !last {
			return nil
		}
		// Rejections are on disk before the commit that lets the file be archived.
		if err := w.rejectAll(late); err != nil {
			return err
		}
		return b.FinishFile(w.f.id, w.f.name, store.FileDone, w.records, w.accepted+acc, w.rejected+len(late))
	})
	return acc, late, err
}

func (w *writer) put(b *store.Batch, g valid) error {
	var err error
	switch v := g.v.(type) {
	case *claims.Session:
		_, err = b.PutSession(v, w.f.name)
	case *store.PreparedSession:
		_, err = b.PutPrepared(v, w.f.name)
	case *claims.Authorization:
		_, err = b.PutAuthorization(v, w.f.name)
	case *clientRecord:
		_, err = b.PutClient(v.practice(w.in.cfg), &v.Client, w.f.name)
	}
	return err
}

func prefetchSessions(b *store.Batch, batch []valid) error {
	var ids []string
	for _, g := range batch {
		if s := sessionOf(g.v); s != nil {
			ids = append(ids, s.ID)
		}
	}
	return b.PrefetchSessions(ids)
}

// prefetchAuthorizations reads ahead the authorizations for the run of sessions from
// batch[i] up to the next authorization record: putting an authorization drops the
// batch's cache, so *read says whether the current run is read.
func prefetchAuthorizations(b *store.Batch, batch []valid, i int, read *bool) error {
	switch batch[i].v.(type) {
	case *claims.Authorization:
		*read = false
		return nil
	case *claims.Session, *store.PreparedSession:
	default:
		return nil
	}
	if *read {
		return nil
	}
	var ss []*claims.Session
	for _, h := range batch[i:] {
		if _, ok := h.v.(*claims.Authorization); ok {
			break
		}
		if s := sessionOf(h.v); s != nil {
			ss = append(ss, s)
		}
	}
	*read = true
	return b.PrefetchAuthorizations(ss)
}

// prefetchAuthorizationRecords reads ahead the stored rows of the run of authorization
// records from batch[i] up to the next session (Batch.PrefetchAuthorizationRecords); *read
// says whether the current run is read.
func prefetchAuthorizationRecords(b *store.Batch, batch []valid, i int, read *bool) error {
	switch batch[i].v.(type) {
	case *claims.Authorization:
	case *claims.Session, *store.PreparedSession:
		*read = false
		return nil
	default:
		return nil
	}
	if *read {
		return nil
	}
	var as []*claims.Authorization
	for _, h := range batch[i:] {
		if sessionOf(h.v) != nil {
			break
		}
		if a, ok := h.v.(*claims.Authorization); ok {
			as = append(as, a)
		}
	}
	*read = true
	return b.PrefetchAuthorizationRecords(as)
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
// rerun after a crash rewrites rather than adds; bounded whatever the file's name.
func rejectBase(name, hash string, n int) (record, errorFile string) {
	stem, ext := splitName(name)
	stem = fmt.Sprintf("%s.%s.record-%d", cut(stem, maxStem), hash[:8], n)
	return stem + ext, stem + ".error.json"
}

func (in *Intake) reject(f *inboxFile, r record, errs []claims.FieldError) error {
	base, errName := rejectBase(f.name, f.id, r.num)
	raw := r.raw
	if !bytes.HasSuffix(raw, []byte("\n")) {
		raw = append(append([]byte{}, raw...), '\n')
	}
	if err := durable.WriteFile(filepath.Join(in.dir("rejected"), base), raw); err != nil {
		return f.fail(fmt.Errorf("record %d: %w", r.num, err))
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	rej := rejection{File: f.name, FileID: f.id, Record: r.num, Line: r.line, Field: errs[0].Field, Reason: errs[0].Reason,
		Message: fmt.Sprintf("record %d: %s", r.num, strings.Join(msgs, "; ")), Errors: errs, At: timestampNow(in.now)}
	if err := in.writeJSON(filepath.Join(in.dir("rejected"), errName), rej); err != nil {
		return f.fail(fmt.Errorf("record %d: %w", r.num, err))
	}
	return nil
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
func (in *Intake) archive(ctx context.Context, f *inboxFile, sum *Summary) error {
	dir := filepath.Join(in.dir("archive"), in.now().UTC().Format("2006-01-02"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f.fail(err)
	}
	return in.moveTo(ctx, f, dir, f.name, sum)
}

// moveTo moves the file that was read out of the inbox as dir/base (base.HASH8 when taken)
// and watches it for bytes appended after it was read. When the inbox name meanwhile holds
// another file (replaced by a writer), that file stays for its own run and what was read
// is written to dir instead.
func (in *Intake) moveTo(ctx context.Context, f *inboxFile, dir, base string, sum *Summary) error {
	src := filepath.Join(in.dir("inbox"), f.name)
	dst := filepath.Join(dir, base)
	if _, err := os.Lstat(dst); err == nil {
		stem, ext := splitName(f.name)
		dst = filepath.Join(dir, cut(stem, maxStem)+"."+f.id[:8]+ext)
	}
	fi, err := os.Lstat(src)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return f.fail(err)
	case inode(fi) != f.tk.inode:
		f.log.Warn().Msg("intake: the inbox name now holds another file; it stays for the next run")
		if err := durable.WriteFile(dst, f.data); err != nil {
			return f.fail(err)
		}
		return nil
	}
	if err := os.Rename(src, dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return f.fail(err)
	}
	os.Chmod(dst, 0o600)
	os.Remove(src + ".done")
	if err := durable.SyncDir(dir); err != nil {
		return f.fail(err)
	}
	tk := f.tk
	tk.path = dst
	return in.watch(ctx, tk, sum)
}

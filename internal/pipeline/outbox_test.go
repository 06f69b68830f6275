package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/outbox"
)

// addEvents records n billed events (one outbox message each) in one batch.
func addEvents(t *testing.T, p *Pipeline, prefix string, n int) {
	t.Helper()
	if err := p.DB.Batch(context.Background(), nil, func(b *store.Batch) error {
		for i := 0; i < n; i++ {
			if err := b.Event(lifecycle.EntitySession, fmt.Sprintf("%s-%d", prefix, i), lifecycle.SessionBilled, "", map[string]string{"claim_ref": "C-" + prefix}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// readOutboxDir reads every *.ndjson of dir in name order: the seqs in order, and the
// names; it fails on a temporary file left behind or a file not 0600.
func readOutboxDir(t *testing.T, dir string) ([]int64, []string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	var names []string
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".ndjson") {
			t.Fatalf("left in the outbox folder: %s", e.Name())
		}
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
		names = append(names, e.Name())
		seqs = append(seqs, fileSeqs(t, filepath.Join(dir, e.Name()))...)
	}
	return seqs, names
}

func fileSeqs(t *testing.T, path string) []int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m outbox.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m.Seq)
	}
	return out
}

func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// TestWriteOutboxFiles: messages go into files of at most max_per_file, named by their
// range, in order, each once; a second run writes nothing.
func TestWriteOutboxFiles(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	p.Cfg.Outbox.MaxPerFile = 4
	addEvents(t, p, "A", 10)
	paths, err := p.WriteOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{outbox.FileName(1, 4), outbox.FileName(5, 8), outbox.FileName(9, 10)}
	seqs, names := readOutboxDir(t, p.OutboxDir())
	if !slices.Equal(names, want) || len(paths) != 3 || !slices.Equal(seqs, seqRange(1, 10)) {
		t.Fatalf("files %v %v seqs %v", names, paths, seqs)
	}
	if again, err := p.WriteOutbox(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second run wrote %v (%v)", again, err)
	}
	// The practice system deletes what it read; only new events come next.
	for _, n := range names {
		os.Remove(filepath.Join(p.OutboxDir(), n))
	}
	addEvents(t, p, "B", 2)
	if _, err := p.WriteOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if seqs, names := readOutboxDir(t, p.OutboxDir()); !slices.Equal(names, []string{outbox.FileName(11, 12)}) || !slices.Equal(seqs, seqRange(11, 12)) {
		t.Fatalf("after delete: %v %v", names, seqs)
	}
}

// TestWriteOutboxAfterCrash: a crash between the file's rename and the cursor's advance
// (the cursor still before the range, the range pending) rewrites the same file with the
// same bytes, even when more events arrived meanwhile; the new events go into the next file.
func TestWriteOutboxAfterCrash(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	addEvents(t, p, "A", 3)
	if _, err := p.WriteOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(p.OutboxDir(), outbox.FileName(1, 3))
	first, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// The crash: the file is there, the cursor never moved past it.
	if _, err := p.DB.SQL().ExecContext(ctx, `UPDATE outbox_cursors SET value = 0, pending = 3 WHERE name = 'file'`); err != nil {
		t.Fatal(err)
	}
	addEvents(t, p, "B", 2)
	if _, err := p.WriteOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("rewritten file differs (%v):\n%s\n---\n%s", err, first, again)
	}
	seqs, names := readOutboxDir(t, p.OutboxDir())
	if !slices.Equal(names, []string{outbox.FileName(1, 3), outbox.FileName(4, 5)}) || !slices.Equal(seqs, seqRange(1, 5)) {
		t.Fatalf("files %v seqs %v", names, seqs)
	}
	// A crash after the range was recorded but before its file: the same range is written.
	os.Remove(filepath.Join(p.OutboxDir(), outbox.FileName(1, 3)))
	os.Remove(filepath.Join(p.OutboxDir(), outbox.FileName(4, 5)))
	addEvents(t, p, "C", 3)
	if _, err := p.DB.SQL().ExecContext(ctx, `UPDATE outbox_cursors SET pending = 6 WHERE name = 'file'`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if seqs, names := readOutboxDir(t, p.OutboxDir()); !slices.Equal(names, []string{outbox.FileName(6, 6), outbox.FileName(7, 8)}) || !slices.Equal(seqs, seqRange(6, 8)) {
		t.Fatalf("files %v seqs %v", names, seqs)
	}
}

// TestReplayOutbox: replay writes events from N (through M) again into one file without
// moving the cursors.
func TestReplayOutbox(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	addEvents(t, p, "A", 6)
	if _, err := p.WriteOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	path, n, err := p.ReplayOutbox(ctx, 3, 0, "")
	if err != nil || n != 4 || filepath.Base(path) != outbox.ReplayName(3, 6) {
		t.Fatalf("replay %s %d %v", path, n, err)
	}
	if got := fileSeqs(t, path); !slices.Equal(got, seqRange(3, 6)) {
		t.Fatalf("replayed %v", got)
	}
	out := filepath.Join(t.TempDir(), "x.ndjson")
	if path, n, err = p.ReplayOutbox(ctx, 2, 4, out); err != nil || n != 3 || path != out || !slices.Equal(fileSeqs(t, out), seqRange(2, 4)) {
		t.Fatalf("replay to file %s %d %v", path, n, err)
	}
	if _, _, err := p.ReplayOutbox(ctx, 9, 0, ""); err == nil {
		t.Fatal("replay past the last event: no error")
	}
	if c, _ := p.DB.OutboxCursor(ctx, store.CursorFile); c.Value != 6 {
		t.Fatalf("replay moved the file cursor to %d", c.Value)
	}
}

// receiver is a practice system's HTTP endpoint: it fails while down, else checks the
// signature and keeps the events.
type receiver struct {
	mu     sync.Mutex
	down   bool
	secret []byte
	seqs   []int64
	bad    []string
	posts  int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	if r.down {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	if !outbox.Verify(r.secret, body, req.Header.Get(outbox.SignatureHeader)) {
		r.bad = append(r.bad, "signature")
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	for _, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n")) {
		var m outbox.Message
		if err := json.Unmarshal(line, &m); err != nil {
			r.bad = append(r.bad, err.Error())
			continue
		}
		r.seqs = append(r.seqs, m.Seq)
	}
	if req.Header.Get("X-Edigate-First-Seq") == "" || req.Header.Get("Content-Type") != "application/x-ndjson" {
		r.bad = append(r.bad, "headers")
	}
}

// TestDeliverOutboxRetries: a receiver that answers 500 gets nothing counted as delivered;
// the failure, the attempt count and the next attempt (backoff doubling) are recorded and
// nothing is sent before it; once the receiver is back every event arrives once, in order,
// with a valid signature.
func TestDeliverOutboxRetries(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	rcv := &receiver{down: true, secret: []byte("s3cret")}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	now := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	p.Now = func() time.Time { return now }
	h := &p.Cfg.Outbox.HTTP
	h.URL, h.Secret, h.Batch, h.Timeout, h.Backoff, h.MaxBackoff = srv.URL+"/events", "s3cret", 4, 5*time.Second, 30*time.Second, 2*time.Minute
	addEvents(t, p, "A", 10)

	if n, err := p.DeliverOutbox(ctx); err == nil || n != 0 {
		t.Fatalf("delivered %d to a failing receiver (%v)", n, err)
	}
	c, _ := p.DB.OutboxCursor(ctx, store.CursorHTTP)
	if c.Value != 0 || c.Attempts != 1 || !strings.Contains(c.LastError, "500") || !c.NextAttempt.Equal(now.Add(30*time.Second)) {
		t.Fatalf("after a failure: %+v", c)
	}
	// Before the next attempt nothing is sent.
	if n, err := p.DeliverOutbox(ctx); err != nil || n != 0 || rcv.posts != 1 {
		t.Fatalf("sent during backoff: %d %v posts %d", n, err, rcv.posts)
	}
	now = now.Add(30 * time.Second)
	if _, err := p.DeliverOutbox(ctx); err == nil {
		t.Fatal("second failure not reported")
	}
	if c, _ = p.DB.OutboxCursor(ctx, store.CursorHTTP); c.Attempts != 2 || !c.NextAttempt.Equal(now.Add(time.Minute)) {
		t.Fatalf("backoff did not double: %+v", c)
	}
	// The receiver recovers; more events arrive meanwhile.
	rcv.mu.Lock()
	rcv.down = false
	rcv.mu.Unlock()
	addEvents(t, p, "B", 3)
	now = now.Add(time.Minute)
	n, err := p.DeliverOutbox(ctx)
	if err != nil || n != 13 {
		t.Fatalf("delivered %d (%v)", n, err)
	}
	if !slices.Equal(rcv.seqs, seqRange(1, 13)) || len(rcv.bad) != 0 {
		t.Fatalf("received %v, problems %v", rcv.seqs, rcv.bad)
	}
	if c, _ = p.DB.OutboxCursor(ctx, store.CursorHTTP); c.Value != 13 || c.Attempts != 0 || c.LastError != "" {
		t.Fatalf("cursor after recovery %+v", c)
	}
	if n, err := p.DeliverOutbox(ctx); err != nil || n != 0 || len(rcv.seqs) != 13 {
		t.Fatalf("delivered again: %d %v", n, err)
	}
	st, err := p.OutboxStatus(ctx)
	if err != nil || st.HTTP == nil || st.HTTP.Value != 13 || st.Last != 13 || strings.Contains(st.URL, "s3cret") {
		t.Fatalf("status %+v %v", st, err)
	}
}

// TestDeliverOutboxWrongSecret: a receiver that refuses the signature is a failure, never
// counted as delivered.
func TestDeliverOutboxWrongSecret(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	rcv := &receiver{secret: []byte("theirs")}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	h := &p.Cfg.Outbox.HTTP
	h.URL, h.Secret, h.Batch, h.Timeout, h.Backoff, h.MaxBackoff = srv.URL, "ours", 10, 5*time.Second, time.Second, time.Minute
	addEvents(t, p, "A", 2)
	if n, err := p.DeliverOutbox(ctx); err == nil || n != 0 || len(rcv.seqs) != 0 {
		t.Fatalf("delivered %d with a wrong secret (%v)", n, err)
	}
}

// TestOutboxClaimHoldAndBilled: a claim the scrubber holds tells its session's practice
// system why (the findings in words) and who acts; a filed claim tells "billed" with the
// claim id.
func TestOutboxClaimHoldAndBilled(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	payer, _ := p.Cfg.Payer("demo-commercial")
	payer.Overrides = []config.GuideOverride{{Loop: "2000B", Segment: "SBR", Element: "SBR03", Usage: "R", Note: "Group number is required"}}
	withGroup := billable(session("S1", "W1", "2026-11-18", "90791"))
	withGroup.Coverage.Group = "G55"
	put(t, p, withGroup, billable(session("S2", "W2", "2026-11-18", "90791")))
	if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.FileClaims(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := p.DB.OutboxRange(ctx, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var held, billed *outbox.Message
	for _, r := range rows {
		var m outbox.Message
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatal(err)
		}
		switch {
		case m.Event == outbox.Held && m.ClaimID != "":
			held = &m
		case m.Event == outbox.Billed:
			billed = &m
		}
	}
	if held == nil || held.SessionID != "S2" || held.Hold.Who != outbox.ActorPractice || len(held.Hold.Findings) == 0 ||
		!strings.Contains(strings.Join(held.Hold.Findings, " "), "Group number is required") || held.Hold.Reason != claims.RuleOverride {
		t.Fatalf("held: %+v", held)
	}
	if billed == nil || billed.SessionID != "S1" || billed.ClaimID == "" {
		t.Fatalf("billed: %+v", billed)
	}
}

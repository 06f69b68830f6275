package sim

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/x12/guides"
)

// TestClearinghouseAnswersOverSFTP drives the simulator through edigate's own SFTP
// exchange: upload an 837P, then download the 999 and 277CA at once and the 835s after the
// payment delay; a restarted simulator does not answer the same upload again.
func TestClearinghouseAnswersOverSFTP(t *testing.T) {
	dir := t.TempDir()
	rules := DefaultRules()
	rules.Members["W400"] = []Scenario{Reversal}
	opts := Options{Dir: filepath.Join(dir, "sim"), UploadDir: "outbound", DownloadDir: "inbound", Rules: rules,
		Guides: guides.Registry, PaymentDelay: 1500 * time.Millisecond, Log: zerolog.Nop()}
	ch, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ch.Close() }()

	cfg := config.Default().Clearinghouses[0]
	cfg.SFTP = ch.SFTP(cfg.SFTP)
	data := filepath.Join(dir, "data")
	out := filepath.Join(data, "outbound", "sim")
	os.MkdirAll(out, 0o700)
	src, _ := os.ReadFile("testdata/claims.837")
	os.WriteFile(filepath.Join(out, "837_000000042.x12"), src, 0o600)
	ledger := scheduler.NewMemLedger()
	x := &scheduler.Exchange{CH: pipeline.ExchangeOptions(&cfg), DataDir: data, Ledger: ledger, Log: zerolog.Nop()}
	ctx := context.Background()
	ups, err := x.Upload(ctx, &scheduler.DirOutbox{Dir: out, Record: func(context.Context, scheduler.OutboxFile, scheduler.Upload) error { return nil }})
	if err != nil || len(ups) != 1 {
		t.Fatalf("upload: %v %v", ups, err)
	}
	kinds := func() map[string]int {
		got := map[string]int{}
		filepath.Walk(filepath.Join(data, "inbound"), func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				got[filepath.Ext(p)]++
			}
			return nil
		})
		return got
	}
	deadline := time.Now().Add(5 * time.Minute) // generous: the loop ends when done
	for time.Now().Before(deadline) {
		if _, err := x.Download(ctx); err != nil {
			t.Fatal(err)
		}
		if k := kinds(); k[".835"] == 2 {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	k := kinds()
	if k[".999"] != 1 || k[".277"] != 1 || k[".835"] != 2 {
		t.Fatalf("downloaded: %v", k)
	}
	// Restart: the same upload is not answered again.
	ch.Close()
	ch, err = Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	entries, _ := os.ReadDir(filepath.Join(opts.Dir, "mailbox", "inbound"))
	pending, _ := os.ReadDir(filepath.Join(opts.Dir, "pending"))
	if len(entries)+len(pending) != 0 {
		var names []string
		for _, e := range append(entries, pending...) {
			names = append(names, e.Name())
		}
		t.Fatalf("a restarted simulator answered again: %s", strings.Join(names, ", "))
	}
}

// TestClearinghouseRestart: what a `run --once` pass leaves behind is answered by the next
// start. An answer that fell due while the process was down is in the download folder as
// soon as Start returns (a pass downloads before the loop's first tick), and an upload the
// closing simulator was answering is not marked answered with no answer.
func TestClearinghouseRestart(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: filepath.Join(dir, "sim"), UploadDir: "outbound", DownloadDir: "inbound", Rules: DefaultRules(),
		Guides: guides.Registry, PaymentDelay: time.Hour, Log: zerolog.Nop()}
	ch, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	due := filepath.Join(opts.Dir, "pending", "1_ERA_000000007_1.835") // due at 1 ns after 1970
	if err := os.WriteFile(due, []byte("ISA"), 0o600); err != nil {
		t.Fatal(err)
	}
	// An upload answered by a simulator already closing: its context is cancelled.
	src, _ := os.ReadFile("testdata/claims.837")
	up := filepath.Join(opts.Dir, "mailbox", "outbound", "837_000000042.x12")
	if err := os.WriteFile(up, src, 0o600); err != nil {
		t.Fatal(err)
	}
	closing := &Clearinghouse{opts: opts, mailbox: filepath.Join(opts.Dir, "mailbox"), pending: filepath.Join(opts.Dir, "pending"),
		answered: map[string]bool{}, resp: &Responder{Answerer: Answerer{Rules: opts.Rules, Controls: nil}, Guides: opts.Guides}}
	closing.ctx, closing.cancel = context.WithCancel(context.Background())
	closing.cancel()
	closing.answer("outbound/837_000000042.x12")
	if closing.answered["outbound/837_000000042.x12\t"+strconv.Itoa(len(src))] {
		t.Fatal("an upload cut short by Close was marked answered")
	}

	ch, err = Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if _, err := os.Stat(filepath.Join(opts.Dir, "mailbox", "inbound", "ERA_000000007_1.835")); err != nil {
		t.Fatalf("the due answer is not in the download folder at start: %v", err)
	}
}

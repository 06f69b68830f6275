package sim

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/x12"
)

// Options configure a running simulated clearinghouse.
type Options struct {
	Dir          string // holds mailbox/ (what SFTP serves), keys/, pending/ and the simulator's own state
	Addr         string // default 127.0.0.1:0
	UploadDir    string // mailbox folder the practice uploads to (clearinghouse paths.upload)
	DownloadDir  string // mailbox folder the practice downloads from (paths.download)
	ID           string // ISA06/GS02 of the simulator
	Usage        string // ISA15
	Rules        Rules
	Guides       x12.Guides
	PaymentDelay time.Duration // how long after the upload the 835s appear
	User         string
	Password     string // "" generates a random one for this process
	Log          zerolog.Logger
	Now          func() time.Time
}

// Clearinghouse is the built-in clearinghouse: an SFTP mailbox that answers every upload
// like a real one (TA1/999, 277CA, later 835s; 271 for a 270). Answers due later wait in
// pending/ on disk, so a restart neither loses nor repeats them.
type Clearinghouse struct {
	opts     Options
	srv      *SFTPServer
	resp     *Responder
	mailbox  string
	pending  string
	answered map[string]bool
	mu       sync.Mutex
	work     chan string
	wg       sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

// Start opens the mailbox and serves it.
func Start(opts Options) (*Clearinghouse, error) {
	if opts.Dir == "" || opts.UploadDir == "" || opts.DownloadDir == "" {
		return nil, errors.New("sim: Dir, UploadDir and DownloadDir are required")
	}
	if opts.User == "" {
		opts.User = "edigate"
	}
	if opts.Password == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		opts.Password = hex.EncodeToString(b[:])
	}
	if opts.ID == "" {
		opts.ID = "SIMCH"
	}
	c := &Clearinghouse{opts: opts, mailbox: filepath.Join(opts.Dir, "mailbox"), pending: filepath.Join(opts.Dir, "pending"),
		answered: map[string]bool{}, work: make(chan string, 256)}
	for _, d := range []string{filepath.Join(c.mailbox, opts.UploadDir), filepath.Join(c.mailbox, opts.DownloadDir), c.pending} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	if err := c.loadAnswered(); err != nil {
		return nil, err
	}
	seq, err := newFileSequence(filepath.Join(opts.Dir, "control"))
	if err != nil {
		return nil, err
	}
	c.resp = &Responder{Answerer: Answerer{Rules: opts.Rules, ID: opts.ID, Usage: opts.Usage, Now: opts.Now, Controls: seq},
		Guides: opts.Guides, PaymentDelay: opts.PaymentDelay}
	c.srv, err = StartSFTPServer(SFTPServerOptions{Addr: opts.Addr, Root: c.mailbox, KeyDir: filepath.Join(opts.Dir, "keys"),
		User: opts.User, Password: opts.Password, WatchDir: opts.UploadDir, Log: opts.Log,
		OnUpload: func(rel string) {
			select {
			case c.work <- rel:
			default:
				// A full queue is drained by the periodic scan: nothing is lost.
			}
		}})
	if err != nil {
		return nil, err
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// Answers that fell due while the process was down are in the download folder before
	// the first download: a `run --once` pass is over before the loop's first tick.
	c.release()
	c.wg.Add(1)
	go c.loop()
	return c, nil
}

// SFTP returns the clearinghouse's SFTP settings pointing at this simulator: loopback
// address, user, this process's password and the pinned host key.
func (c *Clearinghouse) SFTP(base config.SFTP) config.SFTP {
	s := base
	s.Host, s.Port, s.User = "127.0.0.1", c.srv.Port(), c.opts.User
	s.Password, s.PasswordEnv, s.KeyFile = c.opts.Password, "", ""
	s.HostKey = c.srv.KnownHostsLine()
	return s
}

// Addr is the listening address.
func (c *Clearinghouse) Addr() string { return c.srv.Addr() }

// Mailbox is the folder the SFTP server serves.
func (c *Clearinghouse) Mailbox() string { return c.mailbox }

// Close stops serving and answering; pending answers stay on disk for the next start.
func (c *Clearinghouse) Close() error {
	err := c.srv.Close()
	c.cancel()
	c.wg.Wait()
	return err
}

// loop answers uploads as they arrive, rescans the upload folder now and then (uploads
// queued while the queue was full, or made while the process was down), and releases
// pending answers when due.
func (c *Clearinghouse) loop() {
	defer c.wg.Done()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	c.scan()
	for {
		select {
		case <-c.ctx.Done():
			return
		case rel := <-c.work:
			c.answer(rel)
		case <-tick.C:
			c.scan()
			c.release()
		}
	}
}

func (c *Clearinghouse) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

func (c *Clearinghouse) scan() {
	dir := filepath.Join(c.mailbox, c.opts.UploadDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() || c.srv.isTemp(e.Name()) {
			continue
		}
		c.answer(filepath.ToSlash(filepath.Join(c.opts.UploadDir, e.Name())))
	}
}

// answer responds to one upload once (by name and size), queueing each answer in pending/
// with the time it becomes visible.
func (c *Clearinghouse) answer(rel string) {
	path := filepath.Join(c.mailbox, filepath.FromSlash(rel))
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	key := fmt.Sprintf("%s\t%d", rel, fi.Size())
	c.mu.Lock()
	done := c.answered[key]
	c.mu.Unlock()
	if done {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	out, err := c.resp.Respond(c.ctx, data)
	if err != nil && c.ctx.Err() != nil {
		// Closing (the end of a `run --once` pass) cut the answer short: it is not
		// answered, and the next start answers it whole. Marking it answered here lost
		// every response to an upload made just before a pass ended.
		return
	}
	if err != nil {
		c.opts.Log.Warn().Str("upload", rel).Msg("sim: upload could not be answered")
	}
	now := c.now()
	for _, o := range out {
		due := now.Add(o.After)
		name := fmt.Sprintf("%d_%s", due.UnixNano(), o.Name)
		if err := durable.WriteFile(filepath.Join(c.pending, name), o.Data); err != nil {
			c.opts.Log.Error().Str("upload", rel).Err(err).Msg("sim: queueing an answer")
			return
		}
	}
	if err := c.markAnswered(key); err != nil {
		c.opts.Log.Error().Err(err).Msg("sim: recording an answered upload")
		return
	}
	c.opts.Log.Info().Str("upload", rel).Int("answers", len(out)).Msg("sim: upload answered")
	c.release()
}

// release moves due answers into the download folder (temp name, then rename, so a client
// listing the folder never sees half a file).
func (c *Clearinghouse) release() {
	entries, err := os.ReadDir(c.pending)
	if err != nil {
		return
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	now := c.now().UnixNano()
	for _, n := range names {
		due, rest, ok := strings.Cut(n, "_")
		if !ok || strings.HasSuffix(n, ".tmp") {
			continue
		}
		t, err := strconv.ParseInt(due, 10, 64)
		if err != nil || t > now {
			continue
		}
		dst := filepath.Join(c.mailbox, c.opts.DownloadDir, rest)
		if err := os.Rename(filepath.Join(c.pending, n), dst); err != nil {
			c.opts.Log.Error().Err(err).Msg("sim: releasing an answer")
		}
	}
}

func (c *Clearinghouse) loadAnswered() error {
	f, err := os.Open(filepath.Join(c.opts.Dir, "answered"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c.answered[sc.Text()] = true
	}
	return sc.Err()
}

func (c *Clearinghouse) markAnswered(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(c.opts.Dir, "answered"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	c.answered[key] = true
	return f.Close()
}

// fileSequence is the simulator's control-number counter, kept in a file so a restarted
// simulator never reuses an ISA13.
type fileSequence struct {
	mu   sync.Mutex
	path string
	next int64
}

func newFileSequence(path string) (*fileSequence, error) {
	s := &fileSequence{path: path}
	if b, err := os.ReadFile(path); err == nil {
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sim: control counter %s: %w", path, err)
		}
		s.next = n
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return s, nil
}

// Next hands out one counter for every key: the simulator is one sender.
func (s *fileSequence) Next(ctx context.Context, _ x12.SequenceKey) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	if s.next > x12.MaxControl {
		s.next = 1
	}
	if err := durable.WriteFile(s.path, []byte(strconv.FormatInt(s.next, 10))); err != nil {
		return 0, err
	}
	return s.next, nil
}

package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/outbox"
)

// OutboxDir is where outbox files are written for the practice system to read.
func (p *Pipeline) OutboxDir() string {
	if p.Cfg.Outbox.Dir != "" {
		return p.Cfg.Outbox.Dir
	}
	return filepath.Join(p.Cfg.DataDir, "outbox")
}

// WriteOutbox writes the outbox messages not yet in files, up to outbox.max_per_file a file,
// and returns the paths written. Each range is recorded (cursor 'file' pending) before its
// file is written and the cursor advanced after the file is durable, so a crash in between
// rewrites the same range under the same name with the same bytes: no message is lost, and
// none is written into two different files.
func (p *Pipeline) WriteOutbox(ctx context.Context) ([]string, error) {
	max := int64(max(p.Cfg.Outbox.MaxPerFile, 1))
	var paths []string
	for moves := 0; ; {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		c, err := p.DB.OutboxCursor(ctx, store.CursorFile)
		if err != nil {
			return paths, err
		}
		through := c.Pending
		if through <= c.Value {
			last, err := p.DB.OutboxLast(ctx)
			if err != nil {
				return paths, err
			}
			if last <= c.Value {
				return paths, nil
			}
			through = min(last, c.Value+max)
			if err := p.DB.SetOutboxPending(ctx, store.CursorFile, c.Value, c.Pending, through); err != nil {
				if errors.Is(err, store.ErrCursorMoved) && moves < 100 {
					moves++ // another instance is writing: read again
					continue
				}
				return paths, err
			}
		}
		path, err := p.writeOutboxRange(ctx, c.Value+1, through)
		if err != nil {
			return paths, err
		}
		if err := p.DB.AdvanceOutbox(ctx, store.CursorFile, c.Value, through); err != nil {
			if errors.Is(err, store.ErrCursorMoved) && moves < 100 {
				moves++ // another instance wrote the same range (the same file) first
				continue
			}
			return paths, err
		}
		p.Log.Info().Int64("from", c.Value+1).Int64("through", through).Str("file", filepath.Base(path)).Msg("outbox file written")
		paths = append(paths, path)
	}
}

// writeOutboxRange writes the messages first..last into their file.
func (p *Pipeline) writeOutboxRange(ctx context.Context, first, last int64) (string, error) {
	data, err := p.outboxLines(ctx, first, last)
	if err != nil {
		return "", err
	}
	return writeExclusiveTemp(p.OutboxDir(), outbox.FileName(first, last), data)
}

// outboxLines reads first..last as NDJSON, checking that none is missing (the numbers have
// no gaps, so a missing one is a bug, not a race).
func (p *Pipeline) outboxLines(ctx context.Context, first, last int64) ([]byte, error) {
	rows, err := p.DB.OutboxRange(ctx, first, last, 0)
	if err != nil {
		return nil, err
	}
	if int64(len(rows)) != last-first+1 {
		return nil, fmt.Errorf("outbox: %d messages in %d..%d, want %d", len(rows), first, last, last-first+1)
	}
	var buf bytes.Buffer
	for _, r := range rows {
		buf.WriteString(r.Body)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// writeExclusiveTemp writes data to dir/name (0600) through a synced temporary file of its
// own (two instances writing the same range do not share one) and a synced rename. The
// temporary name is hidden (".name.RANDOM.tmp"): the practice system reads *.ndjson only.
func writeExclusiveTemp(dir, name string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	tmp := filepath.Join(dir, "."+name+"."+hex.EncodeToString(r[:])+".tmp")
	final := filepath.Join(dir, name)
	if err := durable.WriteSynced(tmp, data); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %w", err)
	}
	if err := durable.Publish(tmp, final); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %w", err)
	}
	return final, nil
}

// ReplayOutbox writes messages from..to (to 0: through the last) again into one file,
// replay-FROM-TO.ndjson in the outbox folder unless out names a file, and returns its path
// and how many messages it holds. Delivery cursors do not move.
func (p *Pipeline) ReplayOutbox(ctx context.Context, from, to int64, out string) (string, int, error) {
	if from < 1 {
		return "", 0, fmt.Errorf("outbox replay: --from must be at least 1")
	}
	last, err := p.DB.OutboxLast(ctx)
	if err != nil {
		return "", 0, err
	}
	if to <= 0 || to > last {
		to = last
	}
	if from > to {
		return "", 0, fmt.Errorf("outbox replay: nothing from %d (the last event is %d)", from, last)
	}
	data, err := p.outboxLines(ctx, from, to)
	if err != nil {
		return "", 0, err
	}
	dir, name := p.OutboxDir(), outbox.ReplayName(from, to)
	if out != "" {
		dir, name = filepath.Dir(out), filepath.Base(out)
	}
	path, err := writeExclusiveTemp(dir, name, data)
	return path, int(to - from + 1), err
}

// DeliverOutbox POSTs the messages not yet delivered to outbox.http.url, outbox.http.batch
// at a time, each body signed (outbox.Sign). A failure is recorded on the 'http' cursor
// with the next attempt (exponential backoff); until then DeliverOutbox does nothing. It
// returns how many messages were delivered. Delivery is at least once: a receiver that
// answered 2xx but whose answer was lost gets the batch again, so receivers skip seqs they
// have seen.
func (p *Pipeline) DeliverOutbox(ctx context.Context) (int, error) {
	h := p.Cfg.Outbox.HTTP
	if h.URL == "" {
		return 0, nil
	}
	client := &http.Client{Timeout: h.Timeout}
	delivered := 0
	for {
		c, err := p.DB.OutboxCursor(ctx, store.CursorHTTP)
		if err != nil {
			return delivered, err
		}
		if c.Attempts > 0 && p.now().Before(c.NextAttempt) {
			return delivered, nil
		}
		rows, err := p.DB.OutboxRange(ctx, c.Value+1, 0, max(h.Batch, 1))
		if err != nil || len(rows) == 0 {
			return delivered, err
		}
		last := rows[len(rows)-1].Seq
		if postErr := p.postOutbox(ctx, client, rows); postErr != nil {
			n := c.Attempts + 1
			next := p.now().Add(outbox.Backoff(n, h.Backoff, h.MaxBackoff))
			if err := p.DB.OutboxFailed(ctx, store.CursorHTTP, c.Value, n, postErr.Error(), next); err != nil && !errors.Is(err, store.ErrCursorMoved) {
				return delivered, errors.Join(postErr, err)
			}
			return delivered, fmt.Errorf("outbox delivery of %d..%d (attempt %d, next at %s): %w", c.Value+1, last, n, next.Format(time.RFC3339), postErr)
		}
		if err := p.DB.AdvanceOutbox(ctx, store.CursorHTTP, c.Value, last); err != nil {
			if errors.Is(err, store.ErrCursorMoved) {
				continue // another instance delivered too; go on from where it is
			}
			return delivered, err
		}
		delivered += len(rows)
	}
}

// postOutbox sends one batch; anything but a 2xx answer is a failure.
func (p *Pipeline) postOutbox(ctx context.Context, client *http.Client, rows []store.OutboxRow) error {
	var body bytes.Buffer
	for _, r := range rows {
		body.WriteString(r.Body)
		body.WriteByte('\n')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Cfg.Outbox.HTTP.URL, bytes.NewReader(body.Bytes()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set(outbox.SignatureHeader, outbox.Sign([]byte(p.Cfg.Outbox.HTTP.Secret), body.Bytes()))
	req.Header.Set("X-Edigate-First-Seq", strconv.FormatInt(rows[0].Seq, 10))
	req.Header.Set("X-Edigate-Last-Seq", strconv.FormatInt(rows[len(rows)-1].Seq, 10))
	req.Header.Set("X-Edigate-Schema-Version", strconv.Itoa(outbox.Version))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %s", resp.Status)
	}
	return nil
}

// OutboxStatus is what /jobs and the dashboard show of the outbox.
type OutboxStatus struct {
	Last    int64               `json:"last"`    // the last event numbered
	Written int64               `json:"written"` // written to files through
	Dir     string              `json:"dir"`
	HTTP    *store.OutboxCursor `json:"http,omitempty"` // nil when HTTP delivery is off
	URL     string              `json:"url,omitempty"`
}

// OutboxStatus reads the outbox's cursors.
func (p *Pipeline) OutboxStatus(ctx context.Context) (OutboxStatus, error) {
	st := OutboxStatus{Dir: p.OutboxDir()}
	var err error
	if st.Last, err = p.DB.OutboxLast(ctx); err != nil {
		return st, err
	}
	f, err := p.DB.OutboxCursor(ctx, store.CursorFile)
	if err != nil {
		return st, err
	}
	st.Written = f.Value
	if p.Cfg.Outbox.HTTP.URL != "" {
		h, err := p.DB.OutboxCursor(ctx, store.CursorHTTP)
		if err != nil {
			return st, err
		}
		st.HTTP, st.URL = &h, redactURL(p.Cfg.Outbox.HTTP.URL)
	}
	return st, nil
}

// redactURL drops a URL's user info and query (either may carry a token).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

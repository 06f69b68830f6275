package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
)

// ExchangeOptions maps a configured clearinghouse into what the scheduler's exchange
// reads. It lives here rather than beside the claims and remit mappings in internal/config
// because the scheduler's tests run the simulator, which reads the configuration.
func ExchangeOptions(ch *config.Clearinghouse) scheduler.Clearinghouse {
	return scheduler.Clearinghouse{ID: ch.ID, SFTP: scheduler.SFTPOptions(ch.SFTP), Paths: scheduler.Paths(ch.Paths),
		AfterDownload: ch.AfterDownload, UploadName: ch.UploadName, DownloadPatterns: ch.DownloadPatterns,
		Rename: ch.Rename, AlertAfterFailures: ch.AlertAfterFailures}
}

// The scheduler knows nothing of storage: it declares the ledger and the acknowledgement
// store it needs (scheduler.Ledger, scheduler.AckStore), and ExchangeStore is both, kept in
// edigate's database (SQLite or PostgreSQL). Every call is committed before it returns.
type ExchangeStore struct{ DB *store.DB }

var (
	_ scheduler.Ledger   = ExchangeStore{}
	_ scheduler.AckStore = ExchangeStore{}
)

func (l ExchangeStore) UploadFor(ctx context.Context, ch, sha string) (scheduler.Upload, bool, error) {
	u, err := l.DB.ExchangeUpload(ctx, ch, sha)
	if errors.Is(err, store.ErrNotFound) {
		return scheduler.Upload{}, false, nil
	}
	if err != nil {
		return scheduler.Upload{}, false, err
	}
	return scheduler.Upload{
		Clearinghouse: u.Clearinghouse, LocalName: u.LocalName, SHA256: u.SHA256, Size: u.Size,
		RemoteName: u.RemoteName, TempName: u.TempName, Set: u.Set, Control: u.Control,
		Groups: u.Groups, Transactions: u.Transactions, Claims: u.Claims,
		State: scheduler.UploadState(u.State), CreatedAt: u.CreatedAt, UploadedAt: u.UploadedAt, Inferred: u.Inferred,
	}, true, nil
}

func (l ExchangeStore) PutUpload(ctx context.Context, u scheduler.Upload) error {
	return l.DB.PutExchangeUpload(ctx, store.ExchangeUpload{
		Clearinghouse: u.Clearinghouse, SHA256: u.SHA256, LocalName: u.LocalName, Size: u.Size,
		RemoteName: u.RemoteName, TempName: u.TempName, Set: u.Set, Control: u.Control,
		Groups: u.Groups, Transactions: u.Transactions, Claims: u.Claims,
		State: string(u.State), Inferred: u.Inferred, CreatedAt: u.CreatedAt, UploadedAt: u.UploadedAt,
	})
}

func (l ExchangeStore) SeenRemote(ctx context.Context, ch, p string, size int64, mtime time.Time) (scheduler.Download, bool, error) {
	return found(l.DB.ExchangeDownloadByRemote(ctx, ch, p, size, mtime))
}

func (l ExchangeStore) ContentSeen(ctx context.Context, ch, sha string) (scheduler.Download, bool, error) {
	return found(l.DB.ExchangeDownloadByContent(ctx, ch, sha))
}

// found converts a stored download; not found is not an error to the exchange.
func found(d store.ExchangeDownload, err error) (scheduler.Download, bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		return scheduler.Download{}, false, nil
	}
	if err != nil {
		return scheduler.Download{}, false, err
	}
	return scheduler.Download(d), true, nil
}

func (l ExchangeStore) RecordDownload(ctx context.Context, d scheduler.Download) error {
	return l.DB.RecordExchangeDownload(ctx, store.ExchangeDownload(d))
}

func (l ExchangeStore) UnscannedAckFiles(ctx context.Context) ([]scheduler.AckFile, error) {
	fs, err := l.DB.UnscannedAckFiles(ctx)
	out := make([]scheduler.AckFile, len(fs))
	for i, f := range fs {
		out[i] = scheduler.AckFile(f)
	}
	return out, err
}

func (l ExchangeStore) RecordExchangeAcks(ctx context.Context, f scheduler.AckFile, acks []scheduler.Ack) error {
	as := make([]store.ExchangeAck, len(acks))
	for i, a := range acks {
		as[i] = store.ExchangeAck(a)
	}
	return l.DB.RecordExchangeAcks(ctx, store.AckFile(f), as)
}

func (l ExchangeStore) CheckExchangeOverdue(ctx context.Context, c scheduler.OverdueCheck) (scheduler.OverdueResult, error) {
	res, err := l.DB.CheckExchangeOverdue(ctx, store.OverdueCheck(c))
	return scheduler.OverdueResult(res), err
}

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

// ExchangeStore is the scheduler's exchange ledger (scheduler.Ledger) kept in edigate's
// database (SQLite or PostgreSQL); every call is committed before it returns. The scheduler
// knows nothing of storage: it declares what it needs, and the store's upload records keep
// their own state names.
type ExchangeStore struct{ DB *store.DB }

var _ scheduler.Ledger = ExchangeStore{}

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

func (l ExchangeStore) PutUpload(ctx context.Context, u scheduler.Upload, from scheduler.UploadState) error {
	return l.DB.PutExchangeUpload(ctx, store.ExchangeUpload{
		Clearinghouse: u.Clearinghouse, SHA256: u.SHA256, LocalName: u.LocalName, Size: u.Size,
		RemoteName: u.RemoteName, TempName: u.TempName, Set: u.Set, Control: u.Control,
		Groups: u.Groups, Transactions: u.Transactions, Claims: u.Claims,
		State: string(u.State), Inferred: u.Inferred, CreatedAt: u.CreatedAt, UploadedAt: u.UploadedAt,
	}, string(from))
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

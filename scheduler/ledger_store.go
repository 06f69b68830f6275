package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/edigate/edigate/internal/store"
)

// StoreLedger is the Ledger kept in edigate's database (SQLite or PostgreSQL); every call
// is committed before it returns.
type StoreLedger struct{ DB *store.DB }

func (l StoreLedger) UploadFor(ctx context.Context, ch, sha string) (Upload, bool, error) {
	u, err := l.DB.ExchangeUpload(ctx, ch, sha)
	if errors.Is(err, store.ErrNotFound) {
		return Upload{}, false, nil
	}
	if err != nil {
		return Upload{}, false, err
	}
	return Upload{
		Clearinghouse: u.Clearinghouse, LocalName: u.LocalName, SHA256: u.SHA256, Size: u.Size,
		RemoteName: u.RemoteName, TempName: u.TempName, Set: u.Set, Control: u.Control,
		Groups: u.Groups, Transactions: u.Transactions, Claims: u.Claims,
		State: UploadState(u.State), CreatedAt: u.CreatedAt, UploadedAt: u.UploadedAt, Inferred: u.Inferred,
	}, true, nil
}

func (l StoreLedger) PutUpload(ctx context.Context, u Upload) error {
	return l.DB.PutExchangeUpload(ctx, store.ExchangeUpload{
		Clearinghouse: u.Clearinghouse, SHA256: u.SHA256, LocalName: u.LocalName, Size: u.Size,
		RemoteName: u.RemoteName, TempName: u.TempName, Set: u.Set, Control: u.Control,
		Groups: u.Groups, Transactions: u.Transactions, Claims: u.Claims,
		State: string(u.State), Inferred: u.Inferred, CreatedAt: u.CreatedAt, UploadedAt: u.UploadedAt,
	})
}

func fromStoreDownload(d store.ExchangeDownload) Download {
	return Download{
		Clearinghouse: d.Clearinghouse, RemotePath: d.RemotePath, Size: d.Size, ModTime: d.ModTime,
		SHA256: d.SHA256, LocalPath: d.LocalPath, Duplicate: d.Duplicate, DownloadedAt: d.DownloadedAt,
	}
}

func (l StoreLedger) SeenRemote(ctx context.Context, ch, p string, size int64, mtime time.Time) (Download, bool, error) {
	d, err := l.DB.ExchangeDownloadByRemote(ctx, ch, p, size, mtime)
	if errors.Is(err, store.ErrNotFound) {
		return Download{}, false, nil
	}
	if err != nil {
		return Download{}, false, err
	}
	return fromStoreDownload(d), true, nil
}

func (l StoreLedger) ContentSeen(ctx context.Context, ch, sha string) (Download, bool, error) {
	d, err := l.DB.ExchangeDownloadByContent(ctx, ch, sha)
	if errors.Is(err, store.ErrNotFound) {
		return Download{}, false, nil
	}
	if err != nil {
		return Download{}, false, err
	}
	return fromStoreDownload(d), true, nil
}

func (l StoreLedger) RecordDownload(ctx context.Context, d Download) error {
	return l.DB.RecordExchangeDownload(ctx, store.ExchangeDownload{
		Clearinghouse: d.Clearinghouse, RemotePath: d.RemotePath, Size: d.Size, ModTime: d.ModTime,
		SHA256: d.SHA256, LocalPath: d.LocalPath, Duplicate: d.Duplicate, DownloadedAt: d.DownloadedAt,
	})
}

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// UploadState is how far an upload got. The states exist so that a crash at any point is
// resolved on the next run without losing the file or sending it twice under another name.
type UploadState string

const (
	// UploadIntent: the final remote name is chosen and recorded, nothing renamed yet.
	// Next run: upload again to the same temp and final names.
	UploadIntent UploadState = "intent"
	// UploadRenaming: the temp file was written and verified and the rename was issued.
	// Next run: if the temp file is gone, the rename happened (the clearinghouse may
	// already have taken the final file), so the upload counts as done.
	UploadRenaming UploadState = "renaming"
	// UploadDone: the final file is in place.
	UploadDone UploadState = "uploaded"
)

// Upload is one outbound file's exchange record, keyed by clearinghouse and content hash.
type Upload struct {
	Clearinghouse string
	LocalName     string // base name in outbound/
	SHA256        string // hex, of the whole file
	Size          int64
	RemoteName    string // final remote path (chosen once, reused after a crash)
	TempName      string
	Set           string   // 837, 270
	Control       string   // ISA13
	Groups        []string // GS06
	Transactions  []string // ST02
	Claims        []string // CLM01 patient control numbers in the file
	State         UploadState
	CreatedAt     time.Time
	UploadedAt    time.Time
	// Inferred is set when the upload was concluded after a crash from the temp file being
	// gone rather than from a completed rename we saw.
	Inferred bool
}

// Download is one remote file seen in a clearinghouse's inbound folder.
type Download struct {
	Clearinghouse string
	RemotePath    string
	Size          int64
	ModTime       time.Time // second precision (SFTP v3)
	SHA256        string
	LocalPath     string // where it was stored; the first copy's path for a duplicate
	// Duplicate: the same content had been downloaded before (a re-delivered report), so
	// it was not stored or processed again.
	Duplicate    bool
	DownloadedAt time.Time
}

// Ledger is the durable record of what was exchanged. Implementations must make each
// Put/Record durable before returning: the exchange deletes remote files and marks claims
// submitted on the strength of it.
type Ledger interface {
	// UploadFor returns the upload of this content to this clearinghouse, if any.
	UploadFor(ctx context.Context, clearinghouse, sha256 string) (Upload, bool, error)
	// PutUpload records u keyed by (Clearinghouse, SHA256), expecting the record to be in
	// state from: from "" inserts a new record, else the stored record must be in state
	// from. Anything else changes nothing and returns ErrLedgerConflict: another writer
	// (an instance whose lease expired while it worked) moved the upload first.
	PutUpload(ctx context.Context, u Upload, from UploadState) error
	// SeenRemote returns the download of exactly this remote file version (path, size, mtime).
	SeenRemote(ctx context.Context, clearinghouse, path string, size int64, mtime time.Time) (Download, bool, error)
	// ContentSeen returns the first non-duplicate download with this content hash.
	ContentSeen(ctx context.Context, clearinghouse, sha256 string) (Download, bool, error)
	// RecordDownload appends a download; a remote file version (path, size, mtime) already
	// recorded changes nothing and returns ErrLedgerConflict.
	RecordDownload(ctx context.Context, d Download) error
}

// ErrLedgerConflict means a ledger record was not in the state the write expected.
var ErrLedgerConflict = errors.New("exchange record changed by another writer")

// MemLedger is an in-memory Ledger for tests (the daemon keeps its ledger in the
// database); it survives a simulated crash only because tests keep the value.
type MemLedger struct {
	mu        sync.Mutex
	uploads   map[[2]string]Upload
	downloads []Download
}

// NewMemLedger returns an empty ledger.
func NewMemLedger() *MemLedger { return &MemLedger{uploads: map[[2]string]Upload{}} }

func (m *MemLedger) UploadFor(_ context.Context, ch, sha string) (Upload, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[[2]string{ch, sha}]
	return cloneUpload(u), ok, nil
}

func (m *MemLedger) PutUpload(_ context.Context, u Upload, from UploadState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.uploads[[2]string{u.Clearinghouse, u.SHA256}]; ok != (from != "") || (ok && old.State != from) {
		return fmt.Errorf("upload %s from %q: %w", u.LocalName, from, ErrLedgerConflict)
	}
	m.uploads[[2]string{u.Clearinghouse, u.SHA256}] = cloneUpload(u)
	return nil
}

func (m *MemLedger) SeenRemote(_ context.Context, ch, p string, size int64, mtime time.Time) (Download, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.downloads {
		if d.Clearinghouse == ch && d.RemotePath == p && d.Size == size && d.ModTime.Unix() == mtime.Unix() {
			return d, true, nil
		}
	}
	return Download{}, false, nil
}

func (m *MemLedger) ContentSeen(_ context.Context, ch, sha string) (Download, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.downloads {
		if d.Clearinghouse == ch && d.SHA256 == sha && !d.Duplicate {
			return d, true, nil
		}
	}
	return Download{}, false, nil
}

func (m *MemLedger) RecordDownload(_ context.Context, d Download) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.downloads {
		if o.Clearinghouse == d.Clearinghouse && o.RemotePath == d.RemotePath && o.Size == d.Size && o.ModTime.Unix() == d.ModTime.Unix() {
			return fmt.Errorf("download %s: %w", d.RemotePath, ErrLedgerConflict)
		}
	}
	m.downloads = append(m.downloads, d)
	return nil
}

// Downloads returns every recorded download, oldest first.
func (m *MemLedger) Downloads() []Download {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Download(nil), m.downloads...)
}

// Uploads returns every recorded upload.
func (m *MemLedger) Uploads() []Upload {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Upload, 0, len(m.uploads))
	for _, u := range m.uploads {
		out = append(out, cloneUpload(u))
	}
	return out
}

func cloneUpload(u Upload) Upload {
	u.Groups = append([]string(nil), u.Groups...)
	u.Transactions = append([]string(nil), u.Transactions...)
	u.Claims = append([]string(nil), u.Claims...)
	return u
}

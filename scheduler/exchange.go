package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/pkg/sftp"
	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/durable"
)

// Exchange moves files between edigate's data directory and one clearinghouse. Its two
// runs, Upload and Download, are idempotent: any run may die at any point (network, crash,
// full disk) and the next run finishes the work without losing a file or handling one twice.
type Exchange struct {
	CH       Clearinghouse
	DataDir  string // local: inbound/<clearinghouse>/<date>/ receives downloads
	Ledger   Ledger
	Failures *Failures // shared by every clearinghouse's exchange; nil counts nothing
	Log      zerolog.Logger
	Now      func() time.Time
	// LookupEnv resolves sftp.password_env; nil uses os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Backoff between attempts of one run; zero uses DefaultBackoff(sftp.retries+1).
	Backoff Backoff

	// Test seams: the connection and the local temp file.
	dial       func(ctx context.Context) (*Conn, error)
	createTemp func(dir, pattern string) (localFile, error)
	afterList  func() // runs between listing and downloading (server restarts, vanishing files)
}

// localFile is the part of *os.File a download writes through.
type localFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// ErrRemoteCollision means the unique remote name already holds different content.
var ErrRemoteCollision = errors.New("remote file exists with different content")

func (x *Exchange) now() time.Time {
	if x.Now != nil {
		return x.Now().UTC()
	}
	return time.Now().UTC()
}

func (x *Exchange) backoff() Backoff {
	if x.Backoff.Attempts > 0 {
		return x.Backoff
	}
	return DefaultBackoff(x.CH.SFTP.Retries + 1)
}

func (x *Exchange) connect(ctx context.Context) (*Conn, error) {
	if x.dial != nil {
		return x.dial(ctx)
	}
	return Dial(ctx, x.CH.SFTP, x.LookupEnv)
}

// run performs fn on a fresh connection per attempt, with retries, and counts the outcome
// toward the clearinghouse's consecutive-failure alert.
func (x *Exchange) run(ctx context.Context, what string, fn func(ctx context.Context, c *Conn) error) error {
	err := Retry(ctx, x.backoff(), func(ctx context.Context, attempt int) error {
		c, err := x.connect(ctx)
		if err != nil {
			x.Log.Warn().Str("clearinghouse", x.CH.ID).Str("run", what).Int("attempt", attempt).Err(err).Msg("sftp connect failed")
			return err
		}
		defer c.Close()
		if err := fn(ctx, c); err != nil {
			if ka := c.KeepaliveErr(); ka != nil {
				err = fmt.Errorf("%w (%w)", err, ka)
			}
			x.Log.Warn().Str("clearinghouse", x.CH.ID).Str("run", what).Int("attempt", attempt).Err(err).Msg("sftp run failed")
			return err
		}
		return nil
	})
	if x.Failures != nil {
		if err != nil {
			if x.Failures.Failure(x.CH.ID, x.now(), err, x.CH.AlertAfterFailures) {
				x.Log.Error().Str("clearinghouse", x.CH.ID).Int("after_failures", x.CH.AlertAfterFailures).Err(err).Msg("clearinghouse exchange keeps failing")
			}
		} else {
			x.Failures.Success(x.CH.ID, x.now())
		}
	}
	if err != nil {
		return fmt.Errorf("clearinghouse %s %s: %w", x.CH.ID, what, err)
	}
	return nil
}

// ---- upload ----

// OutboxFile is one file ready to go to the clearinghouse, with what is inside it.
type OutboxFile struct {
	Path         string // local path
	Set          string // 837, 270
	Control      string // ISA13
	Groups       []string
	Transactions []string
	Claims       []string // CLM01
}

// Outbox is the daemon's side of an upload. For each file the exchange calls, in order:
// upload, then Uploaded (record it durably and mark its claims submitted), then Sent (move
// the local file to outbound/sent/). After a crash between these steps the same file comes
// back from Pending; the ledger then knows it was delivered, so it is not uploaded again,
// but Uploaded and Sent are called again: both must be idempotent.
type Outbox interface {
	Pending(ctx context.Context) ([]OutboxFile, error)
	Uploaded(ctx context.Context, f OutboxFile, u Upload) error
	Sent(ctx context.Context, f OutboxFile) error
}

// Upload delivers every pending outbox file. It connects only when there is work.
func (x *Exchange) Upload(ctx context.Context, ob Outbox) ([]Upload, error) {
	files, err := ob.Pending(ctx)
	if err != nil {
		return nil, fmt.Errorf("clearinghouse %s upload: outbox: %w", x.CH.ID, err)
	}
	if len(files) == 0 {
		return nil, nil
	}
	done := map[string]Upload{}
	err = x.run(ctx, "upload", func(ctx context.Context, c *Conn) error {
		for _, f := range files {
			if _, ok := done[f.Path]; ok {
				continue
			}
			u, err := x.uploadOne(ctx, c, ob, f)
			if err != nil {
				return err
			}
			done[f.Path] = u
		}
		return nil
	})
	out := make([]Upload, 0, len(done))
	for _, f := range files {
		if u, ok := done[f.Path]; ok {
			out = append(out, u)
		}
	}
	return out, err
}

func (x *Exchange) uploadOne(ctx context.Context, c *Conn, ob Outbox, f OutboxFile) (Upload, error) {
	sum, size, err := hashLocal(f.Path)
	if err != nil {
		return Upload{}, Permanent(fmt.Errorf("upload %s: %w", filepath.Base(f.Path), err))
	}
	u, ok, err := x.Ledger.UploadFor(ctx, x.CH.ID, sum)
	if err != nil {
		return Upload{}, fmt.Errorf("upload %s: ledger: %w", filepath.Base(f.Path), err)
	}
	if !ok {
		// The final name is chosen once and recorded before any byte goes out, so a
		// retry after a crash lands on the same name instead of creating a second file.
		name, err := x.remoteName(f)
		if err != nil {
			return Upload{}, Permanent(err)
		}
		u = Upload{
			Clearinghouse: x.CH.ID, LocalName: filepath.Base(f.Path), SHA256: sum, Size: size,
			RemoteName: name, TempName: name + ".tmp",
			Set: f.Set, Control: f.Control, Groups: f.Groups, Transactions: f.Transactions, Claims: f.Claims,
			CreatedAt: x.now(), // State "" until putUpload records the intent
		}
		if x.CH.Rename == "none" {
			u.TempName = name
		}
		if err := x.putUpload(ctx, &u, UploadIntent); err != nil {
			return Upload{}, fmt.Errorf("upload %s: record intent: %w", u.LocalName, err)
		}
	}
	log := x.Log.With().Str("clearinghouse", x.CH.ID).Str("file", u.LocalName).Str("remote", u.RemoteName).Str("control", u.Control).Logger()

	switch u.State {
	case UploadDone:
		log.Info().Msg("already uploaded; finishing local bookkeeping")
	case UploadRenaming:
		if err := x.resumeRename(ctx, c, &u, f.Path); err != nil {
			return u, err
		}
	default:
		if err := x.transfer(ctx, c, &u, f.Path); err != nil {
			return u, err
		}
	}
	if err := ob.Uploaded(ctx, f, u); err != nil {
		return u, Permanent(fmt.Errorf("upload %s: record delivery: %w", u.LocalName, err))
	}
	if err := ob.Sent(ctx, f); err != nil {
		return u, Permanent(fmt.Errorf("upload %s: move to sent: %w", u.LocalName, err))
	}
	log.Info().Int64("bytes", u.Size).Bool("inferred", u.Inferred).Msg("uploaded")
	return u, nil
}

// transfer writes the whole file to the temp name, verifies it and renames it into place.
func (x *Exchange) transfer(ctx context.Context, c *Conn, u *Upload, local string) error {
	// A file with the unique final name and our exact content is ours from a run that
	// died after the rename (only possible with rename: none, where temp == final).
	if same, exists, err := remoteMatches(c.SFTP, u.RemoteName, u.Size, u.SHA256); err != nil {
		return fmt.Errorf("upload %s: %w", u.LocalName, err)
	} else if same {
		return x.markDone(ctx, u, false)
	} else if exists && u.TempName != u.RemoteName {
		return Permanent(fmt.Errorf("upload %s: %s: %w", u.LocalName, u.RemoteName, ErrRemoteCollision))
	}

	if err := putFile(c.SFTP, local, u.TempName, u.Size); err != nil {
		return fmt.Errorf("upload %s: %w", u.LocalName, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if u.TempName == u.RemoteName {
		return x.markDone(ctx, u, false)
	}
	if err := x.putUpload(ctx, u, UploadRenaming); err != nil {
		return fmt.Errorf("upload %s: record rename: %w", u.LocalName, err)
	}
	if err := x.rename(c, u.TempName, u.RemoteName); err != nil {
		return fmt.Errorf("upload %s: rename %s -> %s: %w", u.LocalName, u.TempName, u.RemoteName, err)
	}
	return x.markDone(ctx, u, false)
}

// resumeRename settles an upload whose rename was issued by a run that then died.
func (x *Exchange) resumeRename(ctx context.Context, c *Conn, u *Upload, local string) error {
	st, err := c.SFTP.Stat(u.TempName)
	switch {
	case isNotExist(err):
		// The rename went through (the temp name is ours alone); the final file may
		// already have been taken by the clearinghouse, so its absence proves nothing.
		_, ferr := c.SFTP.Stat(u.RemoteName)
		return x.markDone(ctx, u, ferr != nil)
	case err != nil:
		return fmt.Errorf("upload %s: stat %s: %w", u.LocalName, u.TempName, err)
	case st.Size() != u.Size:
		// The temp file is not whole: write it again (the record stays renaming, which
		// the next rename expects).
		return x.transfer(ctx, c, u, local)
	}
	if err := x.rename(c, u.TempName, u.RemoteName); err != nil {
		return fmt.Errorf("upload %s: rename %s -> %s: %w", u.LocalName, u.TempName, u.RemoteName, err)
	}
	return x.markDone(ctx, u, false)
}

func (x *Exchange) markDone(ctx context.Context, u *Upload, inferred bool) error {
	u.UploadedAt = x.now()
	u.Inferred = inferred
	if err := x.putUpload(ctx, u, UploadDone); err != nil {
		return fmt.Errorf("upload %s: record done: %w", u.LocalName, err)
	}
	return nil
}

// putUpload moves the upload record to state, expecting the state it was read or last
// written in (a new record expects none). A record moved meanwhile by another writer ends
// this file's run without retrying: the next run reads the record again.
func (x *Exchange) putUpload(ctx context.Context, u *Upload, state UploadState) error {
	from := u.State
	next := *u
	next.State = state
	if err := x.Ledger.PutUpload(ctx, next, from); err != nil {
		if errors.Is(err, ErrLedgerConflict) {
			return Permanent(err)
		}
		return err
	}
	u.State = state
	return nil
}

// putFile writes local to remote from the start (a partial earlier attempt is truncated:
// resuming a tail is how corrupt files reach a payer) and checks the close error and size.
func putFile(c *sftp.Client, local, remote string, size int64) error {
	src, err := os.Open(local)
	if err != nil {
		return Permanent(err)
	}
	defer src.Close()
	dst, err := c.OpenFile(remote, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("create %s: %w", remote, err)
	}
	n, err := io.Copy(dst, src)
	if err != nil {
		dst.Close()
		return fmt.Errorf("write %s: %w", remote, err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("close %s: %w", remote, err)
	}
	st, err := c.Stat(remote)
	if err != nil {
		return fmt.Errorf("stat %s: %w", remote, err)
	}
	if n != size || st.Size() != size {
		return fmt.Errorf("%s: wrote %d bytes, server has %d, file has %d", remote, n, st.Size(), size)
	}
	return nil
}

// rename moves a finished file to its final name. Plain SFTP rename fails when the target
// exists, so without posix-rename the target is removed first.
func (x *Exchange) rename(c *Conn, from, to string) error {
	if x.CH.Rename != "rename" {
		if _, ok := c.SFTP.HasExtension("posix-rename@openssh.com"); ok {
			return c.SFTP.PosixRename(from, to)
		}
	}
	if err := c.SFTP.Remove(to); err != nil && !isNotExist(err) {
		return err
	}
	return c.SFTP.Rename(from, to)
}

func remoteMatches(c *sftp.Client, name string, size int64, sum string) (same, exists bool, err error) {
	st, err := c.Stat(name)
	if isNotExist(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("stat %s: %w", name, err)
	}
	if st.Size() != size {
		return false, true, nil
	}
	f, err := c.Open(name)
	if err != nil {
		return false, true, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, true, fmt.Errorf("read %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)) == sum, true, nil
}

// remoteName renders upload_name; control number plus UTC timestamp keeps names unique.
func (x *Exchange) remoteName(f OutboxFile) (string, error) {
	tpl := x.CH.UploadName
	if tpl == "" {
		tpl = "{{.Set}}_{{.Control}}_{{.Time}}.x12"
	}
	t, err := template.New("upload_name").Option("missingkey=error").Parse(tpl)
	if err != nil {
		return "", fmt.Errorf("upload_name: %w", err)
	}
	var b strings.Builder
	data := struct{ Set, Control, Time, Base string }{
		Set: f.Set, Control: f.Control, Time: x.now().Format("20060102150405"),
		Base: strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path)),
	}
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("upload_name: %w", err)
	}
	name := b.String()
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return "", fmt.Errorf("upload_name: %q is not a plain file name", name)
	}
	return path.Join(x.CH.Paths.Upload, name), nil
}

// ---- download ----

// DownloadResult says what a download run did.
type DownloadResult struct {
	Stored     []Download // new content, now in inbound/
	Duplicates []Download // content seen before: recorded, not stored again
	Vanished   int        // listed, then gone before it could be read
	Changing   int        // size changed while reading (still being written): next run
}

type remoteEntry struct {
	path, rel string
	size      int64
	mtime     time.Time
}

// Download fetches every new matching file from the clearinghouse's download folder.
func (x *Exchange) Download(ctx context.Context) (DownloadResult, error) {
	var res DownloadResult
	if err := x.cleanPartial(); err != nil {
		return res, fmt.Errorf("clearinghouse %s download: %w", x.CH.ID, err)
	}
	err := x.run(ctx, "download", func(ctx context.Context, c *Conn) error {
		entries, err := x.list(ctx, c)
		if err != nil {
			return err
		}
		if x.afterList != nil {
			x.afterList()
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := x.downloadOne(ctx, c, e, &res); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

func (x *Exchange) partialDir() string {
	return filepath.Join(x.DataDir, "inbound", x.CH.ID, ".partial")
}

// cleanPartial drops temp files of a run that died; they were never recorded, so the
// remote originals are still there.
func (x *Exchange) cleanPartial() error {
	dir := x.partialDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		os.Remove(filepath.Join(dir, e.Name()))
	}
	return nil
}

func (x *Exchange) list(ctx context.Context, c *Conn) ([]remoteEntry, error) {
	root := x.CH.Paths.Download
	if root == "" {
		root = "."
	}
	archive := ""
	if x.CH.AfterDownload == "move" {
		archive = path.Clean(x.CH.Paths.Archive)
	}
	var out []remoteEntry
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		infos, err := c.SFTP.ReadDirContext(ctx, dir)
		if err != nil {
			if rel != "" && isNotExist(err) {
				return nil // a subfolder removed while walking
			}
			return fmt.Errorf("list %s: %w", dir, err)
		}
		for _, fi := range infos {
			p := path.Join(dir, fi.Name())
			r := path.Join(rel, fi.Name())
			switch {
			case fi.IsDir():
				if x.CH.Paths.Recurse && path.Clean(p) != archive {
					if err := walk(p, r); err != nil {
						return err
					}
				}
			case fi.Mode().IsRegular() && x.matches(fi.Name()):
				out = append(out, remoteEntry{path: p, rel: r, size: fi.Size(), mtime: fi.ModTime().UTC().Truncate(time.Second)})
			}
		}
		return nil
	}
	if err := walk(root, ""); err != nil {
		return nil, err
	}
	return out, nil
}

func (x *Exchange) matches(name string) bool {
	if len(x.CH.DownloadPatterns) == 0 {
		return true
	}
	lower := strings.ToLower(name)
	for _, p := range x.CH.DownloadPatterns {
		if ok, _ := path.Match(strings.ToLower(p), lower); ok {
			return true
		}
	}
	return false
}

func (x *Exchange) downloadOne(ctx context.Context, c *Conn, e remoteEntry, res *DownloadResult) error {
	log := x.Log.With().Str("clearinghouse", x.CH.ID).Str("remote", e.path).Logger()
	if _, seen, err := x.Ledger.SeenRemote(ctx, x.CH.ID, e.path, e.size, e.mtime); err != nil {
		return fmt.Errorf("download %s: ledger: %w", e.path, err)
	} else if seen {
		// Stored by an earlier run that may have died before its after_download step.
		return x.afterDownload(c, e)
	}

	src, err := c.SFTP.Open(e.path)
	if isNotExist(err) {
		log.Warn().Msg("remote file vanished after listing")
		res.Vanished++
		return nil
	}
	if err != nil {
		return fmt.Errorf("download %s: open: %w", e.path, err)
	}
	defer src.Close()

	create := x.createTemp
	if create == nil {
		create = func(dir, pattern string) (localFile, error) { return os.CreateTemp(dir, pattern) }
	}
	tmp, err := create(x.partialDir(), "dl-*")
	if err != nil {
		return fmt.Errorf("download %s: local temp: %w", e.path, err)
	}
	tmpName := tmp.Name()
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return fmt.Errorf("download %s: %w", e.path, err)
	}
	if n != e.size {
		log.Warn().Int64("listed", e.size).Int64("read", n).Msg("remote file changed while reading; next run")
		res.Changing++
		return nil
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("download %s: fsync: %w", e.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("download %s: close: %w", e.path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	d := Download{Clearinghouse: x.CH.ID, RemotePath: e.path, Size: e.size, ModTime: e.mtime, SHA256: sum, DownloadedAt: x.now()}

	if prior, ok, err := x.Ledger.ContentSeen(ctx, x.CH.ID, sum); err != nil {
		return fmt.Errorf("download %s: ledger: %w", e.path, err)
	} else if ok {
		d.Duplicate, d.LocalPath = true, prior.LocalPath
		if err := x.Ledger.RecordDownload(ctx, d); errors.Is(err, ErrLedgerConflict) {
			return x.takenMeanwhile(ctx, c, e, "")
		} else if err != nil {
			return fmt.Errorf("download %s: record: %w", e.path, err)
		}
		log.Info().Str("same_as", prior.RemotePath).Msg("same content downloaded before; not processed again")
		res.Duplicates = append(res.Duplicates, d)
		return x.afterDownload(c, e)
	}

	dest, err := x.store(tmpName, e, sum)
	if err != nil {
		return fmt.Errorf("download %s: store: %w", e.path, err)
	}
	keep = true
	d.LocalPath = dest
	if err := x.Ledger.RecordDownload(ctx, d); errors.Is(err, ErrLedgerConflict) {
		return x.takenMeanwhile(ctx, c, e, dest)
	} else if err != nil {
		return fmt.Errorf("download %s: record: %w", e.path, err)
	}
	log.Info().Int64("bytes", n).Str("local", dest).Msg("downloaded")
	res.Stored = append(res.Stored, d)
	return x.afterDownload(c, e)
}

// takenMeanwhile settles a download another writer recorded between this run's lookup and
// its record (its lease expired while it worked): the record that stands names the local
// copy, so this run's copy, when stored elsewhere (another data folder), is removed before
// anything reads it; the remote file is then treated as the record says it was stored.
func (x *Exchange) takenMeanwhile(ctx context.Context, c *Conn, e remoteEntry, dest string) error {
	x.Log.Warn().Str("clearinghouse", x.CH.ID).Str("remote", e.path).Msg("download recorded by another run meanwhile; keeping that one")
	if dest != "" {
		prior, ok, err := x.Ledger.SeenRemote(ctx, x.CH.ID, e.path, e.size, e.mtime)
		if err != nil {
			return fmt.Errorf("download %s: ledger: %w", e.path, err)
		}
		if ok && prior.LocalPath != dest {
			if err := os.Remove(dest); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("download %s: %w", e.path, err)
			}
		}
	}
	return x.afterDownload(c, e)
}

// store moves the fsynced temp file to inbound/<clearinghouse>/<date>/<rel>. The date is
// the remote file's (UTC), not today's, so a retry after a crash between this rename and
// the ledger record finds the same path and the same bytes instead of a second copy.
func (x *Exchange) store(tmp string, e remoteEntry, sum string) (string, error) {
	rel := filepath.FromSlash(e.rel)
	if !filepath.IsLocal(rel) {
		return "", fmt.Errorf("remote path %q escapes the download folder", e.rel)
	}
	dest := filepath.Join(x.DataDir, "inbound", x.CH.ID, e.mtime.Format("2006-01-02"), rel)
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return "", err
	}
	// Reports whose names repeat (Optum's rolling suffix) get the content hash added.
	for i := 0; ; i++ {
		cand := dest
		if i > 0 {
			ext := filepath.Ext(dest)
			cand = fmt.Sprintf("%s.%s%s", strings.TrimSuffix(dest, ext), sum[:8+i], ext)
		}
		existing, _, err := hashLocal(cand)
		if errors.Is(err, fs.ErrNotExist) {
			dest = cand
			break
		}
		if err != nil {
			return "", err
		}
		if existing == sum {
			os.Remove(tmp)
			return cand, nil
		}
		if i > 8 {
			return "", fmt.Errorf("no free name for %s", dest)
		}
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return "", err
	}
	return dest, durable.SyncDir(filepath.Dir(dest))
}

// afterDownload runs only once the file is stored and recorded.
func (x *Exchange) afterDownload(c *Conn, e remoteEntry) error {
	switch x.CH.AfterDownload {
	case "delete":
		if err := c.SFTP.Remove(e.path); err != nil && !isNotExist(err) {
			return fmt.Errorf("download %s: remove remote: %w", e.path, err)
		}
	case "move":
		dest := path.Join(x.CH.Paths.Archive, e.rel)
		if err := c.SFTP.MkdirAll(path.Dir(dest)); err != nil {
			return fmt.Errorf("download %s: archive folder: %w", e.path, err)
		}
		if err := x.rename(c, e.path, dest); err != nil && !isNotExist(err) {
			return fmt.Errorf("download %s: move to archive: %w", e.path, err)
		}
	}
	return nil
}

func hashLocal(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func isNotExist(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	var se *sftp.StatusError
	return errors.As(err, &se) && se.FxCode() == sftp.ErrSSHFxNoSuchFile
}

package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/edigate/edigate/internal/durable"
)

// Names edigate gives files in rejected/ and archive/ are bounded so that a suffix never
// pushes them past the file system's 255 bytes, whatever the practice named the file.
const (
	maxStem = 100
	maxExt  = 16
)

// splitName is name's stem and extension; an implausibly long "extension" is part of the stem.
func splitName(name string) (stem, ext string) {
	ext = filepath.Ext(name)
	if len(ext) > maxExt {
		ext = ""
	}
	return strings.TrimSuffix(name, ext), ext
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// boundedName is name when it is short, else its stem cut short plus "~tag" and its
// extension (the original name is kept in the reason file or the store).
func boundedName(name, tag string) string {
	if len(name) <= maxStem+maxExt {
		return name
	}
	stem, ext := splitName(name)
	return cut(stem, maxStem) + "~" + tag + ext
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// shortID is how log lines name an inbox file: the start of its content hash (the store's
// key for it), never the practice's file name, which may hold a patient's name.
func shortID(id string) string { return cut(id, 12) }

// nameID identifies a file whose content could not be read (a link, a folder, a file that
// cannot be opened): a hash of its name, so that the name itself stays out of logs and alerts.
func nameID(name string) string { return "name-" + sha256Hex([]byte(name))[:16] }

// taken is what intake read of a file: enough to tell later that it changed.
type taken struct {
	name  string // the practice's name, for reason files only
	path  string // where the file is now
	hash  string // SHA-256 of the size bytes read
	size  int64
	mtime time.Time
	inode [2]uint64
	at    time.Time // when it was taken (how long it is watched)
	was   string    // the path of a watch that ended (its record is removed)
}

// fileFault is a failure caused by the file itself: retrying cannot help, so the file is
// set aside at once.
type fileFault struct {
	reason string
	err    error
}

func (f fileFault) Error() string {
	if f.err == nil {
		return f.reason
	}
	return f.reason + ": " + f.err.Error()
}
func (f fileFault) Unwrap() error { return f.err }

// fileError carries the id of the file a processing error belongs to.
type fileError struct {
	id  string
	err error
}

func (e fileError) Error() string { return "intake file " + shortID(e.id) + ": " + e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

// read reads a regular inbox file through one descriptor and remembers what it read.
// A file removed meanwhile gives an error matching os.ErrNotExist.
func (in *Intake) read(name string) ([]byte, taken, error) {
	path := filepath.Join(in.dir("inbox"), name)
	f, err := openNoFollow(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, taken{}, err
	}
	if err != nil {
		return nil, taken{}, fileFault{"cannot be opened (a link, or no permission)", err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, taken{}, fileFault{"cannot be examined", err}
	}
	if !fi.Mode().IsRegular() {
		return nil, taken{}, fileFault{reason: "is " + describe(fi.Mode().Type()) + ", not a regular file"}
	}
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, taken{}, fileFault{"cannot be read", err}
	}
	data := buf.Bytes()
	return data, taken{name: name, path: path, size: int64(len(data)), mtime: fi.ModTime(), inode: inode(fi), at: in.now()}, nil
}

// describe names a file type in reason files.
func describe(t fs.FileMode) string {
	switch {
	case t&fs.ModeSymlink != 0:
		return "a symbolic link (not followed)"
	case t.IsDir():
		return "a folder"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + t.String() + ")"
}

// setAside moves an inbox entry whole to rejected/ under a bounded name with a reason file
// beside it, and raises an alert naming its id. The reason file is written first: after a
// crash in between, the entry is still in the inbox and is set aside again.
func (in *Intake) setAside(ctx context.Context, name, id, kind string, cause error) (string, error) {
	dst := filepath.Join(in.dir("rejected"), boundedName(name, shortID(id)))
	if _, err := os.Lstat(dst); err == nil {
		stem, ext := splitName(name)
		dst = filepath.Join(in.dir("rejected"), cut(stem, maxStem)+"."+shortID(id)+ext)
	}
	reason := cause.Error()
	var ff fileFault
	if errors.As(cause, &ff) {
		reason = ff.reason
	}
	if err := in.writeJSON(dst+".error.json", rejection{File: name, FileID: id, Reason: reason,
		Message: "the whole file was set aside: " + cause.Error(), At: timestampNow(in.now)}); err != nil {
		return "", fileError{id, fmt.Errorf("reason file: %w", err)}
	}
	if err := os.Rename(filepath.Join(in.dir("inbox"), name), dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fileError{id, fmt.Errorf("set aside: %w", err)}
	}
	if err := durable.SyncDir(in.dir("rejected")); err != nil {
		return "", fileError{id, err}
	}
	if _, err := in.store.RaiseAlert(ctx, "file", id, kind, map[string]any{"reason": reason, "rejected_as": filepath.Base(dst)}); err != nil {
		return "", fileError{id, fmt.Errorf("alert: %w", err)}
	}
	in.log.Warn().Str("file_id", shortID(id)).Str("reason", reason).Msg("intake: file set aside whole in rejected/")
	return dst, nil
}

// watchFor is how long a moved file is checked for bytes a writer still appends to it.
const watchFor = 24 * time.Hour

// watch remembers a moved file and checks it at once: a writer that appended after intake
// read it (before or after the move, which keeps the inode) is caught here or by a later run.
func (in *Intake) watch(ctx context.Context, tk taken, sum *Summary) error {
	in.taken = append(in.taken, tk)
	if err := in.saveWatch(&in.taken[len(in.taken)-1]); err != nil {
		return fileError{tk.hash, fmt.Errorf("remember the taken file: %w", err)}
	}
	return in.checkTaken(ctx, len(in.taken)-1, sum)
}

// The watch list outlives the process: `run --once` from cron, or a daemon restarted,
// must still catch bytes appended to a file it took. Each watched file has a small record
// in DATA/intake-watch/ (named by its path), written when the file is taken or changes,
// read on the first run of a process, removed when the watch ends.
const watchDir = "intake-watch"

type watchRecord struct {
	Name  string    `json:"name"`
	Path  string    `json:"path"`
	Hash  string    `json:"hash"`
	Size  int64     `json:"size"`
	MTime time.Time `json:"mtime"`
	Inode [2]uint64 `json:"inode"`
	At    time.Time `json:"at"`
}

func (in *Intake) watchFile(path string) string {
	return filepath.Join(in.dir(watchDir), sha256Hex([]byte(path))[:24]+".json")
}

func (in *Intake) saveWatch(tk *taken) error {
	if err := os.MkdirAll(in.dir(watchDir), 0o700); err != nil {
		return err
	}
	return in.writeJSON(in.watchFile(tk.path), watchRecord{Name: tk.name, Path: tk.path, Hash: tk.hash, Size: tk.size,
		MTime: tk.mtime, Inode: tk.inode, At: tk.at})
}

// loadWatched reads the watch records a previous process left, once per process.
func (in *Intake) loadWatched() {
	if in.watchLoaded {
		return
	}
	in.watchLoaded = true
	entries, err := os.ReadDir(in.dir(watchDir))
	if err != nil {
		return
	}
	known := map[string]bool{}
	for _, tk := range in.taken {
		known[tk.path] = true
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(in.dir(watchDir), e.Name()))
		var w watchRecord
		if err != nil || json.Unmarshal(b, &w) != nil || w.Path == "" {
			os.Remove(filepath.Join(in.dir(watchDir), e.Name())) // unreadable: a crash mid-write
			continue
		}
		if !known[w.Path] {
			known[w.Path] = true
			in.taken = append(in.taken, taken{name: w.Name, path: w.Path, hash: w.Hash, size: w.Size, mtime: w.MTime, inode: w.Inode, at: w.At})
		}
	}
}

// checkWatched checks every watched file and forgets those watched long enough or gone.
func (in *Intake) checkWatched(ctx context.Context, sum *Summary) error {
	var errs []error
	for i := 0; i < len(in.taken); i++ {
		if in.now().Sub(in.taken[i].at) > watchFor {
			in.taken[i].was, in.taken[i].path = in.taken[i].path, ""
		}
		if err := in.checkTaken(ctx, i, sum); err != nil {
			errs = append(errs, err)
		}
	}
	kept := in.taken[:0]
	for _, tk := range in.taken {
		if tk.path != "" {
			kept = append(kept, tk)
		} else if tk.was != "" {
			os.Remove(in.watchFile(tk.was))
		}
	}
	in.taken = kept
	return errors.Join(errs...)
}

// checkTaken compares watched file i with what was read. Bytes appended become a new inbox
// file (a CSV's header line first, so it parses on its own); a file rewritten becomes a new
// input whole (identical content is recognised by its hash). A file gone is forgotten.
func (in *Intake) checkTaken(ctx context.Context, i int, sum *Summary) error {
	tk := &in.taken[i]
	if tk.path == "" {
		return nil
	}
	fi, err := os.Lstat(tk.path)
	if err != nil {
		tk.was, tk.path = tk.path, "" // moved away by an operator
		return nil
	}
	if fi.Size() == tk.size && fi.ModTime().Equal(tk.mtime) && inode(fi) == tk.inode {
		return nil
	}
	data, err := os.ReadFile(tk.path)
	if err != nil {
		return fileError{tk.hash, fmt.Errorf("re-read changed file: %w", err)}
	}
	prev, appended := tk.hash, int64(len(data)) >= tk.size && sha256Hex(data[:tk.size]) == tk.hash
	extra := data
	if appended {
		extra = data[tk.size:]
	}
	tk.size, tk.mtime, tk.inode, tk.hash = int64(len(data)), fi.ModTime(), inode(fi), sha256Hex(data)
	if len(bytes.TrimSpace(extra)) == 0 {
		return in.saveWatch(tk) // touched, or only blank space added
	}
	_, ext := splitName(tk.name)
	kind := ""
	if strings.EqualFold(ext, ".csv") {
		// A CSV's record type may come from its name: the new name carries it on.
		if t, _ := csvType(tk.name, nil); t != "" {
			kind = "-" + t
		}
		if appended {
			header, _, _ := bytes.Cut(data, []byte("\n"))
			extra = append(append(header[:len(header):len(header)], '\n'), extra...)
		}
	}
	newName := "appended-" + shortID(prev) + "-" + sha256Hex(extra)[:8] + kind + ext
	if err := durable.WriteFile(filepath.Join(in.dir("inbox"), newName), extra); err != nil {
		return fileError{prev, fmt.Errorf("new input for appended bytes: %w", err)}
	}
	sum.Changed++
	in.log.Warn().Str("file_id", shortID(prev)).Str("new_input", newName).Int("bytes", len(extra)).
		Msg("intake: file changed after it was taken; the new bytes are a new inbox file")
	if _, err := in.store.RaiseAlert(ctx, "file", prev, "file_changed_after_intake",
		map[string]any{"new_input": newName, "bytes": len(extra)}); err != nil {
		return fileError{prev, fmt.Errorf("alert: %w", err)}
	}
	// Recorded after the new input is durable: a crash in between finds the old record
	// and writes the same new input again (same name, same content, taken once).
	if err := in.saveWatch(tk); err != nil {
		return fileError{prev, fmt.Errorf("remember the taken file: %w", err)}
	}
	return nil
}

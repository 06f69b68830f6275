package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// Folders made by hand (0755, 0777) are forced to 0700 at start, with a log line; files
// and link targets are left alone.
func TestSecureDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	other := t.TempDir()
	os.Chmod(other, 0o755)
	for p, mode := range map[string]os.FileMode{dir: 0o755, filepath.Join(dir, "inbox"): 0o755, filepath.Join(dir, "sim"): 0o777} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
	}
	os.WriteFile(filepath.Join(dir, "edigate.db"), nil, 0o600)
	os.Symlink(other, filepath.Join(dir, "elsewhere"))
	var logs bytes.Buffer
	if err := secureDataDir(dir, zerolog.New(&logs)); err != nil {
		t.Fatal(err)
	}
	for _, sub := range append([]string{".", "sim"}, dataSubdirs...) {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", sub, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "edigate.db")); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode changed: %v", fi.Mode())
	}
	if fi, _ := os.Stat(other); fi.Mode().Perm() != 0o755 {
		t.Errorf("link target changed: %v", fi.Mode())
	}
	if n := strings.Count(logs.String(), "tightened"); n != 3 {
		t.Errorf("%d log lines, want 3 (data, inbox, sim):\n%s", n, logs.String())
	}
	// A name that should be a folder but is a file: a clear refusal.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "inbox"), nil, 0o600)
	if err := secureDataDir(bad, zerolog.Nop()); err == nil {
		t.Fatal("no error for an inbox that is a file")
	}
}

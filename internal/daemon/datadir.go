package daemon

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"
)

// dataSubdirs are the folders edigate keeps in the data folder.
var dataSubdirs = []string{"inbox", "archive", "rejected", "outbound", "inbound"}

// secureDataDir creates the data folder and its folders 0700 and forces any that already
// exist (and every other folder directly inside it) to 0700: they hold PHI, and a folder an
// operator created by hand is usually 0755. A mode it cannot set is an error, not a warning.
// Links are left alone: their targets are not edigate's to change.
func secureDataDir(dir string, log zerolog.Logger) error {
	for _, sub := range dataSubdirs {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return fmt.Errorf("daemon: data directory: %w", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("daemon: data directory: %w", err)
	}
	paths := []string{dir}
	for _, e := range entries {
		if e.IsDir() {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return fmt.Errorf("daemon: data directory: %w", err)
		}
		if fi.Mode().Perm() == 0o700 {
			continue
		}
		if err := os.Chmod(p, 0o700); err != nil {
			return fmt.Errorf("daemon: data directory %s is mode %04o and cannot be made 0700 (it holds PHI): %w", p, fi.Mode().Perm(), err)
		}
		log.Warn().Str("folder", p).Str("was", fmt.Sprintf("%04o", fi.Mode().Perm())).Msg("data folder tightened to 0700")
	}
	return nil
}

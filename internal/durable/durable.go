// Package durable writes files so that a crash or power cut leaves either the old state or
// the whole new one: data is fsynced before a rename publishes it, and the folder is fsynced
// after, so the rename itself survives. Files are created 0600: what edigate writes (837P,
// 270, rejected inbox records, responses) holds PHI.
package durable

import (
	"os"
	"path/filepath"
)

// WriteSynced creates (or truncates) path with mode 0600, writes data and fsyncs it. It
// publishes nothing: callers write a temporary name and Publish it.
func WriteSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Publish renames tmp to final and fsyncs final's folder.
func Publish(tmp, final string) error {
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(final))
}

// WriteFile writes data to path through a hidden temporary name in the same folder
// (".NAME.tmp", which folder scans skip), WriteSynced then Publish. On error the temporary
// file is removed.
func WriteFile(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := WriteSynced(tmp, data); err != nil {
		os.Remove(tmp)
		return err
	}
	return Publish(tmp, path)
}

// SyncDir fsyncs a folder, making the renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

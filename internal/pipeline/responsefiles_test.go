package pipeline

import (
	"os"
	"path/filepath"
	"testing"
)

// TestResponseFilesSkipPartialDownloads: the responses step lists only finished downloads;
// a download still being written lives in inbound/<ch>/.partial/ (the exchange's temp
// folder) and must not be read, by this instance or by one sharing the data folder.
func TestResponseFilesSkipPartialDownloads(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"sim/2026-12-05/ERA_1.835", "sim/.partial/dl-123", "sim/2026-12-05/ACK.999.tmp", "sim/2026-12-05/.hidden"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("ISA"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, err := responseFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || filepath.Base(files[0].path) != "ERA_1.835" || files[0].ch != "sim" {
		t.Fatalf("files: %+v, want only sim's ERA_1.835", files)
	}
}

package pipeline

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestResponseFiles: partial downloads and hidden files are not responses, every file
// belongs to the clearinghouse folder it sits under, and a missing inbox is empty.
func TestResponseFiles(t *testing.T) {
	tests := []struct {
		name  string
		files []string // relative to the root; nil: no root at all
		want  []string // "channel path" relative to the root
	}{
		{"no inbox", nil, nil},
		{"path order, channel from the first folder",
			[]string{"sim/2026-11-20/b.835", "avail/2026-11-19/a.999", "sim/2026-11-19/z.999"},
			[]string{"avail avail/2026-11-19/a.999", "sim sim/2026-11-19/z.999", "sim sim/2026-11-20/b.835"}},
		{"partial and hidden files left out (a hidden folder is not)",
			[]string{"sim/d/a.835.tmp", "sim/d/.lock", "sim/.hidden/x.999", "sim/d/ok.999"},
			[]string{"sim sim/.hidden/x.999", "sim sim/d/ok.999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "inbound")
			for _, f := range tt.files {
				path := filepath.Join(root, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := responseFiles(root)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range got {
				rel, _ := filepath.Rel(root, f.path)
				names = append(names, f.ch+" "+filepath.ToSlash(rel))
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Errorf("files = %q\nwant %q", names, tt.want)
			}
		})
	}
}

// TestHandleResponse: a file goes to the handler of its kind; a 271 with none is applied
// by the pipeline itself; any other kind with none fails with the reason.
func TestHandleResponse(t *testing.T) {
	p := newPipeline(t)
	boom := errors.New("boom")
	var called string
	handlers := map[string]Handler{
		Kind835: func(_ context.Context, name string, _ io.ReadSeeker) error { called = "835 " + name; return nil },
		Kind999: func(context.Context, string, io.ReadSeeker) error { called = "999"; return boom },
	}
	tests := []struct {
		kind       string
		wantCalled string
		wantErr    string
	}{
		{Kind835, "835 in/f", ""},
		{Kind999, "999", "boom"},
		{Kind277, "", "no handler for 277 files"},
		{KindUnknown, "", "no handler for unknown files"},
		{Kind271, "", "invalid 271 file"}, // Apply271 refused the empty file
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			called = ""
			err := p.handleResponse(context.Background(), tt.kind, "in/f", nil, handlers)
			if called != tt.wantCalled {
				t.Errorf("called %q, want %q", called, tt.wantCalled)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The hostile-input corpus (fixtures/hostile/README.md): every case dropped into a real
// inbox, `x12 validate`, `remit parse` or `remit post`, with the outcome the README
// documents. The cases too big or too odd to commit (a 1 MB first name, an 8 MB element,
// symbolic links, a file appended after it was taken) are made here.

const hostile = "../../fixtures/hostile/"

// rejectionFile is the part of an intake reason file (rejected/*.error.json) checked here.
type rejectionFile struct {
	File    string `json:"file"`
	FileID  string `json:"file_id"`
	Record  int    `json:"record"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// sessionJSON is one valid session record of the corpus, with id and changes.
func sessionJSON(t *testing.T, id string, change func(m map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile(hostile + "inbox/crlf.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(b, []byte("\r\n"))
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = id
	if change != nil {
		change(m)
	}
	out, _ := json.Marshal(m)
	return append(out, '\n')
}

func TestHostileInbox(t *testing.T) {
	if testing.Short() {
		t.Skip("runs edigate run --once twice")
	}
	data := t.TempDir()
	inbox := filepath.Join(data, "inbox")
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(hostile + "inbox")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(hostile + "inbox/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inbox, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Made here: a 1 MB first name, symbolic links (to /etc/passwd, dangling), and a file
	// that is appended to after intake took it.
	huge := sessionJSON(t, "H-HUGE", func(m map[string]any) {
		m["client"].(map[string]any)["first_name"] = strings.Repeat("A", 1<<20)
	})
	os.WriteFile(filepath.Join(inbox, "huge-first-name.ndjson"), huge, 0o600)
	os.Symlink("/etc/passwd", filepath.Join(inbox, "to-passwd.ndjson"))
	os.Symlink(filepath.Join(data, "nowhere"), filepath.Join(inbox, "dangling.ndjson"))
	os.WriteFile(filepath.Join(inbox, "appended.ndjson"), sessionJSON(t, "H-APP-1", nil), 0o600)

	if code, _, stderr := runCmd(t, "", "run", "--once", "-data", data); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	// The writer appends after the file was taken; the next process must take the new bytes.
	archived, _ := filepath.Glob(filepath.Join(data, "archive", "*", "appended.ndjson"))
	if len(archived) != 1 {
		t.Fatalf("appended.ndjson archived %d times", len(archived))
	}
	f, err := os.OpenFile(archived[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(sessionJSON(t, "H-APP-2", nil))
	f.Close()
	code, _, stderr := runCmd(t, "", "run", "--once", "-data", data)
	if code != exitOK {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "file changed after it was taken") || strings.Contains(stderr, "appended.ndjson") {
		t.Errorf("the late append is not reported by file id:\n%s", stderr)
	}

	_, list, _ := runCmd(t, "", "sessions", "list", "-data", data)
	stored := func(id string) bool { return strings.Contains(list, "\n"+id+" ") }
	rejected := filepath.Join(data, "rejected")
	recordReject := func(t *testing.T, file string, record int) rejectionFile {
		t.Helper()
		names, _ := filepath.Glob(filepath.Join(rejected, "*.error.json"))
		for _, n := range names {
			var r rejectionFile
			b, _ := os.ReadFile(n)
			if json.Unmarshal(b, &r) == nil && r.File == file && r.Record == record {
				if len(filepath.Base(n)) > 255 {
					t.Errorf("reason file name of %d bytes", len(filepath.Base(n)))
				}
				return r
			}
		}
		t.Fatalf("no reason file for %s record %d", file, record)
		return rejectionFile{}
	}
	wholeReject := func(t *testing.T, file string) rejectionFile {
		t.Helper()
		names, _ := filepath.Glob(filepath.Join(rejected, "*.error.json"))
		for _, n := range names {
			var r rejectionFile
			b, _ := os.ReadFile(n)
			if json.Unmarshal(b, &r) == nil && r.File == file && r.Record == 0 {
				return r
			}
		}
		t.Fatalf("%s not set aside with a reason file", file)
		return rejectionFile{}
	}
	long := strings.Repeat("L", 228) + ".ndjson"
	tests := []struct {
		name   string
		stored []string
		check  func(t *testing.T)
	}{
		{"235-character name with one invalid record", []string{"H-LONG-OK"}, func(t *testing.T) {
			if r := recordReject(t, long, 2); r.Field != "client.dob" {
				t.Errorf("reason %+v", r)
			}
		}},
		{"invalid record", []string{"H-INV-OK"}, func(t *testing.T) {
			if r := recordReject(t, "invalid-record.ndjson", 2); r.Field != "charge" || !strings.Contains(r.Reason, "greater than 0") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"id with a slash", []string{"H-SLASH-OK"}, func(t *testing.T) {
			if r := recordReject(t, "id-slash.ndjson", 1); r.Field != "id" || stored("H/SLASH") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"id with ../", nil, func(t *testing.T) {
			if r := recordReject(t, "id-dotdot.ndjson", 1); r.Field != "id" || !strings.Contains(r.Reason, "no ..") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"1 MB first name", nil, func(t *testing.T) {
			if r := recordReject(t, "huge-first-name.ndjson", 1); r.Field != "client.first_name" || !strings.Contains(r.Reason, "35 characters") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"byte-order mark", []string{"H-BOM"}, nil},
		{"CRLF line ends", []string{"H-CRLF-1", "H-CRLF-2"}, nil},
		{"truncated last record", []string{"H-TRUNC-OK"}, func(t *testing.T) {
			if r := recordReject(t, "truncated.ndjson", 2); !strings.Contains(r.Message, "record 2: is not valid JSON") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"binary garbage", nil, func(t *testing.T) {
			if r := wholeReject(t, "garbage.ndjson"); !strings.Contains(r.Reason, "binary content (a NUL byte at byte 1)") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"symbolic link to /etc/passwd", nil, func(t *testing.T) {
			if r := wholeReject(t, "to-passwd.ndjson"); !strings.Contains(r.Reason, "symbolic link (not followed)") {
				t.Errorf("reason %+v", r)
			}
			if fi, err := os.Lstat(filepath.Join(rejected, "to-passwd.ndjson")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link itself is not in rejected/: %v", err)
			}
		}},
		{"dangling symbolic link", nil, func(t *testing.T) {
			if r := wholeReject(t, "dangling.ndjson"); !strings.Contains(r.Reason, "symbolic link") {
				t.Errorf("reason %+v", r)
			}
		}},
		{"appended after being taken, next process", []string{"H-APP-1", "H-APP-2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, id := range tt.stored {
				if !stored(id) {
					t.Errorf("session %s not stored", id)
				}
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
	if left, _ := os.ReadDir(inbox); len(left) != 0 {
		t.Errorf("files left in the inbox (one blocked the rest?): %d", len(left))
	}
	for _, id := range []string{"H-LONG-BAD", "H-INV-BAD", "H-HUGE"} {
		if stored(id) {
			t.Errorf("invalid session %s stored", id)
		}
	}
}

func TestHostileX12(t *testing.T) {
	// An 8 MB element: read in bounded memory, reported at its segment and byte.
	src, err := os.ReadFile(fx + "837p-two-sets.x12")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(src, []byte("NM1*IL*1*")) + len("NM1*IL*1*")
	j := i + bytes.IndexByte(src[i:], '*')
	huge := filepath.Join(t.TempDir(), "huge-element.x12")
	os.WriteFile(huge, append(append(append([]byte{}, src[:i]...), bytes.Repeat([]byte("A"), 8<<20)...), src[j:]...), 0o600)

	tests := []struct {
		name string
		args []string
		code int
		want []string // in stdout or stderr
	}{
		{"truncated", []string{"x12", "validate", hostile + "x12/truncated.x12"}, exitInvalid,
			[]string{"byte 746 (segment 25)", "input ends inside a segment", "truncated file?"}},
		{"wrong separators", []string{"x12", "validate", hostile + "x12/wrong-separators.x12"}, exitInvalid,
			[]string{"segment 2 at byte 107", "does not use the separators its ISA declares"}},
		{"binary garbage", []string{"x12", "validate", hostile + "x12/garbage.x12"}, exitInvalid,
			[]string{"byte 0 (segment 1): input does not start with an ISA segment"}},
		{"huge element", []string{"x12", "validate", huge}, exitInvalid,
			[]string{"byte 532 (segment 16): no segment terminator '~' within 1048576 bytes"}},
		{"byte-order mark", []string{"x12", "validate", hostile + "x12/bom.x12"}, exitOK, []string{"valid (1 interchange(s), 2 transaction set(s))"}},
		{"CRLF after terminators", []string{"x12", "validate", hostile + "x12/crlf.x12"}, exitOK, []string{"valid (1 interchange(s), 2 transaction set(s))"}},
		{"unbalanced 835 parses with exit 1", []string{"remit", "parse", hostile + "x12/unbalanced-835.x12"}, exitInvalid,
			[]string{"BPR02 125.00 but claims paid 120.00", "1 payment(s) do not balance"}},
		{"unbalanced 835 posts nothing as applied", []string{"remit", "post", "-data", t.TempDir(), hostile + "x12/unbalanced-835.x12"}, exitOK,
			[]string{"applied 0, unmatched 2, review 3", "unbalanced 1"}},
		{"unbalanced 835 posts with exit 0 beside an invalid file, which exits 1", []string{"remit", "post", "-data", t.TempDir(),
			hostile + "x12/garbage.x12", hostile + "x12/unbalanced-835.x12"}, exitInvalid,
			[]string{"nothing of it is applied", "unbalanced-835.x12 (835): applied 0, unmatched 2, review 3, repeated 0, queued 3, unbalanced 1"}},
		{"post --help documents the counts and exit codes", []string{"remit", "post", "--help"}, exitOK,
			[]string{"unmatched (claims edigate never", "unbalanced (835 payments", "Exit 0 when every file was applied", "1 when a file is invalid"}},
		{"binary garbage is not posted", []string{"remit", "post", "-data", t.TempDir(), hostile + "x12/garbage.x12"}, exitInvalid,
			[]string{"invalid response file", "nothing of it is applied"}},
		{"a truncated 837 is not a response", []string{"remit", "post", "-data", t.TempDir(), hostile + "x12/truncated.x12"}, exitInvalid,
			[]string{"is not a response (835, 277, 999)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout+stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, stdout, stderr)
				}
			}
		})
	}
}

// TestTraceUnmatchedCLP: a CLP of a claim edigate never built has no history event; its
// trace still says what the 835 paid (the posting) and that it awaits review.
func TestTraceUnmatchedCLP(t *testing.T) {
	d := t.TempDir()
	if code, out, errOut := runCmd(t, "", "remit", "post", "-data", d, hostile+"x12/unbalanced-835.x12"); code != exitOK {
		t.Fatalf("post: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, "", "trace", "-data", d, "PCN0001")
	if code != exitOK || !strings.Contains(out, "835 20240315 check 12345 payer  CLP02 1 paid: charge 150.00 paid 120.00 patient 30.00") ||
		!strings.Contains(out, "review unmatched CLP01 open") {
		t.Errorf("trace: exit %d\n%s%s", code, out, errOut)
	}
}

package sim

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

type simFixture struct {
	srv     *SFTPServer
	root    string
	keyDir  string
	user    ssh.Signer
	mu      sync.Mutex
	uploads []string
}

func startSim(t *testing.T) *simFixture {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	userKey, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	f := &simFixture{root: filepath.Join(t.TempDir(), "root"), keyDir: filepath.Join(t.TempDir(), "keys"), user: userKey}
	f.srv, err = StartSFTPServer(SFTPServerOptions{
		Root: f.root, KeyDir: f.keyDir, User: "edigate", Password: "s3cret",
		AuthorizedKeys: []ssh.PublicKey{userKey.PublicKey()},
		WatchDir:       "outbound",
		OnUpload: func(rel string) {
			f.mu.Lock()
			f.uploads = append(f.uploads, rel)
			f.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	return f
}

func (f *simFixture) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.uploads...)
}

func (f *simFixture) dial(t *testing.T, auth ssh.AuthMethod) (*sftp.Client, error) {
	t.Helper()
	cfg := &ssh.ClientConfig{
		User: "edigate", Auth: []ssh.AuthMethod{auth},
		HostKeyCallback: ssh.FixedHostKey(f.srv.HostKey()), Timeout: time.Minute,
	}
	sc, err := ssh.Dial("tcp", f.srv.Addr(), cfg)
	if err != nil {
		return nil, err
	}
	c, err := sftp.NewClient(sc)
	if err != nil {
		sc.Close()
		return nil, err
	}
	t.Cleanup(func() { c.Close(); sc.Close() })
	return c, nil
}

func writeRemote(t *testing.T, c *sftp.Client, name, body string) {
	t.Helper()
	w, err := c.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if _, err := io.WriteString(w, body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSFTPServerAuth(t *testing.T) {
	f := startSim(t)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewSignerFromKey(otherPriv)
	for _, tc := range []struct {
		name string
		auth ssh.AuthMethod
		ok   bool
	}{
		{"password", ssh.Password("s3cret"), true},
		{"key", ssh.PublicKeys(f.user), true},
		{"wrong password", ssh.Password("guess"), false},
		{"unknown key", ssh.PublicKeys(other), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.dial(t, tc.auth)
			if (err == nil) != tc.ok {
				t.Fatalf("dial err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestSFTPServerUploadHookAfterRename(t *testing.T) {
	f := startSim(t)
	c, err := f.dial(t, ssh.Password("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Mkdir("outbound"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.HasExtension("posix-rename@openssh.com"); !ok {
		t.Fatal("posix-rename@openssh.com not offered")
	}
	writeRemote(t, c, "outbound/a.x12.tmp", "ISA*first")
	if got := f.seen(); len(got) != 0 {
		t.Fatalf("hook fired for a temp name: %v", got)
	}
	if err := c.PosixRename("outbound/a.x12.tmp", "outbound/a.x12"); err != nil {
		t.Fatal(err)
	}
	// Plain rename refuses to replace (SFTP v3), posix-rename replaces.
	writeRemote(t, c, "outbound/b.x12.tmp", "ISA*second")
	if err := c.Rename("outbound/b.x12.tmp", "outbound/a.x12"); err == nil {
		t.Fatal("plain rename replaced an existing file")
	}
	if err := c.PosixRename("outbound/b.x12.tmp", "outbound/a.x12"); err != nil {
		t.Fatal(err)
	}
	// Written directly under a final name; and outside the watched folder (not reported).
	writeRemote(t, c, "outbound/direct.x12", "ISA*third")
	writeRemote(t, c, "elsewhere.x12", "ISA*fourth")

	got := f.seen()
	want := []string{"outbound/a.x12", "outbound/a.x12", "outbound/direct.x12"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("uploads = %v, want %v", got, want)
	}
	b, err := os.ReadFile(filepath.Join(f.root, "outbound", "a.x12"))
	if err != nil || string(b) != "ISA*second" {
		t.Fatalf("a.x12 = %q, %v", b, err)
	}
	st, _ := os.Stat(filepath.Join(f.root, "outbound", "direct.x12"))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("uploaded file mode = %v, want 0600", st.Mode().Perm())
	}
}

func TestSFTPServerNoEscapeAboveRoot(t *testing.T) {
	f := startSim(t)
	outside := filepath.Dir(f.root) // the temp dir holding root
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(f.root, "link")); err != nil {
		t.Fatal(err)
	}
	c, err := f.dial(t, ssh.Password("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../secret.txt", "/../secret.txt", "../../../../" + strings.TrimPrefix(outside, "/") + "/secret.txt", "link/secret.txt"} {
		if r, err := c.Open(p); err == nil {
			b, _ := io.ReadAll(r)
			r.Close()
			if string(b) == "outside" {
				t.Errorf("read %q outside the root", p)
			}
		}
		if _, err := c.Stat(p); err == nil && p == "link/secret.txt" {
			t.Errorf("stat %q through a symlink out of the root succeeded", p)
		}
	}
	// Writes with ".." land inside the root, never beside it.
	writeRemote(t, c, "../escape.txt", "x")
	if _, err := os.Stat(filepath.Join(outside, "escape.txt")); err == nil {
		t.Fatal("write escaped the root")
	}
	if _, err := os.Stat(filepath.Join(f.root, "escape.txt")); err != nil {
		t.Fatalf("write with .. did not stay in the root: %v", err)
	}
	if err := c.Symlink("/etc/passwd", "pw"); err == nil {
		t.Error("symlink creation allowed")
	}
	if err := c.Rename("escape.txt", "link/moved.txt"); err == nil {
		if _, serr := os.Stat(filepath.Join(outside, "moved.txt")); serr == nil {
			t.Error("rename through a symlink escaped the root")
		}
	}
}

func TestSFTPServerHostKeyPersists(t *testing.T) {
	f := startSim(t)
	first := f.srv.HostKey().Marshal()
	st, err := os.Stat(filepath.Join(f.keyDir, HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("host key mode = %v, want 0600", st.Mode().Perm())
	}
	addr := f.srv.Addr()
	if err := f.srv.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := StartSFTPServer(SFTPServerOptions{Addr: addr, Root: f.root, KeyDir: f.keyDir, User: "edigate", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if string(again.HostKey().Marshal()) != string(first) {
		t.Fatal("host key changed across restarts")
	}
	if !strings.HasPrefix(again.KnownHostsLine(), "[127.0.0.1]:") {
		t.Errorf("known_hosts line %q does not name the loopback port", again.KnownHostsLine())
	}
}

func TestSFTPServerCloseWaitsForConnections(t *testing.T) {
	f := startSim(t)
	c, err := f.dial(t, ssh.Password("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	writeRemote(t, c, "x.txt", "x")
	done := make(chan error, 1)
	go func() { done <- f.srv.Close() }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("Close did not return with a client connected")
	}
	if _, err := c.ReadDir("."); err == nil {
		t.Fatal("connection still served after Close")
	}
	ents, _ := os.ReadDir(f.root)
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "x.txt" {
		t.Fatalf("root holds %v", names)
	}
}

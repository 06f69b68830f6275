package scheduler

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/edigate/edigate/scheduler/sshdtest"
)

// openSSH is a throwaway OpenSSH sshd (scheduler/sshdtest) serving internal-sftp from remote.
type openSSH struct {
	port    int
	remote  string
	hostKey ssh.PublicKey
	keyFile string // the client's private key
	user    string
}

func startOpenSSH(t *testing.T) *openSSH {
	t.Helper()
	s := sshdtest.Start(t)
	return &openSSH{port: s.Port, remote: s.Remote, hostKey: s.HostKey, keyFile: s.KeyFile, user: s.User}
}

func (o *openSSH) clearinghouse() Clearinghouse {
	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))
	return Clearinghouse{
		ID: "openssh",
		SFTP: SFTPOptions{
			Host: "127.0.0.1", Port: o.port, User: o.user, KeyFile: o.keyFile,
			HostKey: knownhosts.Line([]string{knownhosts.Normalize(host)}, o.hostKey),
			Timeout: time.Minute, Keepalive: time.Minute, // no false alarms under load
		},
		Paths:            Paths{Upload: "to_payer", Download: "from_payer", Recurse: true},
		AfterDownload:    "delete",
		UploadName:       "{{.Set}}_{{.Control}}_{{.Time}}.x12",
		DownloadPatterns: []string{"*.999", "*.835"},
		Rename:           "posix",
	}
}

func TestOpenSSHUploadAndDownload(t *testing.T) {
	o := startOpenSSH(t)
	for _, d := range []string{"to_payer", "from_payer/123456789"} {
		os.MkdirAll(filepath.Join(o.remote, d), 0o755)
	}
	data := t.TempDir()
	ledger := NewMemLedger()
	x := &Exchange{CH: o.clearinghouse(), DataDir: data, Ledger: ledger, Failures: NewFailures(), Log: zerolog.Nop(),
		Backoff: Backoff{Attempts: 2, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}}

	out := newOutbox(t, filepath.Join(data, "outbound"))
	body := makeX12("701", 200<<10, "C1", "C2")
	writeOutbound(t, out.Dir, "claims.x12", body)
	ups, err := x.Upload(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(o.remote, ups[0].RemoteName))
	if err != nil || string(got) != body {
		t.Fatalf("remote file: %d bytes, %v", len(got), err)
	}
	if ents, _ := os.ReadDir(filepath.Join(o.remote, "to_payer")); len(ents) != 1 {
		t.Fatalf("to_payer holds %d entries, want only the final file", len(ents))
	}

	// rename: plain SFTP rename (after removing any stale target), as for servers without posix-rename.
	x.CH.Rename = "rename"
	writeOutbound(t, out.Dir, "more.x12", makeX12("702", 0, "C3"))
	if _, err := x.Upload(context.Background(), out); err != nil {
		t.Fatal(err)
	}

	for name, content := range map[string]string{"from_payer/123456789/r.999": "999~", "from_payer/pay.835": "835~", "from_payer/x.pdf": "pdf"} {
		os.WriteFile(filepath.Join(o.remote, name), []byte(content), 0o644)
	}
	res, err := x.Download(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stored) != 2 {
		t.Fatalf("stored %+v", res)
	}
	for _, d := range res.Stored {
		b, _ := os.ReadFile(d.LocalPath)
		if !strings.HasSuffix(string(b), "~") {
			t.Errorf("%s: %q", d.LocalPath, b)
		}
	}
	if _, err := os.Stat(filepath.Join(o.remote, "from_payer/123456789/r.999")); !os.IsNotExist(err) {
		t.Error("downloaded file not deleted remotely")
	}
	if _, err := os.Stat(filepath.Join(o.remote, "from_payer/x.pdf")); err != nil {
		t.Error("unmatched file was touched")
	}
}

func TestOpenSSHWrongHostKeyAndBadKey(t *testing.T) {
	o := startOpenSSH(t)
	other, otherPEM := sshdtest.UserKey(t)

	ch := o.clearinghouse()
	ch.SFTP.HostKey = string(ssh.MarshalAuthorizedKey(other.PublicKey()))
	if _, err := Dial(context.Background(), ch.SFTP, nil); !IsPermanent(err) || !strings.Contains(err.Error(), "host key") {
		t.Fatalf("wrong host key: %v", err)
	}

	ch = o.clearinghouse()
	ch.SFTP.KeyFile = filepath.Join(t.TempDir(), "unauthorized")
	os.WriteFile(ch.SFTP.KeyFile, otherPEM, 0o600)
	if _, err := Dial(context.Background(), ch.SFTP, nil); !IsPermanent(err) {
		t.Fatalf("unauthorized key: %v, want a permanent auth error", err)
	}

	c, err := Dial(context.Background(), o.clearinghouse().SFTP, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.SFTP.HasExtension("posix-rename@openssh.com"); !ok {
		t.Error("OpenSSH did not offer posix-rename")
	}
}

func TestOpenSSHConnectionDroppedMidTransfer(t *testing.T) {
	o := startOpenSSH(t)
	os.MkdirAll(filepath.Join(o.remote, "to_payer"), 0o755)
	os.MkdirAll(filepath.Join(o.remote, "from_payer"), 0o755)
	proxy := newCutProxy(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port)))
	ch := o.clearinghouse()
	ch.SFTP.Port = proxy.port()
	ch.SFTP.HostKey = ssh.FingerprintSHA256(o.hostKey)
	data := t.TempDir()
	x := &Exchange{CH: ch, DataDir: data, Ledger: NewMemLedger(), Log: zerolog.Nop(), Backoff: Backoff{Attempts: 1}}
	out := newOutbox(t, filepath.Join(data, "outbound"))
	body := makeX12("801", 400<<10, "C1")
	writeOutbound(t, out.Dir, "big.x12", body)
	report := makeX12("802", 400<<10)
	os.WriteFile(filepath.Join(o.remote, "from_payer", "big.835"), []byte(report), 0o644)

	proxy.upLimit.Store(128 << 10)
	if _, err := x.Upload(context.Background(), out); err == nil {
		t.Fatal("upload survived the cut")
	}
	proxy.upLimit.Store(0)
	proxy.dnLimit.Store(128 << 10)
	if _, err := x.Download(context.Background()); err == nil {
		t.Fatal("download survived the cut")
	}
	proxy.dnLimit.Store(0)

	ups, err := x.Upload(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(o.remote, "to_payer"))
	if len(ents) != 1 || "to_payer/"+ents[0].Name() != ups[0].RemoteName {
		t.Fatalf("to_payer = %v, want only %s", ents, ups[0].RemoteName)
	}
	if b, _ := os.ReadFile(filepath.Join(o.remote, ups[0].RemoteName)); string(b) != body {
		t.Fatal("uploaded content differs")
	}
	res, err := x.Download(context.Background())
	if err != nil || len(res.Stored) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if b, _ := os.ReadFile(res.Stored[0].LocalPath); string(b) != report {
		t.Fatal("downloaded content differs")
	}
}

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/edigate/edigate/scheduler/sshdtest"
)

func writeOutbound(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUploadDeliversRecordsAndMovesToSent(t *testing.T) {
	for _, mode := range []string{"posix", "rename", "none"} {
		t.Run(mode, func(t *testing.T) {
			e := newSimEnv(t)
			e.ch.Rename = mode
			out := newOutbox(t, filepath.Join(e.data, "outbound"))
			body1 := makeX12("101", 0, "C1", "C2")
			body2 := makeX12("102", 0, "C3")
			writeOutbound(t, out.Dir, "a.x12", body1)
			writeOutbound(t, out.Dir, "b.x12", body2)

			ups, err := e.exchange().Upload(context.Background(), out)
			if err != nil {
				t.Fatal(err)
			}
			if len(ups) != 2 {
				t.Fatalf("uploaded %d files, want 2", len(ups))
			}
			remote := e.remoteFiles("outbound")
			if len(remote) != 2 {
				t.Fatalf("remote outbound = %v, want 2 final files and no temp", remote)
			}
			for _, u := range ups {
				if u.State != UploadDone || u.Inferred {
					t.Errorf("%s: state %s inferred %v", u.LocalName, u.State, u.Inferred)
				}
				if !strings.HasPrefix(u.RemoteName, "outbound/837_"+u.Control+"_") {
					t.Errorf("remote name %q lacks set and control number", u.RemoteName)
				}
				got, err := os.ReadFile(e.remote(u.RemoteName))
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]string{"a.x12": body1, "b.x12": body2}[u.LocalName]
				if string(got) != want {
					t.Errorf("%s: remote content differs", u.LocalName)
				}
			}
			if got := strings.Join(ups[0].Claims, ","); got != "C1,C2" {
				t.Errorf("claims recorded = %q", got)
			}
			if n := len(out.recorded()); n != 2 {
				t.Errorf("Record called %d times, want 2", n)
			}
			for _, n := range []string{"a.x12", "b.x12"} {
				if _, err := os.Stat(filepath.Join(out.Dir, "sent", n)); err != nil {
					t.Errorf("%s not moved to sent/: %v", n, err)
				}
			}
			// Nothing pending: the next run does not even connect.
			again, err := e.exchange().Upload(context.Background(), out)
			if err != nil || len(again) != 0 {
				t.Fatalf("second run: %v, %v", again, err)
			}
		})
	}
}

func TestUploadCrashBeforeRecordIsNotUploadedTwice(t *testing.T) {
	e := newSimEnv(t)
	out := newOutbox(t, filepath.Join(e.data, "outbound"))
	writeOutbound(t, out.Dir, "a.x12", makeX12("201", 0, "C1"))
	out.failNext = 1 // the process "dies" after the upload, before the durable record

	if _, err := e.exchange().Upload(context.Background(), out); err == nil {
		t.Fatal("run succeeded although the record failed")
	}
	first := e.remoteFiles("outbound")
	if len(first) != 1 {
		t.Fatalf("after crash: remote %v", first)
	}
	if _, err := os.Stat(filepath.Join(out.Dir, "a.x12")); err != nil {
		t.Fatal("local file left the outbox before its delivery was recorded")
	}

	time.Sleep(1100 * time.Millisecond) // a new timestamp would mean a new name
	ups, err := e.exchange().Upload(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.remoteFiles("outbound"); strings.Join(got, ",") != strings.Join(first, ",") {
		t.Fatalf("remote after restart = %v, want only %v", got, first)
	}
	rec := out.recorded()
	if len(rec) != 1 || rec[0].RemoteName != ups[0].RemoteName || "outbound/"+first[0] != rec[0].RemoteName {
		t.Fatalf("records = %+v", rec)
	}
}

// failingLedger makes PutUpload fail once when the upload reaches a given state: the
// process dying right after the remote rename.
type failingLedger struct {
	*MemLedger
	failOn UploadState
}

func (f *failingLedger) PutUpload(ctx context.Context, u Upload, from UploadState) error {
	if f.failOn != "" && u.State == f.failOn {
		f.failOn = ""
		return errors.New("simulated crash")
	}
	return f.MemLedger.PutUpload(ctx, u, from)
}

func TestUploadCrashAfterRename(t *testing.T) {
	for _, tc := range []struct {
		name          string
		consumed      bool // the clearinghouse took the file before we came back
		wantRemote    int
		wantInferred  bool
		wantRecordCnt int
	}{
		{"final still there", false, 1, false, 1},
		{"clearinghouse took it", true, 0, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newSimEnv(t)
			fl := &failingLedger{MemLedger: e.ledger, failOn: UploadDone}
			x := e.exchange()
			x.Ledger = fl
			out := newOutbox(t, filepath.Join(e.data, "outbound"))
			writeOutbound(t, out.Dir, "a.x12", makeX12("301", 0, "C1"))
			if _, err := x.Upload(context.Background(), out); err == nil {
				t.Fatal("want the simulated crash")
			}
			if n := len(out.recorded()); n != 0 {
				t.Fatalf("recorded %d before the ledger knew", n)
			}
			if tc.consumed {
				for _, f := range e.remoteFiles("outbound") {
					os.Remove(e.remote("outbound/" + f))
				}
			}
			ups, err := x.Upload(context.Background(), out)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.remoteFiles("outbound"); len(got) != tc.wantRemote {
				t.Fatalf("remote = %v, want %d files (no re-upload)", got, tc.wantRemote)
			}
			if ups[0].Inferred != tc.wantInferred || ups[0].State != UploadDone {
				t.Errorf("upload = %+v", ups[0])
			}
			if n := len(out.recorded()); n != tc.wantRecordCnt {
				t.Errorf("recorded %d times", n)
			}
		})
	}
}

func TestUploadConnectionDroppedMidUpload(t *testing.T) {
	e := newSimEnv(t)
	proxy := newCutProxy(t, e.srv.Addr())
	proxy.upLimit.Store(96 << 10) // handshake fits; a 300 KB file does not
	e.ch.SFTP.Port = proxy.port()
	e.ch.SFTP.HostKey = ssh.FingerprintSHA256(e.srv.HostKey()) // the proxy's port is not in the known_hosts line
	out := newOutbox(t, filepath.Join(e.data, "outbound"))
	body := makeX12("401", 300<<10, "C1")
	writeOutbound(t, out.Dir, "big.x12", body)

	if _, err := e.exchange().Upload(context.Background(), out); err == nil {
		t.Fatal("upload through a cut connection succeeded")
	}
	if proxy.cuts.Load() == 0 {
		t.Fatal("the proxy never cut the connection")
	}
	for _, f := range e.remoteFiles("outbound") {
		if !strings.HasSuffix(f, ".tmp") {
			t.Fatalf("a final name appeared for a partial upload: %s", f)
		}
	}
	proxy.upLimit.Store(0)
	ups, err := e.exchange().Upload(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	files := e.remoteFiles("outbound")
	if len(files) != 1 || "outbound/"+files[0] != ups[0].RemoteName {
		t.Fatalf("remote = %v, want only %s", files, ups[0].RemoteName)
	}
	got, _ := os.ReadFile(e.remote(ups[0].RemoteName))
	if string(got) != body {
		t.Fatalf("remote file is %d bytes, want %d identical", len(got), len(body))
	}
}

func TestDownloadStoresRecordsThenDeletes(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/111111111/r1.999", "ISA*999 one~")
	e.putRemote("inbound/222222222/r2.835", "ISA*835 two~")
	e.putRemote("inbound/readme.pdf", "not edi")
	res, err := e.exchange().Download(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stored) != 2 || len(res.Duplicates) != 0 {
		t.Fatalf("result = %+v", res)
	}
	for _, d := range res.Stored {
		if !strings.HasPrefix(d.LocalPath, filepath.Join(e.data, "inbound", "sim")+string(filepath.Separator)) {
			t.Errorf("stored at %s", d.LocalPath)
		}
		st, err := os.Stat(d.LocalPath)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", d.LocalPath, st.Mode().Perm())
		}
		if len(d.SHA256) != 64 {
			t.Errorf("hash %q", d.SHA256)
		}
	}
	if got := e.remoteFiles("inbound"); strings.Join(got, ",") != "readme.pdf" {
		t.Fatalf("remote left = %v, want only the unmatched file", got)
	}
	if n := len(e.ledger.Downloads()); n != 2 {
		t.Fatalf("ledger has %d downloads", n)
	}
	again, err := e.exchange().Download(context.Background())
	if err != nil || len(again.Stored)+len(again.Duplicates) != 0 {
		t.Fatalf("second run: %+v, %v", again, err)
	}
}

func TestDownloadDedupesByContentNotName(t *testing.T) {
	e := newSimEnv(t)
	e.ch.AfterDownload = "leave"
	x := func() DownloadResult {
		t.Helper()
		res, err := e.exchange().Download(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	e.putRemote("inbound/RPT_A1.999", "first content~")
	if r := x(); len(r.Stored) != 1 {
		t.Fatalf("run 1: %+v", r)
	}
	if r := x(); len(r.Stored)+len(r.Duplicates) != 0 {
		t.Fatalf("unchanged file fetched again: %+v", r)
	}
	// The clearinghouse reuses the name for a new report (Optum's rolling suffix).
	e.putRemote("inbound/RPT_A1.999", "second, different content~")
	r := x()
	if len(r.Stored) != 1 {
		t.Fatalf("new content under a repeated name not fetched: %+v", r)
	}
	// The same report delivered again under another name is recorded, not processed.
	e.putRemote("inbound/RPT_A2.999", "first content~")
	r = x()
	if len(r.Stored) != 0 || len(r.Duplicates) != 1 {
		t.Fatalf("re-delivered content: %+v", r)
	}
	var stored []string
	filepath.WalkDir(filepath.Join(e.data, "inbound", "sim"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			stored = append(stored, string(b))
		}
		return nil
	})
	sort.Strings(stored)
	if strings.Join(stored, "|") != "first content~|second, different content~" {
		t.Fatalf("local store = %q", stored)
	}
}

func TestDownloadAfterDownloadMove(t *testing.T) {
	e := newSimEnv(t)
	e.ch.AfterDownload = "move"
	e.ch.Paths.Archive = "inbound/archive" // inside the walked tree: must not be walked
	e.putRemote("inbound/t1/r.277", "277 body~")
	if _, err := e.exchange().Download(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.remoteFiles("inbound"); strings.Join(got, ",") != "archive/t1/r.277" {
		t.Fatalf("remote = %v", got)
	}
	res, err := e.exchange().Download(context.Background())
	if err != nil || len(res.Stored)+len(res.Duplicates) != 0 {
		t.Fatalf("archive was walked: %+v %v", res, err)
	}
}

func TestDownloadConnectionDroppedMidDownload(t *testing.T) {
	e := newSimEnv(t)
	proxy := newCutProxy(t, e.srv.Addr())
	proxy.dnLimit.Store(96 << 10)
	e.ch.SFTP.Port = proxy.port()
	e.ch.SFTP.HostKey = ssh.FingerprintSHA256(e.srv.HostKey())
	body := makeX12("501", 300<<10)
	e.putRemote("inbound/big.835", body)

	if _, err := e.exchange().Download(context.Background()); err == nil {
		t.Fatal("download through a cut connection succeeded")
	}
	if len(e.ledger.Downloads()) != 0 {
		t.Fatal("a partial download was recorded")
	}
	if got := e.remoteFiles("inbound"); len(got) != 1 {
		t.Fatalf("remote file lost: %v", got)
	}
	proxy.dnLimit.Store(0)
	res, err := e.exchange().Download(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stored) != 1 {
		t.Fatalf("%+v", res)
	}
	got, _ := os.ReadFile(res.Stored[0].LocalPath)
	if string(got) != body {
		t.Fatalf("stored %d bytes, want %d identical", len(got), len(body))
	}
	partial, _ := os.ReadDir(filepath.Join(e.data, "inbound", "sim", ".partial"))
	if len(partial) != 0 {
		t.Fatalf("partial files left: %d", len(partial))
	}
}

func TestDownloadServerRestartedBetweenListAndDownload(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/a.999", "a~")
	e.putRemote("inbound/b.999", "b~")
	x := e.exchange()
	x.Backoff.Attempts = 3
	restarted := false
	x.afterList = func() {
		if !restarted {
			restarted = true
			e.restart()
		}
	}
	res, err := x.Download(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !restarted || len(res.Stored) != 2 {
		t.Fatalf("restarted=%v result=%+v", restarted, res)
	}
	if h := e.failures.Health(); len(h) != 1 || h[0].ConsecutiveFailures != 0 {
		t.Fatalf("health = %+v", h)
	}
	if n := len(e.ledger.Downloads()); n != 2 {
		t.Fatalf("ledger has %d downloads, want 2 (none twice)", n)
	}
}

func TestDownloadRemoteFileVanishes(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/gone.999", "gone~")
	e.putRemote("inbound/kept.999", "kept~")
	x := e.exchange()
	x.afterList = func() { os.Remove(e.remote("inbound/gone.999")) }
	res, err := x.Download(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Vanished != 1 || len(res.Stored) != 1 || !strings.HasSuffix(res.Stored[0].RemotePath, "kept.999") {
		t.Fatalf("%+v", res)
	}
}

// fullDisk fails like a full file system after a few bytes.
type fullDisk struct {
	*os.File
	left int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.left -= len(p)
	return f.File.Write(p)
}

func TestDownloadLocalDiskFull(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/r.835", makeX12("601", 8<<10))
	x := e.exchange()
	x.createTemp = func(dir, pattern string) (localFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &fullDisk{File: f, left: 1000}, nil
	}
	_, err := x.Download(context.Background())
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if got := e.remoteFiles("inbound"); len(got) != 1 {
		t.Fatalf("remote file deleted after a failed store: %v", got)
	}
	if len(e.ledger.Downloads()) != 0 {
		t.Fatal("failed download recorded")
	}
	partial, _ := os.ReadDir(filepath.Join(e.data, "inbound", "sim", ".partial"))
	if len(partial) != 0 {
		t.Fatalf("temp file left behind")
	}
	res, err := e.exchange().Download(context.Background())
	if err != nil || len(res.Stored) != 1 {
		t.Fatalf("after space freed: %+v %v", res, err)
	}
}

func TestWrongHostKeyRefusedWithoutRetry(t *testing.T) {
	e := newSimEnv(t)
	proxy := newCutProxy(t, e.srv.Addr())
	other, _ := sshdtest.UserKey(t)
	e.ch.SFTP.Port = proxy.port()
	e.ch.SFTP.HostKey = string(ssh.MarshalAuthorizedKey(other.PublicKey()))
	e.putRemote("inbound/a.999", "a~")
	x := e.exchange()
	x.Backoff.Attempts = 4
	_, err := x.Download(context.Background())
	if !errors.Is(err, ErrHostKeyMismatch) {
		t.Fatalf("err = %v, want ErrHostKeyMismatch", err)
	}
	if n := proxy.accepted.Load(); n != 1 {
		t.Fatalf("%d connection attempts, want 1 (a wrong key is not retried)", n)
	}
	if got := e.remoteFiles("inbound"); len(got) != 1 {
		t.Fatal("file touched despite the refused key")
	}
}

func TestNoPinnedHostKeyRefused(t *testing.T) {
	e := newSimEnv(t)
	proxy := newCutProxy(t, e.srv.Addr())
	e.ch.SFTP.Port = proxy.port()
	e.ch.SFTP.HostKey = ""
	_, err := e.exchange().Download(context.Background())
	if !errors.Is(err, ErrNoHostKey) || !strings.Contains(err.Error(), "host_key") {
		t.Fatalf("err = %v", err)
	}
	if proxy.accepted.Load() != 0 {
		t.Fatal("connected without a pin")
	}
}

func TestBadCredentialsAlertAfterN(t *testing.T) {
	e := newSimEnv(t)
	e.ch.SFTP.Password = ""
	e.ch.SFTP.PasswordEnv = "SIM_TEST_PASSWORD"
	env := map[string]string{"SIM_TEST_PASSWORD": "expired"}
	run := func() error {
		x := e.exchange()
		x.Backoff.Attempts = 3
		x.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		_, err := x.Download(context.Background())
		return err
	}
	for i := 1; i <= 3; i++ {
		err := run()
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("run %d: err = %v, want ErrAuth", i, err)
		}
		if strings.Contains(err.Error(), "expired") {
			t.Fatal("the password appears in the error")
		}
		h := e.failures.Health()[0]
		if h.ConsecutiveFailures != i || h.Alert != (i >= 3) {
			t.Fatalf("run %d: health %+v", i, h)
		}
	}
	env["SIM_TEST_PASSWORD"] = simPassword
	if err := run(); err != nil {
		t.Fatal(err)
	}
	if h := e.failures.Health()[0]; h.Alert || h.ConsecutiveFailures != 0 || h.LastSuccess.IsZero() {
		t.Fatalf("after success: %+v", h)
	}
}

func TestHandshakeDeadline(t *testing.T) {
	// A server that accepts TCP and never speaks SSH.
	silent := listenSilent(t)
	s := newSimEnv(t).ch.SFTP
	s.Port = silent
	s.HostKey = "SHA256:AAAA"
	s.Timeout = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, s, nil)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("err = %v, ctx = %v: the handshake deadline did not fire", err, ctx.Err())
	}
}

func TestKeepaliveClosesDeadConnection(t *testing.T) {
	// The interval starts short and grows when this machine was too slow to answer a
	// keepalive within it while the server was still alive (a false alarm of the test's
	// own making under load), so the result does not depend on the machine's speed.
	for every := 100 * time.Millisecond; ; every *= 4 {
		e := newSimEnv(t)
		proxy := newCutProxy(t, e.srv.Addr())
		e.ch.SFTP.Port = proxy.port()
		e.ch.SFTP.HostKey = ssh.FingerprintSHA256(e.srv.HostKey())
		e.ch.SFTP.Keepalive = every
		c, err := Dial(context.Background(), e.ch.SFTP, nil)
		if err == nil {
			_, err = c.SFTP.Getwd()
		}
		if err != nil && c != nil && c.KeepaliveErr() != nil && every < 20*time.Second {
			t.Logf("keepalive %v too short for this machine's load: %v", every, c.KeepaliveErr())
			c.Close()
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// Freeze every live connection: the server "vanishes" without a FIN.
		proxy.frozen.Store(true)
		deadline := time.Now().Add(2*time.Minute + 4*every)
		for c.KeepaliveErr() == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if ka := c.KeepaliveErr(); ka == nil || !strings.Contains(ka.Error(), "no reply") {
			t.Fatalf("keepalive error = %v, want no reply from the frozen server", ka)
		}
		if _, err := c.SFTP.Getwd(); err == nil {
			t.Fatal("connection still usable after keepalive failure")
		}
		return
	}
}

func TestContextCancelAbortsRun(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/a.999", "a~")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.exchange().Download(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := e.remoteFiles("inbound"); len(got) != 1 {
		t.Fatal("cancelled run touched files")
	}
}

func TestDescribeX12(t *testing.T) {
	f, err := DescribeX12(filepath.Join("testdata", "imsweb-valid.edi"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %v %v %v", f.Set, f.Control, f.Groups, f.Transactions, f.Claims)
	if want := "837 000000905 [1] [987654] [A37YH556 A37YH667]"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	bad := filepath.Join(t.TempDir(), "bad.x12")
	os.WriteFile(bad, []byte("not x12"), 0o600)
	if _, err := DescribeX12(bad); err == nil {
		t.Fatal("no error for a file without an envelope")
	}
}

// recordFailLedger fails the first RecordDownload: the process dying between storing
// the file locally and recording it.
type recordFailLedger struct {
	*MemLedger
	fail bool
}

func (r *recordFailLedger) RecordDownload(ctx context.Context, d Download) error {
	if r.fail {
		r.fail = false
		return errors.New("simulated crash")
	}
	return r.MemLedger.RecordDownload(ctx, d)
}

func TestDownloadCrashBeforeRecordStoresOnce(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/r.999", "ack~")
	x := e.exchange()
	x.Ledger = &recordFailLedger{MemLedger: e.ledger, fail: true}
	if _, err := x.Download(context.Background()); err == nil {
		t.Fatal("want the simulated crash")
	}
	if got := e.remoteFiles("inbound"); len(got) != 1 {
		t.Fatal("remote file deleted before the download was recorded")
	}
	res, err := x.Download(context.Background())
	if err != nil || len(res.Stored) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	var local []string
	filepath.WalkDir(filepath.Join(e.data, "inbound", "sim"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			local = append(local, p)
		}
		return nil
	})
	if len(local) != 1 || local[0] != res.Stored[0].LocalPath {
		t.Fatalf("local copies = %v, want exactly %s", local, res.Stored[0].LocalPath)
	}
	if got := e.remoteFiles("inbound"); len(got) != 0 {
		t.Fatalf("remote not deleted after the record: %v", got)
	}
}

// overtakingLedger plays another instance that finishes the same upload while this run is
// writing it: just before this run records the rename, the record is moved to uploaded.
type overtakingLedger struct {
	*MemLedger
	at UploadState
}

func (o *overtakingLedger) PutUpload(ctx context.Context, u Upload, from UploadState) error {
	if o.at != "" && u.State == o.at {
		o.at = ""
		other := u
		other.State = UploadDone
		if err := o.MemLedger.PutUpload(ctx, other, from); err != nil {
			return err
		}
	}
	return o.MemLedger.PutUpload(ctx, u, from)
}

// TestUploadOvertaken: every ledger write names the state it expects, so a run whose
// record another writer moved meanwhile stops before its next remote step (no rename, no
// delivery recorded, no error retried); the next run reads the record and only finishes
// the local bookkeeping.
func TestUploadOvertaken(t *testing.T) {
	e := newSimEnv(t)
	ol := &overtakingLedger{MemLedger: e.ledger, at: UploadRenaming}
	x := e.exchange()
	x.Ledger = ol
	out := newOutbox(t, filepath.Join(e.data, "outbound"))
	writeOutbound(t, out.Dir, "a.x12", makeX12("311", 0, "C1"))
	_, err := x.Upload(context.Background(), out)
	if !errors.Is(err, ErrLedgerConflict) {
		t.Fatalf("upload overtaken: %v", err)
	}
	if got := e.remoteFiles("outbound"); len(got) != 1 || !strings.HasSuffix(got[0], ".tmp") {
		t.Fatalf("remote = %v, want only the temp file (no rename after the conflict)", got)
	}
	if n := len(out.recorded()); n != 0 {
		t.Fatalf("delivery recorded %d times by the overtaken run", n)
	}
	ups, err := x.Upload(context.Background(), out)
	if err != nil || len(ups) != 1 || ups[0].State != UploadDone {
		t.Fatalf("next run: %+v %v", ups, err)
	}
	if n := len(out.recorded()); n != 1 {
		t.Fatalf("delivery recorded %d times", n)
	}
}

// recordedElsewhereLedger plays an instance with another data folder that downloads and
// records the same remote file version between this run's lookup and its record.
type recordedElsewhereLedger struct {
	*MemLedger
	elsewhere string
}

func (r *recordedElsewhereLedger) RecordDownload(ctx context.Context, d Download) error {
	if r.elsewhere != "" {
		other := d
		other.LocalPath, r.elsewhere = r.elsewhere, ""
		if err := r.MemLedger.RecordDownload(ctx, other); err != nil {
			return err
		}
	}
	return r.MemLedger.RecordDownload(ctx, d)
}

// TestDownloadRecordedElsewhere: a remote file version is recorded once; the run that
// loses removes its own local copy before anything reads it, and the remote file is
// deleted only now that a record of it stands.
func TestDownloadRecordedElsewhere(t *testing.T) {
	e := newSimEnv(t)
	e.putRemote("inbound/r.999", "ack~")
	x := e.exchange()
	x.Ledger = &recordedElsewhereLedger{MemLedger: e.ledger, elsewhere: "/other-folder/inbound/sim/r.999"}
	res, err := x.Download(context.Background())
	if err != nil || len(res.Stored) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	var local []string
	filepath.WalkDir(filepath.Join(e.data, "inbound", "sim"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			local = append(local, p)
		}
		return nil
	})
	if len(local) != 0 {
		t.Fatalf("the losing run kept local copies %v", local)
	}
	if got := e.remoteFiles("inbound"); len(got) != 0 {
		t.Fatalf("remote not deleted after the record: %v", got)
	}
	if ds := e.ledger.Downloads(); len(ds) != 1 || ds[0].LocalPath != "/other-folder/inbound/sim/r.999" {
		t.Fatalf("records %+v", ds)
	}
}

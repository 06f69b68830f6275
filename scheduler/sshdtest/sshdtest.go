// Package sshdtest starts a throwaway OpenSSH sshd for integration tests: loopback, a free
// port, a fresh host key, one authorized client key, and internal-sftp serving a temp
// folder. It skips locally (fails in CI) when sshd or root is missing, via testenv.
package sshdtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/edigate/edigate/internal/testenv"
)

// Server is a running sshd. Remote is the local folder its SFTP root maps to, so a test
// plays the clearinghouse by reading and writing files there.
type Server struct {
	Port    int
	Remote  string
	HostKey ssh.PublicKey
	KeyFile string // the client's private key (OpenSSH PEM, 0600)
	User    string
}

// Start runs sshd until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	sshd := testenv.SSHD(t)
	if os.Geteuid() != 0 {
		testenv.Missing(t, "root (sshd must run as root to switch users)", "run the tests as root, as .ci/run does")
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	remote := filepath.Join(dir, "remote")
	for _, d := range []string{remote, "/run/sshd"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hostKeyPath := filepath.Join(dir, "host_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKeyPath).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	pub, err := os.ReadFile(hostKeyPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	signer, privPEM := UserKey(t)
	keyFile := filepath.Join(dir, "client_key")
	if err := os.WriteFile(keyFile, privPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	authKeys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authKeys, ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	pidFile := filepath.Join(dir, "sshd.pid")
	cfg := filepath.Join(dir, "sshd_config")
	conf := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
Subsystem sftp internal-sftp -d %s
`, port, hostKeyPath, pidFile, authKeys, remote)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "sshd.log")
	// sshd forks into the background; the PidFile names the daemon to stop.
	if out, err := exec.Command(sshd, "-f", cfg, "-E", logFile).CombinedOutput(); err != nil {
		t.Fatalf("sshd: %v %s", err, out)
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(pid, syscall.SIGTERM)
			}
		}
		if t.Failed() {
			if b, err := os.ReadFile(logFile); err == nil {
				t.Logf("sshd log:\n%s", b)
			}
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logFile)
			t.Fatalf("sshd did not start: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &Server{Port: port, Remote: remote, HostKey: hostKey, KeyFile: keyFile, User: u.Username}
}

// UserKey returns a fresh ed25519 client key: its signer and its private key in OpenSSH PEM.
func UserKey(t testing.TB) (ssh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return signer, pem.EncodeToMemory(block)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// KnownHostsLine is the server's host key pinned as a known_hosts line, the way a
// clearinghouse's sftp.host_key is configured.
func (s *Server) KnownHostsLine() string {
	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
	return knownhosts.Line([]string{knownhosts.Normalize(host)}, s.HostKey)
}

// Package testenv lets tests that need a real external part (OpenSSH sshd, PostgreSQL,
// Chromium) skip with a clear message on a developer machine that lacks it, and fail
// instead under CI (CI=true), where .ci/run installs or starts everything.
package testenv

import (
	"context"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// InCI reports whether the tests run under .ci/run.
func InCI() bool { return os.Getenv("CI") == "true" || os.Getenv("EDIGATE_REQUIRE_EXTERNAL") == "1" }

// Missing skips the test (or fails it in CI) because what is missing is absent.
func Missing(t testing.TB, what, howToGet string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is required in CI but missing: %s", what, howToGet)
	}
	t.Skipf("skipping: %s not available (%s)", what, howToGet)
}

// SSHD returns the path of OpenSSH's sshd, or skips/fails.
func SSHD(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/sshd", "/usr/local/sbin/sshd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("sshd"); err == nil {
		return p
	}
	Missing(t, "OpenSSH sshd", "apt-get install -y openssh-server")
	return ""
}

// Chromium returns the path of a headless-capable Chromium, or skips/fails.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(t, "Chromium", "apt-get install -y chromium")
	return ""
}

// PostgresURL returns the URL of the machine's PostgreSQL (EDIGATE_TEST_POSTGRES or
// postgres://postgres@127.0.0.1:5432/test), or skips/fails when nothing listens there.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("EDIGATE_TEST_POSTGRES")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", "127.0.0.1:5432")
	if err != nil {
		Missing(t, "PostgreSQL on 127.0.0.1:5432", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
		return ""
	}
	c.Close()
	return url
}

package scheduler

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/edigate/edigate/scheduler/sshdtest"
)

func TestHostKeyCallback(t *testing.T) {
	server, _ := sshdtest.UserKey(t)
	other, _ := sshdtest.UserKey(t)
	key := server.PublicKey()
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}
	host := "127.0.0.1:2222"
	line := knownhosts.Line([]string{knownhosts.Normalize(host)}, key)
	hashed := knownhosts.Line([]string{knownhosts.HashHostname(knownhosts.Normalize(host))}, key)
	for _, tc := range []struct {
		name    string
		pin     string
		offered ssh.PublicKey
		wantErr error // nil: accepted
		parse   bool  // the pin itself is rejected
	}{
		{"empty pin refused", "", key, ErrNoHostKey, true},
		{"fingerprint ok", ssh.FingerprintSHA256(key), key, nil, false},
		{"fingerprint mismatch", ssh.FingerprintSHA256(other.PublicKey()), key, ErrHostKeyMismatch, false},
		{"bare key ok", string(ssh.MarshalAuthorizedKey(key)), key, nil, false},
		{"bare key mismatch", string(ssh.MarshalAuthorizedKey(other.PublicKey())), key, ErrHostKeyMismatch, false},
		{"known_hosts ok", line, key, nil, false},
		{"known_hosts hashed ok", hashed, key, nil, false},
		{"known_hosts other key", line, other.PublicKey(), ErrHostKeyMismatch, false},
		{"known_hosts other host", knownhosts.Line([]string{"[10.0.0.1]:22"}, key), key, ErrHostKeyMismatch, false},
		{"garbage", "not a key at all", key, errors.New("any"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, algos, err := HostKeyCallback(tc.pin)
			if tc.parse {
				if err == nil {
					t.Fatal("pin accepted")
				}
				if errors.Is(tc.wantErr, ErrNoHostKey) && !errors.Is(err, ErrNoHostKey) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(tc.pin, "SHA256:") && (len(algos) == 0 || algos[0] != key.Type()) {
				t.Errorf("HostKeyAlgorithms = %v, want the pinned key's type %s", algos, key.Type())
			}
			err = cb(host, addr, tc.offered)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestAlgorithmsForRSA(t *testing.T) {
	got := algorithmsFor(ssh.KeyAlgoRSA)
	if len(got) != 3 || got[0] != ssh.KeyAlgoRSASHA512 {
		t.Fatalf("%v: an RSA pin must allow the SHA-2 signature algorithms first", got)
	}
}

func TestAuthMethods(t *testing.T) {
	_, pemKey := sshdtest.UserKey(t)
	keyFile := filepath.Join(t.TempDir(), "id")
	os.WriteFile(keyFile, pemKey, 0o600)
	env := func(k string) (string, bool) {
		if k == "SET" {
			return "pw", true
		}
		return "", false
	}
	for _, tc := range []struct {
		name  string
		s     SFTPOptions
		n     int
		error string
	}{
		{"key file", SFTPOptions{KeyFile: keyFile}, 1, ""},
		{"password env", SFTPOptions{PasswordEnv: "SET"}, 2, ""},
		{"both", SFTPOptions{KeyFile: keyFile, PasswordEnv: "SET"}, 3, ""},
		{"secret password", SFTPOptions{Password: "pw"}, 2, ""},
		{"unset env", SFTPOptions{PasswordEnv: "UNSET"}, 0, "UNSET is not set"},
		{"nothing", SFTPOptions{}, 0, "no credentials"},
		{"missing key file", SFTPOptions{KeyFile: keyFile + ".nope"}, 0, "key_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := authMethods(tc.s, env)
			if tc.error != "" {
				if err == nil || !strings.Contains(err.Error(), tc.error) {
					t.Fatalf("err = %v, want %q", err, tc.error)
				}
				return
			}
			if err != nil || len(m) != tc.n {
				t.Fatalf("%d methods, %v; want %d", len(m), err, tc.n)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Attempts: 6, Base: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.999999 }}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for n, w := range want {
		got := b.Delay(n)
		if got > w*time.Millisecond || got < w*time.Millisecond*99/100 {
			t.Errorf("Delay(%d) = %v, want just under %v", n, got, w*time.Millisecond)
		}
	}
	b.Rand = func() float64 { return 0 }
	if d := b.Delay(3); d != 0 {
		t.Errorf("full jitter: Delay with rand 0 = %v, want 0", d)
	}
}

func TestRetry(t *testing.T) {
	fast := Backoff{Attempts: 4, Base: time.Microsecond, Max: time.Microsecond}
	transient := errors.New("connection reset")
	for _, tc := range []struct {
		name      string
		errs      []error // returned by successive calls; beyond the end: nil
		wantCalls int
		wantErr   error
	}{
		{"first try", nil, 1, nil},
		{"recovers", []error{transient, transient}, 3, nil},
		{"gives up", []error{transient, transient, transient, transient, transient}, 4, transient},
		{"auth not retried", []error{ErrAuth}, 1, ErrAuth},
		{"host key not retried", []error{ErrHostKeyMismatch}, 1, ErrHostKeyMismatch},
		{"permanent not retried", []error{Permanent(transient)}, 1, transient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := Retry(context.Background(), fast, func(context.Context, int) error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.wantCalls || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("calls %d err %v; want %d %v", calls, err, tc.wantCalls, tc.wantErr)
			}
		})
	}
	t.Run("context ends the wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		slow := Backoff{Attempts: 3, Base: time.Hour, Max: time.Hour, Rand: func() float64 { return 1 }}
		calls := 0
		err := Retry(ctx, slow, func(context.Context, int) error {
			calls++
			cancel()
			return transient
		})
		if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, transient) {
			t.Fatalf("calls %d err %v", calls, err)
		}
	})
}

func TestFailuresAlertOnce(t *testing.T) {
	f := NewFailures()
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	raised := 0
	for i := 0; i < 5; i++ {
		if f.Failure("a", now, errors.New("x"), 3) {
			raised++
		}
	}
	f.Failure("b", now, errors.New("y"), 0)
	h := f.Health()
	if raised != 1 || !h[0].Alert || h[0].ConsecutiveFailures != 5 || h[1].Alert {
		t.Fatalf("raised %d, health %+v", raised, h)
	}
	f.Success("a", now)
	if h := f.Health(); h[0].Alert || h[0].ConsecutiveFailures != 0 {
		t.Fatalf("after success %+v", h[0])
	}
}

func FuzzHostKeyPin(f *testing.F) {
	server, _ := sshdtest.UserKey(f)
	key := server.PublicKey()
	f.Add(ssh.FingerprintSHA256(key))
	f.Add(string(ssh.MarshalAuthorizedKey(key)))
	f.Add(knownhosts.Line([]string{"[127.0.0.1]:2222"}, key))
	f.Add("@revoked * " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))))
	f.Add("|1|abc|def ssh-ed25519 AAAA")
	f.Fuzz(func(t *testing.T, pin string) {
		cb, _, err := HostKeyCallback(pin)
		if err != nil {
			return
		}
		// Whatever the pin, an unrelated key is never accepted unless the pin names it.
		other, _ := sshdtest.UserKey(t)
		if cb("127.0.0.1:2222", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}, other.PublicKey()) == nil {
			t.Fatalf("pin %q accepted a random key", pin)
		}
	})
}

func FuzzDescribeX12(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("testdata", "imsweb-valid.edi"))
	f.Add(seed)
	f.Add([]byte(makeX12("1", 0, "A")))
	f.Add([]byte("ISA*"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f.x12")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := DescribeX12(p)
		if err == nil && (out.Control == "" || out.Set == "") {
			t.Fatalf("accepted a file without envelope numbers: %+v", out)
		}
	})
}

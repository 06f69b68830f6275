// Package scheduler moves files to and from clearinghouses over SFTP and (later) runs
// edigate's jobs on their cron schedules. Every exchange run opens a fresh SSH connection
// to a pinned host key, so a half-dead connection from an earlier run never carries over.
package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrNoHostKey is returned when a clearinghouse has no pinned host key: edigate never
// trusts a server on first use, because claim files carry PHI.
var ErrNoHostKey = errors.New("no pinned host key (sftp.host_key): refusing to connect to an unverified server")

// ErrHostKeyMismatch wraps every host-key refusal so callers can tell it from a network fault.
var ErrHostKeyMismatch = errors.New("server host key does not match the pinned key")

// ErrAuth wraps authentication failures (wrong or expired password, unknown key).
var ErrAuth = errors.New("authentication failed")

const (
	defaultTimeout   = 30 * time.Second
	defaultKeepalive = 15 * time.Second
)

// Conn is one SSH connection with its SFTP session. Close it when the run ends.
type Conn struct {
	SFTP *sftp.Client
	ssh  *ssh.Client
	raw  net.Conn
	stop func() bool // detaches the context watcher

	once    sync.Once
	closeMu sync.Mutex
	done    chan struct{}
	kaErr   error // why the keepalive closed the connection, if it did
}

// Dial connects to the clearinghouse's SFTP server: TCP dial and SSH handshake under
// sftp.timeout, host key checked against the pin, keepalives every sftp.keepalive. The
// connection is closed when ctx ends, which is what aborts a blocked SFTP call (pkg/sftp
// takes no context).
func Dial(ctx context.Context, s SFTPOptions, lookupEnv func(string) (string, bool)) (*Conn, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(portOr22(s.Port)))
	cb, algos, err := HostKeyCallback(s.HostKey)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: %w", addr, err)
	}
	auth, err := authMethods(s, lookupEnv)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: %w", addr, err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	cfg := &ssh.ClientConfig{
		User:              s.User,
		Auth:              auth,
		HostKeyCallback:   cb,
		HostKeyAlgorithms: algos,
		Timeout:           timeout,
	}

	d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: dial: %w", addr, err)
	}
	// ClientConfig.Timeout covers only the TCP dial: a server that accepts and then says
	// nothing would hang the handshake forever without a deadline on the conn itself.
	_ = raw.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(raw, addr, cfg)
	if err != nil {
		stop()
		raw.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("sftp %s: handshake: %w", addr, ctx.Err())
		}
		return nil, fmt.Errorf("sftp %s: handshake: %w", addr, classifyHandshake(err))
	}
	_ = raw.SetDeadline(time.Time{})
	client := ssh.NewClient(sc, chans, reqs)
	c := &Conn{ssh: client, raw: raw, stop: stop, done: make(chan struct{})}

	ka := s.Keepalive
	if ka <= 0 {
		ka = defaultKeepalive
	}
	go c.keepalive(ka)

	// Whole files only: concurrent writes can leave a corrupt tail when a transfer fails.
	fc, err := sftp.NewClient(client, sftp.UseConcurrentWrites(false))
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("sftp %s: start subsystem: %w", addr, err)
	}
	c.SFTP = fc
	return c, nil
}

// keepalive sends keepalive@openssh.com requests, which x/crypto/ssh never does on its
// own; a request without a reply within one interval means the peer is gone, and closing
// the connection turns a silent hang into an error for the transfer in progress.
func (c *Conn) keepalive(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		replied := make(chan error, 1)
		go func() {
			_, _, err := c.ssh.SendRequest("keepalive@openssh.com", true, nil)
			replied <- err
		}()
		select {
		case <-c.done:
			return
		case err := <-replied:
			if err != nil {
				c.closeWith(fmt.Errorf("keepalive: %w", err))
				return
			}
		case <-time.After(every):
			c.closeWith(errors.New("keepalive: no reply from server"))
			return
		}
	}
}

func (c *Conn) closeWith(reason error) {
	c.closeMu.Lock()
	if c.kaErr == nil {
		c.kaErr = reason
	}
	c.closeMu.Unlock()
	c.Close()
}

// KeepaliveErr reports why the keepalive closed the connection, or nil.
func (c *Conn) KeepaliveErr() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	return c.kaErr
}

// Close ends the SFTP session and the SSH connection; it is safe to call twice.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		close(c.done)
		c.stop()
		// Transport first: sftp.Client.Close waits for the server to end the subsystem,
		// which a dead server never does.
		err = c.ssh.Close()
		c.raw.Close()
		if c.SFTP != nil {
			c.SFTP.Close()
		}
	})
	return err
}

func portOr22(p int) int {
	if p <= 0 {
		return 22
	}
	return p
}

// classifyHandshake marks authentication and host-key failures so that the retry loop
// does not hammer a server with a password that expired (which can lock the account).
func classifyHandshake(err error) error {
	if errors.Is(err, ErrHostKeyMismatch) {
		return err
	}
	msg := err.Error()
	if strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "no supported methods remain") {
		return fmt.Errorf("%w: %w", ErrAuth, err)
	}
	return err
}

func authMethods(s SFTPOptions, lookupEnv func(string) (string, bool)) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if s.KeyFile != "" {
		pem, err := os.ReadFile(s.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("key_file: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		if err != nil {
			// The error text never includes key material.
			return nil, fmt.Errorf("key_file %s: %w", s.KeyFile, err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	password := s.Password
	if s.PasswordEnv != "" {
		v, ok := lookupEnv(s.PasswordEnv)
		if !ok || v == "" {
			return nil, fmt.Errorf("password_env: environment variable %s is not set", s.PasswordEnv)
		}
		password = v
	}
	if password != "" {
		methods = append(methods, ssh.Password(password))
		// Some servers (OpenSSH with PAM) offer only keyboard-interactive for passwords.
		methods = append(methods, ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
			answers := make([]string, len(qs))
			for i := range qs {
				answers[i] = password
			}
			return answers, nil
		}))
	}
	if len(methods) == 0 {
		return nil, errors.New("no credentials: set sftp.key_file, sftp.password_env or a password in the secrets file")
	}
	return methods, nil
}

// HostKeyCallback turns a pin into a host-key check and the host-key algorithms to offer.
// The pin is a known_hosts line ("[host]:port ssh-ed25519 AAAA..."), an authorized-keys
// style key ("ssh-ed25519 AAAA...") or an OpenSSH fingerprint ("SHA256:..."). The
// algorithms matter: without them the server may present a key of another type than the
// pinned one, which knownhosts then reports as a mismatch.
func HostKeyCallback(pin string) (ssh.HostKeyCallback, []string, error) {
	pin = strings.TrimSpace(pin)
	if pin == "" {
		return nil, nil, ErrNoHostKey
	}
	if strings.HasPrefix(pin, "SHA256:") {
		want := pin
		return func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if got := ssh.FingerprintSHA256(key); got != want {
				return fmt.Errorf("%w: server offered %s, pinned %s", ErrHostKeyMismatch, got, want)
			}
			return nil
		}, nil, nil
	}
	_, _, key, _, _, err := ssh.ParseKnownHosts([]byte(pin))
	if err != nil {
		// Not a known_hosts line (its first field would be the key type): a bare key.
		bare, _, _, _, berr := ssh.ParseAuthorizedKey([]byte(pin))
		if berr != nil {
			return nil, nil, fmt.Errorf("host_key is neither a known_hosts line, a public key nor a SHA256: fingerprint: %w", err)
		}
		want := bare.Marshal()
		return func(_ string, _ net.Addr, got ssh.PublicKey) error {
			if !bytes.Equal(got.Marshal(), want) {
				return fmt.Errorf("%w: server offered %s, pinned %s", ErrHostKeyMismatch,
					ssh.FingerprintSHA256(got), ssh.FingerprintSHA256(bare))
			}
			return nil
		}, algorithmsFor(bare.Type()), nil
	}
	cb, err := knownHostsCallback(pin)
	if err != nil {
		return nil, nil, err
	}
	wrapped := func(host string, remote net.Addr, got ssh.PublicKey) error {
		if err := cb(host, remote, got); err != nil {
			var ke *knownhosts.KeyError
			if errors.As(err, &ke) && len(ke.Want) == 0 {
				return fmt.Errorf("%w: the pinned known_hosts line does not name %s", ErrHostKeyMismatch, knownhosts.Normalize(host))
			}
			return fmt.Errorf("%w: %w", ErrHostKeyMismatch, err)
		}
		return nil
	}
	return wrapped, algorithmsFor(key.Type()), nil
}

// knownHostsCallback uses x/crypto's knownhosts matcher (hashed names, patterns,
// @revoked) on one line; it only reads files, so the line goes through a private temp file.
func knownHostsCallback(line string) (ssh.HostKeyCallback, error) {
	f, err := os.CreateTemp("", "edigate-known-hosts-*")
	if err != nil {
		return nil, fmt.Errorf("host_key: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("host_key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("host_key: %w", err)
	}
	cb, err := knownhosts.New(f.Name())
	if err != nil {
		return nil, fmt.Errorf("host_key: %w", err)
	}
	return cb, nil
}

func algorithmsFor(keyType string) []string {
	switch keyType {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	default:
		return []string{keyType}
	}
}

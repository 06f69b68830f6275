package sim

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyFile is the simulator's host key inside SFTPServerOptions.KeyDir.
const HostKeyFile = "ssh_host_ed25519_key"

// SFTPServerOptions configure the simulator's SFTP mailbox.
type SFTPServerOptions struct {
	Addr   string // listen address; default 127.0.0.1:0 (loopback only, free port)
	Root   string // the served folder; nothing above it is reachable
	KeyDir string // holds the host key, generated (0600) on first start and reused after
	User   string
	// Password and/or AuthorizedKeys admit User; at least one is required.
	Password       string
	AuthorizedKeys []ssh.PublicKey
	// OnUpload is called with the slash path (relative to Root) of each completed upload:
	// after a rename onto a name, or after closing a file written under a name that is not
	// a temp name. It runs on the connection's goroutine, after the operation succeeded
	// and before the client gets its reply; keep it short (queue work elsewhere).
	OnUpload func(rel string)
	// WatchDir limits OnUpload to files under this folder (relative to Root); "" is all.
	WatchDir string
	// TempSuffixes mark names that are still being written; default .tmp, .part, .filepart.
	TempSuffixes []string
	Log          zerolog.Logger
}

// SFTPServer is the simulator's SSH/SFTP server.
type SFTPServer struct {
	opts    SFTPServerOptions
	ln      net.Listener
	signer  ssh.Signer
	root    *os.Root
	cfg     *ssh.ServerConfig
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closed  bool
	closeMu sync.Once
}

// StartSFTPServer listens and serves until Close.
func StartSFTPServer(opts SFTPServerOptions) (*SFTPServer, error) {
	if opts.Root == "" || opts.KeyDir == "" || opts.User == "" {
		return nil, errors.New("sim sftp: Root, KeyDir and User are required")
	}
	if opts.Password == "" && len(opts.AuthorizedKeys) == 0 {
		return nil, errors.New("sim sftp: a password or an authorized key is required")
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if len(opts.TempSuffixes) == 0 {
		opts.TempSuffixes = []string{".tmp", ".part", ".filepart"}
	}
	signer, err := LoadOrCreateHostKey(opts.KeyDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Root, 0o700); err != nil {
		return nil, fmt.Errorf("sim sftp: root: %w", err)
	}
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("sim sftp: root: %w", err)
	}
	s := &SFTPServer{opts: opts, signer: signer, root: root, conns: map[net.Conn]struct{}{}}
	s.cfg = &ssh.ServerConfig{
		MaxAuthTries: 3,
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if opts.Password != "" && c.User() == opts.User &&
				subtle.ConstantTimeCompare(pw, []byte(opts.Password)) == 1 {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("password rejected")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() == opts.User {
				for _, k := range opts.AuthorizedKeys {
					if subtle.ConstantTimeCompare(k.Marshal(), key.Marshal()) == 1 {
						return &ssh.Permissions{}, nil
					}
				}
			}
			return nil, errors.New("public key rejected")
		},
	}
	s.cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("sim sftp: listen: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// LoadOrCreateHostKey reads dir/ssh_host_ed25519_key, creating it (0600, in a 0700
// folder) on first use, so the key clients pin survives restarts.
func LoadOrCreateHostKey(dir string) (ssh.Signer, error) {
	p := filepath.Join(dir, HostKeyFile)
	if b, err := os.ReadFile(p); err == nil {
		s, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("sim sftp: host key %s: %w", p, err)
		}
		return s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("sim sftp: host key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sim sftp: host key dir: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim sftp: generate host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "edigate simulator")
	if err != nil {
		return nil, fmt.Errorf("sim sftp: encode host key: %w", err)
	}
	// O_EXCL: two simulators starting at once must not overwrite each other's key.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateHostKey(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("sim sftp: host key: %w", err)
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		return nil, fmt.Errorf("sim sftp: host key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sim sftp: host key: %w", err)
	}
	return ssh.NewSignerFromKey(priv)
}

// Addr is the listening address (host:port).
func (s *SFTPServer) Addr() string { return s.ln.Addr().String() }

// Port is the listening port.
func (s *SFTPServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// HostKey is the server's public host key.
func (s *SFTPServer) HostKey() ssh.PublicKey { return s.signer.PublicKey() }

// KnownHostsLine is the pin a client puts in sftp.host_key.
func (s *SFTPServer) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, s.signer.PublicKey())
}

// DropConnections cuts every open connection but keeps listening (a network blip).
func (s *SFTPServer) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// Close stops listening, cuts open connections and waits for their goroutines.
func (s *SFTPServer) Close() error {
	var err error
	s.closeMu.Do(func() {
		s.mu.Lock()
		s.closed = true
		err = s.ln.Close()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		s.root.Close()
	})
	return err
}

func (s *SFTPServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

func (s *SFTPServer) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	// A client that connects and never speaks must not hold a goroutine forever.
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(c, s.cfg)
	if err != nil {
		s.opts.Log.Debug().Err(err).Msg("sim sftp: handshake failed")
		return
	}
	_ = c.SetDeadline(time.Time{})
	defer sc.Close()
	// keepalive@openssh.com and friends: a reply (false) is all a client needs.
	go ssh.DiscardRequests(reqs)
	var chWG sync.WaitGroup
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		chWG.Add(1)
		go func() {
			defer chWG.Done()
			s.serveSession(ch, creqs)
		}()
	}
	chWG.Wait()
}

func (s *SFTPServer) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	started := false
	for req := range reqs {
		ok := !started && req.Type == "subsystem" && len(req.Payload) >= 4 && string(req.Payload[4:]) == "sftp"
		req.Reply(ok, nil)
		if !ok {
			continue
		}
		started = true
		fsys := &sftpRootFS{s: s}
		h := sftp.Handlers{FileGet: fsys, FilePut: fsys, FileCmd: fsys, FileList: fsys}
		rs := sftp.NewRequestServer(ch, h, sftp.WithStartDirectory("/"))
		go func() {
			// Drain further requests so the channel never blocks.
			for r := range reqs {
				r.Reply(false, nil)
			}
		}()
		if err := rs.Serve(); err != nil && !errors.Is(err, io.EOF) {
			s.opts.Log.Debug().Err(err).Msg("sim sftp: session ended")
		}
		rs.Close()
		return
	}
}

func (s *SFTPServer) isTemp(name string) bool {
	for _, suf := range s.opts.TempSuffixes {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

func (s *SFTPServer) uploaded(rel string) {
	if s.opts.OnUpload == nil || s.isTemp(rel) {
		return
	}
	if w := strings.Trim(s.opts.WatchDir, "/"); w != "" && w != "." && !strings.HasPrefix(rel, w+"/") {
		return
	}
	s.opts.OnUpload(rel)
}

// sftpRootFS serves the request server from an os.Root: the kernel-checked root refuses
// "..", absolute paths and symlinks that lead outside it, whatever the client sends.
type sftpRootFS struct{ s *SFTPServer }

// rootPath turns the request server's absolute slash path into a path inside the root.
func rootPath(p string) string {
	r := strings.TrimPrefix(path.Clean("/"+p), "/")
	if r == "" {
		return "."
	}
	return r
}

func (fs *sftpRootFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	return fs.s.root.Open(rootPath(r.Filepath))
}

func (fs *sftpRootFS) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	return fs.open(r, os.O_WRONLY)
}

// OpenFile serves opens for reading and writing at once.
func (fs *sftpRootFS) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	return fs.open(r, os.O_RDWR)
}

func (fs *sftpRootFS) open(r *sftp.Request, mode int) (*sftpUploadFile, error) {
	pf := r.Pflags()
	flags := mode
	if pf.Creat {
		flags |= os.O_CREATE
	}
	if pf.Trunc {
		flags |= os.O_TRUNC
	}
	if pf.Excl {
		flags |= os.O_EXCL
	}
	// No O_APPEND: the request server writes with WriteAt, which O_APPEND forbids.
	name := rootPath(r.Filepath)
	f, err := fs.s.root.OpenFile(name, flags, 0o600)
	if err != nil {
		return nil, err
	}
	return &sftpUploadFile{File: f, rel: name, s: fs.s}, nil
}

// sftpUploadFile reports a written file as uploaded when the client closes it.
type sftpUploadFile struct {
	*os.File
	rel string
	s   *SFTPServer
}

func (u *sftpUploadFile) Close() error {
	if err := u.File.Close(); err != nil {
		return err
	}
	u.s.uploaded(u.rel)
	return nil
}

func (fs *sftpRootFS) Filecmd(r *sftp.Request) error {
	root := fs.s.root
	name := rootPath(r.Filepath)
	switch r.Method {
	case "Setstat":
		return fs.setstat(name, r)
	case "Rename":
		// SFTP v3 rename must not replace an existing file (OpenSSH behaves so too);
		// clients that want replacement use posix-rename.
		target := rootPath(r.Target)
		if _, err := root.Lstat(target); err == nil {
			return os.ErrExist
		}
		if err := root.Rename(name, target); err != nil {
			return err
		}
		fs.s.uploaded(target)
		return nil
	case "Rmdir", "Remove":
		return root.Remove(name)
	case "Mkdir":
		return root.Mkdir(name, 0o700)
	case "Link", "Symlink":
		return sftp.ErrSSHFxOpUnsupported
	}
	return sftp.ErrSSHFxOpUnsupported
}

// PosixRename replaces the target atomically (posix-rename@openssh.com).
func (fs *sftpRootFS) PosixRename(r *sftp.Request) error {
	target := rootPath(r.Target)
	if err := fs.s.root.Rename(rootPath(r.Filepath), target); err != nil {
		return err
	}
	fs.s.uploaded(target)
	return nil
}

func (fs *sftpRootFS) setstat(name string, r *sftp.Request) error {
	flags := r.AttrFlags()
	attrs := r.Attributes()
	root := fs.s.root
	if flags.Size {
		f, err := root.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		terr := f.Truncate(int64(attrs.Size))
		if err := f.Close(); terr == nil {
			terr = err
		}
		if terr != nil {
			return terr
		}
	}
	if flags.Permissions {
		if err := root.Chmod(name, attrs.FileMode().Perm()); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		if err := root.Chtimes(name, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

func (fs *sftpRootFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	name := rootPath(r.Filepath)
	switch r.Method {
	case "List":
		d, err := fs.s.root.Open(name)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		infos, err := d.Readdir(-1)
		if err != nil {
			return nil, err
		}
		return dirLister(infos), nil
	case "Stat":
		fi, err := fs.s.root.Stat(name)
		if err != nil {
			return nil, err
		}
		return dirLister{fi}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// Lstat does not follow a final symlink.
func (fs *sftpRootFS) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	fi, err := fs.s.root.Lstat(rootPath(r.Filepath))
	if err != nil {
		return nil, err
	}
	return dirLister{fi}, nil
}

type dirLister []os.FileInfo

func (l dirLister) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if off+int64(n) >= int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}

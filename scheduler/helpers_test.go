package scheduler

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/sim"
)

// simEnv is one clearinghouse served by the in-process simulator, plus a local data dir.
type simEnv struct {
	t        testing.TB
	srv      *sim.SFTPServer
	root     string // the simulator's mailbox
	keyDir   string
	data     string
	ch       Clearinghouse
	ledger   *MemLedger
	failures *Failures
}

const simPassword = "correct horse"

func newSimEnv(t testing.TB) *simEnv {
	t.Helper()
	e := &simEnv{
		t: t, root: filepath.Join(t.TempDir(), "mailbox"), keyDir: filepath.Join(t.TempDir(), "keys"),
		data: t.TempDir(), ledger: NewMemLedger(), failures: NewFailures(),
	}
	for _, d := range []string{"outbound", "inbound"} {
		if err := os.MkdirAll(filepath.Join(e.root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.start("127.0.0.1:0")
	t.Cleanup(func() { e.srv.Close() })
	e.ch = Clearinghouse{
		ID: "sim",
		SFTP: SFTPOptions{
			Host: "127.0.0.1", Port: e.srv.Port(), User: "edigate", Password: simPassword,
			HostKey: e.srv.KnownHostsLine(), Timeout: time.Minute, Keepalive: time.Minute, // no false alarms under load
		},
		Paths:              Paths{Upload: "outbound", Download: "inbound", Archive: "archive", Recurse: true},
		AfterDownload:      "delete",
		UploadName:         "{{.Set}}_{{.Control}}_{{.Time}}.x12",
		DownloadPatterns:   []string{"*.999", "*.835", "*.277", "*.ta1"},
		Rename:             "posix",
		AlertAfterFailures: 3,
	}
	return e
}

func (e *simEnv) start(addr string) {
	e.t.Helper()
	srv, err := sim.StartSFTPServer(sim.SFTPServerOptions{
		Addr: addr, Root: e.root, KeyDir: e.keyDir, User: "edigate", Password: simPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = srv
}

// restart stops the server and starts it again on the same port with the same key.
func (e *simEnv) restart() {
	e.t.Helper()
	addr := e.srv.Addr()
	e.srv.Close()
	e.start(addr)
}

func (e *simEnv) exchange() *Exchange {
	return &Exchange{
		CH: e.ch, DataDir: e.data, Ledger: e.ledger, Failures: e.failures, Log: zerolog.Nop(),
		Backoff: Backoff{Attempts: 1, Base: time.Millisecond, Max: 5 * time.Millisecond},
	}
}

func (e *simEnv) remote(rel string) string { return filepath.Join(e.root, filepath.FromSlash(rel)) }

func (e *simEnv) putRemote(rel, body string) {
	e.t.Helper()
	p := e.remote(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// remoteFiles lists the regular files under a mailbox folder, relative to it.
func (e *simEnv) remoteFiles(dir string) []string {
	e.t.Helper()
	var out []string
	base := e.remote(dir)
	filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			r, _ := filepath.Rel(base, p)
			out = append(out, filepath.ToSlash(r))
		}
		return nil
	})
	return out
}

// makeX12 builds an 837 interchange with this control number and claims, padded with
// NTE segments to about size bytes (big files make mid-transfer cuts land mid-file).
func makeX12(control string, size int, claims ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*240102*1200*^*00501*%09s*0*T*:~", "EDIGATE", "SIMCH", control)
	b.WriteString("GS*HC*EDIGATE*SIMCH*20240102*1200*1*X*005010X222A1~")
	b.WriteString("ST*837*0001*005010X222A1~")
	for _, c := range claims {
		fmt.Fprintf(&b, "CLM*%s*100***11:B:1*Y*A*Y*Y~", c)
	}
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "NTE*ADD*padding segment %06d for transfer tests~", i)
	}
	b.WriteString("SE*3*0001~GE*1*1~")
	fmt.Fprintf(&b, "IEA*1*%09s~", control)
	return b.String()
}

// recordingOutbox is a DirOutbox whose Record counts calls and can fail the first ones.
type recordingOutbox struct {
	DirOutbox
	mu       sync.Mutex
	records  []Upload
	failNext int
}

func newOutbox(t testing.TB, dir string) *recordingOutbox {
	o := &recordingOutbox{DirOutbox: DirOutbox{Dir: dir}}
	o.Record = func(_ context.Context, f OutboxFile, u Upload) error {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.failNext > 0 {
			o.failNext--
			return fmt.Errorf("simulated crash before the delivery was recorded")
		}
		o.records = append(o.records, u)
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return o
}

func (o *recordingOutbox) recorded() []Upload {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Upload(nil), o.records...)
}

// cutProxy forwards TCP to a target and can cut a connection after N bytes in either
// direction, or freeze it (stop forwarding without closing: a dead peer).
type cutProxy struct {
	ln       net.Listener
	target   string
	upLimit  atomic.Int64 // client -> server bytes before the cut; 0 = never
	dnLimit  atomic.Int64 // server -> client
	frozen   atomic.Bool  // drop all traffic but keep connections open (a vanished peer)
	accepted atomic.Int64
	cuts     atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		up, dn := p.upLimit.Load(), p.dnLimit.Load()
		closeBoth := func() { c.Close(); s.Close() }
		p.wg.Add(2)
		go func() { defer p.wg.Done(); p.pipe(s, c, up, closeBoth) }()
		go func() { defer p.wg.Done(); p.pipe(c, s, dn, closeBoth) }()
	}
}

func (p *cutProxy) pipe(dst, src net.Conn, limit int64, closeBoth func()) {
	defer closeBoth()
	buf := make([]byte, 4096)
	var total int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if limit > 0 && total+int64(n) > limit {
				dst.Write(buf[:limit-total])
				p.cuts.Add(1)
				return
			}
			if p.frozen.Load() {
				continue
			}
			total += int64(n)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// listenSilent accepts connections and never writes: a hung server.
func listenSilent(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler/sshdtest"
)

// initConfig runs `edigate init` into dir and returns the file.
func initConfig(t *testing.T, dir string, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, "edigate.yml")
	code, out, errOut := runCmd(t, "", append([]string{"init", "--out", path}, args...)...)
	if code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	return path
}

// lineOf is the 1-based line of the first line of path containing s.
func lineOf(t *testing.T, path, s string) int {
	t.Helper()
	b, _ := os.ReadFile(path)
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in %s", s, path)
	return 0
}

func TestInitWritesAConfigThatPassesCheck(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "edigate.yml")
	code, out, errOut := runCmd(t, "", "init", "--out", path, "--practice", "valley", "--name", "Valley Counseling",
		"--npi", "1003000126", "--tax-id", "371234567", "--payer-id", "87726")
	if code != exitOK || !strings.Contains(out, "wrote "+path) {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	// Only the provider NPI was not given: one warning says so.
	if strings.Count(errOut, "warning:") != 1 || !strings.Contains(errOut, "--provider-npi") {
		t.Errorf("warnings: %s", errOut)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", fi, err)
	}
	code, out, errOut = runCmd(t, "", "config", "check", "--config", path)
	if code != exitOK || !strings.Contains(out, "\n# "+path+": no problems\n") {
		t.Fatalf("check of the starter: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{`npi: "1003000126"`, "id: valley", "appeal_days: 60 # default", `modifier: "95" # default`} {
		if !strings.Contains(out, want) {
			t.Errorf("effective configuration lacks %q:\n%s", want, out)
		}
	}
	// It does not overwrite without --force, and does with it.
	before, _ := os.ReadFile(path)
	if code, _, errOut := runCmd(t, "", "init", "--out", path, "--npi", "1245319599"); code != exitUsage || !strings.Contains(errOut, "--force") {
		t.Errorf("overwrite without --force: exit %d %s", code, errOut)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("file changed without --force")
	}
	os.Chmod(path, 0o644)
	if code, _, _ := runCmd(t, "", "init", "--out", path, "--force", "--npi", "1245319599"); code != exitOK {
		t.Errorf("--force: exit %d", code)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `npi: "1245319599"`) {
		t.Error("--force did not overwrite")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after --force %v", fi.Mode().Perm())
	}
}

func TestConfigCheckCLI(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	dir := t.TempDir()
	good := initConfig(t, dir)
	src, _ := os.ReadFile(good)
	write := func(name, from, to string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Replace(string(src), from, to, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badNPI := write("bad-npi.yml", `npi: "1234567893"`, `npi: "1234567890"`)
	typo := write("typo.yml", "after_download: delete", "after_downlaod: delete")
	secret := write("secret.yml", `password_env: ""`, `password: "hunter2"`)
	appendTo := func(name, tail string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(append([]byte{}, src...), tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hook := appendTo("hook.yml", "\noutbox:\n  http:\n    url: https://practice.example/edigate\n    secret: s3cr3t-hook\n")
	hookNoSecret := appendTo("hook-nosecret.yml", "\noutbox:\n  http:\n    url: https://practice.example/edigate\n")
	cases := []struct {
		name    string
		args    []string
		code    int
		stdout  []string
		stderr  []string
		without []string // in neither stream
	}{
		{"starter", []string{"--config", good}, exitOK, []string{"practices:", "timely_filing_days: 90 # default", "# " + good + ": no problems"}, nil, nil},
		{"starter quietly", []string{"--config", good, "-q"}, exitOK, []string{good + ": no problems"}, nil, []string{"practices:"}},
		{"bad npi", []string{"--config", badNPI}, exitInvalid, []string{"practices:"},
			[]string{fmt.Sprintf("%s:%d: config practices[0].npi: 1234567890 fails the NPI check digit", badNPI, lineOf(t, badNPI, "1234567890")), "1 problem(s)"}, nil},
		{"unknown key", []string{"--config", typo, "-q"}, exitInvalid, nil,
			[]string{fmt.Sprintf("%s:%d: config clearinghouses[0].after_downlaod: unknown key; did you mean clearinghouses[0].after_download?", typo, lineOf(t, typo, "after_downlaod")),
				// left out, after_download is then empty: the check says so too
				"config clearinghouses[0].after_download: \"\" is not delete, move or leave"}, []string{"practices:"}},
		{"secret masked", []string{"--config", secret}, exitOK, []string{`password: '********'`}, nil, []string{"hunter2"}},
		{"outbox secret masked", []string{"--config", hook}, exitOK, []string{`secret: '********'`, "url: https://practice.example/edigate"}, nil, []string{"s3cr3t-hook"}},
		{"outbox url without secret", []string{"--config", hookNoSecret, "-q"}, exitInvalid, nil, []string{"config outbox.http.secret: must be set"}, nil},
		{"missing file", []string{"--config", filepath.Join(dir, "none.yml")}, exitUsage, nil, []string{"no such file"}, nil},
		{"built-in", nil, exitOK, []string{"demo-practice", "the built-in configuration: no problems"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", append([]string{"config", "check"}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, errOut)
			}
			for _, w := range c.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range c.without {
				if strings.Contains(out+errOut, w) {
					t.Errorf("output shows %q", w)
				}
			}
		})
	}
}

// An invalid practice NPI stops run (and demo) before anything starts, naming the file,
// line and key; the data directory is not even created.
func TestRunRefusesInvalidConfig(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	dir := t.TempDir()
	src, _ := os.ReadFile(initConfig(t, dir))
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte(strings.Replace(string(src), `npi: "1234567893"`, `npi: "1234567890"`, 1)), 0o600)
	where := fmt.Sprintf("%s:%d: config practices[0].npi:", bad, lineOf(t, bad, "1234567890"))
	for _, cmd := range []string{"run", "demo"} {
		data := filepath.Join(dir, "data-"+cmd)
		code, out, errOut := runCmd(t, "", cmd, "--once", "--config", bad, "--data", data)
		if code != exitInvalid || !strings.Contains(errOut, where) || !strings.Contains(errOut, "not started") {
			t.Errorf("%s: exit %d\n%s%s", cmd, code, out, errOut)
		}
		if _, err := os.Stat(data); !os.IsNotExist(err) {
			t.Errorf("%s created its data directory: %v", cmd, err)
		}
	}
}

// --connect logs in to a real sshd with the pinned host key and looks at both folders;
// a wrong pin or a missing folder is a problem on the clearinghouse's sftp line.
func TestConfigCheckConnect(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	s := sshdtest.Start(t)
	for _, d := range []string{"outbound", "inbound"} {
		os.MkdirAll(filepath.Join(s.Remote, d), 0o755)
	}
	dir := t.TempDir()
	src, _ := os.ReadFile(initConfig(t, dir))
	pin := knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)))}, s.HostKey)
	real := func(name, hostKey, upload string) string {
		r := strings.NewReplacer("simulator: true", "simulator: false",
			`host: ""`, `host: "127.0.0.1"`, "port: 22", "port: "+strconv.Itoa(s.Port),
			`user: ""`, "user: "+strconv.Quote(s.User),
			`key_file: ""`, "key_file: "+strconv.Quote(s.KeyFile),
			`host_key: ""`, "host_key: "+strconv.Quote(hostKey),
			"upload: outbound", "upload: "+upload)
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(r.Replace(string(src))), 0o600)
		return p
	}
	other, _ := sshdtest.UserKey(t)
	wrongPin := knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)))}, other.PublicKey())
	cases := []struct {
		name, hostKey, upload string
		code                  int
		want                  string
	}{
		{"logs in", pin, "outbound", exitOK, "logged in to 127.0.0.1"},
		{"wrong host key", wrongPin, "outbound", exitInvalid, "host key does not match"},
		{"missing folder", pin, "to_payer", exitInvalid, `upload folder "to_payer"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := real(strings.ReplaceAll(c.name, " ", "-")+".yml", c.hostKey, c.upload)
			code, out, errOut := runCmd(t, "", "config", "check", "-q", "--connect", "--config", p)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Errorf("exit %d, want %d and %q\n%s%s", code, c.code, c.want, out, errOut)
			}
			if c.code != exitOK && !strings.Contains(errOut, fmt.Sprintf("%s:%d: config clearinghouses[0].sftp:", p, lineOf(t, p, "sftp:"))) {
				t.Errorf("problem without its line:\n%s", errOut)
			}
		})
	}
}

// A command prints its results on stdout and only warnings and errors on stderr, in
// words; JSON log lines only when --log-format json asks for them.
func TestCLILogLines(t *testing.T) {
	cases := []struct {
		name  string
		level string
		args  []string
		code  int
		want  []string
		not   []string
		json  bool // every stderr line is a JSON object
	}{
		{"words, warnings only", "", nil, exitOK, nil, []string{"{", "837P written"}, false},
		{"debug in words", "debug", nil, exitOK, []string{"edigate demo: note: 837P written claims="}, []string{"{"}, false},
		{"json asked for", "debug", []string{"--log-format", "json"}, exitOK, []string{`"message":"837P written"`, `"cmd":"demo"`}, nil, true},
		{"unknown format", "", []string{"--log-format", "xml"}, exitUsage, []string{`--log-format "xml" is not json, console or auto`}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("APP_CONFIG", "")
			t.Setenv("EDIGATE_LOG_LEVEL", c.level)
			code, out, errOut := runCmd(t, "", append([]string{"demo", "--once", "--data", t.TempDir()}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if c.code == exitOK && !strings.Contains(out, "sample file(s) copied") {
				t.Errorf("stdout: %s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range c.not {
				if strings.Contains(errOut, w) || strings.Contains(out, w) && w != "{" {
					t.Errorf("output has %q:\n%s", w, errOut)
				}
			}
			for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
				if c.json != strings.HasPrefix(l, "{") && l != "" {
					t.Errorf("stderr line %q", l)
				}
			}
		})
	}
}

// A payer entry that says nothing about telehealth accepts a POS 10 / modifier 95 session
// (the payer defaults) instead of holding it with "accepted: none".
func TestNewPayerAcceptsTelehealthByDefault(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	dir := t.TempDir()
	src, _ := os.ReadFile(initConfig(t, dir, "--npi", "1245319599", "--provider-npi", "1003000126", "--tax-id", "371234567", "--payer-id", "87726"))
	cfgPath := filepath.Join(dir, "practice.yml")
	// One `run --once` bills without waiting for the 271 (claims.wait_for_eligibility has its own tests).
	os.WriteFile(cfgPath, []byte(strings.Replace(string(src), `address: {line1: "", line2: "", city: "", state: "", zip: ""}`,
		`address: {line1: "100 Main St", line2: "", city: "Springfield", state: "IL", zip: "627011234"}`, 1)+"\nclaims:\n  wait_for_eligibility: 0s\n"), 0o600)
	data := filepath.Join(dir, "data")
	os.MkdirAll(filepath.Join(data, "inbox"), 0o700)
	date := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	session := `{"type":"session","id":"T-1","practice":"my-practice","status":"completed",
 "client":{"id":"C-1","first_name":"Jane","last_name":"Doe","dob":"1990-04-02","gender":"F",
           "address":{"line1":"12 Oak Ave","city":"Springfield","state":"IL","zip":"62702"}},
 "coverage":{"payer":"main-payer","member_id":"W123456789","group":"GRP100","relationship":"self","priority":"primary"},
 "date":"` + date + `","start":"14:00","end":"14:55",
 "service":{"code":"90837","modifiers":["95"],"units":1,"place_of_service":"10"},
 "diagnoses":["F41.1"],"rendering_provider":"1003000126","supervising_provider":null,"charge":"150.00"}`
	os.WriteFile(filepath.Join(data, "inbox", "s.json"), []byte(session), 0o600)
	if code, out, errOut := runCmd(t, "", "run", "--once", "--config", cfgPath, "--data", data); code != exitOK {
		t.Fatalf("run --once: exit %d\n%s%s", code, out, errOut)
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Session(context.Background(), "T-1")
	if err != nil || s.State != store.StateBilled {
		t.Fatalf("session: %v %s %q", err, s.State, s.HoldReason)
	}
}

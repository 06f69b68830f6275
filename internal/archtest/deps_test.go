package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/edigate/edigate"

// domain lists the domain packages the storage/transport rule applies to: they decide,
// and take what they need as values.
var domain = []string{"claims/...", "remit/...", "eligibility/...", "lifecycle/...", "queue/...", "outbox/..."}

// infrastructure is what a domain package takes as values from its caller instead of
// importing: the store, the YAML configuration, the web UI, the scheduler, and the
// transports. The pattern "*yaml*" catches every YAML library, whatever its path.
var infrastructure = []string{
	module + "/internal/store/...", module + "/internal/config/...", module + "/internal/web/...",
	module + "/scheduler/...",
	"github.com/pkg/sftp/...", "golang.org/x/crypto/ssh/...", "net/http/...", "github.com/robfig/cron/...",
	"*yaml*", "github.com/spf13/viper/...",
}

// rule forbids packages matching From to depend on packages matching Forbid (unless
// they also match Allow). Direct rules look at imports only; the others at every
// package linked in, since a forbidden import through a helper is the same coupling.
type rule struct {
	Name   string
	From   []string // patterns relative to the module: "x12" or "x12/..."
	Forbid []string // import path patterns: "net/http/...", "*yaml*"
	Allow  []string
	Direct bool
}

var rules = []rule{
	{Name: "x12 imports nothing of the project", From: []string{"x12/..."},
		Forbid: []string{module + "/..."}, Allow: []string{module + "/x12/..."}},
	{Name: "domain packages import no storage, config, SFTP, HTTP, cron or YAML", From: domain, Forbid: infrastructure},
	{Name: "eligibility imports no other domain package", From: []string{"eligibility/..."},
		Forbid: []string{module + "/claims/...", module + "/remit/...", module + "/lifecycle/...", module + "/queue/..."}},
	{Name: "scheduler imports no store and no config", From: []string{"scheduler/..."},
		Forbid: []string{module + "/internal/store/...", module + "/internal/config/..."}},
	// The web UI is the daemon's to build (Daemon.ServeWeb); the CLI reaches it only
	// through the daemon, and shares the queue model with it through package queue.
	{Name: "cmd imports no internal/web", From: []string{"cmd/..."}, Forbid: []string{module + "/internal/web/..."},
		Direct: true},
}

// pkg is one package of the graph: its direct imports and everything it links in.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// violation is one forbidden edge.
type violation struct {
	Rule, From, To string
}

// match reports whether an import path matches a pattern: "p/..." is p and everything
// under it, "*s*" any path containing s, anything else exactly that path.
func match(pattern, p string) bool {
	switch {
	case strings.HasSuffix(pattern, "/..."):
		base := strings.TrimSuffix(pattern, "/...")
		return p == base || strings.HasPrefix(p, base+"/")
	case len(pattern) > 2 && strings.HasPrefix(pattern, "*") && strings.HasSuffix(pattern, "*"):
		return strings.Contains(p, pattern[1:len(pattern)-1])
	}
	return p == pattern
}

func matchAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool { return match(pat, p) })
}

// check returns every forbidden edge of the graph under the rules, in graph order.
func check(graph []pkg, rs []rule) []violation {
	var out []violation
	for _, r := range rs {
		from := make([]string, len(r.From))
		for i, f := range r.From {
			from[i] = module + "/" + f
		}
		for _, p := range graph {
			if !matchAny(from, p.ImportPath) {
				continue
			}
			deps := p.Deps
			if r.Direct {
				deps = p.Imports
			}
			for _, d := range deps {
				if matchAny(r.Forbid, d) && !matchAny(r.Allow, d) {
					out = append(out, violation{Rule: r.Name, From: p.ImportPath, To: d})
				}
			}
		}
	}
	return out
}

// loadGraph lists the module's packages (tests excluded: a test may open a real store)
// with their direct and transitive imports.
func loadGraph(t *testing.T) []pkg {
	t.Helper()
	statSources(t)
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Deps,Error", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var graph []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			pkg
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		graph = append(graph, p.pkg)
	}
	if len(graph) < 10 {
		t.Fatalf("go list found %d packages; the module has more", len(graph))
	}
	return graph
}

// statSources stats every Go file and go.mod of the module. go list runs in another
// process, so without this the test cache would not see an edited import and would
// replay an old pass; files the test itself stats are part of its cache key.
func statSources(t *testing.T) {
	t.Helper()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || d.Name() == "go.mod") {
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDependencyRules checks the module's real import graph.
func TestDependencyRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	graph := loadGraph(t)
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			for _, v := range check(graph, []rule{r}) {
				t.Errorf("%s imports %s", v.From, v.To)
			}
		})
	}
}

// TestRulesCatchForbiddenEdges feeds the checker graphs with one forbidden edge each,
// so a rule that silently matches nothing (a typo in a pattern) fails here.
func TestRulesCatchForbiddenEdges(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	cases := []struct {
		name string
		from string
		to   string
		via  string // a helper package between from and to: the edge is transitive only
		rule string // "" when the edge is allowed
	}{
		{"x12 imports the store", "x12", m("internal/store"), "", rules[0].Name},
		{"x12 guide imports claims", "x12/guides", m("claims"), "", rules[0].Name},
		{"x12 imports itself", "x12/ack", m("x12"), "", ""},
		{"x12 imports the standard library", "x12", "bufio", "", ""},
		{"claims imports the store", "claims", m("internal/store"), "", rules[1].Name},
		{"claims imports the config", "claims", m("internal/config"), "", rules[1].Name},
		{"remit imports the web UI", "remit", m("internal/web"), "", rules[1].Name},
		{"remit imports the scheduler", "remit", m("scheduler"), "", rules[1].Name},
		{"eligibility imports SFTP", "eligibility", "github.com/pkg/sftp", "", rules[1].Name},
		{"claims imports SSH", "claims", "golang.org/x/crypto/ssh", "", rules[1].Name},
		{"claims imports SSH known hosts", "claims", "golang.org/x/crypto/ssh/knownhosts", "", rules[1].Name},
		{"remit imports HTTP", "remit", "net/http", "", rules[1].Name},
		{"remit imports HTTP through a helper", "remit", "net/http", m("internal/helper"), rules[1].Name},
		{"remit imports html/template", "remit", "html/template", "", ""},
		{"lifecycle imports cron", "lifecycle", "github.com/robfig/cron/v3", "", rules[1].Name},
		{"lifecycle imports the store", "lifecycle/plan", m("internal/store"), "", rules[1].Name},
		{"queue imports the config", "queue", m("internal/config"), "", rules[1].Name},
		{"eligibility imports queue", "eligibility", m("queue"), "", rules[2].Name},
		{"eligibility imports remit", "eligibility", m("remit"), "", rules[2].Name},
		{"eligibility imports lifecycle", "eligibility", m("lifecycle"), "", rules[2].Name},
		{"claims imports yaml.v3", "claims", "gopkg.in/yaml.v3", "", rules[1].Name},
		{"claims imports go.yaml.in", "claims", "go.yaml.in/yaml/v3", "", rules[1].Name},
		{"claims imports viper", "claims", "github.com/spf13/viper", "", rules[1].Name},
		{"claims imports x12", "claims", m("x12"), "", ""},
		{"eligibility imports claims", "eligibility", m("claims"), "", rules[2].Name},
		{"eligibility imports x12", "eligibility", m("x12"), "", ""},
		{"scheduler imports the store", "scheduler", m("internal/store"), "", rules[3].Name},
		{"scheduler imports the store through a helper", "scheduler", m("internal/store"), m("internal/helper"), rules[3].Name},
		{"scheduler imports the config", "scheduler", m("internal/config"), "", rules[3].Name},
		{"scheduler imports SFTP", "scheduler", "github.com/pkg/sftp", "", ""},
		{"cmd imports the web UI", "cmd/edigate", m("internal/web"), "", rules[4].Name},
		{"cmd reaches the web UI through the daemon", "cmd/edigate", m("internal/web"), m("internal/daemon"), ""},
		{"daemon imports the web UI", "internal/daemon", m("internal/web"), "", ""},
		{"cmd imports the store", "cmd/edigate", m("internal/store"), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := pkg{ImportPath: m(c.from), Imports: []string{c.to}, Deps: []string{c.to}}
			if c.via != "" {
				from.Imports = []string{c.via}
				from.Deps = []string{c.via, c.to}
			}
			got := check([]pkg{from}, rules)
			switch {
			case c.rule == "" && len(got) != 0:
				t.Errorf("allowed edge reported: %+v", got)
			case c.rule != "" && (len(got) != 1 || got[0].Rule != c.rule || got[0].From != from.ImportPath || got[0].To != c.to):
				t.Errorf("got %+v, want one violation of %q (%s -> %s)", got, c.rule, from.ImportPath, c.to)
			}
		})
	}
	// Every forbidden pattern of every rule is exercised by some case above.
	for _, r := range rules {
		for _, pat := range r.Forbid {
			if !slices.ContainsFunc(cases, func(c struct{ name, from, to, via, rule string }) bool {
				return c.rule == r.Name && match(pat, c.to)
			}) {
				t.Errorf("rule %q: no case imports a package matching %q", r.Name, pat)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"net/http/...", "net/http", true},
		{"net/http/...", "net/http/httptest", true},
		{"net/http/...", "net/httpx", false},
		{"*yaml*", "gopkg.in/yaml.v2", true},
		{"*yaml*", "github.com/goccy/go-yaml", true},
		{"*yaml*", "encoding/json", false},
		{"claims", "claims", true},
		{"claims", "claims/x", false},
	}
	for _, c := range cases {
		if got := match(c.pattern, c.path); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

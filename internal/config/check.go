package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/edigate/edigate/x12"
	"github.com/moov-io/base"
	moovconfig "github.com/moov-io/base/config"
	"github.com/moov-io/base/log"
	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong in a configuration: the key, where the file sets it (or the
// nearest enclosing key it sets), and what is wrong, in words.
type Problem struct {
	Key     string
	Message string
	File    string // "" when the value is not from a file (built-in default, environment)
	Line    int
}

func (p *Problem) Error() string {
	if p.File != "" && p.Line > 0 {
		return fmt.Sprintf("%s:%d: config %s: %s", p.File, p.Line, p.Key, p.Message)
	}
	return fmt.Sprintf("config %s: %s", p.Key, p.Message)
}

// problemList is the problems as one error (nil when there are none), moov-io/base
// error-list style: every problem, one a line.
func problemList(ps []*Problem) error {
	if len(ps) == 0 {
		return nil
	}
	errs := make(base.ErrorList, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Problems returns the problems in an error from Load (nil when err is of another kind:
// a file that cannot be read or parsed).
func Problems(err error) []*Problem {
	var list base.ErrorList
	if !errors.As(err, &list) {
		return nil
	}
	var out []*Problem
	for _, e := range list {
		var p *Problem
		if errors.As(e, &p) {
			out = append(out, p)
		}
	}
	return out
}

// Checked is a configuration as loaded, with where its values came from.
type Checked struct {
	// Config is nil when the file could not be decoded (a value of the wrong type).
	Config *Config
	// Source is the file; nil when only the built-in defaults were read.
	Source *Source
	// Defaults lists the keys filled from PayerDefaults ("payers[0].appeal_days").
	Defaults []string
	Problems []*Problem
}

// Check loads the configuration as Load does and collects every problem rather than
// stopping at the first kind: unknown keys (with a suggestion), values of the wrong type
// and invalid values, each with the file and line. err is for a file that cannot be read
// or is not YAML.
func Check(path string) (*Checked, error) {
	if path == "" {
		path = strings.TrimSpace(os.Getenv(moovconfig.APP_CONFIG))
	}
	c := &Checked{}
	var pruned []*Problem // keys left out of the decoding, each already a problem
	if path != "" {
		src, err := ParseSource(path)
		if err != nil {
			return nil, err
		}
		c.Source = src
		pruned = src.UnknownKeys()
	}
	if secrets := strings.TrimSpace(os.Getenv(moovconfig.APP_CONFIG_SECRETS)); secrets != "" {
		sec, err := ParseSource(secrets)
		if err != nil {
			return nil, err
		}
		if ps := sec.UnknownKeys(); len(ps) > 0 {
			// Nothing decodes past an unknown key in the secrets file; it is short, and
			// these are all that is reported until they are fixed.
			c.Problems = append(pruned, ps...)
			return c, nil
		}
	}
	var cfg *Config
	for attempt := 0; ; attempt++ {
		var err error
		cfg, err = c.decodeWithout(path, pruned)
		if err == nil {
			break
		}
		var ps []*Problem
		if c.Source != nil {
			ps = c.Source.decodeProblems(err)
		}
		if len(ps) == 0 {
			return nil, err
		}
		pruned = append(pruned, ps...)
		if attempt == 4 {
			c.Problems = pruned
			return c, nil
		}
	}
	c.Problems = pruned
	applyEnv(cfg, os.LookupEnv)
	c.Defaults = applyPayerDefaults(cfg, c.Source)
	for _, p := range cfg.problems() {
		if slices.ContainsFunc(pruned, func(q *Problem) bool { return q.Key == p.Key }) {
			continue // the value was left out because it is wrong; once is enough
		}
		if v := envKeys[p.Key]; v != "" && os.Getenv(v) != "" {
			p.Message += " (set by " + v + ")"
		} else if c.Source.Has(topKey(p.Key)) {
			p.File, p.Line = c.Source.Path, c.Source.Line(p.Key)
		}
		c.Problems = append(c.Problems, p)
	}
	// In file order, so that the list reads alongside the file; values not from the file last.
	slices.SortStableFunc(c.Problems, func(a, b *Problem) int {
		return cmp.Compare(lineOrder(a), lineOrder(b))
	})
	// Fee schedule files: their problems name the file and row (after the config's own).
	dir := ""
	if c.Source != nil {
		dir = filepath.Dir(c.Source.Path)
	}
	c.Problems = append(c.Problems, cfg.loadFeeFiles(dir)...)
	normalize(cfg)
	c.Config = cfg
	return c, nil
}

// envKeys are the keys an EDIGATE_* variable overrides (applyEnv): a problem with such a
// value names the variable, not the file's line.
var envKeys = map[string]string{"data_dir": "EDIGATE_DATA_DIR", "store": "EDIGATE_STORE", "log.level": "EDIGATE_LOG_LEVEL",
	"web.listen": "EDIGATE_WEB_LISTEN", "admin.listen": "EDIGATE_ADMIN_LISTEN"}

func lineOrder(p *Problem) int {
	if p.Line == 0 {
		return math.MaxInt
	}
	return p.Line
}

// topKey is the first step of a key path ("payers" of "payers[1].id"): a value is from
// the file only when the file sets its top-level key (lists replace lists).
func topKey(key string) string {
	if i := strings.IndexAny(key, ".["); i >= 0 {
		return key[:i]
	}
	return key
}

// decodeWithout decodes the configuration; with keys to leave out (unknown, or of the wrong
// type, which moov-io/base/config refuses outright), it decodes a copy of the file without
// them, so that everything else is still checked in one pass.
func (c *Checked) decodeWithout(path string, pruned []*Problem) (*Config, error) {
	if len(pruned) == 0 {
		return decode(path)
	}
	tmp, err := c.Source.withoutKeys(pruned)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(filepath.Dir(tmp))
	return decode(tmp)
}

// decode is the moov-io/base/config load: built-in defaults, then the file at path (when
// not ""), then APP_CONFIG_SECRETS.
func decode(path string) (*Config, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		// moov-io/base/config reads the file named by APP_CONFIG; --config is the same thing.
		// The variable is put back afterwards so that one load does not leak into the next.
		prev, had := os.LookupEnv(moovconfig.APP_CONFIG)
		os.Setenv(moovconfig.APP_CONFIG, path)
		defer func() {
			if had {
				os.Setenv(moovconfig.APP_CONFIG, prev)
			} else {
				os.Unsetenv(moovconfig.APP_CONFIG)
			}
		}()
	}
	var cfg Config
	svc := moovconfig.NewService(log.NewNopLogger())
	if err := svc.LoadFromFS(&cfg, defaults); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &cfg, nil
}

// withoutKeys writes a copy of the file without the problems' keys to a private temporary
// folder and returns its path.
func (s *Source) withoutKeys(ps []*Problem) (string, error) {
	for _, p := range ps {
		parent, name := "", p.Key
		if i := strings.LastIndex(p.Key, "."); i >= 0 {
			parent, name = p.Key[:i], p.Key[i+1:]
		}
		n := s.root
		if parent != "" {
			_, found, node := s.lookup(parent)
			if !found {
				continue
			}
			n = node
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if strings.EqualFold(n.Content[i].Value, name) {
				n.Content = append(n.Content[:i], n.Content[i+2:]...)
				break
			}
		}
	}
	b, err := yaml.Marshal(s.root)
	if err != nil {
		return "", fmt.Errorf("config %s: %w", s.Path, err)
	}
	dir, err := os.MkdirTemp("", "edigate-config-check")
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	tmp := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("config: %w", err)
	}
	return tmp, nil
}

// normalize rewrites values accepted in more than one spelling into the one the rest of
// edigate uses: a tax id written as an EIN with its dash becomes its nine digits.
func normalize(c *Config) {
	for i := range c.Practices {
		if taxIDPattern.MatchString(c.Practices[i].TaxID) {
			c.Practices[i].TaxID = strings.ReplaceAll(c.Practices[i].TaxID, "-", "")
		}
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var (
	// taxIDPattern is an EIN: nine digits, with or without the dash after the second.
	taxIDPattern = regexp.MustCompile(`^\d{2}-?\d{7}$`)
	// taxonomyPattern is a Health Care Provider Taxonomy code: 9 letters or digits, then X.
	taxonomyPattern = regexp.MustCompile(`^[0-9A-Z]{9}X$`)
	// payerIDPattern is what clearinghouses publish as payer ids (NM109, 2 to 80 characters).
	payerIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{2,80}$`)
)

// npiProblem says what is wrong with an NPI, or "".
func npiProblem(v string) string {
	switch {
	case len(v) != 10 || !allDigits(v):
		return "must be 10 digits"
	case !x12.ValidNPI(v):
		return fmt.Sprintf("%s fails the NPI check digit (a digit is mistyped or swapped); copy it again from the NPPES registry", v)
	}
	return ""
}

func taxIDProblem(v string) string {
	if !taxIDPattern.MatchString(v) {
		return "must be 9 digits (the EIN, with or without its dash: 12-3456789)"
	}
	return ""
}

// taxonomyProblem checks a taxonomy code; empty is allowed (the key is optional).
func taxonomyProblem(v string) string {
	if v != "" && !taxonomyPattern.MatchString(v) {
		return fmt.Sprintf("%q is not a taxonomy code (10 characters: 9 capital letters or digits, then X, e.g. 101YP2500X)", v)
	}
	return ""
}

func payerIDProblem(v string) string {
	switch {
	case v == "":
		return "must not be empty"
	case !payerIDPattern.MatchString(v):
		return fmt.Sprintf("%q is not a payer id (2 to 80 letters, digits or dashes, as the clearinghouse's payer list spells it)", v)
	}
	return ""
}

// identifierProblems checks the practices' identifiers: NPIs (practice, providers,
// supervisors, enrollments), tax ids and taxonomy codes, and that a supervisor is a
// provider of the same practice (the claim's 2310D needs the supervisor's name).
func (c *Config) identifierProblems(bad func(key, format string, args ...any)) {
	check := func(key, msg string) {
		if msg != "" {
			bad(key, "%s", msg)
		}
	}
	ids := map[string]bool{}
	for i, pr := range c.Practices {
		key := fmt.Sprintf("practices[%d]", i)
		if ids[pr.ID] && pr.ID != "" {
			bad(key+".id", "%q is used twice", pr.ID)
		}
		ids[pr.ID] = true
		check(key+".npi", npiProblem(pr.NPI))
		check(key+".tax_id", taxIDProblem(pr.TaxID))
		check(key+".taxonomy", taxonomyProblem(pr.Taxonomy))
		seen := map[string]bool{}
		for j, pv := range pr.Providers {
			pkey := fmt.Sprintf("%s.providers[%d]", key, j)
			check(pkey+".npi", npiProblem(pv.NPI))
			if seen[pv.NPI] {
				bad(pkey+".npi", "%s is listed twice in this practice", pv.NPI)
			}
			seen[pv.NPI] = true
			check(pkey+".taxonomy", taxonomyProblem(pv.Taxonomy))
			if pv.Supervisor == "" {
				continue
			}
			if msg := npiProblem(pv.Supervisor); msg != "" {
				check(pkey+".supervisor", msg)
			} else if pv.Supervisor == pv.NPI {
				bad(pkey+".supervisor", "a provider cannot supervise themselves")
			} else if _, ok := pr.Provider(pv.Supervisor); !ok {
				bad(pkey+".supervisor", "%s is not a provider of practice %q (add the supervisor under providers)", pv.Supervisor, pr.ID)
			}
		}
	}
	for i, p := range c.Payers {
		key := fmt.Sprintf("payers[%d]", i)
		check(key+".payer_id", payerIDProblem(p.PayerID))
		if p.CarveOutPayerID != "" {
			check(key+".carve_out_payer_id", payerIDProblem(p.CarveOutPayerID))
		}
		for j, en := range p.Enrollment {
			check(fmt.Sprintf("%s.enrollment[%d].npi", key, j), npiProblem(en.NPI))
		}
	}
}

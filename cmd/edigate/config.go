package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/scheduler"
)

func runConfig(ctx context.Context, a *app, args []string) int {
	return subcommand(ctx, a, "config", []command{
		{"check", "print the effective configuration and every problem in it, with its line", runConfigCheck},
	}, args)
}

// runConfigCheck is `edigate config check`: the effective configuration on stdout (secrets
// masked, payer defaults marked), every problem on stderr as FILE:LINE: config KEY: what,
// and with --connect an SFTP login to each clearinghouse. Exit 1 when anything is wrong.
func runConfigCheck(ctx context.Context, a *app, args []string) int {
	fs := newFlags(a, "config check", "", "Check a configuration: unknown keys (with a suggestion), values of the wrong type,\nNPI check digits, tax ids, taxonomy codes, payer ids, references between entries. Prints\nthe effective configuration (built-in defaults, the file, APP_CONFIG_SECRETS, EDIGATE_*\nvariables) with secrets masked and '# default' beside payer values the file leaves to the\npayer defaults, then every problem with its file and line. Exit 1 on any problem.")
	path := fs.String("config", "", "configuration file (default: APP_CONFIG, else built-in defaults)")
	connect := fs.Bool("connect", false, "also log in to each clearinghouse's SFTP server and check its host key and folders (transfers nothing)")
	quiet := fs.Bool("q", false, "print only the problems, not the effective configuration")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	c, err := config.Check(*path)
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate config check: %v\n", err)
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return exitUsage
		}
		return exitInvalid
	}
	if c.Config != nil && !*quiet {
		if err := printEffective(a, c); err != nil {
			fmt.Fprintf(a.stderr, "edigate config check: %v\n", err)
			return exitUsage
		}
	}
	problems := c.Problems
	if *connect && c.Config != nil {
		problems = append(problems, connectClearinghouses(ctx, a, c)...)
	}
	name := "the built-in configuration"
	if c.Source != nil {
		name = c.Source.Path
	}
	for _, p := range problems {
		fmt.Fprintln(a.stderr, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(a.stderr, "%d problem(s) in %s\n", len(problems), name)
		return exitInvalid
	}
	// The result, on stdout; after the effective configuration as a comment, so that what
	// is printed stays YAML.
	if !*quiet {
		fmt.Fprint(a.stdout, "# ")
	}
	fmt.Fprintf(a.stdout, "%s: no problems\n", name)
	return exitOK
}

// configLoadFailed reports why the configuration could not be loaded: every problem on its
// own line with its file, line and key. It returns the exit code (1 for problems in the
// configuration, 2 for a file that cannot be read).
func configLoadFailed(a *app, name string, err error) int {
	ps := config.Problems(err)
	if len(ps) == 0 {
		fmt.Fprintf(a.stderr, "edigate %s: %v\n", name, err)
		return exitUsage
	}
	fmt.Fprintf(a.stderr, "edigate %s: not started: %d problem(s) in the configuration (edigate config check shows them with the effective values):\n", name, len(ps))
	for _, p := range ps {
		fmt.Fprintf(a.stderr, "  %v\n", p)
	}
	return exitInvalid
}

// printEffective writes the configuration as YAML with passwords masked.
func printEffective(a *app, c *config.Checked) error {
	cfg := *c.Config
	cfg.Clearinghouses = append([]config.Clearinghouse(nil), cfg.Clearinghouses...)
	for i := range cfg.Clearinghouses {
		if cfg.Clearinghouses[i].SFTP.Password != "" {
			cfg.Clearinghouses[i].SFTP.Password = "********"
		}
	}
	cfg.Store = maskURL(cfg.Store)
	if cfg.Outbox.HTTP.Secret != "" {
		cfg.Outbox.HTTP.Secret = "********"
	}
	var root yaml.Node
	if err := root.Encode(&cfg); err != nil {
		return err
	}
	for _, key := range c.Defaults {
		if k := yamlKeyNode(&root, key); k != nil {
			k.LineComment = "default"
		}
	}
	root.HeadComment = "effective configuration (secrets masked); '# default' marks a payer value left to the payer defaults"
	enc := yaml.NewEncoder(a.stdout)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return err
	}
	return enc.Close()
}

// maskURL hides the password of a postgres:// store URL.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// yamlKeyNode finds the mapping key node of a path such as payers[1].telehealth.pos in an
// encoded configuration (its keys are the yaml tags, so they match exactly).
func yamlKeyNode(n *yaml.Node, key string) *yaml.Node {
	var k *yaml.Node
	for _, seg := range strings.Split(key, ".") {
		name, idx, _ := strings.Cut(seg, "[")
		k = nil
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				k, n = n.Content[i], n.Content[i+1]
				break
			}
		}
		if k == nil {
			return nil
		}
		if idx != "" {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		}
	}
	return k
}

// connectClearinghouses logs in to every clearinghouse that is not the built-in simulator:
// TCP, SSH handshake against the pinned host key, authentication, and a look at the
// upload and download folders. Nothing is transferred.
func connectClearinghouses(ctx context.Context, a *app, c *config.Checked) []*config.Problem {
	var out []*config.Problem
	for i, ch := range c.Config.Clearinghouses {
		key := fmt.Sprintf("clearinghouses[%d].sftp", i)
		if ch.Simulator {
			fmt.Fprintf(a.stdout, "clearinghouse %s: the built-in simulator; nothing to connect to\n", ch.ID)
			continue
		}
		if err := connectOne(ctx, ch); err != nil {
			p := &config.Problem{Key: key, Message: err.Error()}
			if c.Source != nil && c.Source.Has("clearinghouses") {
				p.File, p.Line = c.Source.Path, c.Source.Line(key)
			}
			out = append(out, p)
			continue
		}
		fmt.Fprintf(a.stdout, "clearinghouse %s: logged in to %s as %s, host key matches the pin, folders %s and %s exist\n",
			ch.ID, ch.SFTP.Host, ch.SFTP.User, ch.Paths.Upload, ch.Paths.Download)
	}
	return out
}

func connectOne(ctx context.Context, ch config.Clearinghouse) error {
	timeout := ch.SFTP.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	conn, err := scheduler.Dial(ctx, pipeline.ExchangeOptions(&ch).SFTP, os.LookupEnv)
	if err != nil {
		return fmt.Errorf("cannot log in: %w", err)
	}
	defer conn.Close()
	for _, dir := range []struct{ key, path string }{{"upload", ch.Paths.Upload}, {"download", ch.Paths.Download}} {
		fi, err := conn.SFTP.Stat(dir.path)
		if err != nil {
			return fmt.Errorf("logged in, but the %s folder %q: %w", dir.key, dir.path, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("logged in, but the %s folder %q is not a folder", dir.key, dir.path)
		}
	}
	return nil
}

// starter is what `edigate init` fills into starterConfig.
type starter struct {
	Practice, Name, NPI, TaxID, Taxonomy          string
	ProviderNPI, First, Last, Credential          string
	Payer, PayerName, PayerID, Filing             string
	Clearinghouse, SenderID, ReceiverID, SFTPHost string
	Defaults                                      []config.PayerDefault
	Placeholders                                  []string
}

// runInit is `edigate init`: a commented starter configuration for one practice, one payer
// and one clearinghouse (the built-in simulator until its SFTP settings are filled in).
func runInit(_ context.Context, a *app, args []string) int {
	fs := newFlags(a, "init", "", "Write a commented starter configuration for one practice, one payer and one clearinghouse\n(mode 0600). It passes 'edigate config check'; values not given as flags are examples to\nreplace, and the command says which.")
	out := fs.String("out", "edigate.yml", "file to write")
	force := fs.Bool("force", false, "overwrite the file if it exists")
	s := starter{}
	fs.StringVar(&s.Practice, "practice", "my-practice", "practice id (what the practice system sends as \"practice\")")
	fs.StringVar(&s.Name, "name", "My Practice", "practice name (the 837's billing provider)")
	npi := fs.String("npi", "", "billing NPI of the practice")
	taxID := fs.String("tax-id", "", "EIN of the practice (12-3456789)")
	fs.StringVar(&s.Taxonomy, "taxonomy", "261QM0801X", "taxonomy code of the practice")
	provider := fs.String("provider-npi", "", "NPI of the first rendering provider")
	fs.StringVar(&s.First, "provider-first", "Dana", "first name of the first provider")
	fs.StringVar(&s.Last, "provider-last", "Rivers", "last name of the first provider")
	fs.StringVar(&s.Credential, "credential", "LCSW", "credential of the first provider")
	fs.StringVar(&s.Payer, "payer", "main-payer", "payer id (what sessions send as coverage.payer)")
	fs.StringVar(&s.PayerName, "payer-name", "Main Health Plan", "payer name")
	payerID := fs.String("payer-id", "", "the payer's id on the clearinghouse's payer list")
	fs.StringVar(&s.Filing, "filing", "CI", "claim filing indicator (CI commercial, MC Medicaid, MB Medicare Part B, BL, HM)")
	fs.StringVar(&s.Clearinghouse, "clearinghouse", "main-ch", "clearinghouse id")
	fs.StringVar(&s.SFTPHost, "sftp-host", "", "the clearinghouse's SFTP host (without it, the built-in simulator answers)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	example := func(flag *string, name, value string) string {
		if *flag != "" {
			return *flag
		}
		s.Placeholders = append(s.Placeholders, fmt.Sprintf("--%s (example %s written)", name, value))
		return value
	}
	s.NPI = example(npi, "npi", "1234567893")
	s.TaxID = example(taxID, "tax-id", "37-1234567")
	s.ProviderNPI = example(provider, "provider-npi", "1245319599")
	s.PayerID = example(payerID, "payer-id", "60054")
	s.SenderID, s.ReceiverID = "EDIGATE", "CLEARINGHOUSE"
	s.Defaults = config.PayerDefaults()
	var b strings.Builder
	if err := starterConfig.Execute(&b, s); err != nil {
		fmt.Fprintf(a.stderr, "edigate init: %v\n", err)
		return exitUsage
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(*out, flags, 0o600)
	if errors.Is(err, os.ErrExist) {
		fmt.Fprintf(a.stderr, "edigate init: %s exists; use --force to overwrite it\n", *out)
		return exitUsage
	}
	if err == nil {
		_, err = f.WriteString(b.String())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Chmod(*out, 0o600) // an overwritten file keeps its old mode otherwise
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "edigate init: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "wrote %s; check it with: edigate config check --config %s\n", *out, *out)
	for _, p := range s.Placeholders {
		fmt.Fprintf(a.stderr, "warning: no %s: replace it before billing\n", p)
	}
	return exitOK
}

// starterConfig is the file `edigate init` writes. Its delimiters are [[ ]] because
// upload_name is itself a template.
var starterConfig = template.Must(template.New("starter").Delims("[[", "]]").Funcs(template.FuncMap{"q": strconv.Quote}).Parse(`# edigate configuration for [[.Name]], written by 'edigate init'.
# After every change: edigate config check --config THIS_FILE   ('edigate run' refuses to start
# while it has a problem, and says where). Keys left out keep their built-in defaults; 'config
# check' prints the effective configuration.

# Inbox, archive, database and exchange folders.
data_dir: ./edigate-data
# sqlite for one instance, or a postgres:// URL when several instances share state.
store: sqlite
log:
  level: info
  # console (words), json (for a log collector) or auto (console on a terminal, else json).
  format: auto
web:
  listen: 127.0.0.1:8080
admin:
  listen: 127.0.0.1:9090

practices:
  - id: [[q .Practice]]
    name: [[q .Name]]
    # Billing NPI (the organization's, type 2) exactly as in the NPPES registry.
    npi: [[q .NPI]]
    # EIN, with or without its dash.
    tax_id: [[q .TaxID]]
    # Health Care Provider Taxonomy code: 10 characters ending in X.
    taxonomy: [[q .Taxonomy]]
    # The billing address (837 loop 2010AA); a street address, not a PO box.
    address: {line1: "", line2: "", city: "", state: "", zip: ""}
    contact_name: Billing Office
    contact_phone: ""
    # Every rendering provider whose sessions the practice system sends: a session whose
    # rendering_provider is not listed here is rejected at intake.
    providers:
      - npi: [[q .ProviderNPI]]
        first_name: [[q .First]]
        last_name: [[q .Last]]
        credential: [[q .Credential]]
        licensed: true
        taxonomy: ""
        # NPI of the supervising provider (listed above too) for a provider under supervision.
        supervisor: ""

payers:
  - id: [[q .Payer]]
    name: [[q .PayerName]]
    # The payer's id on your clearinghouse's payer list (NM109).
    payer_id: [[q .PayerID]]
    clearinghouse: [[q .Clearinghouse]]
    # SBR09: CI commercial, MC Medicaid, MB Medicare Part B, BL Blue Cross Blue Shield, HM HMO.
    claim_filing_indicator: [[q .Filing]]
    # Codes needing prior authorization; ranges allowed ("90832-90838").
    auth_required_codes: []
    # Not set here, so this payer gets the payer defaults (README "Payer defaults"). Set any
    # of them to what this payer's contract or companion guide says:
[[- range .Defaults]]
    #   [[.Key]]: [[.Value]]   ([[.Why]])
[[- end]]

clearinghouses:
  - id: [[q .Clearinghouse]]
    name: [[q .Clearinghouse]]
[[- if .SFTPHost]]
    simulator: false
[[- else]]
    # true: edigate's built-in simulator answers, so the whole cycle can be tried at once.
    # For the real clearinghouse: simulator: false and the sftp settings below, then
    # 'edigate config check --connect' logs in without transferring anything.
    simulator: true
[[- end]]
    sftp:
      host: [[q .SFTPHost]]
      port: 22
      user: ""
      # A private key file, or the name of the variable holding the password (or the
      # password itself in the file named by APP_CONFIG_SECRETS).
      key_file: ""
      password_env: ""
      # The server's known_hosts line or SHA256 fingerprint: edigate never connects to a
      # server whose key it has not been given.
      host_key: ""
      timeout: 30s
      keepalive: 15s
      retries: 3
    paths: {upload: outbound, download: inbound, archive: "", recurse: true}
    # What to do with a response file once stored: delete, move (to paths.archive) or leave.
    after_download: delete
    upload_name: "{{.Set}}_{{.Control}}_{{.Time}}.x12"
    download_patterns: ["*.x12", "*.999", "*.ta1", "*.277", "*.835", "*.271", "*.txt", "*.edi"]
    rename: posix
    # Interchange ids from the clearinghouse's enrollment letter; usage T (test) until it
    # moves you to production (P).
    isa: {sender_qual: ZZ, sender_id: [[q .SenderID]], receiver_qual: ZZ, receiver_id: [[q .ReceiverID]], usage: T, gs_sender: [[q .SenderID]], gs_receiver: [[q .ReceiverID]]}
    submitter: {name: [[q .Name]], id: [[q .SenderID]], contact: Billing Office, phone: ""}
    receiver: {name: [[q .Clearinghouse]], id: [[q .ReceiverID]]}
    alert_after_failures: 3
    acks_expected_for: ["837", "276"]
`))

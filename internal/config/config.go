// Package config is edigate's one typed configuration: defaults that need no file, a YAML
// file (--config or APP_CONFIG) and secrets (APP_CONFIG_SECRETS) merged on top through
// moov-io/base/config, a few EDIGATE_* environment overrides, and validation that names
// the bad key.
package config

import (
	"embed"
	"fmt"
	"strings"
	"time"

	moovconfig "github.com/moov-io/base/config"
	"github.com/moov-io/base/log"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

//go:embed configs/config.default.yml
var defaults embed.FS

// Config is the whole of edigate's configuration.
type Config struct {
	DataDir        string          `mapstructure:"data_dir" yaml:"data_dir"`
	Store          string          `mapstructure:"store" yaml:"store"` // "sqlite" or a postgres:// URL
	Log            Log             `mapstructure:"log" yaml:"log"`
	Web            Listen          `mapstructure:"web" yaml:"web"`
	Admin          Listen          `mapstructure:"admin" yaml:"admin"`
	Intake         Intake          `mapstructure:"intake" yaml:"intake"`
	Schedules      Schedules       `mapstructure:"schedules" yaml:"schedules"`
	Claims         ClaimsOptions   `mapstructure:"claims" yaml:"claims"`
	Practices      []Practice      `mapstructure:"practices" yaml:"practices"`
	Payers         []Payer         `mapstructure:"payers" yaml:"payers"`
	Clearinghouses []Clearinghouse `mapstructure:"clearinghouses" yaml:"clearinghouses"`
	Outbox         Outbox          `mapstructure:"outbox" yaml:"outbox"`
	// CodeLists sets how received files are held to the code lists the guides name (state,
	// postal-code, country, npi, tax-id): error (the default), warning or off, for
	// trading partners known to send legacy values.
	CodeLists map[string]string `mapstructure:"code_lists" yaml:"code_lists"`
}

// CodeListPolicy is CodeLists as the parser takes it; Validate has checked the values.
func (c *Config) CodeListPolicy() x12.CodeListPolicy {
	if len(c.CodeLists) == 0 {
		return nil
	}
	p := x12.CodeListPolicy{}
	for name, v := range c.CodeLists {
		if s, ok := strictness[v]; ok {
			p[name] = s
		}
	}
	return p
}

var strictness = map[string]x12.Strictness{"error": x12.ListError, "warning": x12.ListWarn, "off": x12.ListOff}

type Log struct {
	Level  string `mapstructure:"level" yaml:"level"`   // debug, info, warn, error
	Format string `mapstructure:"format" yaml:"format"` // json, console, auto (console on a terminal)
}

type Listen struct {
	Listen string `mapstructure:"listen" yaml:"listen"` // host:port; "" disables
}

type Intake struct {
	// Complete says when an inbox file counts as complete: "rename" (the default: every
	// visible name, because writers write to NAME.part or .NAME and rename), "done" (only
	// with a NAME.done marker) or "quiet" (opt-in: also size and mtime unchanged for
	// StableFor, which takes a file whose writer paused that long).
	Complete string `mapstructure:"complete" yaml:"complete"`
	// StableFor is the quiet period of Complete "quiet".
	StableFor time.Duration `mapstructure:"stable_for" yaml:"stable_for"`
}

// Schedules are robfig/cron specs, all evaluated in TimeZone (UTC by default so that no
// job falls into an hour skipped by a daylight-saving change).
type Schedules struct {
	TimeZone     string `mapstructure:"time_zone" yaml:"time_zone"`
	Intake       string `mapstructure:"intake" yaml:"intake"`
	Eligibility  string `mapstructure:"eligibility" yaml:"eligibility"`
	Claims       string `mapstructure:"claims" yaml:"claims"`
	Upload       string `mapstructure:"upload" yaml:"upload"`
	Download     string `mapstructure:"download" yaml:"download"`
	Responses    string `mapstructure:"responses" yaml:"responses"`
	FollowUp     string `mapstructure:"follow_up" yaml:"follow_up"` // 276 inquiries for claims with no 835
	Alerts       string `mapstructure:"alerts" yaml:"alerts"`
	Housekeeping string `mapstructure:"housekeeping" yaml:"housekeeping"`
	// LeaseTTL is how long a once-per-cluster step's lease (upload, download, responses,
	// follow-up, alerts, housekeeping) outlives its holder's last renewal: how long a
	// killed instance keeps that step from the others.
	LeaseTTL time.Duration `mapstructure:"lease_ttl" yaml:"lease_ttl"`
	Outbox   string        `mapstructure:"outbox" yaml:"outbox"` // outbox files and HTTP delivery
}

// Outbox is where results go back to the practice system: NDJSON files in Dir (default
// DATA/outbox) and, when HTTP.URL is set, signed HTTP POSTs of the same events.
type Outbox struct {
	Dir        string     `mapstructure:"dir" yaml:"dir"`
	MaxPerFile int        `mapstructure:"max_per_file" yaml:"max_per_file"`
	HTTP       OutboxHTTP `mapstructure:"http" yaml:"http"`
}

// OutboxHTTP is the optional HTTP delivery of the outbox.
type OutboxHTTP struct {
	URL string `mapstructure:"url" yaml:"url"` // "" disables
	// Secret keys the HMAC-SHA256 signature of each body (X-Edigate-Signature); best set in
	// APP_CONFIG_SECRETS. Never logged; masked by config check.
	Secret     string        `mapstructure:"secret" yaml:"secret"`
	Timeout    time.Duration `mapstructure:"timeout" yaml:"timeout"`
	Batch      int           `mapstructure:"batch" yaml:"batch"`             // events per POST
	Backoff    time.Duration `mapstructure:"backoff" yaml:"backoff"`         // first wait after a failure, doubled each time
	MaxBackoff time.Duration `mapstructure:"max_backoff" yaml:"max_backoff"` // the longest wait
}

type ClaimsOptions struct {
	// GroupSameDay makes sessions of one client, payer, rendering provider and date lines of one claim.
	GroupSameDay     bool `mapstructure:"group_same_day" yaml:"group_same_day"`
	MaxClaimsPerSet  int  `mapstructure:"max_claims_per_set" yaml:"max_claims_per_set"`
	FollowUpDays     int  `mapstructure:"follow_up_days" yaml:"follow_up_days"`                 // no 835 after this many days -> follow-up queue
	AckOverdueHours  int  `mapstructure:"ack_overdue_hours" yaml:"ack_overdue_hours"`           // no 999 this long after upload -> alert
	ClaimAckOverdueD int  `mapstructure:"claim_ack_overdue_days" yaml:"claim_ack_overdue_days"` // no 277CA -> alert
	// EligibilityWaitHours keeps a session off claims while its 270 has been unanswered for
	// less than this many hours, so an inactive or carved-out answer can still hold it;
	// 0 bills without waiting.
	EligibilityWaitHours int `mapstructure:"eligibility_wait_hours" yaml:"eligibility_wait_hours"`
	// WaitForEligibility is how long a new session's claim waits for the 271 of the 270
	// that goes out ahead of it (from when the 270 went out, or the session arrived while
	// none has); after that the claim goes out with a warning. 0 bills without waiting.
	// eligibility_wait_hours, the older spelling, wins when it is set.
	WaitForEligibility time.Duration `mapstructure:"wait_for_eligibility" yaml:"wait_for_eligibility"`
}

// EligibilityWait is the effective wait for a 271 before billing (WaitForEligibility).
func (o ClaimsOptions) EligibilityWait() time.Duration {
	if o.EligibilityWaitHours > 0 {
		return time.Duration(o.EligibilityWaitHours) * time.Hour
	}
	return o.WaitForEligibility
}

type Address struct {
	Line1 string `mapstructure:"line1" yaml:"line1" json:"line1"`
	Line2 string `mapstructure:"line2" yaml:"line2" json:"line2,omitempty"`
	City  string `mapstructure:"city" yaml:"city" json:"city"`
	State string `mapstructure:"state" yaml:"state" json:"state"`
	Zip   string `mapstructure:"zip" yaml:"zip" json:"zip"`
}

type Practice struct {
	ID           string     `mapstructure:"id" yaml:"id"`
	Name         string     `mapstructure:"name" yaml:"name"`
	NPI          string     `mapstructure:"npi" yaml:"npi"`
	TaxID        string     `mapstructure:"tax_id" yaml:"tax_id"`
	Taxonomy     string     `mapstructure:"taxonomy" yaml:"taxonomy"`
	Address      Address    `mapstructure:"address" yaml:"address"`
	ContactName  string     `mapstructure:"contact_name" yaml:"contact_name"`
	ContactPhone string     `mapstructure:"contact_phone" yaml:"contact_phone"`
	Providers    []Provider `mapstructure:"providers" yaml:"providers"`
}

type Provider struct {
	NPI        string `mapstructure:"npi" yaml:"npi"`
	FirstName  string `mapstructure:"first_name" yaml:"first_name"`
	LastName   string `mapstructure:"last_name" yaml:"last_name"`
	Credential string `mapstructure:"credential" yaml:"credential"` // e.g. LCSW, LPC, LPC-A, PhD, BCBA, RBT
	Licensed   bool   `mapstructure:"licensed" yaml:"licensed"`
	Taxonomy   string `mapstructure:"taxonomy" yaml:"taxonomy"`
	Supervisor string `mapstructure:"supervisor" yaml:"supervisor"` // NPI of the supervising provider
}

type Payer struct {
	ID                   string `mapstructure:"id" yaml:"id"`
	Name                 string `mapstructure:"name" yaml:"name"`
	PayerID              string `mapstructure:"payer_id" yaml:"payer_id"` // NM109 with PI
	Clearinghouse        string `mapstructure:"clearinghouse" yaml:"clearinghouse"`
	ClaimFilingIndicator string `mapstructure:"claim_filing_indicator" yaml:"claim_filing_indicator"` // SBR09: CI, MC, MB, BL, HM...
	BillingTaxonomy      bool   `mapstructure:"billing_taxonomy" yaml:"billing_taxonomy"`             // send 2000A PRV*BI (payers whose adjudication uses it)
	// AuthRequiredCodes lists codes (or ranges "90832-90838") that need prior authorization.
	AuthRequiredCodes []string `mapstructure:"auth_required_codes" yaml:"auth_required_codes"`
	AuthAlerts        struct {
		LowUnits      int `mapstructure:"low_units" yaml:"low_units"`
		DaysBeforeEnd int `mapstructure:"days_before_end" yaml:"days_before_end"`
	} `mapstructure:"auth_alerts" yaml:"auth_alerts"`
	// CredentialModifiers maps a provider credential to the modifier the payer requires (LCSW: AJ).
	CredentialModifiers map[string]string `mapstructure:"credential_modifiers" yaml:"credential_modifiers"`
	// SupervisingRequiredFor lists credentials whose claims need 2310D NM1*DQ; "unlicensed" matches licensed: false.
	SupervisingRequiredFor []string     `mapstructure:"supervising_required_for" yaml:"supervising_required_for"`
	Telehealth             Telehealth   `mapstructure:"telehealth" yaml:"telehealth"`
	TimelyFilingDays       int          `mapstructure:"timely_filing_days" yaml:"timely_filing_days"`
	TimelyFilingWarnDays   int          `mapstructure:"timely_filing_warn_days" yaml:"timely_filing_warn_days"`
	AppealDays             int          `mapstructure:"appeal_days" yaml:"appeal_days"`
	EligibilityFreshDays   int          `mapstructure:"eligibility_fresh_days" yaml:"eligibility_fresh_days"`
	ServiceTypes           []string     `mapstructure:"service_types" yaml:"service_types"` // 270 EQ01 values
	Enrollment             []Enrollment `mapstructure:"enrollment" yaml:"enrollment"`
	// EnrollmentUnlisted says what a non-empty enrollment list means for an NPI it leaves
	// out: billing (default: an unlisted billing NPI holds the claim, an unlisted rendering
	// NPI does not), hold (any unlisted NPI holds) or allow (none does; only NPIs listed
	// with a status other than active hold).
	EnrollmentUnlisted string `mapstructure:"enrollment_unlisted" yaml:"enrollment_unlisted"`
	// CarveOutPayerID, when set, is the BH organization claims must go to instead.
	CarveOutPayerID string            `mapstructure:"carve_out_payer_id" yaml:"carve_out_payer_id"`
	Overrides       []GuideOverride   `mapstructure:"overrides" yaml:"overrides"`
	DenialMap       map[string]string `mapstructure:"denial_map" yaml:"denial_map"` // CARC -> category, over the defaults
	// FeeSchedule is the payer's contracted rates; FeeScheduleFile a CSV of more rates the
	// practice keeps (code, modifiers, from, to, rate), relative to the config file.
	FeeSchedule     []FeeEntry `mapstructure:"fee_schedule" yaml:"fee_schedule"`
	FeeScheduleFile string     `mapstructure:"fee_schedule_file" yaml:"fee_schedule_file"`
	feeRows         []feeRow   // the valid rows of FeeScheduleFile (Check reads it)
}

type Telehealth struct {
	POS               []string `mapstructure:"pos" yaml:"pos"`           // accepted places of service for telehealth (02, 10)
	Modifier          string   `mapstructure:"modifier" yaml:"modifier"` // 95 or 93 (or GT for legacy payers)
	AudioOnlyModifier string   `mapstructure:"audio_only_modifier" yaml:"audio_only_modifier"`
}

type Enrollment struct {
	NPI    string `mapstructure:"npi" yaml:"npi"`
	Status string `mapstructure:"status" yaml:"status"` // active, pending, none
}

// GuideOverride is a companion-guide change (see x12.Override), in configuration.
type GuideOverride struct {
	Loop        string   `mapstructure:"loop" yaml:"loop"`
	Segment     string   `mapstructure:"segment" yaml:"segment"`
	Element     string   `mapstructure:"element" yaml:"element"`
	Usage       string   `mapstructure:"usage" yaml:"usage"` // R, S or N
	RemoveCodes []string `mapstructure:"remove_codes" yaml:"remove_codes"`
	OnlyCodes   []string `mapstructure:"only_codes" yaml:"only_codes"`
	Note        string   `mapstructure:"note" yaml:"note"`
}

type Clearinghouse struct {
	ID        string `mapstructure:"id" yaml:"id"`
	Name      string `mapstructure:"name" yaml:"name"`
	Simulator bool   `mapstructure:"simulator" yaml:"simulator"` // the built-in simulator serves this mailbox
	SFTP      SFTP   `mapstructure:"sftp" yaml:"sftp"`
	Paths     Paths  `mapstructure:"paths" yaml:"paths"`
	// AfterDownload: delete, move (to Paths.Archive) or leave.
	AfterDownload    string   `mapstructure:"after_download" yaml:"after_download"`
	UploadName       string   `mapstructure:"upload_name" yaml:"upload_name"` // text/template: {{.Set}} {{.Control}} {{.Time}}
	DownloadPatterns []string `mapstructure:"download_patterns" yaml:"download_patterns"`
	Rename           string   `mapstructure:"rename" yaml:"rename"` // posix, rename or none (write final name directly)
	ISA              ISA      `mapstructure:"isa" yaml:"isa"`
	Submitter        struct {
		Name    string `mapstructure:"name" yaml:"name"`
		ID      string `mapstructure:"id" yaml:"id"`
		Contact string `mapstructure:"contact" yaml:"contact"`
		Phone   string `mapstructure:"phone" yaml:"phone"`
	} `mapstructure:"submitter" yaml:"submitter"`
	Receiver struct {
		Name string `mapstructure:"name" yaml:"name"`
		ID   string `mapstructure:"id" yaml:"id"`
	} `mapstructure:"receiver" yaml:"receiver"`
	AlertAfterFailures int `mapstructure:"alert_after_failures" yaml:"alert_after_failures"`
	// AcksExpectedFor lists the transaction sets (837, 270, 276) whose uploads this
	// clearinghouse answers with a 999 (or a rejecting TA1); only those raise ack_overdue
	// alerts. Many clearinghouses answer a 270 with its 271 and never send a 999, so empty
	// means DefaultAcksExpectedFor and [none] means it acknowledges nothing.
	AcksExpectedFor []string `mapstructure:"acks_expected_for" yaml:"acks_expected_for"`
}

// DefaultAcksExpectedFor is acks_expected_for when a clearinghouse leaves it empty: the
// sets edigate has always expected a 999 for, less the 270.
var DefaultAcksExpectedFor = []string{"837", "276"}

// enrollmentUnlisted are the values payers[].enrollment_unlisted accepts ("" is billing).
var enrollmentUnlisted = map[string]bool{"": true, "billing": true, "hold": true, "allow": true}

// ackSets are the values acks_expected_for accepts: the sets edigate uploads, or none.
var ackSets = map[string]bool{"837": true, "270": true, "276": true, "none": true}

// ExpectsAck reports whether an upload of this transaction set should be answered by a
// 999 (see AcksExpectedFor). An upload whose set is unknown ("") is expected to be, so
// a file edigate could not classify is still watched.
func (ch *Clearinghouse) ExpectsAck(set string) bool {
	if set == "" {
		return true
	}
	sets := ch.AcksExpectedFor
	if len(sets) == 0 {
		sets = DefaultAcksExpectedFor
	}
	for _, s := range sets {
		if strings.TrimSpace(s) == set {
			return true
		}
	}
	return false
}

type SFTP struct {
	Host        string        `mapstructure:"host" yaml:"host"`
	Port        int           `mapstructure:"port" yaml:"port"`
	User        string        `mapstructure:"user" yaml:"user"`
	KeyFile     string        `mapstructure:"key_file" yaml:"key_file"`
	PasswordEnv string        `mapstructure:"password_env" yaml:"password_env"` // name of the variable holding the password
	Password    string        `mapstructure:"password" yaml:"password"`         // only from APP_CONFIG_SECRETS; never logged
	HostKey     string        `mapstructure:"host_key" yaml:"host_key"`         // known_hosts line or SHA256:fingerprint
	Timeout     time.Duration `mapstructure:"timeout" yaml:"timeout"`
	Keepalive   time.Duration `mapstructure:"keepalive" yaml:"keepalive"`
	Retries     int           `mapstructure:"retries" yaml:"retries"`
}

type Paths struct {
	Upload   string `mapstructure:"upload" yaml:"upload"`
	Download string `mapstructure:"download" yaml:"download"`
	Archive  string `mapstructure:"archive" yaml:"archive"`
	Recurse  bool   `mapstructure:"recurse" yaml:"recurse"` // walk nested (per-TIN) folders under Download
}

type ISA struct {
	SenderQual   string `mapstructure:"sender_qual" yaml:"sender_qual"`
	SenderID     string `mapstructure:"sender_id" yaml:"sender_id"`
	ReceiverQual string `mapstructure:"receiver_qual" yaml:"receiver_qual"`
	ReceiverID   string `mapstructure:"receiver_id" yaml:"receiver_id"`
	Usage        string `mapstructure:"usage" yaml:"usage"` // T or P (ISA15)
	GSSender     string `mapstructure:"gs_sender" yaml:"gs_sender"`
	GSReceiver   string `mapstructure:"gs_receiver" yaml:"gs_receiver"`
}

// Load returns the defaults, with the YAML file named by path (or by APP_CONFIG when path
// is "") and APP_CONFIG_SECRETS merged on top, then EDIGATE_* overrides and the payer
// defaults, then validation. Every problem names its key and, when the file sets it, the
// file and line (Problems lists them).
func Load(path string) (*Config, error) {
	c, err := Check(path)
	if err != nil {
		return nil, err
	}
	if err := problemList(c.Problems); err != nil {
		return nil, err
	}
	return c.Config, nil
}

// Default returns the built-in configuration (the demo practice, payers and simulator).
func Default() *Config {
	var cfg Config
	svc := moovconfig.NewService(log.NewNopLogger())
	if err := svc.LoadEmbeddedFile("configs/config.default.yml", &cfg, defaults); err != nil {
		panic(err) // the embedded file is part of the binary; tests prove it loads
	}
	return &cfg
}

func applyEnv(cfg *Config, lookup func(string) (string, bool)) {
	if v, ok := lookup("EDIGATE_DATA_DIR"); ok && v != "" {
		cfg.DataDir = v
	}
	if v, ok := lookup("EDIGATE_STORE"); ok && v != "" {
		cfg.Store = v
	}
	if v, ok := lookup("EDIGATE_LOG_LEVEL"); ok && v != "" {
		cfg.Log.Level = v
	}
	if v, ok := lookup("EDIGATE_WEB_LISTEN"); ok {
		cfg.Web.Listen = v
	}
	if v, ok := lookup("EDIGATE_ADMIN_LISTEN"); ok {
		cfg.Admin.Listen = v
	}
}

// Validate checks every key and names the bad ones (all of them, moov-io/base error-list style).
func (c *Config) Validate() error {
	return problemList(c.problems())
}

func (c *Config) problems() []*Problem {
	var errs []*Problem
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir", "must not be empty")
	}
	if c.Store != "sqlite" && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://") {
		bad("store", "%q is neither sqlite nor a postgres:// URL", c.Store)
	}
	switch c.Log.Format {
	case "json", "console", "auto":
	default:
		bad("log.format", "%q is not json, console or auto", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if _, err := time.LoadLocation(c.Schedules.TimeZone); err != nil {
		bad("schedules.time_zone", "%v", err)
	}
	if c.Schedules.LeaseTTL < time.Second {
		bad("schedules.lease_ttl", "%s is shorter than 1s", c.Schedules.LeaseTTL)
	}
	switch c.Intake.Complete {
	case "rename", "done":
	case "quiet":
		if c.Intake.StableFor <= 0 {
			bad("intake.stable_for", "must be positive when intake.complete is quiet")
		}
	default:
		bad("intake.complete", "%q is not rename, done or quiet", c.Intake.Complete)
	}
	if c.Outbox.MaxPerFile < 1 {
		bad("outbox.max_per_file", "%d must be at least 1", c.Outbox.MaxPerFile)
	}
	if u := c.Outbox.HTTP.URL; u != "" {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			bad("outbox.http.url", "%q is not an http:// or https:// URL", u)
		}
		if c.Outbox.HTTP.Secret == "" {
			bad("outbox.http.secret", "must be set when outbox.http.url is (the receiver checks the signature with it)")
		}
		if c.Outbox.HTTP.Timeout <= 0 || c.Outbox.HTTP.Backoff <= 0 || c.Outbox.HTTP.MaxBackoff < c.Outbox.HTTP.Backoff {
			bad("outbox.http", "timeout and backoff must be positive and max_backoff at least backoff")
		}
		if c.Outbox.HTTP.Batch < 1 {
			bad("outbox.http.batch", "%d must be at least 1", c.Outbox.HTTP.Batch)
		}
	}
	if c.Claims.WaitForEligibility < 0 {
		bad("claims.wait_for_eligibility", "%s is negative (0 bills without waiting for the 271)", c.Claims.WaitForEligibility)
	}
	if c.Claims.MaxClaimsPerSet < 1 || c.Claims.MaxClaimsPerSet > 5000 {
		bad("claims.max_claims_per_set", "%d is outside 1..5000", c.Claims.MaxClaimsPerSet)
	}
	for name, v := range c.CodeLists {
		if !guides.IsCodeList(name) {
			bad("code_lists."+name, "no such code list (%s)", strings.Join(guides.CodeListNames(), ", "))
		}
		if _, ok := strictness[v]; !ok {
			bad("code_lists."+name, "%q is not error, warning or off", v)
		}
	}
	chs := map[string]bool{}
	for i, ch := range c.Clearinghouses {
		key := fmt.Sprintf("clearinghouses[%d]", i)
		if ch.ID == "" {
			bad(key+".id", "must not be empty")
		}
		if chs[ch.ID] {
			bad(key+".id", "%q is used twice", ch.ID)
		}
		chs[ch.ID] = true
		if !ch.Simulator {
			if ch.SFTP.Host == "" {
				bad(key+".sftp.host", "must not be empty")
			}
			if ch.SFTP.HostKey == "" {
				bad(key+".sftp.host_key", "is required: edigate never connects to an unpinned server")
			}
			if ch.SFTP.KeyFile == "" && ch.SFTP.PasswordEnv == "" && ch.SFTP.Password == "" {
				bad(key+".sftp", "needs key_file, password_env or a password in APP_CONFIG_SECRETS")
			}
		}
		switch ch.AfterDownload {
		case "delete", "move", "leave":
		default:
			bad(key+".after_download", "%q is not delete, move or leave", ch.AfterDownload)
		}
		if ch.AfterDownload == "move" && ch.Paths.Archive == "" {
			bad(key+".paths.archive", "is required when after_download is move")
		}
		switch ch.Rename {
		case "posix", "rename", "none":
		default:
			bad(key+".rename", "%q is not posix, rename or none", ch.Rename)
		}
		if ch.ISA.Usage != "T" && ch.ISA.Usage != "P" {
			bad(key+".isa.usage", "%q is not T or P", ch.ISA.Usage)
		}
		if ch.ISA.SenderID == "" || len(ch.ISA.SenderID) > 15 {
			bad(key+".isa.sender_id", "must be 1 to 15 characters")
		}
		if ch.ISA.ReceiverID == "" || len(ch.ISA.ReceiverID) > 15 {
			bad(key+".isa.receiver_id", "must be 1 to 15 characters")
		}
		for _, set := range ch.AcksExpectedFor {
			if !ackSets[strings.TrimSpace(set)] {
				bad(key+".acks_expected_for", "%q is not 837, 270, 276 or none", set)
			} else if strings.TrimSpace(set) == "none" && len(ch.AcksExpectedFor) > 1 {
				bad(key+".acks_expected_for", "none must be the only entry")
			}
		}
	}
	payers := map[string]bool{}
	for i, p := range c.Payers {
		key := fmt.Sprintf("payers[%d]", i)
		if p.ID == "" {
			bad(key+".id", "must not be empty")
		}
		if payers[p.ID] {
			bad(key+".id", "%q is used twice", p.ID)
		}
		payers[p.ID] = true
		if !chs[p.Clearinghouse] {
			bad(key+".clearinghouse", "%q is not a configured clearinghouse", p.Clearinghouse)
		}
		if p.ClaimFilingIndicator == "" {
			bad(key+".claim_filing_indicator", "must not be empty")
		}
		if strings.Contains(p.ID, "/") {
			bad(key+".id", "%q must not contain / (authorizations are keyed payer/number)", p.ID)
		}
		if !enrollmentUnlisted[p.EnrollmentUnlisted] {
			bad(key+".enrollment_unlisted", "%q is not billing, hold or allow", p.EnrollmentUnlisted)
		}
		for j := range p.FeeSchedule {
			fields, msgs := p.FeeSchedule[j].problems()
			for k := range fields {
				bad(fmt.Sprintf("%s.fee_schedule[%d].%s", key, j, fields[k]), "%s", msgs[k])
			}
		}
	}
	for i, pr := range c.Practices {
		if pr.ID == "" {
			bad(fmt.Sprintf("practices[%d].id", i), "must not be empty")
		}
	}
	c.identifierProblems(bad)
	return errs
}

// Payer returns the payer with this id.
func (c *Config) Payer(id string) (*Payer, bool) {
	for i := range c.Payers {
		if c.Payers[i].ID == id {
			return &c.Payers[i], true
		}
	}
	return nil, false
}

// Practice returns the practice with this id.
func (c *Config) Practice(id string) (*Practice, bool) {
	for i := range c.Practices {
		if c.Practices[i].ID == id {
			return &c.Practices[i], true
		}
	}
	return nil, false
}

// Clearinghouse returns the clearinghouse with this id.
func (c *Config) Clearinghouse(id string) (*Clearinghouse, bool) {
	for i := range c.Clearinghouses {
		if c.Clearinghouses[i].ID == id {
			return &c.Clearinghouses[i], true
		}
	}
	return nil, false
}

// Provider returns the provider with this NPI in the practice.
func (p *Practice) Provider(npi string) (*Provider, bool) {
	for i := range p.Providers {
		if p.Providers[i].NPI == npi {
			return &p.Providers[i], true
		}
	}
	return nil, false
}

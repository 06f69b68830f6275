package x12

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Guides finds the schema for a transaction set. guides.Registry implements it; x12 must
// not import the guide tables, so the parser only sees this interface.
type Guides interface {
	// Lookup returns the guide for ST01 set and version (ST03, or GS08 when ST03 is
	// empty), or nil when there is none.
	Lookup(set, version string) *Guide
}

// VersionLister is a Guides that can name every version it has a guide for. With one, the
// parser reports a functional group whose GS08 names none of them (AK905 2, "functional
// group version not supported") instead of passing its sets on envelope checks alone: a
// file edigate cannot check is not a file edigate found valid.
type VersionLister interface {
	Versions() []string
}

// ParseOptions configures a Parser.
type ParseOptions struct {
	// Guides supplies the schemas. Nil means envelope checks only and a flat tree (every
	// segment in the root loop); so does a set without a guide, which is a group error
	// when Guides is a VersionLister that does not list the group's GS08.
	Guides Guides
	// Overrides are companion-guide changes layered on every guide used. An override that
	// names a loop or segment a guide does not have is ignored for that guide, because a
	// payer's overrides for its 837P must not break its 835s.
	Overrides []Override
	// NoTree validates without building loop trees: memory stays constant per segment.
	// Transactions are still returned, with a nil Root.
	NoTree bool
	// Tree, when set, decides per transaction set (by ST01) whether to build its loop
	// tree, overriding NoTree: a response reader streams its 835s and 277s segment by
	// segment (Segment) and builds trees only for the small sets it maps whole (999).
	Tree func(set string) bool
	// Segment, when set, is called with every segment of every transaction set (ST..SE)
	// as it is read, before it is checked; t is the set being read (its Envelope, Set and
	// Control are known; Errors grow as it goes). s and its slices are valid only during
	// the call. It lets a caller map a set of any size in bounded memory.
	Segment func(t *Transaction, s *Segment)
	// MaxSegment bounds one segment's size in bytes (DefaultMaxSegment when 0).
	MaxSegment int
	// MaxErrors caps the segment and element errors kept per transaction set, so a huge
	// bad file has bounded memory: past the cap findings are only counted, and the set's
	// IK5 "segments in error" finding says how many were left out. 0 means
	// DefaultMaxErrors; a negative value keeps every error.
	MaxErrors int
	// CodeLists sets, per code list, whether a value failing it is an error (the
	// default), a warning or not checked.
	CodeLists CodeListPolicy
}

// Warning codes (Error.Code of FileResult.Warnings); no acknowledgement carries them.
const (
	WarnLeadingBlank = "W1" // spaces or tabs before a segment ID
	WarnCodeList     = "W2" // a value not in a code list whose policy is Warn
)

// DefaultMaxErrors is the per-transaction-set error cap when ParseOptions.MaxErrors is 0:
// far more than a 999 reader or a biller can use, small enough to bound memory.
const DefaultMaxErrors = 1000

// FileResult is the envelope-level outcome of a file. The parser fills it as it goes;
// it is complete once Next has returned io.EOF or a fatal error.
type FileResult struct {
	Interchanges []InterchangeResult `json:"interchanges"`
	// Errors are findings outside any interchange (data after IEA, a fatal tokenizer
	// error), reported with Level interchange and a TA1 note code.
	Errors []Error `json:"errors,omitempty"`
	// Warnings are findings that do not make the file invalid: blanks before a segment ID
	// (WarnLeadingBlank), code-list values a CodeListPolicy downgrades (WarnCodeList).
	Warnings []Error `json:"warnings,omitempty"`
	// TA1s are the TA1 segments received inside interchanges (before any GS).
	TA1s []Segment `json:"-"`
	// Fatal is the tokenizer error that stopped the parse, if any (a *SyntaxError for
	// malformed input, anything else for an I/O error).
	Fatal error `json:"-"`
}

// Valid reports whether the file has no error at any level.
func (f *FileResult) Valid() bool {
	if f.Fatal != nil || len(f.Errors) > 0 {
		return false
	}
	for i := range f.Interchanges {
		if !f.Interchanges[i].Valid() {
			return false
		}
	}
	return true
}

// Findings returns every error of the file, each located (level, segment, position, loop,
// element, byte offset): file-level ones first, then each interchange's, its groups' and
// their sets'. It is what every command shows beside what it could read; the file is
// valid exactly when it is empty and nothing stopped the parse.
func (f *FileResult) Findings() []Error {
	out := append([]Error(nil), f.Errors...)
	for i := range f.Interchanges {
		ic := &f.Interchanges[i]
		out = append(out, ic.Errors...)
		for j := range ic.Groups {
			g := &ic.Groups[j]
			out = append(out, g.Errors...)
			for k := range g.Sets {
				out = append(out, g.Sets[k].Errors...)
			}
		}
	}
	return out
}

// InterchangeResult is one ISA..IEA with what its TA1 needs.
type InterchangeResult struct {
	Control      string        `json:"control"` // ISA13
	SenderQual   string        `json:"sender_qual"`
	Sender       string        `json:"sender"` // trimmed
	ReceiverQual string        `json:"receiver_qual"`
	Receiver     string        `json:"receiver"`
	Date, Time   string        `json:"-"`       // ISA09, ISA10
	Version      string        `json:"version"` // ISA12
	Usage        string        `json:"usage"`   // ISA15: T or P
	AckRequested bool          `json:"ack_requested"`
	Delimiters   Delimiters    `json:"-"`
	Offset       int64         `json:"offset"`
	TA1Note      string        `json:"ta1_note"` // TA105: "000" when the envelope is sound
	Groups       []GroupResult `json:"groups"`
	Errors       []Error       `json:"errors,omitempty"` // Level interchange, Code a TA105 value
}

// Valid reports whether the interchange, its groups and sets have no errors.
func (r *InterchangeResult) Valid() bool {
	if len(r.Errors) > 0 {
		return false
	}
	for i := range r.Groups {
		if !r.Groups[i].Valid() {
			return false
		}
	}
	return true
}

// GroupResult is one GS..GE with what its 999 AK1/AK9 needs.
type GroupResult struct {
	FunctionalID string      `json:"functional_id"` // GS01
	Sender       string      `json:"sender"`        // GS02
	Receiver     string      `json:"receiver"`      // GS03
	Control      string      `json:"control"`       // GS06
	Version      string      `json:"version"`       // GS08
	Sets         []SetResult `json:"sets"`
	Errors       []Error     `json:"errors,omitempty"` // Level group, Code an AK905 value
}

// Valid reports whether the group and its sets have no errors.
func (g *GroupResult) Valid() bool {
	if len(g.Errors) > 0 {
		return false
	}
	for i := range g.Sets {
		if !g.Sets[i].Accepted {
			return false
		}
	}
	return true
}

// SetResult summarises one transaction set for the 999 AK2/IK5.
type SetResult struct {
	Set      string  `json:"set"`     // ST01
	Control  string  `json:"control"` // ST02
	Guide    string  `json:"guide"`   // the version validated against; "" when none was known
	Segments int     `json:"segments"`
	Errors   []Error `json:"errors,omitempty"` // every level from transaction down
	Accepted bool    `json:"accepted"`         // no errors
}

// Parser reads transaction sets one at a time, validating envelopes and (with a guide)
// structure and elements. Memory is bounded by one transaction set, or by one segment
// with NoTree.
type Parser struct {
	rd   *Reader
	opts ParseOptions
	res  FileResult

	pushback bool  // the reader's current segment is to be handled again
	pending  error // reader error met inside a transaction set, returned by the next Next
	done     bool
	doneErr  error

	// envelope state
	ic *InterchangeResult
	// badSeps is the interchange already reported for not using its ISA's separators:
	// one finding says it, not one per segment.
	badSeps *InterchangeResult
	grp     *GroupResult
	env     Envelope
	groups  int // GS seen in the current interchange
	sets    int // ST seen in the current group
	sawGS   bool
	noGuide bool // the current group's GS08 is not a version opts.Guides lists
	isaSeen map[string]struct{}
	gsSeen  map[string]struct{}
	stSeen  map[string]struct{}

	compiled map[*Guide]*cGuide
	tx       txState
}

// NewParser returns a Parser reading from r.
func NewParser(r io.Reader, opts ParseOptions) *Parser {
	rd := NewReader(r)
	if opts.MaxSegment > 0 {
		rd.SetMaxSegment(opts.MaxSegment)
	}
	return &Parser{rd: rd, opts: opts,
		isaSeen: map[string]struct{}{}, gsSeen: map[string]struct{}{}, stSeen: map[string]struct{}{},
		compiled: map[*Guide]*cGuide{}}
}

// Result returns the file-level findings gathered so far.
func (p *Parser) Result() *FileResult { return &p.res }

// Validate runs a parser over r to the end and returns the file's findings. The error is
// non-nil only for I/O errors and cancellation; malformed input is reported in the result
// (Fatal and Errors), so callers can tell "invalid" (exit 1) from "could not read" (exit 2).
func Validate(ctx context.Context, r io.Reader, opts ParseOptions) (*FileResult, error) {
	opts.NoTree = true
	p := NewParser(r, opts)
	for {
		if err := ctx.Err(); err != nil {
			return p.Result(), err
		}
		_, err := p.Next()
		if errors.Is(err, io.EOF) {
			return p.Result(), nil
		}
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				return p.Result(), nil
			}
			return p.Result(), fmt.Errorf("x12 validate: %w", err)
		}
	}
}

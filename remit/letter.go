package remit

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"os"
	"path/filepath"
	texttemplate "text/template"

	"github.com/edigate/edigate/x12"
)

//go:embed templates/*.tmpl
var templates embed.FS

// Letter is everything an appeal letter says: practice, payer, member, claim
// numbers, dates of service, codes, the denial in words, the argument for its category,
// and the enclosures. It holds PHI: letters are written 0600 and never logged.
type Letter struct {
	Date          string // letter date, YYYY-MM-DD
	Practice      LetterPractice
	Payer         LetterPayer
	Member        LetterMember
	Claim         LetterClaim
	Denial        LetterDenial
	Authorization LetterAuthorization
	// Proof is the submission proof for timely filing, e.g. "999 accepted 2024-11-16 (ISA 000000101)."
	Proof      []string
	Enclosures []string
}

type LetterPractice struct{ Name, Address, NPI, TaxID, Contact, Phone string }
type LetterPayer struct{ ID, Name string }
type LetterMember struct{ Name, ID string }
type LetterClaim struct {
	ID, PayerClaim, ServiceDate string
	Charge, Paid                x12.Amount
}
type LetterDenial struct {
	Category, RemitDate, Check, Due string
	Items                           []Denial
}
type LetterAuthorization struct {
	Number, Start, End string
	Units              int
}

// DefaultEnclosures lists what an appeal of a category encloses.
func DefaultEnclosures(category string, hasAuth bool, proof []string) []string {
	out := []string{"Copy of the remittance advice (835) showing the denial"}
	switch category {
	case CategoryAuthorization:
		if hasAuth {
			out = append(out, "Prior authorization record")
		}
	case CategoryTimelyFiling:
		if len(proof) > 0 {
			out = append(out, "Clearinghouse/payer acknowledgements (999, 277CA) with acceptance dates")
		}
	case CategoryDocumentation, CategoryCoding, CategoryBenefitLimit:
		out = append(out, "Clinical documentation: progress notes and treatment plan")
	case CategoryEligibility:
		out = append(out, "Eligibility verification (271) for the date(s) of service")
	case CategoryCOB:
		out = append(out, "Primary payer's remittance advice")
	case CategoryProvider:
		out = append(out, "Rendering provider credentialing record")
	}
	return append(out, "Copy of the claim")
}

// Renderer fills appeal letters from the embedded templates, or from a directory that
// overrides them: DIR/appeal.txt.tmpl, DIR/appeal.html.tmpl, DIR/arguments.tmpl, and per
// payer DIR/PAYER/... (any file missing there falls back to the embedded one).
type Renderer struct {
	Dir string // optional override directory
}

func (r Renderer) source(payer, name string) ([]byte, error) {
	if r.Dir != "" {
		paths := []string{filepath.Join(r.Dir, name)}
		if payer != "" {
			paths = append([]string{filepath.Join(r.Dir, payer, name)}, paths...)
		}
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				return b, nil
			}
		}
	}
	return templates.ReadFile("templates/" + name)
}

// Text renders the plain-text letter.
func (r Renderer) Text(l *Letter) ([]byte, error) {
	return render(r, l, texttemplate.New("appeal").Option("missingkey=error"), "appeal.txt.tmpl")
}

// HTML renders the letter as HTML for print (escaped by html/template).
func (r Renderer) HTML(l *Letter) ([]byte, error) {
	return render(r, l, htmltemplate.New("appeal").Option("missingkey=error"), "appeal.html.tmpl")
}

// appealTemplate is what render needs of a text/template or html/template Template, so
// both letters are parsed (arguments first, then the page) and executed the same way.
type appealTemplate[T any] interface {
	Parse(text string) (T, error)
	Execute(w io.Writer, data any) error
}

// render parses arguments.tmpl and page (payer override, directory, embedded) into t and
// executes it on l.
func render[T appealTemplate[T]](r Renderer, l *Letter, t T, page string) ([]byte, error) {
	for _, n := range []string{"arguments.tmpl", page} {
		src, err := r.source(l.Payer.ID, n)
		if err != nil {
			return nil, fmt.Errorf("appeal letter: %s: %w", n, err)
		}
		if t, err = t.Parse(string(src)); err != nil {
			return nil, fmt.Errorf("appeal letter: %s: %w", n, err)
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, l); err != nil {
		return nil, fmt.Errorf("appeal letter %s: %w", l.Claim.ID, err)
	}
	return b.Bytes(), nil
}

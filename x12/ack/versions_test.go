package ack_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
	"github.com/edigate/edigate/x12/guides"
)

// TestUnsupportedVersion: a group whose GS08 names no guide edigate has is a group error
// (AK905 2) naming the supported versions, in validation and in the 999, and the message
// says what the version is (4010, before the addenda); without guides only the envelope is
// checked and the same file passes.
func TestUnsupportedVersion(t *testing.T) {
	src, err := fixtures.X12File("837p-two-sets.x12")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		version string
		ok      bool
		msg     string // substring of the GS08 finding
	}{
		{"005010X222A1", true, ""},
		{"005010X222", false, "before its HIPAA addenda; HIPAA requires 005010X222A1"},
		{"005010X222A2", false, "no guide edigate checks"},
		{"004010X098A1", false, "X12 4010"},
		{"005010", false, "no guide edigate checks"},
		{"006020X313", false, "not a 005010 guide"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			in := bytes.ReplaceAll(src, []byte("005010X222A1"), []byte(tt.version))
			res, txs, err := ack.Read(context.Background(), bytes.NewReader(in), guides.Registry)
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid() != tt.ok {
				t.Fatalf("valid = %v, want %v", res.Valid(), tt.ok)
			}
			g := res.Interchanges[0].Groups[0]
			if tt.ok {
				return
			}
			if len(g.Errors) != 1 || g.Errors[0].Code != x12.AK9VersionUnsupported || g.Errors[0].Element != "GS08" ||
				!strings.Contains(g.Errors[0].Message, tt.msg) || !strings.Contains(g.Errors[0].Message, "005010X279A1") {
				t.Fatalf("group errors = %+v, want one AK905 2 at GS08 with %q and the supported list", g.Errors, tt.msg)
			}
			var out bytes.Buffer
			opts := ack.Options{Sequence: x12.NewMemorySequence(), Now: now, Newline: true, Transactions: txs}
			if err := ack.Build999(context.Background(), &out, res, opts); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "AK9*R*2*2*0*2~") {
				t.Errorf("999 has no AK9 R with AK905 2:\n%s", out.String())
			}
			env, err := x12.Validate(context.Background(), bytes.NewReader(in), x12.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.version[:5] == "00501" && !env.Valid() {
				t.Errorf("envelope-only validation of %s is not valid", tt.version)
			}
		})
	}
}

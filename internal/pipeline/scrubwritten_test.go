package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/intake"
	"github.com/edigate/edigate/internal/store"
)

// TestScrubWrittenMatchesScrubNew: intake scrubbing each batch in its own transaction
// (ScrubWritten) leaves every session with the scrub that intake followed by ScrubNew
// leaves: the same findings, with sessions sharing a claim spread over several batches
// (small batches, ten sessions a client) and authorizations running out; and nothing is
// left for ScrubNew.
func TestScrubWrittenMatchesScrubNew(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.WriteSessionsClients(&buf, 2000, 200, 7); err != nil {
		t.Fatal(err)
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			run := func(inBatch bool) (map[string]string, ScrubSummary) {
				p := newPipeline(t)
				if dialect == "postgres" {
					p.DB = openDialect(t, "postgres", nil)
				}
				p.Now = time.Now
				in, err := intake.New(p.Cfg, p.DB, zerolog.Nop())
				if err != nil {
					t.Fatal(err)
				}
				in.BatchSize = 300
				if inBatch {
					in.Scrub = func(b *store.Batch) error {
						_, err := p.ScrubWritten(b)
						return err
					}
				}
				if err := os.WriteFile(filepath.Join(p.Cfg.DataDir, "inbox", "batch.ndjson"), buf.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if _, err := in.RunOnce(ctx, true); err != nil {
					t.Fatal(err)
				}
				sum, err := p.ScrubNew(ctx)
				if err != nil {
					t.Fatal(err)
				}
				ss, err := p.DB.Sessions(ctx, store.SessionFilter{Lean: true})
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]string{}
				for _, s := range ss {
					b, _ := json.Marshal(s.ScrubHold)
					out[s.ID] = s.State + " " + s.HoldReason + " " + string(b)
				}
				return out, sum
			}
			want, _ := run(false)
			got, sum := run(true)
			if sum.Sessions != 0 {
				t.Errorf("ScrubNew after a scrubbing intake: %+v", sum)
			}
			if len(got) != len(want) {
				t.Fatalf("%d sessions, want %d", len(got), len(want))
			}
			held, ready := 0, 0
			for id, w := range want {
				if got[id] != w {
					t.Errorf("%s: %s\nwant %s", id, got[id], w)
				}
				if w[:5] == "ready" {
					ready++
					if got[id] != "ready  null" {
						held++
					}
				}
			}
			t.Logf("%d ready, %d with findings", ready, held)
			if held == 0 || ready < 1000 {
				t.Fatalf("the batch tests too little: %d ready, %d with findings", ready, held)
			}
		})
	}
}

// TestBuildAndScrubParts: the dry build split over cores finds, claim by claim, what one
// build of all finds, with authorizations running out (their units are consumed in claim
// order within a part) and each authorization number named by two clients.
func TestBuildAndScrubParts(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.WriteSessionsClients(&buf, 3000, 150, 11); err != nil {
		t.Fatal(err)
	}
	var sessions []claims.Session
	var auths []claims.AuthUse
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		var head struct{ Type string }
		_ = json.Unmarshal(raw, &head)
		if head.Type == "authorization" {
			var a claims.Authorization
			if err := json.Unmarshal(raw, &a); err != nil {
				t.Fatal(err)
			}
			auths = append(auths, claims.AuthUse{Authorization: a})
			continue
		}
		var s claims.Session
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		// Two clients a number: the sessions naming one must stay in one part.
		c, _ := strconv.Atoi(strings.TrimPrefix(s.Client.ID, "C-"))
		s.Authorization = fmt.Sprintf("AUTH%06d", c-c%2)
		sessions = append(sessions, s)
	}
	setup := newPipeline(t).Cfg.ClaimsSetup()
	today := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	byID := func(built []*claims.Claim, results []claims.Result) map[string]string {
		out := map[string]string{}
		for i, c := range built {
			b, _ := json.Marshal(results[i])
			out[c.ID] = strings.Join(c.SessionIDs, ",") + " " + string(b)
		}
		return out
	}
	want := byID(buildAndScrub(setup, sessions, auths, today, 1))
	if parts := scrubParts(sessions, 2); len(parts) != 2 {
		t.Fatalf("%d parts", len(parts))
	}
	got := byID(buildAndScrub(setup, sessions, auths, today, 2))
	if len(got) != len(want) {
		t.Fatalf("%d claims, want %d", len(got), len(want))
	}
	units := 0
	for id, w := range want {
		if got[id] != w {
			t.Errorf("claim %s:\n got %s\nwant %s", id, got[id], w)
		}
		if strings.Contains(w, "auth.units") {
			units++
		}
	}
	if units == 0 {
		t.Fatal("no claim ran out of authorized units: the test proves nothing about their order")
	}
}

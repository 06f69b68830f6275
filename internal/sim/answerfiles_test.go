package sim

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/durable"
	"github.com/edigate/edigate/x12/guides"
)

// TestAnswerFiles is a generator, not a test: scripts/bench-history.sh runs it with
// EDIGATE_SIM_ANSWER_IN (outbound files, one path a line) and EDIGATE_SIM_ANSWER_OUT (a
// folder) to get the simulator's answers to them (999, 277CA, 835s, 271s) without an SFTP
// round trip, so a store with years of answered history can be built in seconds.
func TestAnswerFiles(t *testing.T) {
	in, out := os.Getenv("EDIGATE_SIM_ANSWER_IN"), os.Getenv("EDIGATE_SIM_ANSWER_OUT")
	if in == "" || out == "" {
		t.Skip("set EDIGATE_SIM_ANSWER_IN and EDIGATE_SIM_ANSWER_OUT to answer outbound files")
	}
	seq, err := newFileSequence(filepath.Join(out, ".control"))
	if err != nil {
		t.Fatal(err)
	}
	id := os.Getenv("EDIGATE_SIM_ANSWER_ID")
	if id == "" {
		id = "SIMCH"
	}
	r := &Responder{Answerer: Answerer{Rules: DefaultRules(), ID: id, Usage: "T", Controls: seq}, Guides: guides.Registry}
	for _, path := range strings.Fields(in) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		answers, err := r.Respond(context.Background(), data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		for _, a := range answers {
			if err := durable.WriteFile(filepath.Join(out, base+"_"+a.Name), a.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
}

package scheduler_test

import (
	"testing"

	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/scheduler/ledgertest"
)

// The database ledger runs the same suite in internal/pipeline.
func TestMemLedgerConformance(t *testing.T) {
	ledgertest.Suite(t, scheduler.NewMemLedger())
}

package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// An outbound file with no envelope does not stop the upload job: it moves to
// outbound/<ch>/rejected/ beside its reason, and /alerts shows it once.
func TestUploadStepRejectsBadOutboundFile(t *testing.T) {
	d := quietDaemon(t, nil)
	ch := d.cfg.Clearinghouses[0].ID
	dir := d.Pipeline.OutboundDir(ch)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.x12"), []byte("hello, not X12"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		runStep(t, d, "upload")
	}
	if _, err := os.Stat(filepath.Join(dir, "rejected", "broken.x12.error.json")); err != nil {
		t.Fatalf("no reason file: %v", err)
	}
	as := openAlerts(t, d)
	if len(as) != 1 || as[0].Kind != store.AlertOutboundInvalid || as[0].EntityID != ch+"/broken.x12" ||
		!strings.Contains(string(as[0].Detail), `"code":"not_x12"`) {
		t.Fatalf("alerts: %+v", as)
	}
}

package intake

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/edigate/edigate/claims"
)

// TestDemoBatch runs fixtures/sessions/demo-batch.json (dates as ${D-n} relative to today,
// as `edigate demo` fills them in) and checks every outcome it is meant to show.
func TestDemoBatch(t *testing.T) {
	raw, err := os.ReadFile("../../fixtures/sessions/demo-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\$\{D([+-]\d+)\}`)
	data := re.ReplaceAllFunc(raw, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(re.FindSubmatch(m)[1]))
		return []byte(testNow.AddDate(0, 0, n).Format("2006-01-02"))
	})
	e := newEnv(t)
	e.drop(t, "demo-batch.json", data)
	sum := e.run(t)
	if sum.Rejected != 1 || sum.Accepted != 29 {
		t.Fatalf("summary = %+v, want 29 accepted and S-1019 rejected", sum)
	}
	want := map[string]string{
		"S-1001": "ready/", "S-1002": "ready/", "S-1003": "ready/", "S-1004": "ready/",
		"S-1005": "ready/", "S-1006": "ready/", "S-1007": "ready/", "S-1008": "ready/",
		"S-1009": "held/" + claims.HoldAuthExhausted,
		"S-1010": "held/" + claims.HoldAuthExpired,
		"S-1011": "held/" + claims.HoldAuthMissing,
		"S-1012": "ready/", "S-1013": "ready/", "S-1014": "ready/", "S-1015": "ready/",
		"S-1016": "held/" + claims.HoldAuthCodeNotCovered,
		"S-1017": "scheduled/", "S-1018": "void/",
		"S-1020": "held/" + claims.HoldAuthAmbiguous,
		"S-1021": "ready/",
	}
	for id, w := range want {
		s, err := e.db.Session(context.Background(), id)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if got := s.State + "/" + s.HoldReason; got != w {
			t.Errorf("%s = %s, want %s", id, got, w)
		}
	}
	if s, _ := e.db.Session(context.Background(), "S-1021"); s.AuthUnits != 3 {
		t.Errorf("S-1021 (52 minutes of H0004) consumed %d units, want 3", s.AuthUnits)
	}
	as, _ := e.db.Authorizations(context.Background())
	alerts := map[string][]string{}
	for _, a := range as {
		alerts[a.Number] = a.Alerts
	}
	if len(alerts["AUTH7001"]) != 2 { // used up, and ends in 10 days
		t.Errorf("AUTH7001 alerts = %v, want low_units and end_near", alerts["AUTH7001"])
	}
	if _, err := e.db.Session(context.Background(), "S-1019"); err == nil {
		t.Error("invalid S-1019 was stored")
	}
}

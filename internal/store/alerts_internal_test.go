package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
)

// The daily alert check reads the open alerts of all the authorizations it checks in one
// statement, not one each (a round trip per authorization on PostgreSQL), and still raises
// an alert once, clears the ones whose condition went away (ended authorizations
// included) and raises those the new day brings.
func TestCheckAuthAlertsOneAlertRead(t *testing.T) {
	rules, err := claims.NewAuthRules(config.Default().ClaimsPayers())
	if err != nil {
		t.Fatal(err)
	}
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// demo-commercial: low_units 3, days_before_end 14.
		today := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return today }
		auth := func(number string, units int, end string) *claims.Authorization {
			return &claims.Authorization{Type: "authorization", Number: number, Payer: "demo-commercial", ClientID: "C-" + number,
				MemberID: "M-" + number, Codes: []string{"90837"}, Units: units, UnitKind: claims.UnitVisit, Start: "2026-10-01", End: end}
		}
		if err := db.Batch(ctx, rules, func(b *Batch) error {
			for i := range 20 { // no alert, none to come
				if _, err := b.PutAuthorization(auth(fmt.Sprintf("N%02d", i), 10, "2027-06-30"), "test"); err != nil {
					return err
				}
			}
			for _, a := range []*claims.Authorization{
				auth("LOW", 2, "2027-06-30"),   // low units from the start, stays so
				auth("SOON", 10, "2026-12-20"), // end near only from 2026-12-06
				auth("GONE", 10, "2026-11-25"), // end near now, ended on the day checked
			} {
				if _, err := b.PutAuthorization(a, "test"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		open := func() []string {
			t.Helper()
			alerts, err := db.Alerts(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range alerts {
				out = append(out, a.Number+" "+a.Kind)
			}
			slices.Sort(out)
			return out
		}
		if got, want := open(), []string{"GONE " + claims.AlertAuthEndNear, "LOW " + claims.AlertAuthLowUnits}; !slices.Equal(got, want) {
			t.Fatalf("open alerts after intake = %v, want %v", got, want)
		}
		today = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
		for range 2 { // the second check changes nothing
			if err := db.Batch(ctx, rules, func(b *Batch) error {
				if err := b.checkAuthAlerts(); err != nil {
					return err
				}
				var reads []string
				for q := range b.stmts {
					if strings.HasPrefix(q, "SELECT") && strings.Contains(q, "FROM alerts") {
						reads = append(reads, q)
					}
				}
				if len(reads) != 1 {
					t.Errorf("the daily check read alerts with %d statements, want 1: %q", len(reads), reads)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if got, want := open(), []string{"LOW " + claims.AlertAuthLowUnits, "SOON " + claims.AlertAuthEndNear}; !slices.Equal(got, want) {
				t.Fatalf("open alerts after the daily check = %v, want %v", got, want)
			}
		}
		all, err := db.Alerts(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 {
			t.Fatalf("alerts ever raised = %+v, want 3 (each once)", all)
		}
	})
}

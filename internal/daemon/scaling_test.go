package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestScaling measures sessions per second from inbox to recorded 837P (intake, claims,
// file) with 1, 2 and 3 `edigate run` processes on one PostgreSQL database, in one sitting,
// and prints the rates and their ratios to one instance. It is a measurement, not a unit
// test: it runs only when EDIGATE_SCALING_CLIENTS is set (scripts/scaling.sh), and asserts
// nothing about speed; it does check that every session ended on a filed claim.
func TestScaling(t *testing.T) {
	s := os.Getenv("EDIGATE_SCALING_CLIENTS")
	if s == "" {
		t.Skip("a measurement: scripts/scaling.sh sets EDIGATE_SCALING_CLIENTS")
	}
	clients, err := strconv.Atoi(s)
	if err != nil || clients < 1 {
		t.Fatalf("EDIGATE_SCALING_CLIENTS=%q", s)
	}
	bin := edigateBinary(t)
	var days []string
	for i := 5; i >= 1; i-- {
		days = append(days, time.Now().UTC().AddDate(0, 0, -i).Format("2006-01-02"))
	}
	sessions := clients * 5
	rates := map[int]float64{}
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("instances=%d", n), func(t *testing.T) {
			// Steps every second; the exchange and the rest as usual, so the instances
			// also contend for what they would contend for in production.
			c := newCluster(t, bin, n, false, time.Hour, map[string]any{"claims": "@every 1s", "eligibility": "@every 1s"})
			for i := range n {
				c.start(i)
			}
			time.Sleep(2 * time.Second) // started and idle
			// The inbox files are written aside and renamed in at once, spread over the
			// instances' inboxes in 50-client files.
			const perFile = 50
			began := time.Now()
			for f := 0; f*perFile < clients; f++ {
				recs := practiceBatch(f*perFile, min((f+1)*perFile, clients), days)
				for _, r := range recs {
					if r["type"] == "authorization" {
						r["units"] = 5 // every session can be billed
					}
				}
				drop(t, filepath.Join(c.dirs[f%n], "inbox"), fmt.Sprintf("batch-%04d.json", f), recs)
			}
			c.waitFor("every session on a filed claim", 30*time.Minute, func() bool {
				return c.count(`SELECT COUNT(*) FROM claims WHERE state NOT IN ('built', 'held')`) == sessions &&
					c.count(`SELECT COUNT(*) FROM sessions WHERE state = 'billed'`) == sessions
			})
			took := time.Since(began)
			rates[n] = float64(sessions) / took.Seconds()
			c.stopAll()
			if k := c.count(`SELECT COUNT(*) FROM (SELECT session_id FROM claim_sessions GROUP BY session_id HAVING COUNT(*) > 1) x`); k != 0 {
				t.Errorf("%d sessions on more than one claim", k)
			}
			fmt.Printf("SCALING instances=%d sessions=%d seconds=%.1f sessions/s=%.0f\n", n, sessions, took.Seconds(), rates[n])
		})
	}
	if rates[1] > 0 {
		fmt.Printf("SCALING ratio 2/1=%.2f 3/1=%.2f\n", rates[2]/rates[1], rates[3]/rates[1])
	}
}

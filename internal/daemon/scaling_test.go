package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
	counts := []int{1, 2, 3}
	if s := os.Getenv("EDIGATE_SCALING_INSTANCES"); s != "" { // one count alone, to look into it
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("EDIGATE_SCALING_INSTANCES=%q", s)
		}
		counts = []int{n}
	}
	// Rounds (EDIGATE_SCALING_ROUNDS, default 2) run the counts in turn again; each count's
	// best round stands, so load from elsewhere on the machine in one round does not decide
	// the figure.
	rounds := 2
	if s := os.Getenv("EDIGATE_SCALING_ROUNDS"); s != "" {
		if rounds, err = strconv.Atoi(s); err != nil || rounds < 1 {
			t.Fatalf("EDIGATE_SCALING_ROUNDS=%q", s)
		}
	}
	var order []int
	for range rounds {
		order = append(order, counts...)
	}
	for _, n := range order {
		t.Run(fmt.Sprintf("instances=%d", n), func(t *testing.T) {
			// Intake and claims every second; the other steps, which production runs
			// minutes or hours apart, stay out of the measurement.
			rare := "@every 1h"
			c := newCluster(t, bin, n, false, time.Hour, map[string]any{"intake": "@every 1s", "claims": "@every 1s",
				"eligibility": rare, "upload": rare, "download": rare, "responses": rare, "follow_up": rare, "alerts": rare,
				"housekeeping": rare, "log_level": "debug",
				// No 271 comes (eligibility runs hourly): with the default 48 h wait no
				// claim would be filed and the run would time out.
				"wait_for_eligibility": "0s"})
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
			rate := float64(sessions) / took.Seconds()
			rates[n] = max(rates[n], rate)
			c.stopAll()
			if k := c.count(`SELECT COUNT(*) FROM (SELECT session_id FROM claim_sessions GROUP BY session_id HAVING COUNT(*) > 1) x`); k != 0 {
				t.Errorf("%d sessions on more than one claim", k)
			}
			fmt.Printf("SCALING instances=%d sessions=%d seconds=%.1f sessions/s=%.0f\n", n, sessions, took.Seconds(), rate)
			var steps []string
			for job, d := range c.jobTimes() {
				steps = append(steps, fmt.Sprintf("%s %.1fs", job, d.Seconds()))
			}
			slices.Sort(steps)
			fmt.Printf("SCALING instances=%d time in steps, all instances: %s\n", n, strings.Join(steps, ", "))
		})
	}
	if rates[1] > 0 {
		fmt.Printf("SCALING best of %d: 1=%.0f 2=%.0f 3=%.0f sessions/s; ratio 2/1=%.2f 3/1=%.2f\n",
			rounds, rates[1], rates[2], rates[3], rates[2]/rates[1], rates[3]/rates[1])
	}
}

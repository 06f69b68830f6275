package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// brakeFixture is a UI whose clock the test moves (no sleeps).
type brakeFixture struct {
	*fixture
	clock atomic.Int64
}

func newBrakeFixture(t *testing.T) *brakeFixture {
	b := &brakeFixture{}
	b.clock.Store(today.UnixNano())
	b.fixture = newFixture(t, func(d *Deps) { d.Now = b.now })
	return b
}

func (b *brakeFixture) now() time.Time          { return time.Unix(0, b.clock.Load()).UTC() }
func (b *brakeFixture) advance(d time.Duration) { b.clock.Add(int64(d)) }
func (b *brakeFixture) try(t *testing.T, user, password string) *http.Response {
	t.Helper()
	c := b.client(t)
	_, page := b.get(t, c, "/login")
	return b.post(t, c, "/login", url.Values{"csrf": {csrfOf(t, page)}, "user": {user}, "password": {password}, "next": {"/"}})
}

func retryAfter(t *testing.T, resp *http.Response) time.Duration {
	t.Helper()
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("429 without a Retry-After: %q", resp.Header.Get("Retry-After"))
	}
	return time.Duration(n) * time.Second
}

func (b *brakeFixture) alerts(t *testing.T, kind string) []string {
	t.Helper()
	as, err := b.db.Alerts(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range as {
		if a.Kind == kind {
			ids = append(ids, a.EntityID)
		}
	}
	return ids
}

// 50 wrong passwords: the first few are answered at once, then with growing delays (each
// waited out), then the account locks; while locked even the right password is refused;
// after the lockout it works. The lockout is an audit event and an admin alert.
func TestSignInBrakeAccount(t *testing.T) {
	b := newBrakeFixture(t)
	var wrong, refused int
	var waits []time.Duration
	for range 50 {
		resp := b.try(t, testUser, "wrong password!")
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			wrong++
		case http.StatusTooManyRequests:
			refused++
			if d := retryAfter(t, resp); d <= brakeMaxDelay {
				waits = append(waits, d)
				b.advance(d)
				continue
			}
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
		b.advance(time.Second / 10)
	}
	if wrong != brakeAccountLock {
		t.Fatalf("%d wrong passwords checked, want %d before the lockout", wrong, brakeAccountLock)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] {
			t.Fatalf("delays shrink: %v", waits)
		}
	}
	if len(waits) == 0 || waits[len(waits)-1] != brakeMaxDelay {
		t.Fatalf("delays %v, want growing to %v", waits, brakeMaxDelay)
	}
	resp := b.try(t, testUser, testPassword)
	if resp.StatusCode != http.StatusTooManyRequests || retryAfter(t, resp) < 10*time.Minute {
		t.Fatalf("right password while locked: status %d, Retry-After %s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another account is not locked with it (the address, 127.0.0.1 for both, is still
	// within its allowance).
	if resp := b.try(t, "other", testPassword+"2"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account: status %d", resp.StatusCode)
	}
	if ids := b.alerts(t, "signin_lockout"); len(ids) != 1 || !strings.HasPrefix(ids[0], "account:"+testUser+"@") {
		t.Fatalf("lockout alerts = %v", ids)
	}
	if kinds := b.eventKinds(t, "signin", "account:"+testUser); len(kinds) != 1 || kinds[0] != "signin_lockout" {
		t.Fatalf("audit events = %v", kinds)
	}
	b.advance(brakeLockFor)
	if resp := b.try(t, testUser, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lockout: status %d", resp.StatusCode)
	}
}

// One address guessing many names is locked as an address; names nobody has are never
// named in the alert.
func TestSignInBrakeAddress(t *testing.T) {
	b := newBrakeFixture(t)
	for i := range brakeAddressLock {
		resp := b.try(t, "Jane Doe "+strconv.Itoa(i), "guess")
		if resp.StatusCode == http.StatusTooManyRequests {
			b.advance(retryAfter(t, resp))
			resp = b.try(t, "Jane Doe "+strconv.Itoa(i), "guess")
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i, resp.StatusCode)
		}
	}
	if resp := b.try(t, testUser, testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password from a locked address: status %d", resp.StatusCode)
	}
	ids := b.alerts(t, "signin_lockout")
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "address:127.0.0.1@") {
		t.Fatalf("lockout alerts = %v", ids)
	}
	if strings.Contains(b.log.String(), "Jane") {
		t.Fatal("a log line names a guessed account")
	}
}

func TestBrakeDelays(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {brakeAccountFree, 0}, {brakeAccountFree + 1, time.Second}, {brakeAccountFree + 2, 2 * time.Second},
		{brakeAccountFree + 5, 16 * time.Second}, {brakeAccountFree + 6, brakeMaxDelay}, {100, brakeMaxDelay}}
	for _, tt := range tests {
		if got := delay(tt.failures, brakeAccountFree); got != tt.want {
			t.Errorf("delay(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

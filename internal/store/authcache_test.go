package store

import "testing"

// The cache may only return what the row's current hash says: a renewed authorization
// (new content, new hash) must be decoded again, and bad JSON is an error, not a hit.
func TestAuthCacheFollowsHash(t *testing.T) {
	var c authCache
	a, err := c.decode("p", "A1", "h1", []byte(`{"number":"A1","units":12}`))
	if err != nil || a.Units != 12 {
		t.Fatalf("first decode = %+v, %v", a, err)
	}
	if a, _ = c.decode("p", "A1", "h1", []byte(`{"number":"A1","units":99}`)); a.Units != 12 {
		t.Errorf("same hash: units = %d, want the cached 12", a.Units)
	}
	if a, _ = c.decode("p", "A1", "h2", []byte(`{"number":"A1","units":20}`)); a.Units != 20 {
		t.Errorf("new hash: units = %d, want 20", a.Units)
	}
	if a, _ = c.decode("q", "A1", "h2", []byte(`{"number":"A1","units":5}`)); a.Units != 5 {
		t.Errorf("other payer, same number and hash: units = %d, want 5", a.Units)
	}
	if _, err := c.decode("p", "A1", "h3", []byte(`{"units":`)); err == nil {
		t.Error("bad JSON decoded without error")
	}
}

package store

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/edigate/edigate/claims"
)

// authCache keeps decoded authorizations by content hash. Intake reads the same
// authorizations in batch after batch (units change, the authorization itself rarely), and
// decoding their JSON each time was a fifth of the writer's time. The row's hash is read
// with it every time, so a changed authorization, written by this process or another, is
// decoded again; only immutable content is shared.
type authCache struct {
	mu sync.Mutex
	m  map[claims.AuthKey]cachedAuth
}

type cachedAuth struct {
	hash string
	auth claims.Authorization
}

// maxCachedAuths bounds the memory; past it the cache starts over.
const maxCachedAuths = 200_000

// decode returns the authorization stored as data with this hash. The result's slices are
// shared with the cache and other callers: they are read only.
func (c *authCache) decode(payer, number, hash string, data []byte) (claims.Authorization, error) {
	key := claims.AuthKey{Payer: payer, Number: number}
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && e.hash == hash {
		return e.auth, nil
	}
	var a claims.Authorization
	if err := json.Unmarshal(data, &a); err != nil {
		return a, fmt.Errorf("authorization %s: %w", number, err)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedAuths {
		c.m = map[claims.AuthKey]cachedAuth{}
	}
	c.m[key] = cachedAuth{hash: hash, auth: a}
	c.mu.Unlock()
	return a, nil
}

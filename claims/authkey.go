package claims

import (
	"fmt"
	"strings"
)

// AuthKey identifies an authorization: numbers are unique per payer only. Its String form
// "payer/number" is the authorization's id in history and alerts.
type AuthKey struct {
	Payer  string
	Number string
}

// Key is the authorization's key.
func (a *Authorization) Key() AuthKey { return AuthKey{Payer: a.Payer, Number: a.Number} }

// String is the key as stored and shown: "payer/number".
func (k AuthKey) String() string { return k.Payer + "/" + k.Number }

// ParseAuthKey reads a key written by String. Payer ids hold no "/", numbers may.
func ParseAuthKey(s string) (AuthKey, error) {
	payer, number, ok := strings.Cut(s, "/")
	if !ok || payer == "" || number == "" {
		return AuthKey{}, fmt.Errorf("authorization key %q: want payer/number", s)
	}
	return AuthKey{Payer: payer, Number: number}, nil
}

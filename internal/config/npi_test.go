package config_test

import (
	"fmt"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
)

// config check and the scrubber must agree on every NPI, or a configuration that passes
// the check would still have every claim held as npi.luhn.
func TestValidNPIAgreesWithClaims(t *testing.T) {
	for n := 1000000000; n < 1000000000+200000; n += 7 {
		s := fmt.Sprint(n)
		if config.ValidNPI(s) != claims.ValidNPI(s) {
			t.Fatalf("%s: config %v, claims %v", s, config.ValidNPI(s), claims.ValidNPI(s))
		}
	}
}

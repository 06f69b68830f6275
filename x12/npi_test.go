package x12

import "testing"

func TestValidNPI(t *testing.T) {
	tests := []struct {
		npi  string
		want bool
	}{
		{"1234567893", true},  // CMS's published example
		{"1245319599", true},  // demo config provider
		{"1003000126", true},  // demo config provider
		{"1234567890", false}, // wrong check digit
		{"1234567894", false},
		{"123456789", false},   // too short
		{"12345678930", false}, // too long
		{"12345678A3", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidNPI(tt.npi); got != tt.want {
			t.Errorf("ValidNPI(%q) = %v, want %v", tt.npi, got, tt.want)
		}
	}
}

func BenchmarkValidNPI(b *testing.B) {
	for b.Loop() {
		ValidNPI("1245319599")
	}
}

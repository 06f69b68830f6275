package pipeline

import "strings"

// letterZip prints a ZIP+4 (stored as nine digits, as the 837P N403 wants it) with its
// hyphen, the way a payer's mail room reads an address.
func letterZip(z string) string {
	if len(z) == 9 && allDigits(z) {
		return z[:5] + "-" + z[5:]
	}
	return z
}

// letterPhone prints a ten-digit US number (stored as the 837P PER04 wants it) as
// (NPA) NXX-XXXX.
func letterPhone(p string) string {
	if len(p) == 10 && allDigits(p) {
		return "(" + p[:3] + ") " + p[3:6] + "-" + p[6:]
	}
	return p
}

func allDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

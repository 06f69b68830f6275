package guides

import "testing"

func TestX221A1MatchesMap(t *testing.T) {
	compareWithMap(t, X221A1, "835.5010.X221.A1.xml", map[string]string{})
}

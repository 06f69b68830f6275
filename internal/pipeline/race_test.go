//go:build race

package pipeline

// raceEnabled: the race detector makes a store-bound test ~10x slower; tests sized for
// memory or volume use smaller inputs under it (their race coverage is the same).
const raceEnabled = true

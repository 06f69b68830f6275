// Package lifecycle is the one claim lifecycle and the one vocabulary of history events.
//
// A claim has a single State; the transitions between states are data (see Transitions) so
// that every view (CLI, web UI, outbox, reports) reads the same state and every change is an
// Event whose Kind has its words defined once, here. The package imports nothing of the
// project: claims, remit and eligibility build plans with these types, the store records them.
package lifecycle

package x12

import (
	"context"
	"fmt"
	"strconv"
	"sync"
)

// Kinds of control numbers, one sequence each per sender/receiver pair.
const (
	SeqInterchange = "ISA" // ISA13 / IEA02
	SeqGroup       = "GS"  // GS06 / GE02
	SeqTransaction = "ST"  // ST02 / SE02
)

// SequenceKey names one control-number sequence.
type SequenceKey struct {
	Sender, Receiver string
	Kind             string // SeqInterchange, SeqGroup or SeqTransaction
}

// ControlNumbers hands out control numbers. Implementations must never return the same
// number twice for a key, across restarts too (the store's implementation persists each
// number before returning it): a receiver may drop an interchange whose ISA13 it has seen.
type ControlNumbers interface {
	Next(ctx context.Context, key SequenceKey) (int64, error)
}

// MemorySequence is an in-memory ControlNumbers for tests and one-shot CLI runs: numbers
// start at 1 and are lost when the process ends.
type MemorySequence struct {
	mu   sync.Mutex
	next map[SequenceKey]int64
}

// NewMemorySequence returns an empty in-memory sequence.
func NewMemorySequence() *MemorySequence {
	return &MemorySequence{next: make(map[SequenceKey]int64)}
}

// Next returns the next number for key, starting at 1; an error once nine digits run out,
// because wrapping around would reuse numbers.
func (m *MemorySequence) Next(ctx context.Context, key SequenceKey) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.next[key] + 1
	if n > MaxControl {
		return 0, fmt.Errorf("x12: %s control numbers for %s->%s are exhausted", key.Kind, key.Sender, key.Receiver)
	}
	m.next[key] = n
	return n, nil
}

// FormatISAControl renders ISA13/IEA02: nine digits, zero-padded.
func FormatISAControl(n int64) string {
	return string(appendPadded(nil, n, 9))
}

// FormatGSControl renders GS06/GE02: 1-9 digits, no padding.
func FormatGSControl(n int64) string { return strconv.FormatInt(n, 10) }

// FormatSTControl renders ST02/SE02: at least 4 digits, zero-padded.
func FormatSTControl(n int64) string {
	return string(appendPadded(nil, n, 4))
}

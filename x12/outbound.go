package x12

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"
)

// Outbound addresses an interchange edigate sends to a clearinghouse.
type Outbound struct {
	SenderQual, SenderID     string // ISA05, ISA06
	ReceiverQual, ReceiverID string // ISA07, ISA08
	GSSender, GSReceiver     string // GS02, GS03; the ISA ids when empty
	Usage                    string // ISA15: T or P
	Now                      time.Time
}

// Controls are the control numbers one outbound interchange used, recorded with its upload.
type Controls struct {
	Interchange int64
	Group       int64
	Sets        []string
}

// OutboundWriter is a Writer whose interchange and group are open, with the sequence the
// transaction-set control numbers come from.
type OutboundWriter struct {
	*Writer
	Controls Controls
	seq      ControlNumbers
	key      SequenceKey
	version  string
}

// BeginOutbound takes ISA13 and GS06 from seq (durable, never reused) and writes the ISA and
// the GS of functional group fid for version.
func BeginOutbound(ctx context.Context, w io.Writer, seq ControlNumbers, env Outbound, fid, version string) (*OutboundWriter, error) {
	if env.Now.IsZero() {
		env.Now = time.Now().UTC()
	}
	ow := &OutboundWriter{seq: seq, key: SequenceKey{Sender: env.SenderID, Receiver: env.ReceiverID}, version: version}
	var err error
	if ow.Controls.Interchange, err = ow.next(ctx, SeqInterchange); err != nil {
		return nil, fmt.Errorf("ISA13: %w", err)
	}
	if ow.Controls.Group, err = ow.next(ctx, SeqGroup); err != nil {
		return nil, fmt.Errorf("GS06: %w", err)
	}
	ow.Writer = NewWriter(w, DefaultDelimiters)
	ow.SetNewline(true)
	if err := ow.BeginInterchange(InterchangeHeader{SenderQual: env.SenderQual, SenderID: env.SenderID,
		ReceiverQual: env.ReceiverQual, Receiver: env.ReceiverID, Date: env.Now, Control: ow.Controls.Interchange, Usage: env.Usage}); err != nil {
		return nil, err
	}
	gsSender, gsReceiver := env.GSSender, env.GSReceiver
	if gsSender == "" {
		gsSender = env.SenderID
	}
	if gsReceiver == "" {
		gsReceiver = env.ReceiverID
	}
	if err := ow.BeginGroup(fid, gsSender, gsReceiver, version, env.Now, ow.Controls.Group); err != nil {
		return nil, err
	}
	return ow, nil
}

func (ow *OutboundWriter) next(ctx context.Context, kind string) (int64, error) {
	k := ow.key
	k.Kind = kind
	return ow.seq.Next(ctx, k)
}

// BeginSet opens the next transaction set (ST02 from the sequence) and returns its control.
func (ow *OutboundWriter) BeginSet(ctx context.Context, set string) (string, error) {
	n, err := ow.next(ctx, SeqTransaction)
	if err != nil {
		return "", fmt.Errorf("ST02: %w", err)
	}
	stc := FormatSTControl(n)
	if err := ow.BeginTransaction(set, stc, ow.version); err != nil {
		return "", err
	}
	ow.Controls.Sets = append(ow.Controls.Sets, stc)
	return stc, nil
}

// Close writes the GE and IEA and flushes.
func (ow *OutboundWriter) Close() error {
	if err := ow.EndGroup(); err != nil {
		return err
	}
	if err := ow.EndInterchange(); err != nil {
		return err
	}
	return ow.Flush()
}

// WriteOutbound writes a whole outbound interchange: ISA and GS of functional group fid with
// control numbers from seq, one transaction set per distinct key of items (in key order,
// items in their given order within a set), GE and IEA. body writes a set's segments
// between its ST and SE; now is the envelope's time, for BHT dates. How a 270 or 276 batch
// gives each payer its own set.
func WriteOutbound[T any](ctx context.Context, w io.Writer, seq ControlNumbers, env Outbound, fid, version, set string,
	items []T, key func(T) string, body func(w *Writer, control string, now time.Time, items []T) error) (Controls, error) {
	if env.Now.IsZero() {
		env.Now = time.Now().UTC()
	}
	ow, err := BeginOutbound(ctx, w, seq, env, fid, version)
	if err != nil {
		return Controls{}, fmt.Errorf("%s: %w", set, err)
	}
	groups := map[string][]T{}
	var keys []string
	for _, it := range items {
		k := key(it)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], it)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return ow.Controls, err
		}
		stc, err := ow.BeginSet(ctx, set)
		if err != nil {
			return ow.Controls, fmt.Errorf("%s: %w", set, err)
		}
		if err := body(ow.Writer, stc, env.Now, groups[k]); err != nil {
			return ow.Controls, fmt.Errorf("%s %s: %w", set, stc, err)
		}
		if err := ow.EndTransaction(); err != nil {
			return ow.Controls, err
		}
	}
	return ow.Controls, ow.Close()
}

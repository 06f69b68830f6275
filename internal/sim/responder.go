package sim

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
)

// Responder answers an uploaded file like a clearinghouse: it validates the file with the
// same engine edigate uses, sends a TA1 (when asked for, or when the envelope is broken) and
// a 999 per functional group, and, for groups it accepted, the business answers: 277CA and
// 835s for an 837P, a 271 for a 270.
type Responder struct {
	Answerer
	Guides x12.Guides
	// PaymentDelay is how long after the upload the 835s appear (the demo uses seconds).
	PaymentDelay time.Duration
}

// Timed is a response that becomes visible After the upload was seen.
type Timed struct {
	Response
	After time.Duration
}

// Respond returns the files to put in the submitter's inbound folder.
func (r *Responder) Respond(ctx context.Context, data []byte) ([]Timed, error) {
	res, err := x12.Validate(ctx, bytes.NewReader(data), x12.ParseOptions{Guides: r.Guides})
	if err != nil {
		return nil, fmt.Errorf("sim: validating upload: %w", err)
	}
	if len(res.Interchanges) == 0 {
		// Nothing addressable to answer (no readable ISA): a real clearinghouse drops it
		// and reports out of band; the simulator does the same.
		return nil, fmt.Errorf("sim: upload has no readable interchange: %v", res.Fatal)
	}
	ic := res.Interchanges[0]
	wantTA1 := ic.AckRequested || !ic.Valid() || res.Fatal != nil
	var ackBuf bytes.Buffer
	if err := ack.Build(ctx, &ackBuf, res, ack.Options{Sequence: r.Controls, Now: r.now(), Newline: true}, wantTA1); err != nil {
		return nil, fmt.Errorf("sim: building acknowledgements: %w", err)
	}
	out := []Timed{{Response: Response{Name: fmt.Sprintf("ack_%s.999", ic.Control), Data: ackBuf.Bytes()}}}
	if res.Fatal != nil || !ic.Valid() {
		return out, nil
	}
	for _, g := range ic.Groups {
		if !g.Valid() {
			return out, nil // a rejected group gets its 999 and nothing else
		}
	}
	in, err := ReadInbound(bytes.NewReader(data))
	if err != nil {
		return out, nil // the 999 already tells the submitter what is wrong
	}
	switch in.Set {
	case "837":
		b, err := r.Write277CA(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, Timed{Response: Response{Name: fmt.Sprintf("277CA_%s.277", ic.Control), Data: b}})
		pays, err := r.Write835s(ctx, in)
		if err != nil {
			return nil, err
		}
		for i, p := range pays {
			out = append(out, Timed{Response: Response{Name: fmt.Sprintf("ERA_%s_%d.835", ic.Control, i+1), Data: p.Data},
				After: r.PaymentDelay * time.Duration(p.Round+1)})
		}
	case "270":
		b, err := r.Write271(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, Timed{Response: Response{Name: fmt.Sprintf("ELIG_%s.271", ic.Control), Data: b}})
	}
	return out, nil
}

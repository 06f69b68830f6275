package x12

// arena holds a tree's segments in large chunks: element bytes, element slices and the
// Segment values. Building a tree then costs one allocation per loop instance instead of
// several per segment. Chunks are never reused, so earlier trees stay valid.
// Every slice handed out has its capacity cut to its length where a caller's append could
// otherwise write into a neighbour's data.
type arena struct {
	buf  []byte
	els  [][]byte
	segs []Segment
}

func (a *arena) clone(s *Segment) Segment {
	n := 0
	for _, e := range s.Elements {
		n += len(e)
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(chunk(cap(a.buf), 4<<10, 64<<10), n))
	}
	if cap(a.els)-len(a.els) < len(s.Elements) {
		a.els = make([][]byte, 0, max(chunk(cap(a.els), 256, 4096), len(s.Elements)))
	}
	start := len(a.els)
	for _, e := range s.Elements {
		b := len(a.buf)
		a.buf = append(a.buf, e...)
		a.els = append(a.els, a.buf[b:len(a.buf):len(a.buf)])
	}
	els := a.els[start:len(a.els):len(a.els)]
	return Segment{Elements: els, Delims: s.Delims, Offset: s.Offset, Index: s.Index}
}

// chunk sizes the next chunk: twice the last one within [lo, hi], so parsing a small file
// stays cheap and a large one soon takes big chunks.
func chunk(last, lo, hi int) int {
	return min(max(2*last, lo), hi)
}

// addSeg appends a copy of s to l.Segments. A loop's own segments nearly always arrive
// together, so they are laid out one after another in the segment chunk and the slice
// grows in place; when another loop's segment came in between, the loop's segments move
// to the end of the chunk (at most doubling the space, as append would).
func (a *arena) addSeg(l *Loop, s *Segment) {
	n := len(l.Segments)
	atTail := n > 0 && len(a.segs) > 0 && &l.Segments[n-1] == &a.segs[len(a.segs)-1]
	if !atTail || len(a.segs) == cap(a.segs) {
		if cap(a.segs)-len(a.segs) < n+1 {
			a.segs = make([]Segment, 0, max(chunk(cap(a.segs), 64, 1024), 2*(n+1)))
		}
		a.segs = append(a.segs, l.Segments...)
	}
	a.segs = append(a.segs, a.clone(s))
	end := len(a.segs)
	l.Segments = a.segs[end-n-1 : end : end]
}

package x12

// cGuide is a Guide compiled for parsing: per loop, segment ID -> candidate nodes.
type cGuide struct {
	g *Guide
}

func (p *Parser) compile(g *Guide) *cGuide {
	if cg, ok := p.compiled[g]; ok {
		return cg
	}
	cg := &cGuide{g: g}
	p.compiled[g] = cg
	return cg
}

// txState is the per-transaction parsing state, reused from one set to the next.
type txState struct {
	t    *Transaction
	g    *cGuide
	tree bool
}

func (tx *txState) begin(t *Transaction, g *cGuide, tree bool) {
	tx.t, tx.g, tx.tree = t, g, tree
	if tree {
		t.Root = &Loop{ID: "ST"}
	}
}

func (tx *txState) feed(seg *Segment) {
	tx.t.Segments++
	if tx.tree {
		tx.t.Root.Segments = append(tx.t.Root.Segments, seg.Clone())
	}
}

func (tx *txState) end(se *Segment) {}

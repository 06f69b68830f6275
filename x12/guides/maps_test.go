package guides

// This file checks our guide tables against an independent encoding of the same guides:
// the pyx12 XML maps kept outside the project (../shared/x12-maps, BSD licensed, never
// copied here). Every difference in loop/segment order, usage, repeat/max use, element
// usage, length, type, repetition, syntax notes and ID code lists fails the test unless
// an allow-list entry explains why the guide proves the map wrong. Data element reference
// numbers (IK402) are compared too: ours come from the dictionary in dataele.go.

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// mapsDirs are tried in order: EDIGATE_X12_MAPS, the shared folder beside the checkout.
func mapsDir() string {
	for _, d := range []string{os.Getenv("EDIGATE_X12_MAPS"), "../../../shared/x12-maps", "/work/shared/x12-maps"} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "dataele.xml")); err == nil {
			return d
		}
	}
	return ""
}

// xmlNode is a generic parse of a pyx12 map: loops, segments, composites and elements all
// share the child tags name/usage/pos/repeat/max_use/seq/data_ele/valid_codes/syntax.
type xmlNode struct {
	XMLName    xml.Name
	XID        string    `xml:"xid,attr"`
	Type       string    `xml:"type,attr"`
	Name       string    `xml:"name"`
	Usage      string    `xml:"usage"`
	Pos        string    `xml:"pos"`
	Repeat     string    `xml:"repeat"`
	MaxUse     string    `xml:"max_use"`
	Seq        string    `xml:"seq"`
	DataEle    string    `xml:"data_ele"`
	Syntax     []string  `xml:"syntax"`
	ValidCodes *xmlCodes `xml:"valid_codes"`
	Children   []xmlNode `xml:",any"`
}

type xmlCodes struct {
	External string   `xml:"external,attr"`
	Codes    []string `xml:"code"`
}

type dataEle struct {
	Num  string `xml:"ele_num,attr"`
	Type string `xml:"data_type,attr"`
	Min  int    `xml:"min_len,attr"`
	Max  int    `xml:"max_len,attr"`
}

// mapLoop, mapSeg and mapElem are the map normalised to our vocabulary.
type mapLoop struct {
	ID     string
	Name   string
	Usage  string
	Repeat int
	Body   []mapChild
}

type mapChild struct {
	Seg  *mapSeg
	Loop *mapLoop
}

type mapSeg struct {
	ID       string
	Name     string
	Usage    string
	MaxUse   int
	Syntax   []string
	Elements []mapElem
}

type mapElem struct {
	Ref        string
	Name       string
	Usage      string
	Type       string // "" when the data element is unknown to dataele.xml
	Min, Max   int
	Repeat     int
	DataEle    int      // the data element reference number; 0 for a composite (C-number)
	Codes      []string // nil when the map lists none or names an external list
	External   string
	Components []mapElem
}

// loadMap reads mapFile (a name in the maps folder, or a path) and returns the
// transaction set's ST loop with the map's HEADER/DETAIL/FOOTER wrappers flattened.
func loadMap(dir, mapFile string) (*mapLoop, error) {
	eles := map[string]dataEle{}
	raw, err := os.ReadFile(filepath.Join(dir, "dataele.xml"))
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	var de struct {
		Eles []dataEle `xml:"data_ele"`
	}
	if err := xml.Unmarshal(raw, &de); err != nil {
		return nil, fmt.Errorf("maps: dataele.xml: %w", err)
	}
	for _, e := range de.Eles {
		eles[e.Num] = e
	}
	path := mapFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, mapFile)
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	}
	var root xmlNode
	if err := xml.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("maps: %s: %w", mapFile, err)
	}
	st := findLoop(&root, "ST_LOOP")
	if st == nil {
		return nil, fmt.Errorf("maps: %s: no ST_LOOP", mapFile)
	}
	l := convLoop(st, eles)
	return &l, nil
}

func findLoop(n *xmlNode, id string) *xmlNode {
	if n.XMLName.Local == "loop" && n.XID == id {
		return n
	}
	for i := range n.Children {
		if f := findLoop(&n.Children[i], id); f != nil {
			return f
		}
	}
	return nil
}

func convLoop(n *xmlNode, eles map[string]dataEle) mapLoop {
	l := mapLoop{ID: n.XID, Name: n.Name, Usage: n.Usage, Repeat: parseRepeat(n.Repeat)}
	l.Body = convBody(n.Children, eles)
	return l
}

func convBody(children []xmlNode, eles map[string]dataEle) []mapChild {
	var body []mapChild
	for i := range children {
		c := &children[i]
		switch c.XMLName.Local {
		case "loop":
			if c.Type == "wrapper" {
				// Table 1/2/3 wrappers are not loops in the guides; a Not Used one is empty.
				body = append(body, convBody(c.Children, eles)...)
				continue
			}
			l := convLoop(c, eles)
			body = append(body, mapChild{Loop: &l})
		case "segment":
			s := &mapSeg{ID: c.XID, Name: c.Name, Usage: c.Usage, MaxUse: parseRepeat(c.MaxUse), Syntax: c.Syntax}
			for j := range c.Children {
				e := &c.Children[j]
				if e.XMLName.Local == "element" || e.XMLName.Local == "composite" {
					s.Elements = append(s.Elements, convElem(e, fmt.Sprintf("%s%02d", s.ID, atoi(e.Seq)), eles))
				}
			}
			body = append(body, mapChild{Seg: s})
		}
	}
	return body
}

func convElem(n *xmlNode, ref string, eles map[string]dataEle) mapElem {
	e := mapElem{Ref: ref, Name: n.Name, Usage: n.Usage, Repeat: parseRepeat(n.Repeat), DataEle: atoi(n.DataEle)}
	if e.Repeat == 0 {
		e.Repeat = 1
	}
	if d, ok := eles[n.DataEle]; ok {
		e.Type, e.Min, e.Max = d.Type, d.Min, d.Max
		if strings.HasPrefix(e.Type, "N") {
			e.Type = "N0" // our tables keep implied decimals out of the type
		}
	}
	if n.ValidCodes != nil {
		if n.ValidCodes.External != "" {
			e.External = n.ValidCodes.External
		} else {
			for _, c := range n.ValidCodes.Codes {
				e.Codes = append(e.Codes, strings.Join(strings.Fields(c), " "))
			}
		}
	}
	if n.XMLName.Local == "composite" {
		for i := range n.Children {
			c := &n.Children[i]
			if c.XMLName.Local == "element" {
				e.Components = append(e.Components, convElem(c, fmt.Sprintf("%s-%d", ref, atoi(c.Seq)), eles))
			}
		}
		e.Type = ""
	}
	return e
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// parseRepeat turns "1", "9", ">1" into a count, 0 meaning unbounded (as in our tables).
func parseRepeat(s string) int {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, ">") {
		return 0
	}
	return atoi(s)
}

// mapDiff is one difference; Key is what allow-lists name, e.g. "2100/CLP/CLP02 codes".
type mapDiff struct {
	Key, Detail string
}

// diffGuideMap lists every difference between our table and the map.
func diffGuideMap(g *x12.Guide, m *mapLoop) []mapDiff {
	var d differ
	d.loop(g.Root, m)
	return d.out
}

type differ struct{ out []mapDiff }

func (d *differ) add(key, format string, args ...any) {
	d.out = append(d.out, mapDiff{Key: key, Detail: fmt.Sprintf(format, args...)})
}

// segLabel names a segment of ours in keys: its ID and first qualifier value (NM1*QC).
func segLabel(s *x12.SegmentDef) string {
	if s.Qual != nil && len(s.Qual.Values) > 0 {
		return s.ID + "*" + s.Qual.Values[0]
	}
	return s.ID
}

func usageString(u x12.Usage) string { return u.String() }

func (d *differ) loop(ours *x12.LoopDef, theirs *mapLoop) {
	if ours.ID != "ST" {
		if u := usageString(ours.Usage); u != theirs.Usage {
			d.add(ours.ID+" usage", "loop %s usage: ours %s, map %s", ours.ID, u, theirs.Usage)
		}
		if ours.Repeat != theirs.Repeat {
			d.add(ours.ID+" repeat", "loop %s repeat: ours %s, map %s", ours.ID, repeatString(ours.Repeat), repeatString(theirs.Repeat))
		}
	}
	pairs, oursOnly, mapOnly := matchBody(ours.Body, theirs.Body)
	for _, i := range oursOnly {
		n := ours.Body[i]
		if n.Loop != nil {
			d.add(ours.ID+"/"+n.Loop.ID+" extra", "loop %s (%s) is not in the map", n.Loop.ID, n.Loop.Name)
		} else {
			d.add(ours.ID+"/"+segLabel(n.Seg)+" extra", "segment %s (%s) in loop %s is not in the map", segLabel(n.Seg), n.Seg.Name, ours.ID)
		}
	}
	for _, j := range mapOnly {
		c := theirs.Body[j]
		if c.Loop != nil {
			d.add(ours.ID+"/"+c.Loop.ID+" missing", "map loop %s (%s) is missing", c.Loop.ID, c.Loop.Name)
		} else {
			d.add(ours.ID+"/"+c.Seg.ID+" "+c.Seg.Name+" missing", "map segment %s (%s) in loop %s is missing", c.Seg.ID, c.Seg.Name, ours.ID)
		}
	}
	// Order: matched pairs sorted by our position must also be increasing in the map.
	for k := 1; k < len(pairs); k++ {
		if pairs[k][1] < pairs[k-1][1] {
			a, b := nodeLabel(ours.Body[pairs[k-1][0]]), nodeLabel(ours.Body[pairs[k][0]])
			d.add(ours.ID+"/"+b+" order", "in loop %s ours has %s after %s, the map before it", ours.ID, b, a)
		}
	}
	for _, p := range pairs {
		o, t := ours.Body[p[0]], theirs.Body[p[1]]
		if o.Loop != nil {
			d.loop(o.Loop, t.Loop)
		} else {
			d.seg(ours.ID, o.Seg, t.Seg)
		}
	}
}

func nodeLabel(n x12.Node) string {
	if n.Loop != nil {
		return n.Loop.ID
	}
	return segLabel(n.Seg)
}

func repeatString(n int) string {
	if n == 0 {
		return ">1"
	}
	return strconv.Itoa(n)
}

// matchBody pairs our nodes with the map's: loops by ID; segments by ID and, when ours has
// a qualifier, by the map's code list at the qualifier's position; otherwise in order.
func matchBody(ours []x12.Node, theirs []mapChild) (pairs [][2]int, oursOnly, mapOnly []int) {
	used := make([]bool, len(theirs))
	matched := make([]int, len(ours))
	for i := range matched {
		matched[i] = -1
	}
	try := func(i int, ok func(j int) bool) {
		for j := range theirs {
			if !used[j] && ok(j) {
				used[j], matched[i] = true, j
				return
			}
		}
	}
	for i, n := range ours {
		switch {
		case n.Loop != nil:
			try(i, func(j int) bool { return theirs[j].Loop != nil && theirs[j].Loop.ID == n.Loop.ID })
		case n.Seg.Qual != nil:
			try(i, func(j int) bool {
				s := theirs[j].Seg
				return s != nil && s.ID == n.Seg.ID && qualMatches(n.Seg.Qual, s)
			})
		}
	}
	for i, n := range ours {
		if matched[i] < 0 && n.Seg != nil {
			try(i, func(j int) bool { return theirs[j].Seg != nil && theirs[j].Seg.ID == n.Seg.ID })
		}
	}
	for i, j := range matched {
		if j < 0 {
			oursOnly = append(oursOnly, i)
		} else {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	for j := range theirs {
		if !used[j] {
			mapOnly = append(mapOnly, j)
		}
	}
	return pairs, oursOnly, mapOnly
}

func qualMatches(q *x12.Qualifier, s *mapSeg) bool {
	if q.Element < 1 || q.Element > len(s.Elements) {
		return false
	}
	e := s.Elements[q.Element-1]
	if q.Component > 0 {
		if q.Component > len(e.Components) {
			return false
		}
		e = e.Components[q.Component-1]
	}
	for _, v := range q.Values {
		for _, c := range e.Codes {
			if v == c {
				return true
			}
		}
	}
	return false
}

func (d *differ) seg(loop string, o *x12.SegmentDef, t *mapSeg) {
	key := loop + "/" + segLabel(o)
	if u := usageString(o.Usage); u != t.Usage {
		d.add(key+" usage", "%s usage: ours %s, map %s", key, u, t.Usage)
	}
	if o.MaxUse != t.MaxUse {
		d.add(key+" max_use", "%s max use: ours %s, map %s", key, repeatString(o.MaxUse), repeatString(t.MaxUse))
	}
	var ours []string
	for _, s := range o.Syntax {
		ours = append(ours, syntaxString(s))
	}
	// A map segment without any syntax note is silent (the 277CA map omits them all).
	if a, b := strings.Join(sorted(ours), " "), strings.Join(sorted(t.Syntax), " "); b != "" && a != b {
		d.add(key+" syntax", "%s syntax notes: ours [%s], map [%s]", key, a, b)
	}
	n := len(o.Elements)
	if len(t.Elements) > n {
		n = len(t.Elements)
	}
	for i := 0; i < n; i++ {
		var oe *x12.Element
		var te *mapElem
		if i < len(o.Elements) {
			oe = &o.Elements[i]
		}
		if i < len(t.Elements) {
			te = &t.Elements[i]
		}
		d.elem(key, oe, te)
	}
}

func (d *differ) elem(seg string, o *x12.Element, t *mapElem) {
	switch {
	case o == nil && t == nil:
		return
	case o == nil:
		if t.Usage != "N" {
			d.add(seg+"/"+t.Ref+" missing", "%s %s (%s) is missing", seg, t.Ref, t.Name)
		}
		return
	case t == nil:
		if o.Usage != N {
			d.add(seg+"/"+o.Ref+" extra", "%s %s is not in the map", seg, o.Ref)
		}
		return
	}
	key := seg + "/" + o.Ref
	if u := usageString(o.Usage); u != t.Usage {
		d.add(key+" usage", "%s usage: ours %s, map %s", key, u, t.Usage)
	}
	d.dataElement(key, o, t)
	if o.Usage == N && t.Usage == "N" {
		return // a Not Used element's format is irrelevant
	}
	if r := max(o.Repeat, 1); r != t.Repeat {
		d.add(key+" repeat", "%s repeat: ours %d, map %d", key, r, t.Repeat)
	}
	if len(o.Components) > 0 || len(t.Components) > 0 {
		if (len(o.Components) > 0) != (len(t.Components) > 0) && t.Usage != "N" {
			d.add(key+" composite", "%s: composite in one table, simple in the other", key)
			return
		}
		n := len(o.Components)
		if len(t.Components) > n {
			n = len(t.Components)
		}
		for i := 0; i < n; i++ {
			var oc *x12.Element
			var tc *mapElem
			if i < len(o.Components) {
				oc = &o.Components[i]
			}
			if i < len(t.Components) {
				tc = &t.Components[i]
			}
			d.elem(seg, oc, tc)
		}
		return
	}
	if t.Type != "" {
		if o.Type.String() != t.Type {
			d.add(key+" type", "%s type: ours %s, map %s", key, o.Type, t.Type)
		}
		if o.Min != t.Min || o.Max != t.Max {
			d.add(key+" length", "%s length: ours %d/%d, map %d/%d", key, o.Min, o.Max, t.Min, t.Max)
		}
	}
	// A map without a code list is silent, not in disagreement: only lists are compared.
	if t.Codes != nil {
		oursOnly, mapOnly := setDiff(o.Codes, t.Codes)
		if len(oursOnly)+len(mapOnly) > 0 {
			d.add(key+" codes", "%s codes: only ours %v, only map %v", key, oursOnly, mapOnly)
		}
	}
}

// dataElement compares the IK402 numbers: a number both sides have must agree, and an
// element the map numbers must have ours when our dictionary knows its segment (a segment
// listed there is listed whole) and the element is used.
func (d *differ) dataElement(key string, o *x12.Element, t *mapElem) {
	switch {
	case o.DataElement > 0 && t.DataEle > 0 && o.DataElement != t.DataEle:
		d.add(key+" data element", "%s data element: ours %d, map %d", key, o.DataElement, t.DataEle)
	case o.DataElement == 0 && t.DataEle > 0 && o.Usage != N && len(o.Components) == 0 && dictionaryHas(o.Ref):
		d.add(key+" data element", "%s data element: ours none, map %d", key, t.DataEle)
	}
}

// dictionaryHas reports whether dataele.go lists the segment (or composite) of ref.
func dictionaryHas(ref string) bool {
	main, _, comp := strings.Cut(ref, "-")
	if comp {
		_, ok := compositeElements[main]
		return ok
	}
	if len(main) < 4 {
		return false
	}
	_, ok := segmentElements[main[:len(main)-2]] // the position is always two digits
	return ok
}

func syntaxString(s x12.Syntax) string {
	var b strings.Builder
	b.WriteByte(" PRECL"[s.Kind])
	for _, e := range s.Elements {
		fmt.Fprintf(&b, "%02d", e)
	}
	return b.String()
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func setDiff(a, b []string) (onlyA, onlyB []string) {
	in := func(s []string, v string) bool {
		for _, x := range s {
			if x == v {
				return true
			}
		}
		return false
	}
	for _, v := range a {
		if !in(b, v) {
			onlyA = append(onlyA, v)
		}
	}
	for _, v := range b {
		if !in(a, v) {
			onlyB = append(onlyB, v)
		}
	}
	return onlyA, onlyB
}

// compareWithMap fails t for every difference between guide and the pyx12 map mapFile (a
// file name in ../shared/x12-maps) that allow does not explain, and for every allow entry
// that no longer matches a difference, so allow-lists cannot go stale. allow maps a
// difference key (as printed, e.g. "2100/CLP/CLP02 codes") to the reason the guide proves
// the map wrong. It skips when the maps are not present.
func compareWithMap(t *testing.T, guide *x12.Guide, mapFile string, allow map[string]string) {
	t.Helper()
	dir := mapsDir()
	if dir == "" {
		t.Skip("pyx12 maps not found (set EDIGATE_X12_MAPS)")
	}
	m, err := loadMap(dir, mapFile)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range diffGuideMap(guide, m) {
		seen[d.Key] = true
		if _, ok := allow[d.Key]; ok {
			continue
		}
		t.Errorf("%s %s: %q: %s", guide.Set, guide.Version, d.Key, d.Detail)
	}
	for k := range allow {
		if !seen[k] {
			t.Errorf("%s %s: allow-list entry %q matches no difference any more", guide.Set, guide.Version, k)
		}
	}
}

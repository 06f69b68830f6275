package guides

import (
	"sort"
	"strings"

	"github.com/edigate/edigate/x12"
)

// Set is a fixed collection of guides looked up by ST01 and version. It implements
// x12.Guides. A Set is built once and never changed, so it is safe for concurrent use.
type Set struct {
	guides []*x12.Guide
	// aliases maps "set/version" to a guide for versions a guide also answers to.
	aliases map[string]*x12.Guide
}

// Registry holds every guide edigate knows. Two guides share ST01 277 (X214 277CA and X212
// claim status); the version tells them apart.
var Registry = NewSet([]*x12.Guide{
	X222A1,
	X221A1,
	X214,
	X231A1,
	X279A1Request,
	X279A1Response,
	X212Request,
	X212Response,
}, map[string]*x12.Guide{
	// 999 senders often put the base guide id in GS08 without the A1 errata suffix; the
	// errata changed no structure the parser depends on.
	"999/005010X231": X231A1,
})

// NewSet builds a Set; a nil guide (a table not written yet) is skipped.
func NewSet(guides []*x12.Guide, aliases map[string]*x12.Guide) *Set {
	s := &Set{aliases: map[string]*x12.Guide{}}
	for _, g := range guides {
		if g != nil {
			s.guides = append(s.guides, g)
		}
	}
	for k, g := range aliases {
		if g != nil {
			s.aliases[k] = g
		}
	}
	return s
}

// Lookup returns the guide for ST01 set and version (ST03, or GS08 when ST03 is empty):
// an exact version match or a listed alias, else nil.
func (s *Set) Lookup(set, version string) *x12.Guide {
	for _, g := range s.guides {
		if g.Set == set && g.Version == version {
			return g
		}
	}
	return s.aliases[set+"/"+version]
}

// Versions lists the GS08 values the set has guides for (aliases included), sorted; it
// makes the Set an x12.VersionLister.
func (s *Set) Versions() []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, g := range s.guides {
		add(g.Version)
	}
	for k := range s.aliases {
		_, v, _ := strings.Cut(k, "/")
		add(v)
	}
	sort.Strings(out)
	return out
}

// All returns the guides in registration order. The slice is a copy; the guides are
// shared and must not be modified.
func (s *Set) All() []*x12.Guide {
	return append([]*x12.Guide(nil), s.guides...)
}

var (
	_ x12.Guides        = (*Set)(nil)
	_ x12.VersionLister = (*Set)(nil)
)

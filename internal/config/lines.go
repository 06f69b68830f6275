package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Source is a configuration file parsed as YAML nodes, beside the typed load through
// moov-io/base/config: the nodes know the line of every key and which keys the file sets
// at all, which the decoded struct cannot tell (an absent key and a zero value look alike).
type Source struct {
	Path string
	root *yaml.Node // the document's top mapping; nil for an empty file
}

// ParseSource reads and parses path. A YAML syntax error names the file and line.
func ParseSource(path string) (*Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	s := &Source{Path: path}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		s.root = doc.Content[0]
	}
	if s.root != nil && s.root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s:%d: the file must be a mapping of keys (data_dir: ..., payers: ...)", path, s.root.Line)
	}
	return s, nil
}

// pathPart is one step of a key path: a mapping key or, when index >= 0, a list element.
type pathPart struct {
	name  string
	index int
}

// splitKey turns "payers[1].telehealth.pos" into its steps; malformed indexes are kept
// as names so that they simply match nothing.
func splitKey(key string) []pathPart {
	var out []pathPart
	for _, seg := range strings.Split(key, ".") {
		name, rest, _ := strings.Cut(seg, "[")
		if name != "" {
			out = append(out, pathPart{name: name, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil {
				out = append(out, pathPart{name: "[" + rest, index: -1})
				break
			}
			out = append(out, pathPart{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

// lookup walks key down the nodes. It returns the deepest node found with the line that
// names it (a mapping key's own line, a list element's line) and whether the whole key
// was found.
func (s *Source) lookup(key string) (line int, found bool, n *yaml.Node) {
	if s == nil || s.root == nil {
		return 0, false, nil
	}
	n = s.root
	for _, p := range splitKey(key) {
		next, l := child(n, p)
		if next == nil {
			return line, false, n
		}
		n, line = next, l
	}
	return line, true, n
}

// child returns the node one step below n and the line that names it. Keys match without
// regard to case, as viper (under moov-io/base/config) matches them.
func child(n *yaml.Node, p pathPart) (*yaml.Node, int) {
	if p.index >= 0 {
		if n.Kind != yaml.SequenceNode || p.index >= len(n.Content) {
			return nil, 0
		}
		c := n.Content[p.index]
		return c, c.Line
	}
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, p.name) {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

// Line is the line of key in the file, or of the nearest enclosing key the file has (a
// missing practices[0].tax_id points at practices[0]); 0 when the file has neither.
func (s *Source) Line(key string) int {
	line, _, _ := s.lookup(key)
	return line
}

// Has reports whether the file sets key.
func (s *Source) Has(key string) bool {
	_, found, _ := s.lookup(key)
	return found
}

// UnknownKeys lists every key the file sets that Config has no field for, with its line
// and the nearest known name at that level as a suggestion. Map-valued keys
// (credential_modifiers, denial_map) take any key.
func (s *Source) UnknownKeys() []*Problem {
	if s == nil || s.root == nil {
		return nil
	}
	var out []*Problem
	s.walkUnknown(s.root, reflect.TypeFor[Config](), "", &out)
	return out
}

var durationType = reflect.TypeFor[time.Duration]()

func (s *Source) walkUnknown(n *yaml.Node, t reflect.Type, path string, out *[]*Problem) {
	switch {
	case t == durationType:
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := structKeys(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := joinKey(path, k.Value)
			ft, ok := fields[strings.ToLower(k.Value)]
			if !ok {
				names := make([]string, 0, len(fields))
				for name := range fields {
					names = append(names, name)
				}
				msg := "unknown key"
				if near := nearest(strings.ToLower(k.Value), names); near != "" {
					msg += fmt.Sprintf("; did you mean %s?", joinKey(path, near))
				}
				*out = append(*out, &Problem{Key: key, Message: msg, File: s.Path, Line: k.Line})
				continue
			}
			s.walkUnknown(v, ft, key, out)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			s.walkUnknown(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			s.walkUnknown(n.Content[i+1], t.Elem(), joinKey(path, n.Content[i].Value), out)
		}
	}
}

// structKeys maps the lower-cased mapstructure name of each field of t to its type.
func structKeys(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if name == "" || name == "-" {
			continue
		}
		m[strings.ToLower(name)] = f.Type
	}
	return m
}

func joinKey(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// nearest returns the candidate closest to s by edit distance when it is close enough to
// be a likely typo (a third of the name, at least 2 edits), else "".
func nearest(s string, candidates []string) string {
	sort.Strings(candidates) // ties resolve the same way every run
	best, bestD := "", max(2, len(s)/3)+1
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes: keys are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// decodeKey finds the key path a mapstructure decoding error names ('payers[0].appeal_days').
var decodeKey = regexp.MustCompile(`'([A-Za-z0-9_]+(?:\[\d+\])?(?:\.[A-Za-z0-9_]+(?:\[\d+\])?)*)'`)

// decodeProblems turns a decoding error from moov-io/base/config (a value of the wrong
// type) into problems that carry the key's line, one per line of the error text.
func (s *Source) decodeProblems(err error) []*Problem {
	var out []*Problem
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
		m := decodeKey.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		msg := strings.TrimSpace(strings.Replace(line, m[0], "", 1))
		if _, found, n := s.lookup(m[1]); found && n.Kind == yaml.ScalarNode {
			msg = fmt.Sprintf("%q: %s", n.Value, msg)
		}
		out = append(out, &Problem{Key: m[1], Message: msg, File: s.Path, Line: s.Line(m[1])})
	}
	return out
}

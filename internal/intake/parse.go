package intake

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// record is one record of an inbox file as sent: its 1-based number, the line it starts on
// and its original text (for rejected/), plus its JSON form (CSV rows are converted).
type record struct {
	num  int
	line int
	raw  []byte // original line(s)
	json []byte
}

// fileFormat is how a file's records are laid out, from its extension.
func fileFormat(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return "json"
	case ".ndjson", ".jsonl":
		return "ndjson"
	case ".csv":
		return "csv"
	}
	return ""
}

// errUnparseable marks a file that cannot be split into records at all.
type errUnparseable struct{ msg string }

func (e errUnparseable) Error() string { return e.msg }

func unparseable(format string, args ...any) error {
	return errUnparseable{fmt.Sprintf(format, args...)}
}

// utf8BOM is the byte-order mark some Windows tools write at the start of UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// splitRecords splits a file's content into records. A leading UTF-8 byte-order mark is
// dropped (it is not part of the first record); a NUL byte means binary content, which
// no JSON or CSV file has, so the file is refused whole instead of rejected line by line.
func splitRecords(name string, data []byte) ([]record, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, unparseable("binary content (a NUL byte at byte %d): an inbox file is UTF-8 text (JSON, NDJSON or CSV)", i+1)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	switch fileFormat(name) {
	case "json":
		return splitJSON(data)
	case "ndjson":
		return splitNDJSON(data), nil
	case "csv":
		return splitCSV(name, data)
	}
	return nil, unparseable("%q is not .json, .ndjson, .jsonl or .csv", filepath.Ext(name))
}

// splitJSON accepts one object or an array of objects. An array element that is not an
// object is still a record (rejected on its own); broken JSON syntax rejects the file,
// because after a syntax error no later record boundary can be trusted.
func splitJSON(data []byte) ([]record, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, unparseable("file is empty")
	}
	if trimmed[0] != '[' {
		if !json.Valid(trimmed) {
			return nil, unparseable("not valid JSON")
		}
		return []record{{num: 1, line: 1, raw: trimmed, json: trimmed}}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, unparseable("not valid JSON: %v", err)
	}
	var out []record
	for dec.More() {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, unparseable("not valid JSON after record %d: %v", len(out), err)
		}
		// InputOffset before Decode points at the separator; the line is where the value starts.
		line := 1 + bytes.Count(data[:start], []byte("\n"))
		if rest := data[start:]; len(rest) > 0 {
			skip := len(rest) - len(bytes.TrimLeft(rest, ", \t\r\n"))
			line += bytes.Count(rest[:skip], []byte("\n"))
		}
		out = append(out, record{num: len(out) + 1, line: line, raw: raw, json: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, unparseable("not valid JSON at the end: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, unparseable("not valid JSON: data after the array")
	}
	return out, nil
}

func splitNDJSON(data []byte) []record {
	var out []record
	line := 0
	for len(data) > 0 {
		line++
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		out = append(out, record{num: len(out) + 1, line: line, raw: l, json: l})
	}
	return out
}

// Record types.
const (
	typeSession       = "session"
	typeAuthorization = "authorization"
	typeClient        = "client"
)

// csvListColumns hold several values separated by ";" (or "|").
var csvListColumns = map[string]bool{
	"diagnoses": true, "service.modifiers": true, "codes": true,
}

// csvIntColumns are numbers in the JSON contract.
var csvIntColumns = map[string]bool{
	"minutes": true, "service.units": true, "units": true,
}

// csvType is the record type of a CSV file: the "type" column when present (every row must
// then name the same type), else the first of session/authorization/client the file name
// contains ("2026-11-18-sessions.csv").
func csvType(name string, header []string) (string, bool) {
	for _, h := range header {
		if h == "type" {
			return "", true
		}
	}
	base := strings.ToLower(filepath.Base(name))
	for _, t := range []string{typeAuthorization, typeSession, typeClient} {
		if strings.Contains(base, t) {
			return t, false
		}
	}
	return "", false
}

func splitCSV(name string, data []byte) ([]record, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 0 // every row as wide as the header
	header, err := r.Read()
	if err != nil {
		return nil, unparseable("no CSV header row: %v", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
		if header[i] == "" {
			return nil, unparseable("CSV header column %d is empty", i+1)
		}
	}
	fileType, hasTypeCol := csvType(name, header)
	if fileType == "" && !hasTypeCol {
		return nil, unparseable("CSV file names no record type: add a type column or put session, authorization or client in the file name")
	}
	var headerLine bytes.Buffer
	w := csv.NewWriter(&headerLine)
	w.Write(header)
	w.Flush()
	var out []record
	rowType := ""
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		num := len(out) + 1
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				out = append(out, record{num: num, line: pe.StartLine, raw: []byte(strings.Join(row, ","))})
				continue
			}
			return nil, unparseable("CSV row %d: %v", num, err)
		}
		line, _ := r.FieldPos(0)
		var buf bytes.Buffer
		buf.Write(headerLine.Bytes())
		rw := csv.NewWriter(&buf)
		rw.Write(row)
		rw.Flush()
		obj := map[string]any{}
		for i, h := range header {
			v := strings.TrimSpace(row[i])
			if h == "type" {
				if rowType == "" {
					rowType = v
				} else if v != rowType {
					return nil, unparseable("CSV row %d has type %q but the file holds %q records (one type per file)", num, v, rowType)
				}
			}
			if v == "" {
				continue
			}
			var val any = v
			switch {
			case csvListColumns[h]:
				parts := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '|' })
				for j := range parts {
					parts[j] = strings.TrimSpace(parts[j])
				}
				val = parts
			case csvIntColumns[h]:
				if n, err := strconv.Atoi(v); err == nil {
					val = n
				}
			}
			setPath(obj, strings.Split(h, "."), val)
		}
		if fileType != "" {
			if _, ok := obj["type"]; !ok {
				obj["type"] = fileType
			}
		}
		js, err := json.Marshal(obj)
		if err != nil {
			return nil, unparseable("CSV row %d: %v", num, err)
		}
		out = append(out, record{num: num, line: line, raw: buf.Bytes(), json: js})
	}
	return out, nil
}

// setPath sets obj[a][b][c] = v for the column "a.b.c".
func setPath(obj map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := obj[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[p] = next
		}
		obj = next
	}
	obj[path[len(path)-1]] = v
}

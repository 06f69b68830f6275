package web

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

// Raw segments of the files a claim travelled in, shown on demand from the claim page.
// Only the claim's own part of an 837P, 277CA or 835 is shown (those files carry other
// clients' claims too); a 999 says nothing about a client and is shown whole.

// maxRawFile bounds what the page reads: a file bigger than this is not a claim file.
const maxRawFile = 64 << 20

// findFile looks for a file the claim page lists under the data directory: an 837P waits
// in outbound/CH/ and moves to outbound/CH/sent/ once uploaded; responses are downloaded
// under inbound/CH/.
func (h *handler) findFile(kind, clearinghouse, name string) (string, error) {
	dir := h.d.Config.DataDir
	if dir == "" || name != filepath.Base(name) {
		return "", fs.ErrNotExist
	}
	if kind == "837P" {
		for _, p := range []string{filepath.Join(dir, "outbound", clearinghouse, name), filepath.Join(dir, "outbound", clearinghouse, "sent", name)} {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fs.ErrNotExist
	}
	var found string
	err := filepath.WalkDir(filepath.Join(dir, "inbound"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fs.SkipAll
		}
		if !d.IsDir() && d.Name() == name {
			found = p
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || found == "" {
		return "", fs.ErrNotExist
	}
	return found, nil
}

// claimSegments returns the segments of an X12 file that belong to a claim: from the HL
// that opens its loop (837P subscriber/patient, 277CA claim status) or its CLP (835) to
// the segment before the next one of the same kind or the SE. ok is false when the file
// is not X12 or does not mention the claim.
func claimSegments(kind string, data []byte, claimID string) (segs []string, ok bool) {
	data = bytes.TrimLeft(data, " \r\n\t")
	if len(data) < 106 || !bytes.HasPrefix(data, []byte("ISA")) {
		return nil, false
	}
	elem, term := data[3], data[105]
	var all []string
	for _, s := range bytes.Split(data, []byte{term}) {
		if s = bytes.TrimSpace(s); len(s) > 0 {
			all = append(all, string(s))
		}
	}
	if kind == "999" {
		return all, true
	}
	e := string(elem)
	var marker, open string
	switch kind {
	case "837P":
		marker, open = "CLM"+e+claimID+e, "HL"+e
	case "277CA":
		marker, open = "TRN"+e+"2"+e+claimID, "HL"+e
	case "835":
		marker, open = "CLP"+e+claimID+e, "CLP"+e
	default:
		return nil, false
	}
	at := -1
	for i, s := range all {
		if s == marker || len(s) > len(marker) && s[:len(marker)] == marker && (kind != "277CA" || s[len(marker)] == elem) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, false
	}
	start := at
	for start > 0 && !hasPrefix(all[start], open) {
		start--
	}
	end := at + 1
	for end < len(all) && !hasPrefix(all[end], open) && !hasPrefix(all[end], "SE"+e) {
		end++
	}
	return all[start:end], true
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

type rawPage struct {
	pageBase
	ClaimID string
	File    fileView
	Segs    []string
	Missing string
}

// claimFile shows the claim's segments of the n-th file its page lists (an index, so no
// file name appears in the URL).
func (h *handler) claimFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cp, err := h.claimView(r, id)
	if h.failed(w, r, err) {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(cp.Files) {
		http.NotFound(w, r)
		return
	}
	f := cp.Files[n-1]
	p := rawPage{pageBase: h.base(r, fmt.Sprintf("Claim %s in %s %s", id, f.Kind, f.Name), "claims"), ClaimID: id, File: f}
	path, err := h.findFile(f.Kind, cp.C.Clearinghouse, f.Name)
	if err != nil {
		p.Missing = "The file is no longer in the data directory (archived or removed)."
		h.render(w, "rawfile", &p)
		return
	}
	data, err := readLimited(path)
	if err != nil {
		h.fail(w, r, fmt.Errorf("claim %s file %d: %w", id, n, err))
		return
	}
	var ok bool
	if p.Segs, ok = claimSegments(f.Kind, data, id); !ok {
		p.Missing = "The claim was not found in this file."
	}
	h.render(w, "rawfile", &p)
}

func readLimited(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxRawFile+1))
	if err == nil && len(b) > maxRawFile {
		err = fmt.Errorf("larger than %d bytes: not a claim file", maxRawFile)
	}
	return b, err
}

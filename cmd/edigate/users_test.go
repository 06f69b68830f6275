package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// TestUsersVerbs: users add, list, set-role, disable and passwd manage the web users in
// the store (bcrypt hashes, passwords from standard input), refuse bad input with words,
// and each change is in the audit trail as the command line's.
func TestUsersVerbs(t *testing.T) {
	dir := t.TempDir()
	d := "--data=" + dir
	steps := []struct {
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"a long password\n", []string{"users", "add", "kim", "--role", "biller", d}, exitOK, "added kim as biller"},
		{"another password\n", []string{"users", "add", "kim", d}, exitInvalid, "exists"},
		{"short\n", []string{"users", "add", "lee", d}, exitUsage, "shorter than 8"},
		{"a long password\n", []string{"users", "add", "bad name", d}, exitUsage, "user name"},
		{"a long password\n", []string{"users", "add", "lee", "--role", "boss", d}, exitUsage, "unknown role"},
		{"", []string{"users", "set-role", "kim", "viewer", d}, exitOK, "set the role of kim to viewer"},
		{"", []string{"users", "set-role", "nobody", "viewer", d}, exitInvalid, "not found"},
		{"", []string{"users", "disable", "kim", d}, exitOK, "disabled user kim"},
		{"a new password\n", []string{"users", "passwd", "kim", d}, exitOK, "set a new password for kim"},
		{"", []string{"users", "passwd", "kim", d}, exitUsage, "standard input"},
	}
	for _, s := range steps {
		code, out, errOut := runCmd(t, s.stdin, s.args...)
		if code != s.code || !strings.Contains(out+errOut, s.out) {
			t.Errorf("%v: code %d, out %q %q; want %d and %q", s.args, code, out, errOut, s.code, s.out)
		}
	}
	code, out, _ := runCmd(t, "", "users", "list", d, "--json")
	var us []store.WebUser
	if code != exitOK || json.Unmarshal([]byte(out), &us) != nil || len(us) != 1 || us[0].Role != "viewer" || !us[0].Disabled {
		t.Fatalf("list: %d %s", code, out)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, _ := db.WebUser(context.Background(), "kim")
	if bcrypt.CompareHashAndPassword(u.Hash, []byte("a new password")) != nil {
		t.Error("kim's new password does not match the stored hash")
	}
	entries, total, _ := db.AuditPage(context.Background(), "", store.Page{})
	if total != 4 || entries[0].Source != "cli" || !strings.HasPrefix(entries[0].Who, "cli") || entries[3].Action != "added user kim as biller" {
		t.Errorf("audit = %d %+v", total, entries)
	}
}

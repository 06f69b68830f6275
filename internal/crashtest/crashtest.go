// Package crashtest holds what crash tests share: telling a child killed by SIGKILL from
// one that failed. The intake crash test
// (internal/intake) and the whole-pipeline SIGKILL harness (scripts/sigkill) use it.
package crashtest

import (
	"errors"
	"os/exec"
	"syscall"
)

// Killed reports whether a child ended by SIGKILL.
func Killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

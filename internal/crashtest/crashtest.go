// Package crashtest holds what crash tests share: running a child process and killing it
// (SIGKILL) at a chosen moment, and telling a kill from a failure. The intake crash test
// (internal/intake) and the whole-pipeline SIGKILL harness (scripts/sigkill) use it.
package crashtest

import (
	"errors"
	"os/exec"
	"syscall"
	"time"
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

// RunKilledAfter starts cmd and kills it (SIGKILL) after d unless it ended first; d <= 0
// lets it run to the end. It returns whether the kill was sent and cmd's end (Killed
// tells a kill).
func RunKilledAfter(cmd *exec.Cmd, d time.Duration) (sent bool, err error) {
	if err := cmd.Start(); err != nil {
		return false, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if d <= 0 {
		return false, <-done
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return false, err
	case <-t.C:
		_ = cmd.Process.Signal(syscall.SIGKILL)
		return true, <-done
	}
}

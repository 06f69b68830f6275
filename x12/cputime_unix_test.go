//go:build unix

package x12_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used. Benchmarks divide
// bytes by it as well as by wall time, because on a shared machine wall time counts the
// time other processes held the core and CPU time does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

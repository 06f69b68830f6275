//go:build !unix

package x12_test

import "time"

// processCPU is unknown here; benchmarks then report wall-clock throughput only.
func processCPU() time.Duration { return 0 }

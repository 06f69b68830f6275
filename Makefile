.PHONY: build test race vet bench bench-e2e bench-history fuzz sigkill instances scaling
build:
	go build -o edigate ./cmd/edigate
test:
	go test ./...
race:
	go test -race ./...
vet:
	go vet ./...
# Benchmarks: throughput numbers reported in README.md come from this target (a 1 GB 835
# streamed through `edigate x12 validate`, then posted with `edigate remit post` into a fresh
# SQLite store, then the Go benchmarks); see x12/PERFORMANCE.md.
bench:
	scripts/bench.sh | tee bench.out
# One instance end to end: 100,000 generated sessions from the inbox to recorded 837P files
# through `edigate run --once` (each step's time, sessions/s); BENCH_PG=postgres://... adds
# a PostgreSQL run. See README.md, Performance.
bench-e2e:
	scripts/bench-e2e.sh | tee bench-e2e.out

# One run with 100 new sessions and a 44,000-answer 271 on a 1,000,000-session store
# (built once and cached in the temp dir); see README, Performance, "On years of history".
bench-history:
	scripts/bench-history.sh | tee bench-history.out
# Every fuzz target of every package for FUZZTIME of fuzzing each (default 30s), counted
# from when the target starts fuzzing: the compile and the baseline coverage pass are not
# part of it (scripts/fuzz.sh; `go test -fuzztime` counts the baseline pass). A crasher is
# written to PKG/testdata/fuzz/FuzzX/ and from then on runs as a regression case in plain
# `go test`: commit it with the fix. Every target runs even when one fails; the target
# fails at the end if any did. FUZZ_PARALLEL (default 2) is the number of fuzzing workers,
# FUZZ_TARGETS a regexp of the targets to run.
FUZZTIME ?= 30s
FUZZ_PARALLEL ?= 2
fuzz:
	FUZZTIME=$(FUZZTIME) FUZZ_PARALLEL=$(FUZZ_PARALLEL) scripts/fuzz.sh
# Crash safety: >= 100 SIGKILLs at random points of intake, claims, upload, download and
# posting (KILLS=n to change), then the counts; non-zero exit on any violation.
sigkill:
	scripts/sigkill.sh
# Three edigate processes on one PostgreSQL, 10,000 sessions, one killed and restarted
# (scripts/instances.sh); and sessions/s with 1, 2 and 3 instances (scripts/scaling.sh).
instances:
	scripts/instances.sh
scaling:
	scripts/scaling.sh

.PHONY: build test race vet bench bench-e2e fuzz
build:
	go build -o edigate ./cmd/edigate
test:
	go test ./...
race:
	go test -race ./...
vet:
	go vet ./...
# Benchmarks: throughput numbers reported in README.md come from this target (a 1 GB 835
# streamed through `edigate x12 validate`, then the Go benchmarks); see x12/PERFORMANCE.md.
bench:
	scripts/bench.sh | tee bench.out
# One instance end to end: 100,000 generated sessions from the inbox to recorded 837P files
# through `edigate run --once` (each step's time, sessions/s); BENCH_PG=postgres://... adds
# a PostgreSQL run. See README.md, Performance.
bench-e2e:
	scripts/bench-e2e.sh | tee bench-e2e.out
# Every fuzz target, 20s each (go test -fuzz takes one target at a time).
fuzz:
	@grep -rho --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . >/dev/null || exit 0
	@for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
	  d=$$(dirname $$f); for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -c6-); do \
	    echo "== $$d $$t"; go test -run '^$$' -fuzz "^$$t$$" -fuzztime $${FUZZTIME:-20s} ./$$d || exit 1; done; done

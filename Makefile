.PHONY: build test race vet bench fuzz
build:
	go build -o edigate ./cmd/edigate
test:
	go test ./...
race:
	go test -race ./...
vet:
	go vet ./...
# Benchmarks: throughput numbers reported in README.md come from this target.
bench:
	go test -run '^$$' -bench . -benchmem ./... | tee bench.out
fuzz:
	for f in $$(grep -rl 'func Fuzz' --include='*_test.go' . | xargs -n1 dirname | sort -u); do \
	  go test -run '^$$' -fuzz . -fuzztime 20s $$f || exit 1; done

#!/usr/bin/env bash
# Performance check for edigate (issue 3, "Benchmarks"):
#  1. generates a large valid 835 (default 1024 MB) with fixtures.Write835 in a temp dir,
#  2. streams it through `edigate x12 validate` under /usr/bin/time -v and prints the
#     throughput (wall and per CPU-second) and the maximum resident memory,
#  3. posts the same file with `edigate remit post` into a fresh SQLite data folder under
#     /usr/bin/time -v and prints claims/s (wall and per CPU-second) and the maximum
#     resident memory (issue 16: >= 20,000 claims/s in < 100 MB for 1 GB),
#  4. with BENCH_MATCHED=1, posts the same file again into a SQLite data folder that holds
#     its claims (C1..Cn, filed; seeded by internal/store TestSeedBenchClaims, not timed):
#     the realistic case, each CLP moving a claim edigate built and adding to its sums,
#  5. runs the Go benchmarks of the packages that have them.
#
# Usage: scripts/bench.sh [SIZE_MB]
# Environment: BENCHTIME (go test -benchtime, default 5x), BENCH_COUNT (-count, default 1;
#              use 5 to compare before/after on a noisy machine; BenchmarkIntake100k alone
#              takes ~25 s per iteration),
#              BENCH_PKGS (packages to benchmark), BENCH_SKIP_GO=1 / BENCH_SKIP_FILE=1 /
#              BENCH_SKIP_POST=1 (no remit post run), BENCH_MATCHED=1 (also the matched post;
#              seeding the claims adds about a minute per GB).
# Targets: tokenizer >= 1000 MB/s, parse + validate >= 150 MB/s per core, 1 GB in < 100 MB RSS.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${1:-${BENCH_SIZE_MB:-1024}}
benchtime=${BENCHTIME:-5x}
count=${BENCH_COUNT:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/edigate-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# What /usr/bin/time -v printed: wall, user and system seconds, max RSS (KB); the start
# of the validate and post summaries below.
time_fields='
			/Elapsed \(wall clock\)/ {
				n = split($NF, p, ":"); wall = 0
				for (i = 1; i <= n; i++) wall = wall * 60 + p[i]
			}
			/User time \(seconds\)/   { user = $NF }
			/System time \(seconds\)/ { sys = $NF }
			/Maximum resident set size/ { rss = $NF }'
# The remit post summary: claims/s wall and per CPU-second, max RSS.
post_summary=$time_fields'
			END {
				printf "claims      %d\n", claims
				printf "wall        %.2f s   %.0f claims/s\n", wall, (wall > 0 ? claims / wall : 0)
				printf "cpu         %.2f s   %.0f claims per CPU-second (user %.2f + sys %.2f)\n", user + sys, (user + sys > 0 ? claims / (user + sys) : 0), user, sys
				printf "max RSS     %.1f MB\n", rss / 1024
			}'

if [[ "${BENCH_SKIP_FILE:-}" != 1 ]]; then
	echo "== building edigate"
	go build -o "$tmp/edigate" ./cmd/edigate

	# fixtures.Write835 writes about 275 bytes per claim (one CLP loop, two service lines).
	claims=$((size_mb * 1024 * 1024 / 275))
	echo "== generating a ${size_mb} MB 835 ($claims claims, 1000 per transaction set)"
	EDIGATE_GEN835_OUT="$tmp/big.835" EDIGATE_GEN835_CLAIMS="$claims" \
		go test ./x12 -run '^TestGenerate835File$' -count=1 >/dev/null
	bytes=$(stat -c %s "$tmp/big.835")

	echo "== edigate x12 validate ($((bytes / 1048576)) MiB file)"
	set +e
	/usr/bin/time -v "$tmp/edigate" x12 validate "$tmp/big.835" >"$tmp/validate.out" 2>"$tmp/time.out"
	rc=$?
	set -e
	head -n 3 "$tmp/validate.out"
	if [[ $rc -ne 0 ]]; then
		echo "validate exited $rc (want 0: the generated file is valid)" >&2
		cat "$tmp/time.out" >&2
		exit 1
	fi
	awk -v bytes="$bytes" "$time_fields"'
		END {
			mb = bytes / 1e6
			printf "file        %.1f MB\n", mb
			printf "wall        %.2f s   %.1f MB/s\n", wall, (wall > 0 ? mb / wall : 0)
			printf "cpu         %.2f s   %.1f MB/s per CPU-second (user %.2f + sys %.2f)\n", user + sys, (user + sys > 0 ? mb / (user + sys) : 0), user, sys
			printf "max RSS     %.1f MB\n", rss / 1024
		}' "$tmp/time.out"

	# post LABEL DATA: `edigate remit post` of the file into the data folder DATA under
	# /usr/bin/time -v, then claims/s and max RSS; the folder is removed afterwards.
	post() {
		local label=$1 data=$2 rc
		echo "== edigate remit post ($claims claims $label)"
		set +e
		/usr/bin/time -v "$tmp/edigate" remit post --data "$data" "$tmp/big.835" >"$tmp/post.out" 2>"$tmp/posttime.out"
		rc=$?
		set -e
		cat "$tmp/post.out"
		if [[ $rc -ne 0 ]]; then
			echo "remit post ($label) exited $rc" >&2
			cat "$tmp/posttime.out" >&2
			exit 1
		fi
		awk -v claims="$claims" "$post_summary" "$tmp/posttime.out"
		rm -rf "$data"
	}
	if [[ "${BENCH_SKIP_POST:-}" != 1 ]]; then
		post "into a fresh SQLite data folder" "$tmp/data"
		if [[ "${BENCH_MATCHED:-}" == 1 ]]; then
			echo "== seeding $claims filed claims (C1..C$claims) into a fresh SQLite data folder (not timed)"
			mkdir -p "$tmp/matched"
			EDIGATE_SEED_DB="$tmp/matched/edigate.db" EDIGATE_SEED_CLAIMS="$claims" \
				go test ./internal/store -run '^TestSeedBenchClaims$' -count=1 -timeout 1h >/dev/null
			post "against the claims they pay" "$tmp/matched"
		fi
	fi
fi

if [[ "${BENCH_SKIP_GO:-}" != 1 ]]; then
	pkgs=${BENCH_PKGS:-"./x12 ./x12/guides ./claims ./internal/intake ./internal/store ./remit ./eligibility"}
	have=()
	for p in $pkgs; do
		if [[ -d "$p" ]] && grep -qs '^func Benchmark' "$p"/*_test.go; then
			have+=("$p")
		fi
	done
	echo "== go test -run '^\$' -bench . -benchmem -benchtime=$benchtime -count=$count ${have[*]}"
	go test -run '^$' -bench . -benchmem -benchtime="$benchtime" -count="$count" "${have[@]}"
fi

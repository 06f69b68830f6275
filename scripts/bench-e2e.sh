#!/usr/bin/env bash
# End-to-end throughput of one instance, as a user runs it (issue 15, "Claims at intake
# speed"): a generated batch of sessions (default 100,000 over 20,000 clients, five each
# on average, with their authorizations) dropped into the inbox of a fresh data folder,
# then `edigate run --once` of the real binary. It prints each step's time (intake,
# eligibility, claims built and stored, 837P files written and recorded) and sessions/s
# from the first inbox file to the last 837P recorded.
#
# The configuration is the built-in one (the sessions' practice and payers) with the
# clearinghouse's SFTP pointed at a closed port: upload and download fail at once (their
# errors are expected and ignored), so the run measures intake through recorded 837P files
# and not the simulator's answers.
#
# Usage: scripts/bench-e2e.sh [SESSIONS]
# Environment: BENCH_CLIENTS (default SESSIONS/5), BENCH_PG=postgres://... to run on
#              PostgreSQL as well (a fresh schema of that database, dropped afterwards),
#              BENCH_SKIP_SQLITE=1, BENCH_KEEP=1 (keep the temp dir and print it),
#              BENCH_PROFILE=1 (a CPU profile of each run, cpu-NAME.pprof in the kept temp
#              dir: go tool pprof -top edigate cpu-sqlite.pprof),
#              BENCH_BIN=path of an edigate binary to measure instead of this tree's (an A/B
#              against another commit; one without the "claims stored" log shows the whole
#              claims step as "claims file").
set -euo pipefail
cd "$(dirname "$0")/.."

sessions=${1:-${BENCH_SESSIONS:-100000}}
clients=${BENCH_CLIENTS:-$((sessions / 5))}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/edigate-bench-e2e.XXXXXX")
[[ "${BENCH_PROFILE:-}" == 1 ]] && BENCH_KEEP=1
if [[ "${BENCH_KEEP:-}" == 1 ]]; then
	echo "== keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi

if [[ -n "${BENCH_BIN:-}" ]]; then
	cp "$BENCH_BIN" "$tmp/edigate"
else
	echo "== building edigate"
	go build -o "$tmp/edigate" ./cmd/edigate
fi

echo "== generating $sessions sessions over $clients clients"
EDIGATE_GENSESSIONS_OUT="$tmp/batch.ndjson" EDIGATE_GENSESSIONS_N="$sessions" EDIGATE_GENSESSIONS_CLIENTS="$clients" \
	go test ./fixtures -run '^TestGenerateSessionsFile$' -count=1 >/dev/null

. scripts/bench-config.sh
bench_config "$tmp/edigate" "$tmp"

# run NAME [EDIGATE_STORE]: one `run --once` on a fresh data folder, then the report.
run() {
	local name=$1 storeURL=${2:-} data="$tmp/data-$1"
	mkdir -p "$data/inbox"
	cp "$tmp/batch.ndjson" "$data/inbox/batch.ndjson.part"
	mv "$data/inbox/batch.ndjson.part" "$data/inbox/batch.ndjson"
	echo "== edigate run --once ($name)"
	local start end rc=0
	start=$(date +%s.%N)
	local profile=""
	[[ "${BENCH_PROFILE:-}" == 1 ]] && profile="$tmp/cpu-$name.pprof"
	EDIGATE_CPUPROFILE="$profile" EDIGATE_LOG_LEVEL=debug EDIGATE_STORE="$storeURL" /usr/bin/time -f '%e %U %S %M' -o "$tmp/time-$name" \
		"$tmp/edigate" run --once --config "$tmp/bench.yml" --data "$data" --log-format json \
		>"$tmp/out-$name" 2>"$tmp/log-$name" || rc=$?
	end=$(date +%s.%N)
	# Only the SFTP steps may fail (nothing listens on the configured port).
	if grep '"message":"job failed"' "$tmp/log-$name" | grep -v -E '"job":"(upload|download)"' >&2; then
		echo "$name: a step other than upload/download failed (exit $rc); log in $tmp/log-$name" >&2
		BENCH_KEEP=1
		trap - EXIT
		exit 1
	fi
	local files claims
	files=$(find "$data/outbound" -name '837P_*.x12' | wc -l)
	claims=$(find "$data/outbound" -name '837P_*.x12' -exec cat {} + | grep -o '~CLM\*' | wc -l || true)
	if [[ "$claims" -eq 0 ]]; then
		echo "$name: no claim reached an 837P file; log in $tmp/log-$name" >&2
		BENCH_KEEP=1
		trap - EXIT
		exit 1
	fi
	jq -r --arg n "$sessions" --arg claims "$claims" --arg files "$files" --arg wall "$(echo "$end - $start" | bc)" \
		--arg time "$(tail -n 1 "$tmp/time-$name")" -s '
		def secs(j): ([.[] | select(.message == "job done" and .job == j) | .took] | add // 0) / 1000;
		(secs("intake")) as $in | (secs("eligibility")) as $el | (secs("claims")) as $cl |
		(([.[] | select(.message == "claims stored") | .took] | add // 0) / 1000) as $st |
		($in + $el + $cl) as $tot |
		($time | split(" ")) as $t |
		"  intake        \($in * 100 | round / 100) s",
		"  eligibility   \($el * 100 | round / 100) s",
		"  claims build  \($st * 100 | round / 100) s (built, scrubbed, stored)",
		"  claims file   \(($cl - $st) * 100 | round / 100) s (\($files) 837P files, \($claims) claims, recorded)",
		"  inbox -> 837P \($tot * 100 | round / 100) s: \(($n | tonumber) / $tot | round) sessions/s",
		"  whole run     \($wall | tonumber * 10 | round / 10) s wall, \(($t[1] | tonumber) + ($t[2] | tonumber) | . * 10 | round / 10) CPU-s, \(($t[3] | tonumber) / 1024 | round) MB max RSS"
		' < <(grep '^{' "$tmp/log-$name")
}

if [[ "${BENCH_SKIP_SQLITE:-}" != 1 ]]; then
	run sqlite
fi
if [[ -n "${BENCH_PG:-}" ]]; then
	schema="bench_$$_$RANDOM"
	psql -q "$BENCH_PG" -c "CREATE SCHEMA $schema"
	trap 'psql -q "$BENCH_PG" -c "DROP SCHEMA IF EXISTS '"$schema"' CASCADE" >/dev/null 2>&1; [[ "${BENCH_KEEP:-}" == 1 ]] || rm -rf "$tmp"' EXIT
	sep='?'
	[[ "$BENCH_PG" == *'?'* ]] && sep='&'
	run postgres "$BENCH_PG${sep}search_path=$schema"
fi

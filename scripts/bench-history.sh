#!/usr/bin/env bash
# What a run costs on top of years of history (issue 15, "Cost follows the new work, not
# the history"): a SQLite store holding SESSIONS sessions (default 1,000,000) with their
# claims (paid, denied, closed), events, eligibility answers, authorizations and
# remittances, then
#   1. BENCH_NEW new sessions (default 100) dropped into the inbox of one `edigate run
#      --once` of the real binary: each step's time from the JSON log (intake, eligibility
#      and claims are the goal's: under 2 s together), and the run's CPU seconds;
#   2. a 271 answering about BENCH_271 inquiries (default 44,000) applied with `edigate
#      eligibility apply`: its time and CPU seconds (goal: under 10 s).
#
# The history is built in two parts, in seconds to minutes: BENCH_BASE sessions (default
# 10,000) go through a real `run --once`, the simulator answers its 270 and 837P (999,
# 277CA, 835s, 271; internal/sim TestAnswerFiles) and `eligibility apply` / `remit post`
# apply them; then scripts/bench-history.sql copies that practice SESSIONS/BASE times
# back in weekly steps with set-based SQL. The store is cached in the temp dir (keyed by
# sizes and the SQL's hash; BENCH_CACHE=0 rebuilds it); each measurement works on a copy.
#
# The configuration is bench-e2e.sh's: built-in, simulator off, SFTP at a closed port
# (upload and download fail at once), claims.wait_for_eligibility 0s.
#
# Usage: scripts/bench-history.sh [SESSIONS]
# Environment: BENCH_BASE, BENCH_NEW, BENCH_271 (0 skips the 271), BENCH_KEEP=1 (keep
#              the work dir), BENCH_PROFILE=1 (CPU profiles: cpu-run.pprof, cpu-271.pprof),
#              BENCH_BIN=an edigate binary to measure instead of this tree's.
set -euo pipefail
cd "$(dirname "$0")/.."

sessions=${1:-${BENCH_SESSIONS:-1000000}}
base=${BENCH_BASE:-10000}
new=${BENCH_NEW:-100}
n271=${BENCH_271:-44000}
copies=$(((sessions + base - 1) / base))
repo=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/edigate-bench-history.XXXXXX")
[[ "${BENCH_PROFILE:-}" == 1 ]] && BENCH_KEEP=1
if [[ "${BENCH_KEEP:-}" == 1 ]]; then
	echo "== keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi
timed() { /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@"; }
report_time() { tail -n 1 "$tmp/time" | awk '{printf "%.1f s wall, %.1f CPU-s (%.1f user %.1f sys), %d MB max RSS\n", $1, $2 + $3, $2, $3, $4 / 1024}'; }

if [[ -n "${BENCH_BIN:-}" ]]; then
	cp "$BENCH_BIN" "$tmp/edigate"
else
	echo "== building edigate"
	go build -o "$tmp/edigate" ./cmd/edigate
fi
bin=$tmp/edigate
. scripts/bench-config.sh
bench_config "$bin" "$tmp"
# The 271 measurement's inquiries must stay unanswered by claims: the default wait.
grep -v '^  wait_for_eligibility: 0s' "$tmp/bench.yml" >"$tmp/wait.yml"
"$bin" config check --config "$tmp/wait.yml" -q >/dev/null

# gen FILE N CLIENTS SEED: an inbox batch (fixtures.WriteSessionsClients).
gen() {
	EDIGATE_GENSESSIONS_OUT="$1" EDIGATE_GENSESSIONS_N="$2" EDIGATE_GENSESSIONS_CLIENTS="$3" EDIGATE_GENSESSIONS_SEED="$4" \
		go test ./fixtures -run '^TestGenerateSessionsFile$' -count=1 >/dev/null
}

# once NAME CONFIG DATA: one `run --once`; only the SFTP steps may fail (nothing listens).
once() {
	local name=$1 cfg=$2 data=$3 profile=""
	[[ "${BENCH_PROFILE:-}" == 1 ]] && profile="$tmp/cpu-$name.pprof"
	EDIGATE_CPUPROFILE="$profile" EDIGATE_LOG_LEVEL=debug timed "$bin" run --once --config "$cfg" --data "$data" --log-format json \
		>"$tmp/out-$name" 2>"$tmp/log-$name" || true
	if grep '"message":"job failed"' "$tmp/log-$name" | grep -v -E '"job":"(upload|download)"' >&2; then
		echo "$name: a step other than upload/download failed; log in $tmp/log-$name" >&2
		trap - EXIT
		exit 1
	fi
}

# answer DATA OUT: the simulator's answers to every outbound file of DATA, into OUT.
answer() {
	mkdir -p "$2"
	EDIGATE_SIM_ANSWER_IN="$(find "$1/outbound" -name '*.x12' | sort)" EDIGATE_SIM_ANSWER_OUT="$2" \
		go test ./internal/sim -run '^TestAnswerFiles$' -count=1 >/dev/null
}

sqlhash=$(sha256sum scripts/bench-history.sql | cut -c1-12)
cache="${TMPDIR:-/tmp}/edigate-history-$sessions-$base-$sqlhash.db"
if [[ -f "$cache" && "${BENCH_CACHE:-}" != 0 ]]; then
	echo "== history store cached: $cache"
else
	echo "== history: $base sessions through run --once and the simulator's answers"
	t0=$(date +%s)
	gen "$tmp/base.ndjson" "$base" $((base / 5)) 1
	mkdir -p "$tmp/base/inbox"
	cp "$tmp/base.ndjson" "$tmp/base/inbox/base.ndjson"
	once base "$tmp/bench.yml" "$tmp/base"
	answer "$tmp/base" "$tmp/base-answers"
	"$bin" eligibility apply --config "$tmp/bench.yml" --data "$tmp/base" "$tmp"/base-answers/*.271 >/dev/null
	"$bin" remit post --config "$tmp/bench.yml" --data "$tmp/base" "$tmp"/base-answers/*.999 "$tmp"/base-answers/*.277 \
		"$tmp"/base-answers/*.835 >/dev/null
	sqlite3 "$tmp/base/edigate.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	echo "== history: $copies copies of it, a week apart (scripts/bench-history.sql)"
	cp "$tmp/base/edigate.db" "$cache.tmp"
	sqlite3 -cmd ".parameter set @copies $copies" "$cache.tmp" <scripts/bench-history.sql >/dev/null
	mv "$cache.tmp" "$cache"
	echo "   built in $(($(date +%s) - t0)) s: $cache ($(du -h "$cache" | cut -f1))"
fi
sqlite3 "$cache" "SELECT '   sessions ' || (SELECT COUNT(*) FROM sessions) || ', claims ' || (SELECT COUNT(*) FROM claims)
	|| ', events ' || (SELECT COUNT(*) FROM events) || ', eligibility checks ' || (SELECT COUNT(*) FROM eligibility_checks)
	|| ', authorizations ' || (SELECT COUNT(*) FROM authorizations)"

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== run --once with $new new sessions on that history"
mkdir -p "$tmp/run/inbox"
cp "$cache" "$tmp/run/edigate.db"
gen "$tmp/new.ndjson" "$new" $((new / 5 > 0 ? new / 5 : 1)) 2
cp "$tmp/new.ndjson" "$tmp/run/inbox/new.ndjson"
# The copy's gigabytes are written back now, not in the run's first fsync of the store.
sync
once run "$tmp/bench.yml" "$tmp/run"
echo "   whole run: $(report_time)"
jq -r -s '
	. as $all |
	def secs(j): ([$all[] | select(.message == "job done" and .job == j) | .took] | add // 0) / 1000;
	([.[] | select(.message == "job done") | .job] | unique) as $jobs |
	(secs("intake") + secs("eligibility") + secs("claims")) as $goal |
	($jobs[] as $j | "   \($j) \(secs($j) * 1000 | round / 1000) s"),
	"   intake + eligibility + claims: \($goal * 1000 | round / 1000) s (goal < 2 s)"
	' < <(grep '^{' "$tmp/log-run")
claims=$(find "$tmp/run/outbound" -name '837P_*.x12' -exec cat {} + | grep -o '~CLM\*' | wc -l || true)
echo "   $claims claims in the 837P, $(sqlite3 "$tmp/run/edigate.db" "SELECT COUNT(*) FROM eligibility_checks WHERE state = 'requested'") inquiries requested"

if [[ "$n271" -gt 0 ]]; then
	echo "== a 271 of about $n271 answers on that history"
	mkdir -p "$tmp/elig/inbox"
	cp "$cache" "$tmp/elig/edigate.db"
	# A (member, date of service) is one inquiry: sessions over as many clients as answers
	# wanted, a little over one each, give about that many inquiries.
	gen "$tmp/elig.ndjson" $((n271 * 11 / 10)) "$n271" 3
	cp "$tmp/elig.ndjson" "$tmp/elig/inbox/elig.ndjson"
	once elig "$tmp/wait.yml" "$tmp/elig"
	find "$tmp/elig/outbound" -name '837P_*' -delete
	answer "$tmp/elig" "$tmp/elig-answers"
	answers=$(cat "$tmp"/elig-answers/*.271 | grep -o 'TRN\*2\*' | wc -l)
	profile=""
	[[ "${BENCH_PROFILE:-}" == 1 ]] && profile="$tmp/cpu-271.pprof"
	echo "   load: $(cut -d' ' -f1-3 /proc/loadavg)"
	EDIGATE_CPUPROFILE="$profile" timed "$bin" eligibility apply --config "$tmp/wait.yml" --data "$tmp/elig" "$tmp"/elig-answers/*.271 >"$tmp/out-271"
	echo "   eligibility apply, $answers answers ($(tail -n 1 "$tmp/out-271")): $(report_time) (goal < 10 s)"
fi

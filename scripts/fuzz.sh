#!/usr/bin/env bash
# Every fuzz target of every package for FUZZTIME of fuzzing each (issue 16), then a
# table: target, warm-up, fuzzing time, executions, result.
#
# `go test -fuzz -fuzztime 30s` counts from before the baseline coverage pass (every seed
# and cached input run once with coverage) and a busy machine spends seconds starting
# the workers, so a target with a large corpus or slow inputs fuzzed well under 30 s; the
# compile was not counted but took minutes on a loaded machine. Here each target's test
# binary is built first (`go test -c -fuzz`), run from its package folder with the
# go command's cache, and stopped with SIGINT (which ends fuzzing with PASS) FUZZTIME
# after it reports "now fuzzing". A crasher ends it at once: it is written to
# PKG/testdata/fuzz/FuzzX/ and runs as a regression in plain `go test` from then on
# (commit it with the fix; nothing here deletes it). Every target runs even when one
# fails; the script exits 1 if any did.
#
# Environment: FUZZTIME (default 30s; Ns or Nm), FUZZ_PARALLEL (workers, default 2),
# FUZZ_TARGETS (a regexp of target names to run, default all).
set -uo pipefail
set -m # background jobs in their own process group, with SIGINT not ignored
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
case $fuzztime in
*m) secs=$((${fuzztime%m} * 60)) ;;
*s) secs=${fuzztime%s} ;;
*) secs=$fuzztime ;;
esac
par=${FUZZ_PARALLEL:-2}
only=${FUZZ_TARGETS:-.}
cache="$(go env GOCACHE)/fuzz"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/edigate-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failed=()
rows=()
for f in $(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do
	d=$(dirname "$f")
	pkg=$(go list "$d")
	for t in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -c6-); do
		[[ $t =~ $only ]] || continue
		echo "== $pkg $t ($secs s of fuzzing)"
		bin="$tmp/$t.test"
		if ! go test -c -fuzz "^$t\$" -o "$bin" "$d"; then
			failed+=("$d:$t(build)")
			continue
		fi
		log="$tmp/$t.log"
		# A hard limit well past FUZZTIME in case the warm-up never ends.
		(cd "$d" && exec "$bin" -test.run='^$' -test.fuzz="^$t\$" -test.fuzztime="$((secs * 10 + 600))s" \
			-test.parallel="$par" -test.fuzzcachedir="$cache/$pkg") >"$log" 2>&1 &
		pid=$!
		t0=$(date +%s)
		while kill -0 "$pid" 2>/dev/null && ! grep -q 'now fuzzing' "$log"; do sleep 0.2; done
		t1=$(date +%s)
		while kill -0 "$pid" 2>/dev/null && (($(date +%s) - t1 < secs)); do sleep 0.2; done
		kill -INT "$pid" 2>/dev/null
		wait "$pid"
		rc=$?
		t2=$(date +%s)
		cat "$log"
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		result=ok
		if ((rc != 0)) || grep -q '^--- FAIL' "$log"; then
			result=FAIL
			failed+=("$d:$t")
		fi
		rows+=("$(printf '%-45s %4ss %4ss %10s  %s' "$(basename "$pkg") $t" "$((t1 - t0))" "$((t2 - t1))" "${execs:-0}" "$result")")
	done
done
echo
printf '%-45s %5s %5s %10s  %s\n' "target" "warm" "fuzz" "execs" "result"
printf '%s\n' "${rows[@]}"
if ((${#failed[@]} > 0)); then
	echo "fuzz: crashers in ${failed[*]} (see testdata/fuzz/ of each package)"
	exit 1
fi
echo "fuzz: no crasher"

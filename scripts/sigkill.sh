#!/usr/bin/env bash
# SIGKILL harness (issue 16): builds the real edigate binary, runs intake, eligibility,
# claims, upload, download and posting with the built-in clearinghouse simulator
# (`edigate demo --once`), kills it with SIGKILL at random moments of each step in turn
# (KILLS, default 100; it prints kills planned, landed and missed per step),
# restarts it each time, lets the cycle finish and prints: sessions in vs stored, CLM01s in
# more than one 837P file, services billed on two claims, authorization units used vs held,
# 835 CLPs posted once, claims by state and PRAGMA integrity_check. Exits 1 on any
# violation (the data folder is kept and its path printed), 2 if the harness itself fails.
#
# Usage: scripts/sigkill.sh [extra flags of scripts/sigkill, e.g. -seed N -dir /tmp/x]
# Environment: KILLS (default 100), SESSIONS (default 1200), FILES (inbox files, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./scripts/sigkill -kills "${KILLS:-100}" -sessions "${SESSIONS:-1200}" -files "${FILES:-20}" "$@"

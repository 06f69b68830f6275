#!/usr/bin/env bash
# Scaling figure (issue 15): sessions per second from inbox to recorded 837P (intake ->
# claims -> file) with 1, 2 and 3 `edigate run` processes on one PostgreSQL database, one
# after the other in one sitting, each with its own data folder and a fresh schema; prints
# each rate and the ratios to one instance (TestScaling).
#
# Usage: scripts/scaling.sh [CLIENTS]   (default 1000 clients x 5 sessions = 5,000 sessions)
# Needs PostgreSQL at 127.0.0.1:5432 (EDIGATE_TEST_POSTGRES to point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
CI=true EDIGATE_SCALING_CLIENTS="$clients" go test ./internal/daemon -run '^TestScaling$' -count=1 -v -timeout 120m |
	tee /dev/stderr | grep '^SCALING' || true

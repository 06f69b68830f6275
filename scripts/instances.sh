#!/usr/bin/env bash
# The long multi-instance check (issue 15): three `edigate run` processes (the built binary)
# on one PostgreSQL database and one simulated clearinghouse (SFTP), 10,000 sessions
# (2,000 clients x 5, 3-visit authorizations), one instance SIGKILLed and restarted once
# claims are being filed, renewals arriving at two instances 0.1 s apart; with a data folder
# per instance and with one shared folder. Afterwards every session is billed once on one
# claim, every CLM01 is in one 837P and received once, units used equal sessions billed and
# every 835 claim is posted once (TestInstancesProcesses; `go test` runs it with 1,000).
#
# Usage: scripts/instances.sh [CLIENTS]   (default 2000; five sessions each)
# Needs PostgreSQL at 127.0.0.1:5432 (EDIGATE_TEST_POSTGRES to point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-2000}
CI=true EDIGATE_INSTANCES_CLIENTS="$clients" go test ./internal/daemon -run '^TestInstancesProcesses$' -count=1 -v -timeout 90m

#!/usr/bin/env bash
# Runs the four contract scenarios locally, the way the outside harness does: a ZooKeeper test server and a fault
# proxy with its control port (the runner's `serve-harness` mode stands in for the harness), then
#   ZkTypedState.Bench SCENARIO --connect H:P --proxied H:P --control H:P [--n N]
# for propagation, load, reconnect and expiry. Prints the four JSON result lines on stdout (runner diagnostics go
# to stderr). Exit status: the first failing scenario's, 0 when all four succeed.
#
#   bench/run-local.sh                      all four scenarios, contract defaults for N
#   bench/run-local.sh load reconnect       only these
#   N=1000 bench/run-local.sh propagation   override N for every scenario run
#
# Needs Java and the ZooKeeper jars (./build.sh installs them), and the .NET 10 SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[run-local] %s\n' "$*" >&2; }

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(propagation load reconnect expiry)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log "building bench/ZkTypedState.Bench (Release)"
dotnet build bench/ZkTypedState.Bench -c Release -nologo -v quiet >&2
runner=(dotnet bench/ZkTypedState.Bench/bin/Release/net10.0/ZkTypedState.Bench.dll)

# The harness: its stdin is our coprocess pipe; closing it (or the trap's TERM) stops server and proxy.
coproc HARNESS { "${runner[@]}" serve-harness; }
harness_pid=$HARNESS_PID
stop_harness() {
  if [ -n "${HARNESS[1]:-}" ]; then exec {HARNESS[1]}>&-; fi
  if kill -0 "$harness_pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$harness_pid" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
}
trap stop_harness EXIT

addresses=""
if ! read -r -t 120 addresses <&"${HARNESS[0]}" || [ -z "$addresses" ]; then
  log "the harness did not print its addresses within 120 s"; exit 1
fi
log "harness: $addresses"
read -r -a endpoint_args <<<"$addresses"

status=0
for scenario in "${scenarios[@]}"; do
  extra=()
  [ -n "${N:-}" ] && extra=(--n "$N")
  log "scenario $scenario"
  rc=0
  "${runner[@]}" "$scenario" "${endpoint_args[@]}" "${extra[@]}" || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "scenario $scenario failed (exit $rc)"
    [ "$status" -ne 0 ] || status=$rc
  fi
done
exit "$status"

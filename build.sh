#!/usr/bin/env bash
# ZkTypedState build entry point.
#   ./build.sh demo [host:port]   install what is missing, then run the Quickstart demo: a [ZNode] value bound
#                                 into IOptionsMonitor, changing live and surviving a server restart
#                                 (starts a throwaway local ZooKeeper when no server is given)
#   ./build.sh test               install what is missing, build, run every test project and
#                                 print "N passed, N failed, N skipped" (exit non-zero on failure)
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '[build.sh] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    log "need root to run: $*"; exit 1; fi
}

# Installs the ZooKeeper server (Debian package: jars under /usr/share/java) and Java if missing.
# apt-get update runs at most once, and only when something has to be installed.
ensure_prerequisites() {
  local packages=()
  command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || packages+=(default-jre-headless)
  if [ -z "${ZOOKEEPER_HOME:-}" ] && [ ! -f /usr/share/java/zookeeper.jar ]; then packages+=(zookeeper); fi
  # Apache Curator (Java) for the LeaderLatch interop test, and javac to compile its small Java participant.
  local jar
  for jar in curator-recipes curator-framework curator-client guava slf4j-api; do
    if [ ! -f "/usr/share/java/$jar.jar" ]; then
      packages+=(libcurator-recipes-java libcurator-framework-java libcurator-client-java libguava-java libslf4j-java)
      break
    fi
  done
  command -v javac >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/javac" ] || packages+=(default-jdk-headless)
  # clang and zlib for the native AOT publish test (the ILCompiler links with them).
  command -v clang >/dev/null 2>&1 || packages+=(clang)
  dpkg -s zlib1g-dev >/dev/null 2>&1 || packages+=(zlib1g-dev)
  if [ ${#packages[@]} -gt 0 ]; then
    log "installing: ${packages[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    log "the .NET 10 SDK (dotnet) is required and was not found on PATH"; exit 1
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

run_demo() {
  ensure_prerequisites
  local args=()
  [ $# -gt 0 ] && args=(-- --connect "$1")
  dotnet run --project samples/Quickstart -c Release "${args[@]}"
}

run_tests() {
  ensure_prerequisites
  dotnet build ZkTypedState.sln -c Release -nologo -v quiet
  local out; out=$(mktemp)
  local started; started=$(date +%s)
  local status=0
  # One test project at a time (-m:1): the timing-sensitive fault tests get the 2 cores to themselves; every
  # project's summary line is summed below.
  dotnet test ZkTypedState.sln -c Release --no-build -nologo -v minimal -m:1 2>&1 | tee "$out" || status=$?
  local passed=0 failed=0 skipped=0 projects=0
  while read -r f p s; do
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s)); projects=$((projects + 1))
  done < <(sed -nE 's/.*(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+), +Skipped: +([0-9]+).*/\2 \3 \4/p' "$out")
  rm -f "$out"
  log "tests took $(( $(date +%s) - started )) s"
  if [ "$projects" -eq 0 ] && [ "$status" -ne 0 ]; then failed=$((failed + 1)); fi
  echo "${passed} passed, ${failed} failed, ${skipped} skipped"
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
}

case "${1:-}" in
  demo) shift; run_demo "$@" ;;
  test) run_tests ;;
  *) echo "usage: ./build.sh demo [host:port] | ./build.sh test" >&2; exit 2 ;;
esac

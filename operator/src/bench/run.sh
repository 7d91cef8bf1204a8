#!/usr/bin/env bash
# One benchmark (or all), printing its BENCH lines:  operator/src/bench/run.sh [Name|all] [smoke|full] [-Dbench.key=value ...]
# Names: ProxyOverhead SilentDispatch HeartbeatIngest HeartbeatIngestOnRealApi Propagation OperatorScale OperatorScaleOnRealApi Capacity
# ColdStart ColdStartOnRealApi.
# The name selects exactly the class <Name>Benchmark; see docs/benchmarks.md.
set -euo pipefail
name="${1:-all}"
scale="${2:-smoke}"
shift $(( $# > 2 ? 2 : $# ))
root="$(cd "$(dirname "$0")/../../.." && pwd)"
# nginx is the reference proxy of ProxyOverhead and SilentDispatch and the agent of Capacity; wrk drives ProxyOverhead,
# HeartbeatIngest* and Capacity.
if [[ "$name" =~ ^(all|ProxyOverhead|SilentDispatch|HeartbeatIngest|HeartbeatIngestOnRealApi|Capacity)$ ]] && ! { command -v wrk && command -v nginx; } >/dev/null; then
  echo "installing wrk and nginx-light (Debian) for $name" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk nginx-light >/dev/null
fi
echo "BENCH machine date=$(date -u +%FT%TZ) nproc=$(nproc) memTotalMiB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 )) ulimitN=$(ulimit -n) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
pattern="$name"; [[ "$name" == all ]] && pattern="*"
cd "$root"
# BENCH lines are the figures; CHILD lines, a child process's output a benchmark prints when it fails.
./mvnw -q -pl operator -am -Pbench test -Dbench="$pattern" -Dbench.scale="$scale" "$@" 2>&1 | grep --line-buffered -E '^BENCH|^CHILD |ERROR|FAIL|Tests run' || true
exit "${PIPESTATUS[0]}"

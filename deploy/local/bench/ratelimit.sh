#!/usr/bin/env bash
# ./dialectica bench ratelimit — two claude-worker replicas (ports 8085 and 8095, the packaged
# claude-worker/target/quarkus-app) share one limit of 600 requests/min in Redis and drain a backlog of
# GenerationRequests published straight to this run's requests topic (6 partitions), against a private
# stand-in of the Messages API with a fixed latency. Reports the achieved request rate as a share of the
# limit (steady part), the worst 1-s and 60-s windows against the limit (the stand-in's own per-second
# counts, GET /stats) and the jobs' latency overhead over the stand-in's latency.
# Needs Kafka and Redis (./dialectica up or ./dialectica start kafka redis); graph-service and the gateway
# are used for the context when they are up, else a stub of graph-service's read API answers.
# Prints a table, appends it to docs/benchmarks.md, and ends with one line:
#   ratelimit utilisation=<0..1> max_window_ratio=<x>
#
# Settings (environment): BENCH_JOBS (900), BENCH_LIMIT (600 requests/min), BENCH_LATENCY_MS (500),
# BENCH_CONCURRENCY (16 per replica), BENCH_WORKER_PORTS (8085,8095), BENCH_EDGE_SECONDS (5),
# BENCH_RECORD (1; 0 = do not append to docs/benchmarks.md). The code: deploy/local/bench/RateLimitBench.java.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
die() { echo "bench ratelimit: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
. "$ROOT/deploy/local/lib/pipes.sh"

port_open 19092 || die "Kafka (127.0.0.1:19092) is not running: ./dialectica up (or ./dialectica start kafka)"
port_open 16379 || die "Redis (127.0.0.1:16379) is not running: ./dialectica up (or ./dialectica start redis)"

. "$ROOT/deploy/local/lib/java.sh"
find_jdk

# the packaged worker and the stand-in, built when missing
WORKER_JAR="$ROOT/claude-worker/target/quarkus-app/quarkus-run.jar"
STANDIN_CLASS="$ROOT/deploy/local/claude-standin/target/classes/io/dialectica/local/standin/ClaudeStandIn.class"
if [[ ! -f "$WORKER_JAR" || ! -f "$STANDIN_CLASS" || ! -d "$ROOT/deploy/local/claude-standin/target/lib" ]]; then
  mkdir -p "$ROOT/.local/logs"
  echo "bench ratelimit: building claude-worker and the stand-in (log: .local/logs/bench-build.log) ..." >&2
  (cd "$ROOT" && ./mvnw -B -q install -DskipTests -pl claude-worker,deploy/local/claude-standin -am) \
    >"$ROOT/.local/logs/bench-build.log" 2>&1 || { tail -n 30 "$ROOT/.local/logs/bench-build.log" >&2; die "build failed"; }
fi

# the worker ports: the stack's own claude-worker (8085) makes way for the run and comes back afterwards
IFS=',' read -r -a PORTS <<<"${BENCH_WORKER_PORTS:-8085,8095}"
RESTART_WORKER=0
for port in "${PORTS[@]}"; do
  if port_open "$port"; then
    if [[ "$port" == 8085 ]] && "$ROOT/dialectica" status 2>/dev/null | has_match '^claude-worker +up'; then
      RESTART_WORKER=1
    else
      die "port $port is in use (BENCH_WORKER_PORTS chooses others)"
    fi
  fi
done
RESULT_FILE="$(mktemp)"
finish() {
  rm -f "$RESULT_FILE"
  if [[ $RESTART_WORKER -eq 1 ]]; then
    "$ROOT/dialectica" start claude-worker >/dev/null 2>&1 \
      || echo "bench ratelimit: restart the stack's worker: ./dialectica start claude-worker" >&2
  fi
}
trap finish EXIT
if [[ $RESTART_WORKER -eq 1 ]]; then
  echo "bench ratelimit: stopping the stack's claude-worker for the run (restarted afterwards)" >&2
  "$ROOT/dialectica" stop claude-worker >/dev/null
fi

export BENCH_TOKEN BENCH_RESULT_FILE="$RESULT_FILE" DIALECTICA_ROOT="$ROOT"
BENCH_TOKEN="$("$ROOT/dialectica" token "bench-ratelimit-$(date +%s)" 2>/dev/null || true)"
CP="$ROOT/claude-worker/target/quarkus-app/lib/main/*:$ROOT/claude-worker/target/quarkus-app/lib/boot/*"
rc=0
"$JAVA" -Xmx512m -cp "$CP" "$ROOT/deploy/local/bench/RateLimitBench.java" || rc=$?
[[ -s "$RESULT_FILE" ]] || die "no result (exit $rc); logs: .local/logs/bench-ratelimit-*.log"

if [[ "${BENCH_RECORD:-1}" != 0 && -d "$ROOT/docs" ]]; then
  {
    echo
    echo "### ratelimit — $(date -u +%Y-%m-%dT%H:%MZ), $(sed -n 's/^MACHINE //p' "$RESULT_FILE")"
    echo
    echo "${BENCH_JOBS:-900} jobs, limit ${BENCH_LIMIT:-600}/min, stand-in latency ${BENCH_LATENCY_MS:-500} ms, workers on ${PORTS[*]}."
    echo
    sed -n '/^|/p' "$RESULT_FILE"
    echo
    echo "Requests per second at the stand-in, first to last second: $(sed -n 's/^PERSECOND //p' "$RESULT_FILE")"
    echo
    echo "\`$(tail -n 1 "$RESULT_FILE")\`"
  } >> "$ROOT/docs/benchmarks.md"
fi
exit $rc

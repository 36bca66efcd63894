#!/usr/bin/env bash
# ./dialectica bench freshness — commit → visible latency in Neo4j and in the search index at fixed open-loop
# write rates, against the capture floor (commit → received by the cdc-connector) of the same run; then the
# projectors' sustained throughput for a bulk load; then a convergence check of everything it wrote.
# Needs `./dialectica up`. Prints a table, appends it to docs/benchmarks.md, and ends with one line:
#   freshness p99_ms=<n> rate=<r>      (the highest rate sustained, and the worse of its two p99s; with several
#                                       replica counts (BENCH_REPLICAS, default "1 2"), the worse over all of them)
#
# Settings (environment): BENCH_RATES (100,500,1000), BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (5),
# BENCH_BULK_EVENTS (30000), BENCH_RECORD (1; 0 = do not append to docs/benchmarks.md), BENCH_WRITES (sql: straight
# into PostgreSQL in concept-service's transaction shape; api: through concept-service), BENCH_SQL_WRITERS (16),
# BENCH_SAMPLES_PER_SECOND (20: writes per second followed by the two token reads), BENCH_SETTLE_MAX_SECONDS (90:
# before each rate, wait at most this long until the projectors' consumer groups have caught up and the machine
# has been at most BENCH_QUIET_BUSY_PERCENT (50) busy for 3 s in a row),
# CONCEPT_URL (http://127.0.0.1:8081), GRAPH_URL (:8082), SEARCH_URL (:8083), CDC_URL (:8086).
# The method is described in docs/benchmarks.md; the code is e2e-tests/src/main/java/io/dialectica/e2e/bench.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
die() { echo "bench freshness: $*" >&2; exit 1; }

for svc in "concept-service ${CONCEPT_URL:-http://127.0.0.1:8081}" "graph-service ${GRAPH_URL:-http://127.0.0.1:8082}" \
           "search-service ${SEARCH_URL:-http://127.0.0.1:8083}" "cdc-connector ${CDC_URL:-http://127.0.0.1:8086}"; do
  read -r name url <<<"$svc"
  curl -fsS -m 5 -o /dev/null "$url/q/health/ready" 2>/dev/null || die "$name at $url is not ready: run ./dialectica up"
done

. "$ROOT/deploy/local/lib/java.sh"
find_jdk
e2e_classes io/dialectica/e2e/bench/FreshnessBench

export BENCH_TOKEN
BENCH_TOKEN="$("$ROOT/dialectica" token "bench-fresh-$(date +%s)")"
export DIALECTICA_ROOT="$ROOT"
. "$ROOT/deploy/local/lib/pipes.sh"

# BENCH_REPLICAS: the projector replica counts to measure, in this run, one after the other (default "1 2"):
# for 2, graph-service-2 and search-service-2 join their consumer groups (./dialectica start) for that part
# and are stopped after it; token reads go to the replicas in turn, and the applied counters are summed over them
started_replicas=()
stop_replicas() {
  local r
  for r in "${started_replicas[@]}"; do "$ROOT/dialectica" stop "$r" >/dev/null 2>&1 || true; done
  started_replicas=()
}
trap stop_replicas EXIT
trap 'exit 143' TERM INT
lines=()
for replicas in ${BENCH_REPLICAS:-1 2}; do
  if [[ "$replicas" -gt 1 ]]; then
    for n in $(seq 2 "$replicas"); do
      for svc in graph-service search-service; do
        if ! "$ROOT/dialectica" status 2>/dev/null | has_match "^$svc-$n +up"; then
          "$ROOT/dialectica" start "$svc-$n" >&2 || die "could not start $svc-$n"
          started_replicas+=("$svc-$n")
        fi
      done
    done
    sleep 5   # the consumer groups rebalance onto the new members before the first measured write
  fi
  out="$(mktemp)"
  extra_graph="" extra_search=""
  for n in $(seq 2 "$replicas"); do
    extra_graph+="${extra_graph:+,}http://127.0.0.1:$((8082 + 100 * (n - 1)))"
    extra_search+="${extra_search:+,}http://127.0.0.1:$((8083 + 100 * (n - 1)))"
  done
  BENCH_EXTRA_GRAPH_URLS="$extra_graph" BENCH_EXTRA_SEARCH_URLS="$extra_search" \
    BENCH_LABEL="$replicas replica(s) of each projector" "$JAVA" -Xmx512m -cp "$CLASSES:$LIB/*" io.dialectica.e2e.bench.FreshnessBench | tee "$out"
  lines+=("$(grep '^freshness ' "$out" | tail -n 1) replicas=$replicas")
  rm -f "$out"
  stop_replicas
done
printf '%s\n' "${lines[@]}" >&2
# the last line: the worse p99 and the lower sustained rate over every replica count measured
printf '%s\n' "${lines[@]}" | awk '
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    p = v["p99_ms"]; r = v["rate"] + 0
    if (p != "-" && (worst == "" || p + 0 > worst)) worst = p + 0
    if (n == 0 || r < rate) rate = r
    if (v["at"] != "") at = v["at"]; delete v; n++ }
  END { printf "freshness p99_ms=%s rate=%d%s\n", (worst == "" ? "-" : worst), rate, (rate == 0 && at != "" ? " at=" at : "") }'

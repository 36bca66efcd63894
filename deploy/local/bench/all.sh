#!/usr/bin/env bash
# ./dialectica bench all — every benchmark, one after another, on the one running stack (./dialectica up),
# the way a reviewer checks them all: each prints its table as usual, and at the end the last line of
# each is repeated in one summary. Each benchmark leaves the stack as it found it (the gateway with its
# normal limit, the stack's own claude-worker, no backlog in the projections), so the order does not
# matter and the next one starts clean.
#
# Settings (environment): BENCH_ONLY (a comma-separated subset, e.g. api,writes), BENCH_SMOKE=1 (tiny
# durations and rates, nothing recorded in docs/benchmarks.md: proves that every benchmark runs, measures
# nothing; ./dialectica test runs it so), and each benchmark's own settings.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
BENCHES=(api writes ratelimit freshness embeddings cost)
[[ -n "${BENCH_ONLY:-}" ]] && IFS=',' read -r -a BENCHES <<<"$BENCH_ONLY"

if [[ "${BENCH_SMOKE:-0}" == 1 ]]; then
  export BENCH_RECORD=0
  # api
  export BENCH_DURATION="${BENCH_DURATION:-2s}" BENCH_WARMUP="${BENCH_WARMUP:-1s}" BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-4}"
  export BENCH_RATE="${BENCH_RATE:-20}" BENCH_OPEN_DURATION="${BENCH_OPEN_DURATION:-2}" BENCH_OPEN_CONNECTIONS="${BENCH_OPEN_CONNECTIONS:-4}"
  # writes
  export BENCH_WRITE_CONCURRENCY="${BENCH_WRITE_CONCURRENCY:-2,4}" BENCH_PGBENCH_SECONDS="${BENCH_PGBENCH_SECONDS:-2}"
  # ratelimit
  export BENCH_JOBS="${BENCH_JOBS:-20}" BENCH_LIMIT="${BENCH_LIMIT:-600}" BENCH_LATENCY_MS="${BENCH_LATENCY_MS:-50}" BENCH_EDGE_SECONDS="${BENCH_EDGE_SECONDS:-0}"
  # freshness
  export BENCH_RATES="${BENCH_RATES:-20}" BENCH_SECONDS="${BENCH_SECONDS:-3}" BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-1}"
  export BENCH_BULK_EVENTS="${BENCH_BULK_EVENTS:-500}" BENCH_SETTLE_MAX_SECONDS="${BENCH_SETTLE_MAX_SECONDS:-20}"
  # embeddings (also uses the freshness settings above; graph-service restarted without its start-up sweep)
  export BENCH_EMBED_TEXTS="${BENCH_EMBED_TEXTS:-64}" BENCH_EMBED_RATE="${BENCH_EMBED_RATE:-20}" BENCH_SWEEP="${BENCH_SWEEP:-0}"
fi

summary=() failed=0
for bench in "${BENCHES[@]}"; do
  script="$ROOT/deploy/local/bench/$bench.sh"
  if [[ ! -f "$script" ]]; then
    summary+=("$(printf '%-10s missing (%s)' "$bench" "${script#"$ROOT"/}")"); failed=1; continue
  fi
  echo "bench all: === $bench" >&2
  log="$(mktemp)"
  rc=0
  bash "$script" 2>&1 | tee "$log" || rc=$?
  last="$(grep -E "^$bench " "$log" | tail -n 1 || true)"
  rm -f "$log"
  if [[ $rc -ne 0 || -z "$last" ]]; then
    summary+=("$(printf '%-10s FAILED (exit %d)%s' "$bench" "$rc" "${last:+: $last}")"); failed=1
  else
    summary+=("$last")
  fi
done
echo
echo "bench all:"
printf '%s\n' "${summary[@]}"
exit "$failed"

#!/usr/bin/env bash
# ./dialectica bench cost — what the generation jobs cost, plain, with prompt caching, and as batch jobs (issue 17).
# The demo's workload scaled up (deploy/local/bench/CostBench.java): the demo's three concepts, per round 4
# theses jobs per concept (other counts and languages) and 7 syntheses (every pair in two modes, all three),
# a quarter of the conversations repaired once; run three times through the gateway on the running stack:
#   plain  — claude-worker without cache_control breakpoints (DIALECTICA_WORKER_PROMPT_CACHE_ENABLED=false)
#   cached — the prompt laid out for the cache, breakpoints after the stable parts (the default)
#   batch  — as cached, but every job with "priority": "batch", all requested at once: claude-worker collects them
#            into Message Batches (priced at half; repairs go into the next batch), the stand-in ends a batch 2 s
#            after it was created
# Both with the response cache off (every job calls the model) and the stand-in's prompt cache emptied
# first. Each job's usage and costUsd come from GET /api/jobs/{id} (claude-worker's price table applied to the
# usage the stand-in reports, which caches prefixes as the Messages API documents).
# Needs the stack up (./dialectica up) with the stand-in (no ANTHROPIC_API_KEY: the bench refuses to spend real
# money unless BENCH_REAL=1). The stack's claude-worker and claude-standin are restarted with the bench's
# settings and restarted with their own afterwards.
# Prints a table, appends it to docs/benchmarks.md (BENCH_RECORD=0: not), and ends with one line:
#   cost plain_usd=<n> cached_usd=<n> batch_usd=<n>
#
# Settings (environment): BENCH_ROUNDS (2; BENCH_SMOKE=1: 1), BENCH_FAULT_SHARE (0.25), BENCH_RECORD (1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
die() { echo "bench cost: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
. "$ROOT/deploy/local/lib/pipes.sh"

if [[ "${BENCH_SMOKE:-0}" == 1 ]]; then
  export BENCH_RECORD=0 BENCH_ROUNDS="${BENCH_ROUNDS:-1}"
fi
ROUNDS="${BENCH_ROUNDS:-2}"
SHARE="${BENCH_FAULT_SHARE:-0.25}"

port_open 8080 || die "the gateway (127.0.0.1:8080) is not running: ./dialectica up"
status="$("$ROOT/dialectica" status 2>/dev/null || true)"
for name in concept-service graph-service thesis-service claude-worker cdc-connector api-gateway; do
  has_match "^$name +up" <<<"$status" || die "$name is not running: ./dialectica up (or ./dialectica start $name)"
done
if ! has_match '^claude-standin +up' <<<"$status" && [[ "${BENCH_REAL:-0}" != 1 ]]; then
  die "claude-standin is not running (is ANTHROPIC_API_KEY set? this bench would spend real money: BENCH_REAL=1 to allow it)"
fi
STANDIN=1
has_match '^claude-standin +up' <<<"$status" || STANDIN=0

. "$ROOT/deploy/local/lib/java.sh"
find_jdk
CP="$ROOT/claude-worker/target/quarkus-app/lib/main/*:$ROOT/claude-worker/target/quarkus-app/lib/boot/*"
[[ -d "$ROOT/claude-worker/target/quarkus-app/lib/main" ]] || die "claude-worker is not built (./dialectica up)"

RESULT_FILE="$(mktemp)"; CONCEPTS_FILE="$(mktemp)"
restore() {
  local rc=$?
  echo "bench cost: restarting claude-worker and claude-standin with their own settings" >&2
  "$ROOT/dialectica" stop claude-worker >/dev/null 2>&1 || true
  if [[ $STANDIN -eq 1 ]]; then
    "$ROOT/dialectica" stop claude-standin >/dev/null 2>&1 || true
    "$ROOT/dialectica" start claude-standin >/dev/null 2>&1 || echo "bench cost: ./dialectica start claude-standin" >&2
  fi
  "$ROOT/dialectica" start claude-worker >/dev/null 2>&1 || echo "bench cost: ./dialectica start claude-worker" >&2
  rm -f "$RESULT_FILE" "$CONCEPTS_FILE"
  exit $rc
}
trap restore EXIT

if [[ $STANDIN -eq 1 ]]; then
  echo "bench cost: claude-standin without latency or pacing, invalid-json-once for ${SHARE} of the conversations" >&2
  "$ROOT/dialectica" stop claude-standin >/dev/null
  STANDIN_LATENCY_MS=0 STANDIN_TOKENS_PER_SECOND=0 STANDIN_FAULT=invalid-json-once STANDIN_FAULT_SHARE="$SHARE" \
    STANDIN_BATCH_PROCESSING_MS=2000 \
    "$ROOT/dialectica" start claude-standin >/dev/null
fi

export BENCH_TOKEN BENCH_RESULT_FILE="$RESULT_FILE" BENCH_CONCEPTS_FILE="$CONCEPTS_FILE" DIALECTICA_ROOT="$ROOT" BENCH_ROUNDS="$ROUNDS"
BENCH_TOKEN="$("$ROOT/dialectica" token "bench-cost-$(date +%s)")"
BENCH_PHASE=setup "$JAVA" -cp "$CP" "$ROOT/deploy/local/bench/CostBench.java"

for mode in plain cached batch; do
  enabled=true; [[ "$mode" == plain ]] && enabled=false
  echo "bench cost: === $mode (prompt-cache.enabled=$enabled, response cache off)" >&2
  "$ROOT/dialectica" stop claude-worker >/dev/null
  # batch: a Message Batch once 100 jobs wait or the oldest waited 2 s; batches followed every second
  DIALECTICA_WORKER_BATCH_MAX_WAIT=2s DIALECTICA_WORKER_BATCH_POLL_INTERVAL=1s \
  DIALECTICA_WORKER_PROMPT_CACHE_ENABLED=$enabled DIALECTICA_WORKER_CACHE_ENABLED=false \
    DIALECTICA_WORKER_RATELIMIT_REQUESTS_PER_MINUTE=600 "$ROOT/dialectica" start claude-worker >/dev/null
  if [[ $STANDIN -eq 1 ]]; then
    curl -fsS -X POST -o /dev/null http://127.0.0.1:18089/cache/reset
  fi
  BENCH_PHASE=run BENCH_MODE=$mode "$JAVA" -cp "$CP" "$ROOT/deploy/local/bench/CostBench.java"
done

# the table: tokens by kind and USD, per job type and in all
field() { awk -v m="$1" -v k="$2" '$1 == m { for (i = 2; i <= NF; i++) { n = index($i, "="); if (substr($i, 1, n - 1) == k) print substr($i, n + 1) } }' "$RESULT_FILE"; }
price="$(sed -n 's/^dialectica.worker.prices."claude-sonnet-4-5".\(input\|output\)-per-mtok=//p' \
  "$ROOT/claude-worker/src/main/resources/application.properties" | paste -sd/)"
table() {
  printf '| run | jobs | calls | input | cache write | cache read | output | USD | USD per job | vs plain |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  local plain; plain="$(field plain usd)"
  for mode in plain cached batch; do
    local jobs usd failed
    jobs="$(field $mode jobs)"; usd="$(field $mode usd)"; failed="$(field $mode failed)"
    printf '| %s%s | %s | %s | %s | %s | %s | %s | %.4f | %.5f | %.2f |\n' "$mode" \
      "$([[ "$failed" != 0 ]] && echo " ($failed failed)")" "$jobs" "$(field $mode calls)" "$(field $mode input)" \
      "$(field $mode cache_write)" "$(field $mode cache_read)" "$(field $mode output)" "$usd" \
      "$(awk -v u="$usd" -v j="$jobs" -v f="$failed" 'BEGIN { print u / (j - f) }')" \
      "$(awk -v u="$usd" -v p="$plain" 'BEGIN { print u / p }')"
    for type in theses synthesis; do
      local tj tu
      tj="$(field $mode ${type}_jobs)"; tu="$(field $mode ${type}_usd)"
      [[ -n "$tj" ]] || continue
      printf '| %s, %s | %s | | %s | %s | %s | %s | %.4f | %.5f | %.2f |\n' "$mode" "$type" "$tj" \
        "$(field $mode ${type}_input)" "$(field $mode ${type}_cache_write)" "$(field $mode ${type}_cache_read)" \
        "$(field $mode ${type}_output)" "$tu" "$(awk -v u="$tu" -v j="$tj" 'BEGIN { print u / j }')" \
        "$(awk -v u="$tu" -v p="$(field plain ${type}_usd)" 'BEGIN { print u / p }')"
    done
  done
}
summary="cost plain_usd=$(field plain usd) cached_usd=$(field cached usd) batch_usd=$(field batch usd)"
{
  echo
  echo "$ROUNDS round(s), $(field plain jobs) jobs per run; prices USD/MTok input/output $price (claude-sonnet-4-5;"
  echo "cache writes 1.25x, reads 0.1x input; batch calls 0.5x); generated by $([[ $STANDIN -eq 1 ]] && echo "the stand-in" || echo "the Messages API")."
  echo
  table
  echo
} >&2

if [[ "${BENCH_RECORD:-1}" != 0 && -d "$ROOT/docs" ]]; then
  {
    echo
    echo "### cost — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
    echo
    echo "$ROUNDS round(s) of the demo's workload, $(field plain jobs) jobs per run, $([[ $STANDIN -eq 1 ]] && echo "stand-in" || echo "Messages API"), prices $price USD/MTok."
    echo
    table
    echo
    echo "\`$summary\`"
  } >> "$ROOT/docs/benchmarks.md"
fi
echo "$summary"

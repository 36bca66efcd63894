#!/usr/bin/env bash
# ./dialectica bench api — reads of one concept at a fixed concurrency for a fixed time, through the
# gateway and directly against concept-service in the same run, with wrk. Needs `./dialectica up`.
# Prints a table and, as its last line: api gateway_p99_ms=<n> direct_p99_ms=<n> gateway_rps=<n>
# Results are appended to docs/benchmarks.md.
#
# Settings (environment): BENCH_DURATION (default 30s), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_WARMUP (20s), GATEWAY_URL (http://127.0.0.1:8080), CONCEPT_URL (http://127.0.0.1:8081).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
DURATION="${BENCH_DURATION:-30s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
WARMUP="${BENCH_WARMUP:-20s}"
GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:8080}"
CONCEPT_URL="${CONCEPT_URL:-http://127.0.0.1:8081}"
BENCH_USER="bench-$(date +%s)"

die() { echo "bench api: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk, or run ./dialectica up as root)"
curl -fsS "$GATEWAY_URL/q/health/ready" >/dev/null 2>&1 || die "the gateway at $GATEWAY_URL is not ready: run ./dialectica up"
curl -fsS "$CONCEPT_URL/q/health/ready" >/dev/null 2>&1 || die "concept-service at $CONCEPT_URL is not ready: run ./dialectica up"

# The per-user rate limit (600/min by default) would turn a load test into a 429 test. The gateway
# is restarted with a limit no run can reach, so the Redis check stays on the measured path, and
# restarted with its normal configuration afterwards.
restore_gateway() {
  "$ROOT/dialectica" stop api-gateway >/dev/null 2>&1 || true
  "$ROOT/dialectica" start api-gateway >/dev/null 2>&1 || echo "bench api: restart the gateway: ./dialectica start api-gateway" >&2
}
"$ROOT/dialectica" stop api-gateway >/dev/null
GATEWAY_RATE_LIMIT_REQUESTS=1000000000 "$ROOT/dialectica" start api-gateway >/dev/null
trap restore_gateway EXIT

TOKEN="$("$ROOT/dialectica" token "$BENCH_USER")"
BODY='{"name":"Bench: Being, Nothing, Becoming","tradition":"German Idealism","visibility":"PUBLIC",
"description":"The opening triad of the Science of Logic, used as the benchmark read.",
"categories":[{"name":"Being","weight":0.9},{"name":"Nothing","weight":0.9},{"name":"Becoming","weight":1.0},
{"name":"Determinate being","weight":0.7},{"name":"Quality","weight":0.6}],
"relations":[{"from":"Being","to":"Nothing","type":"NEGATES","rationale":"pure being is pure nothing"},
{"from":"Becoming","to":"Being","type":"SUBLATES"},{"from":"Becoming","to":"Nothing","type":"SUBLATES"},
{"from":"Determinate being","to":"Becoming","type":"PRESUPPOSES"},{"from":"Quality","to":"Determinate being","type":"PART_OF"}]}'
ID="$(curl -fsS -X POST "$GATEWAY_URL/api/concepts" -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' -d "$BODY" | sed -E 's/^\{"id":"([0-9a-f-]{36})".*/\1/')"
[[ "$ID" =~ ^[0-9a-f-]{36}$ ]] || die "could not create the benchmark concept"
PATH_ONE="/api/concepts/$ID"

# wrk prints latencies as 812.00us / 1.23ms / 1.02s: to milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000;
                         else if (v ~ /m$/) n *= 60000; printf "%.2f", n }'
}

# run <label> <url>: prints "label rps p50 p99 max non2xx"
run() {
  local label="$1" url="$2" out
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -H "Authorization: Bearer $TOKEN" "$url" >/dev/null
  out="$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$url")"
  echo "$out" > "$ROOT/.local/logs/bench-api-$label.txt" 2>/dev/null || true
  local rps p50 p99 max errors
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  max="$(to_ms "$(awk '$1 == "Latency" { print $4 }' <<<"$out")")"
  errors="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  echo "$label ${rps:-0} $p50 $p99 $max ${errors:-0}"
}

echo "bench api: $DURATION per target after $WARMUP warm-up, $CONNECTIONS connections, $THREADS wrk threads, GET $PATH_ONE" >&2
GATEWAY="$(run gateway "$GATEWAY_URL$PATH_ONE")"
DIRECT="$(run direct "$CONCEPT_URL$PATH_ONE")"

read -r _ g_rps g_p50 g_p99 g_max g_err <<<"$GATEWAY"
read -r _ d_rps d_p50 d_p99 d_max d_err <<<"$DIRECT"
TABLE="$(printf '| target | req/s | p50 ms | p99 ms | max ms | non-2xx |\n|---|---:|---:|---:|---:|---:|\n| gateway → concept-service | %s | %s | %s | %s | %s |\n| concept-service direct | %s | %s | %s | %s | %s |\n' \
  "$g_rps" "$g_p50" "$g_p99" "$g_max" "$g_err" "$d_rps" "$d_p50" "$d_p99" "$d_max" "$d_err")"
echo "$TABLE"

if [[ -n "${BENCH_RECORD:-1}" && -d "$ROOT/docs" ]]; then
  {
    echo
    echo "### api — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${DURATION} × ${CONNECTIONS} connections"
    echo
    echo "$TABLE"
  } >> "$ROOT/docs/benchmarks.md"
fi

curl -fsS -X DELETE "$GATEWAY_URL$PATH_ONE" -H "Authorization: Bearer $TOKEN" >/dev/null || true
echo "api gateway_p99_ms=$g_p99 direct_p99_ms=$d_p99 gateway_rps=$g_rps"

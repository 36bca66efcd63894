#!/usr/bin/env bash
# ./dialectica bench api — reads of one concept through the gateway, through nginx (the reverse proxy a
# user would put in front of concept-service instead) and directly against concept-service, all three
# in the same run. Needs `./dialectica up` (and nginx: `up` installs Debian's nginx-light as root).
#
#   1. closed loop (wrk, BENCH_CONNECTIONS connections for BENCH_DURATION): throughput of each path;
#      the gateway's CPU time over its run, from /proc/<pid>/stat, gives its CPU ms per request;
#   2. open loop (OpenLoop.java, BENCH_RATE requests/s for BENCH_OPEN_DURATION, below saturation):
#      p50/p99 of each path, measured from each request's due time (no coordinated omission).
#
# Prints a table and, as its last line:
#   api gateway_rps=<n> nginx_rps=<n> direct_rps=<n> gateway_p99_ms=<n> direct_p99_ms=<n> gateway_cpu_ms=<n>
# (the p99s are the open-loop ones). Results are appended to docs/benchmarks.md (BENCH_RECORD=0: not).
#
# Settings (environment): BENCH_DURATION (20s), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_WARMUP (20s),
# BENCH_RATE (300), BENCH_OPEN_DURATION (20), BENCH_OPEN_CONNECTIONS (32), BENCH_NGINX_PORT (18880),
# GATEWAY_URL (http://127.0.0.1:8080), CONCEPT_URL (http://127.0.0.1:8081).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
WARMUP="${BENCH_WARMUP:-20s}"
RATE="${BENCH_RATE:-300}"
OPEN_DURATION="${BENCH_OPEN_DURATION:-20}"
OPEN_CONNECTIONS="${BENCH_OPEN_CONNECTIONS:-32}"
NGINX_PORT="${BENCH_NGINX_PORT:-18880}"
GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:8080}"
CONCEPT_URL="${CONCEPT_URL:-http://127.0.0.1:8081}"
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
BENCH_USER="bench-$(date +%s)"
NGINX_DIR="$ROOT/.local/nginx"

die() { echo "bench api: $*" >&2; exit 1; }
say() { echo "bench api: $*" >&2; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk, or run ./dialectica up as root)"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || die "nginx is not installed (apt-get install -y nginx-light, or run ./dialectica up as root)"
curl -fsS "$GATEWAY_URL/q/health/ready" >/dev/null 2>&1 || die "the gateway at $GATEWAY_URL is not ready: run ./dialectica up"
curl -fsS "$CONCEPT_URL/q/health/ready" >/dev/null 2>&1 || die "concept-service at $CONCEPT_URL is not ready: run ./dialectica up"
. "$ROOT/deploy/local/lib/java.sh"
find_jdk

# nginx as the plain reverse proxy of docs/benchmarks.md: one worker, keep-alive to concept-service
CS_HOSTPORT="${CONCEPT_URL#http://}"
mkdir -p "$NGINX_DIR/logs"
cat >"$NGINX_DIR/nginx.conf" <<NGINX
worker_processes 1;
pid nginx.pid;
error_log logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream cs { server $CS_HOSTPORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://cs; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX

# The per-user rate limit (600/min by default) would turn a load test into a 429 test. The gateway
# is restarted with a limit no run can reach (the limiter stays on the measured path), and restarted
# with its normal configuration afterwards; nginx is stopped. Every service is left as it was found.
restore() {
  [[ -s "$NGINX_DIR/nginx.pid" ]] && "$NGINX" -p "$NGINX_DIR" -c nginx.conf -s stop 2>/dev/null || true
  "$ROOT/dialectica" stop api-gateway >/dev/null 2>&1 || true
  "$ROOT/dialectica" start api-gateway >/dev/null 2>&1 || echo "bench api: restart the gateway: ./dialectica start api-gateway" >&2
}
"$ROOT/dialectica" stop api-gateway >/dev/null
trap restore EXIT
GATEWAY_RATE_LIMIT_REQUESTS=1000000000 "$ROOT/dialectica" start api-gateway >/dev/null
"$NGINX" -p "$NGINX_DIR" -c nginx.conf || die "nginx did not start (log: .local/nginx/logs/error.log)"
GATEWAY_PID="$(cat "$ROOT/.local/run/api-gateway.pid")"

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
for url in "$NGINX_URL" "$CONCEPT_URL" "$GATEWAY_URL"; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$url$PATH_ONE" || die "GET $url$PATH_ONE failed"
done

# wrk prints latencies as 812.00us / 1.23ms / 1.02s: to milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000;
                         else if (v ~ /m$/) n *= 60000; printf "%.2f", n }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# closed <label> <url>: prints "rps p50 p99 non2xx requests"
closed() {
  local label="$1" url="$2" out
  out="$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$url")"
  echo "$out" > "$ROOT/.local/logs/bench-api-$label.txt" 2>/dev/null || true
  local rps p50 p99 errors requests
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  errors="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  requests="$(awk '/requests in/ { print $1 }' <<<"$out")"
  echo "${rps:-0} $p50 $p99 ${errors:-0} ${requests:-0}"
}

# open <url>: prints "p50 p99 non2xx+errors late"
open_loop() {
  local out
  out="$("$JAVA" "$ROOT/deploy/local/bench/OpenLoop.java" "$1" "$RATE" "$OPEN_DURATION" "$OPEN_CONNECTIONS" "Authorization: Bearer $TOKEN")"
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
       END { print v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"], v["late"] }' <<<"$out"
}

say "GET $PATH_ONE; warm-up $WARMUP per path, then $DURATION closed loop ($CONNECTIONS connections) and ${OPEN_DURATION}s open loop at $RATE/s per path"
for url in "$GATEWAY_URL" "$NGINX_URL" "$CONCEPT_URL"; do
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -H "Authorization: Bearer $TOKEN" "$url$PATH_ONE" >/dev/null
done
ticks_before="$(cpu_ticks "$GATEWAY_PID")"
read -r g_rps g_p50 g_p99 g_err g_n <<<"$(closed gateway "$GATEWAY_URL$PATH_ONE")"
ticks_after="$(cpu_ticks "$GATEWAY_PID")"
read -r n_rps n_p50 n_p99 n_err _ <<<"$(closed nginx "$NGINX_URL$PATH_ONE")"
read -r d_rps d_p50 d_p99 d_err _ <<<"$(closed direct "$CONCEPT_URL$PATH_ONE")"
HZ="$(getconf CLK_TCK)"
g_cpu="$(awk -v t=$((ticks_after - ticks_before)) -v hz="$HZ" -v n="$g_n" 'BEGIN { printf "%.3f", (n > 0 ? t * 1000 / hz / n : 0) }')"
read -r go_p50 go_p99 go_err go_late <<<"$(open_loop "$GATEWAY_URL$PATH_ONE")"
read -r no_p50 no_p99 no_err no_late <<<"$(open_loop "$NGINX_URL$PATH_ONE")"
read -r do_p50 do_p99 do_err do_late <<<"$(open_loop "$CONCEPT_URL$PATH_ONE")"

TABLE="$(printf '| path | closed-loop req/s | closed p50 ms | closed p99 ms | non-2xx | open loop at %s/s: p50 ms | p99 ms | non-2xx/errors | late |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' "$RATE"
printf '| gateway → concept-service | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$g_rps" "$g_p50" "$g_p99" "$g_err" "$go_p50" "$go_p99" "$go_err" "$go_late"
printf '| nginx → concept-service | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n_rps" "$n_p50" "$n_p99" "$n_err" "$no_p50" "$no_p99" "$no_err" "$no_late"
printf '| concept-service direct | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$d_rps" "$d_p50" "$d_p99" "$d_err" "$do_p50" "$do_p99" "$do_err" "$do_late"
printf '\ngateway CPU: %s ms per request (%s ticks at %s Hz over %s requests); gateway/direct %s, gateway/nginx %s; load average before: %s\n' \
  "$g_cpu" "$((ticks_after - ticks_before))" "$HZ" "$g_n" \
  "$(awk -v a="$g_rps" -v b="$d_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
  "$(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)")"
echo "$TABLE"

if [[ "${BENCH_RECORD:-1}" != 0 && -d "$ROOT/docs" ]]; then
  {
    echo
    echo "### api — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${DURATION} × ${CONNECTIONS} connections closed loop, ${OPEN_DURATION} s at ${RATE}/s open loop"
    echo
    echo "$TABLE"
  } >> "$ROOT/docs/benchmarks.md"
fi

curl -fsS -X DELETE "$GATEWAY_URL$PATH_ONE" -H "Authorization: Bearer $TOKEN" >/dev/null || true
echo "api gateway_rps=$g_rps nginx_rps=$n_rps direct_rps=$d_rps gateway_p99_ms=$go_p99 direct_p99_ms=$do_p99 gateway_cpu_ms=$g_cpu"

#!/usr/bin/env bash
# ./dialectica bench embeddings — what the similar-concepts embeddings cost (issue 12, 1):
#   1. texts/s: graph-service's own embedder (ConceptEmbedder: quantized all-MiniLM-L6-v2, ONNX, in process) on
#      concept texts of the recipe's shape, batches of 32, 1 ONNX thread (the service's default) and all cores
#      (EmbeddingsBench.java);
#   2. the graph's freshness with embedding off and on, in the same run: graph-service restarted with
#      DIALECTICA_GRAPH_EMBEDDING_ENABLED=false, then =true (after its start-up sweep has embedded what the stack
#      holds), each time `bench freshness` at one rate with one replica; plus, for "on", how far the vectors
#      followed (graph-service's dialectica_graph_embedding_delay_seconds, p50/p99 from its buckets) and how long
#      the queue took to drain after the writes stopped. The target: the graph's freshness p99 unchanged within noise.
# Needs `./dialectica up`. graph-service is restarted with its own settings at the end.
# Prints a table, appends it to docs/benchmarks.md (BENCH_RECORD=0: not), and ends with one line:
#   embeddings texts_per_s=<1 thread> graph_p99_off_ms=<n> graph_p99_on_ms=<n> vector_p99_ms=<n>
#
# Settings (environment): BENCH_EMBED_TEXTS (512), BENCH_EMBED_RATE (100 changes/s for part 2), BENCH_SECONDS (20),
# BENCH_WARMUP_SECONDS (30: the restarted graph-service warms up at the rate first), BENCH_BULK_EVENTS (2000), BENCH_SWEEP_WAIT (600 s: longest wait for the start-up sweep),
# BENCH_SWEEP (1; 0: graph-service starts without its sweep, nothing of what the stack held is embedded first),
# BENCH_RECORD (1), BENCH_SMOKE=1 (tiny settings, no sweep, nothing recorded), GRAPH_URL (http://127.0.0.1:8082).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
die() { echo "bench embeddings: $*" >&2; exit 1; }
. "$ROOT/deploy/local/lib/pipes.sh"

if [[ "${BENCH_SMOKE:-0}" == 1 ]]; then
  export BENCH_RECORD=0 BENCH_EMBED_TEXTS="${BENCH_EMBED_TEXTS:-64}" BENCH_EMBED_RATE="${BENCH_EMBED_RATE:-20}"
  export BENCH_SECONDS="${BENCH_SECONDS:-3}" BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-1}"
  export BENCH_BULK_EVENTS="${BENCH_BULK_EVENTS:-200}" BENCH_SWEEP_WAIT="${BENCH_SWEEP_WAIT:-60}" BENCH_SWEEP="${BENCH_SWEEP:-0}"
fi
# graph-service is restarted right before each measured run: its JIT needs load first, or the comparison measures a
# cold JVM (5 s of warm-up gave 8.3 s vs 14.5 s p99 at 500/s, both dominated by the cold start)
export BENCH_WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-30}"
SWEEP=true; [[ "${BENCH_SWEEP:-1}" == 0 ]] && SWEEP=false
GRAPH_URL="${GRAPH_URL:-http://127.0.0.1:8082}"
RATE="${BENCH_EMBED_RATE:-100}"
SWEEP_WAIT="${BENCH_SWEEP_WAIT:-600}"

status="$("$ROOT/dialectica" status 2>/dev/null || true)"
for name in concept-service graph-service search-service cdc-connector; do
  has_match "^$name +up" <<<"$status" || die "$name is not running: ./dialectica up (or ./dialectica start $name)"
done
APP="$ROOT/graph-service/target/quarkus-app"
[[ -d "$APP/lib/main" ]] || die "graph-service is not built (./dialectica up)"

. "$ROOT/deploy/local/lib/java.sh"
find_jdk

# ---- 1. texts per second ------------------------------------------------------------------------
echo "bench embeddings: === texts/s (graph-service's embedder, batches of 32)" >&2
EMBED_OUT="$(mktemp)"
"$JAVA" -Xmx256m -cp "$APP/app/*:$APP/lib/main/*:$APP/lib/boot/*" "$ROOT/deploy/local/bench/EmbeddingsBench.java" \
  2> >(grep -v '^WARNING' >&2) | tee "$EMBED_OUT"
kv() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) { n = index($i, "="); if (substr($i, 1, n - 1) == k) print substr($i, n + 1) } }' <<<"$1"; }
one_thread="$(grep '^embed threads=1 ' "$EMBED_OUT" | tail -n 1)"
all_threads="$(grep '^embed ' "$EMBED_OUT" | grep -v ' threads=1 ' | tail -n 1 || true)"
rm -f "$EMBED_OUT"
[[ -n "$one_thread" ]] || die "the embedder did not report"

# ---- 2. freshness with embedding off and on -----------------------------------------------------
metric() {  # the value of a metric line (first match) in graph-service's /q/metrics; awk reads it all (no SIGPIPE)
  { curl -fsS -m 5 "$GRAPH_URL/q/metrics" 2>/dev/null || true; } | awk -v m="$1" '$1 == m && !done { print $2; done = 1 }'
}
is_zero() { awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 == 0) }'; }
restart_graph() {  # $1: embedding enabled (true/false); empty: the stack's own settings
  "$ROOT/dialectica" stop graph-service >/dev/null 2>&1 || true
  if [[ -n "$1" ]]; then
    DIALECTICA_GRAPH_EMBEDDING_ENABLED="$1" DIALECTICA_GRAPH_EMBEDDING_SWEEP="$SWEEP" \
      "$ROOT/dialectica" start graph-service >/dev/null
  else
    "$ROOT/dialectica" start graph-service >/dev/null
  fi
}
restore() {
  local rc=$?
  echo "bench embeddings: restarting graph-service with its own settings" >&2
  restart_graph "" || echo "bench embeddings: ./dialectica start graph-service" >&2
  exit $rc
}
trap restore EXIT
trap 'exit 143' TERM INT

# p50 and p99 (ms) of a Prometheus histogram from its cumulative buckets: the upper bound of the first bucket
# holding the quantile (what Grafana's histogram_quantile would interpolate within)
quantiles() {
  { curl -fsS -m 5 "$GRAPH_URL/q/metrics" 2>/dev/null || true; } | awk -v m="$1" '
    index($0, m "_bucket{") == 1 { match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (le != "+Inf") { n++; bound[n] = le + 0; cum[n] = $NF + 0 } else total = $NF + 0 }
    END { if (total == 0) { print "- -"; exit }
      for (q = 1; q <= 2; q++) { want = (q == 1 ? 0.5 : 0.99) * total; v = "inf"
        for (i = 1; i <= n; i++) if (cum[i] >= want) { v = sprintf("%.0f", bound[i] * 1000); break }
        printf "%s%s", v, (q == 1 ? " " : "\n") } }'
}

declare -A p99 achieved
for mode in off on; do
  enabled=false; [[ "$mode" == on ]] && enabled=true
  echo "bench embeddings: === freshness at $RATE/s, embedding $mode" >&2
  restart_graph "$enabled"
  if [[ "$mode" == on ]]; then
    [[ -n "$(metric dialectica_graph_embedding_queue)" ]] \
      || die "graph-service exports no dialectica_graph_embedding_queue: is it a build with the embedding worker?"
    # the start-up sweep embeds what the stack holds: measured separately, not during the freshness run
    start=$(date +%s)
    sleep 2
    while ! is_zero "$(metric dialectica_graph_embedding_sweeping)" || ! is_zero "$(metric dialectica_graph_embedding_queue)"; do
      (( $(date +%s) - start < SWEEP_WAIT )) || die "the start-up sweep took longer than ${SWEEP_WAIT} s"
      sleep 2
    done
    backfill_s=$(( $(date +%s) - start ))
    backfill_n="$(metric dialectica_graph_embeddings_written_total)"
    echo "bench embeddings: start-up sweep done in ${backfill_s} s, ${backfill_n%.*} vectors written" >&2
    written_before="$(metric dialectica_graph_embeddings_written_total)"
  fi
  out="$(mktemp)"
  BENCH_RATES="$RATE" BENCH_REPLICAS=1 BENCH_RECORD=0 BENCH_BULK_EVENTS="${BENCH_BULK_EVENTS:-2000}" \
    bash "$ROOT/deploy/local/bench/freshness.sh" >"$out" 2>&1 || { cat "$out" >&2; die "bench freshness failed ($mode)"; }
  line="$(grep -E "^bench freshness: rate $RATE/s|rate $RATE/s: achieved" "$out" | tail -n 1)"
  rm -f "$out"
  [[ -n "$line" ]] || die "bench freshness printed no result for $RATE/s ($mode)"
  p99[$mode]="$(sed -n 's/.*graph p99 \([^ ]*\) ms.*/\1/p' <<<"$line")"
  achieved[$mode]="$(sed -n 's/.*achieved \([^ ]*\)\/s.*/\1/p' <<<"$line")"
  echo "bench embeddings: embedding $mode: graph p99 ${p99[$mode]} ms at ${achieved[$mode]}/s" >&2
  if [[ "$mode" == on ]]; then
    start=$(date +%s)
    while ! is_zero "$(metric dialectica_graph_embedding_queue)"; do
      (( $(date +%s) - start < SWEEP_WAIT )) || break
      sleep 1
    done
    drain_s=$(( $(date +%s) - start ))
    written=$(awk -v a="$(metric dialectica_graph_embeddings_written_total)" -v b="$written_before" 'BEGIN { printf "%d", a - b }')
    unchanged="$(metric dialectica_graph_embeddings_unchanged_total)"
    read -r vector_p50 vector_p99 <<<"$(quantiles dialectica_graph_embedding_delay_seconds)"
  fi
done

summary="embeddings texts_per_s=$(kv "$one_thread" texts_per_s) graph_p99_off_ms=${p99[off]} graph_p99_on_ms=${p99[on]} vector_p99_ms=${vector_p99}"
table() {
  printf '| measure | value |\n| --- | ---: |\n'
  printf '| texts/s, 1 ONNX thread (graph-service default), batches of 32 | %s (%s ms/text) |\n' \
    "$(kv "$one_thread" texts_per_s)" "$(kv "$one_thread" ms_per_text)"
  [[ -n "$all_threads" ]] && printf '| texts/s, %s ONNX threads | %s (%s ms/text) |\n' "$(kv "$all_threads" threads)" \
    "$(kv "$all_threads" texts_per_s)" "$(kv "$all_threads" ms_per_text)"
  printf '| graph freshness p99 at %s/s, embedding off | %s ms (achieved %s/s) |\n' "$RATE" "${p99[off]}" "${achieved[off]}"
  printf '| graph freshness p99 at %s/s, embedding on | %s ms (achieved %s/s) |\n' "$RATE" "${p99[on]}" "${achieved[on]}"
  printf '| vectors written during the "on" run / concepts checked unchanged | %s / %s |\n' "$written" "${unchanged%.*}"
  printf '| vector behind the graph (applied → vector stored), p50 / p99 | %s / %s ms |\n' "$vector_p50" "$vector_p99"
  printf '| queue drained after the writes stopped | %s s |\n' "$drain_s"
  printf '| start-up sweep (what the stack held) | %s s, %s vectors |\n' "$backfill_s" "${backfill_n%.*}"
}
{ echo; table; echo; } >&2
if [[ "${BENCH_RECORD:-1}" != 0 && -d "$ROOT/docs" ]]; then
  {
    echo
    echo "### embeddings — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
    echo
    echo "graph-service's embedder (all-minilm-l6-v2-q, ONNX in process, duty cycle 0.5); bench freshness at $RATE/s, one replica, embedding off then on."
    echo
    table
    echo
    echo "\`$summary\`"
  } >> "$ROOT/docs/benchmarks.md"
fi
echo "$summary"

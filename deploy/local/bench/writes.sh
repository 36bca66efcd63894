#!/usr/bin/env bash
# ./dialectica bench writes — creates of the benchmark concept (5 categories, 5 relations; a unique name per
# request) straight against concept-service at increasing concurrency until the throughput stops rising, and,
# as the limit, pgbench running the very statements one such create executes (same pipeline: BEGIN, categories,
# concept, memberships, relations with the consistency token, COMMIT) against the same database.
# Needs concept-service and PostgreSQL (./dialectica up, or ./dialectica start postgres + start concept-service),
# wrk, and pgbench (Debian's postgresql-contrib, which ./dialectica up installs). Starts and stops nothing:
# every service is left as it was found. Every row it creates is deleted at the end.
#
# Prints a table and, as its last line:
#   writes rps=<n> pgbench_tps=<n> ratio=<n>
# rps = the best creates/s over the concurrency levels, pgbench_tps = the best transactions/s over the pgbench
# client counts, ratio = rps / pgbench_tps. Results are appended to docs/benchmarks.md (BENCH_RECORD=0: not).
#
# Settings (environment): BENCH_WRITE_CONCURRENCY (4,8,16,32,64: wrk connections, in order; stops at the first
# level that does not beat the best so far by BENCH_RISE, 5 %), BENCH_DURATION (15s per level), BENCH_WARMUP
# (15s), BENCH_THREADS (2), BENCH_PGBENCH_CLIENTS (1,4,8,16,32), BENCH_PGBENCH_SECONDS (10), BENCH_READS (1: also
# GET one created concept, 64 connections, BENCH_DURATION), BENCH_RECORD (1), CONCEPT_URL (http://127.0.0.1:8081),
# PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (127.0.0.1, 15432, dialectica, dialectica, concepts).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
LEVELS="$(tr ',' ' ' <<<"${BENCH_WRITE_CONCURRENCY:-4,8,16,32,64}")"
RISE="${BENCH_RISE:-5}"
DURATION="${BENCH_DURATION:-15s}"
WARMUP="${BENCH_WARMUP:-15s}"
THREADS="${BENCH_THREADS:-2}"
PGBENCH_CLIENTS="$(tr ',' ' ' <<<"${BENCH_PGBENCH_CLIENTS:-1,4,8,16,32}")"
PGBENCH_SECONDS="${BENCH_PGBENCH_SECONDS:-10}"
READS="${BENCH_READS:-1}"
CONCEPT_URL="${CONCEPT_URL:-http://127.0.0.1:8081}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-15432}" PGUSER="${PGUSER:-dialectica}"
export PGPASSWORD="${PGPASSWORD:-dialectica}" PGDATABASE="${PGDATABASE:-concepts}"
PG_BIN=/usr/lib/postgresql/15/bin
STAMP="$(date +%s)"
BENCH_USER="bench-writes-$STAMP"
PGBENCH_OWNER="bench-writes-pgbench-$STAMP"
WORK="$(mktemp -d)"
# the benchmark concept's categories (the same five as ./dialectica bench api), by canonical name
CANONICAL="'becoming','being','determinate being','nothing','quality'"

die() { echo "bench writes: $*" >&2; exit 1; }
say() { echo "bench writes: $*" >&2; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk, or run ./dialectica up as root)"
PGBENCH="$(command -v pgbench || echo "$PG_BIN/pgbench")"
[[ -x "$PGBENCH" ]] || die "pgbench is not installed (apt-get install -y postgresql-contrib, or run ./dialectica up as root)"
PSQL="$(command -v psql || echo "$PG_BIN/psql")"
curl -fsS "$CONCEPT_URL/q/health/ready" >/dev/null 2>&1 || die "concept-service at $CONCEPT_URL is not ready: run ./dialectica up"
sql() { "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
sql "select 1" >/dev/null || die "cannot reach PostgreSQL at $PGHOST:$PGPORT/$PGDATABASE as $PGUSER"

# which of the five categories exist already: the others are the benchmark's and go at the end
EXISTING="$(sql "select coalesce(string_agg(quote_literal(canonical_name), ','), '''''') from categories where canonical_name in ($CANONICAL)")"
# Deletes in transactions of 100 concepts (about 1,100 rows with their memberships and relations): the
# cdc-connector assembles each source transaction in memory before it publishes it, and one DELETE of a whole
# run (tens of thousands of concepts, half a million rows with their before-images) exhausts its heap.
cleanup() {
  local before after
  before="$(sql "select count(*) from concepts where owner in ('$BENCH_USER', '$PGBENCH_OWNER')" 2>/dev/null || echo "?")"
  sql "do \$\$ declare n int; begin
         loop
           delete from concepts where id in (select id from concepts where owner in ('$BENCH_USER', '$PGBENCH_OWNER') limit 100);
           get diagnostics n = row_count;
           exit when n = 0;
           commit;
         end loop;
       end \$\$" >/dev/null 2>&1 || say "clean-up failed: delete from concepts where owner in ('$BENCH_USER', '$PGBENCH_OWNER')"
  sql "delete from categories c where c.canonical_name in ($CANONICAL) and c.canonical_name not in ($EXISTING)
         and not exists (select 1 from concept_categories m where m.category_id = c.id)" >/dev/null 2>&1 || true
  after="$(sql "select count(*) from concepts where owner in ('$BENCH_USER', '$PGBENCH_OWNER')" 2>/dev/null || echo "?")"
  say "deleted the concepts this run created ($before, $after left; 100 per transaction) and the categories it created, if nothing else uses them"
  rm -rf "$WORK"
}
trap cleanup EXIT

TOKEN="$("$ROOT/dialectica" token "$BENCH_USER")"

# ---- creates through concept-service: wrk, one unique name per request ----------------------------------------
cat >"$WORK/create.lua" <<'LUA'
-- one create of the benchmark concept per request; a unique name each time (thread id + counter)
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  token = os.getenv("BENCH_TOKEN")
  prefix = os.getenv("BENCH_PREFIX")
end
local tail = '","tradition":"German Idealism","visibility":"PUBLIC",'
  .. '"description":"The opening triad of the Science of Logic, used as the benchmark read.",'
  .. '"categories":[{"name":"Being","weight":0.9},{"name":"Nothing","weight":0.9},{"name":"Becoming","weight":1.0},'
  .. '{"name":"Determinate being","weight":0.7},{"name":"Quality","weight":0.6}],'
  .. '"relations":[{"from":"Being","to":"Nothing","type":"NEGATES","rationale":"pure being is pure nothing"},'
  .. '{"from":"Becoming","to":"Being","type":"SUBLATES"},{"from":"Becoming","to":"Nothing","type":"SUBLATES"},'
  .. '{"from":"Determinate being","to":"Becoming","type":"PRESUPPOSES"},'
  .. '{"from":"Quality","to":"Determinate being","type":"PART_OF"}]}'
function request()
  counter = counter + 1
  return wrk.format("POST", "/api/concepts",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
    '{"name":"Bench writes ' .. prefix .. ' ' .. tid .. '-' .. counter .. tail)
end
LUA

# wrk prints latencies as 812.00us / 1.23ms / 1.02s: to milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000;
                         else if (v ~ /m$/) n *= 60000; printf "%.2f", n }'
}
# creates <connections> <duration> <label>: prints "rps p50 p99 errors requests"
creates() {
  local out rps p50 p99 non2xx socket requests
  out="$(BENCH_TOKEN="$TOKEN" BENCH_PREFIX="$3" wrk -t "$THREADS" -c "$1" -d "$2" --timeout 10s --latency \
           -s "$WORK/create.lua" "$CONCEPT_URL")"
  echo "$out" >"$ROOT/.local/logs/bench-writes-$3.txt" 2>/dev/null || true
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  socket="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")"
  requests="$(awk '/requests in/ { print $1 }' <<<"$out")"
  echo "${rps:-0} $p50 $p99 $(( ${non2xx:-0} + ${socket:-0} )) ${requests:-0}"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
UP="$("$ROOT/dialectica" status 2>/dev/null | awk 'NR > 1 && $2 == "up" { printf "%s%s", sep, $1; sep = ", " }')"
say "warm-up: $WARMUP of creates at 16 connections"
creates 16 "$WARMUP" warmup >/dev/null
ROWS=""
BEST=0
BEST_LEVEL=0
for level in $LEVELS; do
  read -r rps p50 p99 errors requests <<<"$(creates "$level" "$DURATION" "c$level")"
  say "$level connections: $rps creates/s, p50 $p50 ms, p99 $p99 ms, $errors errors"
  ROWS+="$(printf '| creates, concept-service direct | %s connections | %s | %s | %s | %s of %s |' \
           "$level" "$rps" "$p50" "$p99" "$errors" "$requests")"$'\n'
  if (( rps * 100 > BEST * (100 + RISE) )); then
    BEST="$rps"; BEST_LEVEL="$level"
  else
    say "no rise beyond ${RISE} % over $BEST creates/s: stopping"
    if (( rps > BEST )); then BEST="$rps"; BEST_LEVEL="$level"; fi
    break
  fi
done

# ---- reads of one created concept (the GET target of issue 10) --------------------------------------------------
if [[ "$READS" != 0 ]]; then
  ID="$(sql "select id from concepts where owner = '$BENCH_USER' limit 1")"
  [[ "$ID" =~ ^[0-9a-f-]{36}$ ]] || die "no concept created by this run to read"
  out="$(wrk -t "$THREADS" -c 64 -d "$DURATION" --timeout 10s --latency -H "Authorization: Bearer $TOKEN" "$CONCEPT_URL/api/concepts/$ID")"
  echo "$out" >"$ROOT/.local/logs/bench-writes-reads.txt" 2>/dev/null || true
  g_rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  g_p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  g_p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  g_err="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  say "GET one concept, 64 connections: $g_rps req/s, p99 $g_p99 ms"
  ROWS+="$(printf '| GET one concept, concept-service direct | 64 connections | %s | %s | %s | %s |' \
           "$g_rps" "$g_p50" "$g_p99" "${g_err:-0}")"$'\n'
fi

# ---- the limit: pgbench running the statements of one create -----------------------------------------------------
# ConceptStore's INSERT_CATEGORIES, INSERT_CONCEPT, INSERT_MEMBERS and INSERT_RELATIONS, in the pipeline the service
# sends them in, with the benchmark concept's values written in where the service binds parameters. Ids the
# service makes in Java are made here in SQL: the concept's from a random number (md5 → uuid, the same in every
# statement of the transaction), the others with gen_random_uuid(). Keep in step with ConceptStore.
cat >"$WORK/create.pgbench" <<'SQL'
\set cid random(1, 9223372036854775806)
\startpipeline
BEGIN;
insert into categories (id, name, canonical_name, description)
select u.id, u.name, u.canonical, u.description
  from unnest(array[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()]::uuid[],
              array['Becoming', 'Being', 'Determinate being', 'Nothing', 'Quality']::text[],
              array['becoming', 'being', 'determinate being', 'nothing', 'quality']::text[],
              array[null, null, null, null, null]::text[]) as u(id, name, canonical, description)
 order by u.canonical
    on conflict (canonical_name) do nothing;
insert into concepts (id, owner, name, description, tradition, visibility, quality_score, version,
                      created_at, updated_at, changed_by)
values (md5(:cid::text)::uuid, :owner, 'Bench writes pgbench ' || :cid,
        'The opening triad of the Science of Logic, used as the benchmark read.', 'German Idealism', 'PUBLIC',
        0.815, 1, now(), now(), :owner);
with m as (
  insert into concept_categories (id, concept_id, category_id, weight, x, y)
  select u.id, md5(:cid::text)::uuid, k.id, u.weight, u.x, u.y
    from unnest(array[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()]::uuid[],
                array['being', 'nothing', 'becoming', 'determinate being', 'quality']::text[],
                array[0.9, 0.9, 1.0, 0.7, 0.6]::float8[], array[0, 0, 0, 0, 0]::float8[],
                array[0, 0, 0, 0, 0]::float8[]) as u(id, canonical, weight, x, y)
    join categories k on k.canonical_name = u.canonical
  returning id, category_id, weight, x, y)
select m.id, k.id, k.name, k.canonical_name, k.description, m.weight, m.x, m.y
  from m join categories k on k.id = m.category_id;
with r as (
  insert into concept_relations (id, concept_id, from_category_id, to_category_id, type, weight, rationale)
  select u.id, md5(:cid::text)::uuid, f.id, t.id, u.type, u.weight, u.rationale
    from unnest(array[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()]::uuid[],
                array['being', 'becoming', 'becoming', 'determinate being', 'quality']::text[],
                array['nothing', 'being', 'nothing', 'becoming', 'determinate being']::text[],
                array['NEGATES', 'SUBLATES', 'SUBLATES', 'PRESUPPOSES', 'PART_OF']::text[],
                array[0.5, 0.5, 0.5, 0.5, 0.5]::float8[],
                array['pure being is pure nothing', null, null, null, null]::text[])
         as u(id, from_canonical, to_canonical, type, weight, rationale)
    join categories f on f.canonical_name = u.from_canonical
    join categories t on t.canonical_name = u.to_canonical
  returning 1)
select count(*), cast(pg_current_wal_insert_lsn() as text) from r;
COMMIT;
\endpipeline
SQL

PG_BEST=0
PG_BEST_CLIENTS=0
for clients in $PGBENCH_CLIENTS; do
  jobs=$(( clients < THREADS ? clients : THREADS ))
  out="$("$PGBENCH" -n -M prepared -f "$WORK/create.pgbench" -D owner="$PGBENCH_OWNER" -c "$clients" -j "$jobs" \
           -T "$PGBENCH_SECONDS" 2>&1)" || die "pgbench failed: $(tail -n 5 <<<"$out")"
  echo "$out" >"$ROOT/.local/logs/bench-writes-pgbench-$clients.txt" 2>/dev/null || true
  tps="$(awk '/^tps = / { printf "%.0f", $3 }' <<<"$out")"
  lat="$(awk '/^latency average = / { printf "%.2f", $4 }' <<<"$out")"
  failed="$(awk '/number of failed transactions:/ { print $5 }' <<<"$out")"
  xacts="$(awk '/number of transactions actually processed:/ { print $6 }' <<<"$out")"
  say "pgbench, $clients clients: $tps tx/s, latency average $lat ms"
  ROWS+="$(printf '| pgbench, the statements of one create | %s clients | %s | %s (average) | - | %s of %s |' \
           "$clients" "${tps:-0}" "$lat" "${failed:-0}" "${xacts:-0}")"$'\n'
  if (( ${tps:-0} > PG_BEST )); then PG_BEST="$tps"; PG_BEST_CLIENTS="$clients"; fi
done

RATIO="$(awk -v a="$BEST" -v b="$PG_BEST" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
TABLE="$(printf '| what | concurrency | creates/s (GET: req/s; pgbench: tx/s) | p50 ms | p99 ms | errors / failed |\n|---|---|---:|---:|---:|---:|\n'
printf '%s' "$ROWS"
printf '\nbest: %s creates/s at %s connections; pgbench %s tx/s at %s clients; ratio %s. Load average before: %s. Running: %s.\n' \
  "$BEST" "$BEST_LEVEL" "$PG_BEST" "$PG_BEST_CLIENTS" "$RATIO" "$LOAD_BEFORE" "${UP:-?}")"
echo "$TABLE"

if [[ "${BENCH_RECORD:-1}" != 0 && -d "$ROOT/docs" ]]; then
  {
    echo
    echo "### writes — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${DURATION} per level (${WARMUP} warm-up), pgbench ${PGBENCH_SECONDS} s per client count"
    echo
    echo "$TABLE"
    echo
    echo "\`writes rps=$BEST pgbench_tps=$PG_BEST ratio=$RATIO\`"
  } >> "$ROOT/docs/benchmarks.md"
fi

echo "writes rps=$BEST pgbench_tps=$PG_BEST ratio=$RATIO"

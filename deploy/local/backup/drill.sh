#!/usr/bin/env bash
# ./dialectica drill — the disaster-recovery drill of docs/runbooks/restore.md, on the running local stack:
#   1. write concepts and a theses job (through the gateway, as a user would), and let the job finish
#   2. ./dialectica backup
#   3. write more: two new concepts and an edit (after the recovery point: the restore must not have them)
#   4. destroy every data directory and ./dialectica restore <id> --wipe (PostgreSQL, Neo4j, the index, the
#      connector's position; the convergence checker must find PostgreSQL, Neo4j and the index identical)
#   5. the concepts, the job and its theses of step 1 are there, step 3's are not; a new write flows through to
#      both projections (read back from graph-service and search-service with its consistency token)
# DRILL_POSTGRES_ONLY=1: the backup's Neo4j store and OpenSearch snapshot are dropped before the restore, which
# must then rebuild both projections from PostgreSQL (rebuilt=search,graph).
# Destroys the local stack's data (that is the point): it refuses to run unless DRILL_CONFIRM=yes or --yes.
# Prints a table and, last, `drill backup_ms=<n> restore_ms=<n> rebuilt=<...> result=ok|FAILED`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
GW="${GATEWAY_URL:-http://127.0.0.1:8080}"
DIALECTICA="$ROOT/dialectica"
die() { echo "drill: $*" >&2; exit 1; }
say() { echo "drill: $*" >&2; }
now_ms() { date +%s%3N; }
. "$ROOT/deploy/local/lib/pipes.sh"

[[ "${1:-}" == --yes || "${DRILL_CONFIRM:-}" == yes ]] \
  || die "the drill deletes the local stack's data directories (.local/data): run it with --yes"
curl -fsS -m 5 -o /dev/null "$GW/q/health/ready" || die "the gateway at $GW is not ready: ./dialectica up"

TOKEN="$("$DIALECTICA" token "drill-$(date +%s)")"
AUTH=(-H "Authorization: Bearer $TOKEN")
failures=() checks=0
check() { checks=$((checks + 1)); if eval "$2"; then say "ok: $1"; else say "FAILED: $1"; failures+=("$1"); fi; }

# POST a concept; echoes "<id> <consistency token>"
create() {
  local headers body
  headers="$(mktemp)"
  body="$(curl -sS -m 30 -D "$headers" -X POST "$GW/api/concepts" "${AUTH[@]}" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"tradition\":\"Drill\",\"visibility\":\"PRIVATE\",\"description\":\"disaster-recovery drill\",
         \"categories\":[{\"name\":\"$1 thesis\",\"weight\":0.8},{\"name\":\"$1 antithesis\",\"weight\":0.6}],
         \"relations\":[{\"from\":\"$1 thesis\",\"to\":\"$1 antithesis\",\"type\":\"NEGATES\"}]}")"
  has_status "$headers" 201 || { rm -f "$headers"; die "creating $1 failed: $body"; }
  echo "$(header "$headers" Location | sed 's:.*/::') $(header "$headers" X-Consistency-Token)"
  rm -f "$headers"
}
# a header's value from a curl -D file (case-insensitive name)
header() { awk -v h="$(tr 'A-Z' 'a-z' <<<"$2")" 'index(tolower($0), h ":") == 1 { v = substr($0, length(h) + 2); sub(/^ +/, "", v); sub(/\r$/, "", v); print v }' "$1"; }
has_status() { head -n 1 "$1" | awk -v s="$2" '$2 == s { ok = 1 } END { exit !ok }'; }
status_of() { curl -sS -m 30 -o /dev/null -w '%{http_code}' "${AUTH[@]}" "$@"; }
json_field() { tr ',{}' '\n\n\n' | awk -v k="\"$1\":" 'index($0, k) == 1 && !done { v = substr($0, length(k) + 1); gsub(/"/, "", v); print v; done = 1 }'; }

# 1. before the backup
say "1. writing concepts and a theses job"
before=()
for n in 1 2 3; do read -r id _ < <(create "Drill before $n"); before+=("$id"); done
headers="$(mktemp)"
answer="$(curl -sS -m 30 -D "$headers" -X POST "$GW/api/concepts/${before[0]}/theses" "${AUTH[@]}" \
  -H 'Content-Type: application/json' -d '{"count":2,"language":"en"}')"
has_status "$headers" 202 || die "POST /api/concepts/{id}/theses answered $(head -n 1 "$headers") $answer"
job="$(header "$headers" Location | sed 's:.*/::')"; rm -f "$headers"
job_status=""
for _ in $(seq 1 120); do
  job_status="$(curl -sS -m 10 "${AUTH[@]}" "$GW/api/jobs/$job" | json_field status)"
  [[ "$job_status" == SUCCEEDED || "$job_status" == FAILED ]] && break
  sleep 1
done
[[ "$job_status" == SUCCEEDED ]] || die "the theses job $job ended $job_status"

# 2. backup
say "2. ./dialectica backup"
t=$(now_ms)
backup_id="$("$DIALECTICA" backup | tail -n 1)"
backup_ms=$(( $(now_ms) - t ))
[[ -n "$backup_id" ]] || die "no backup id"

# PostgreSQL alone is enough: DRILL_POSTGRES_ONLY=1 drops the projections' part of the backup, so the restore
# starts them empty and must rebuild both from PostgreSQL
if [[ "${DRILL_POSTGRES_ONLY:-0}" == 1 ]]; then
  say "   DRILL_POSTGRES_ONLY=1: removing Neo4j's store and the OpenSearch snapshot from the backup"
  rm -f "$ROOT/.local/backups/$backup_id/neo4j.tar.gz"
  sed -i '/^opensearch\.snapshot=/d' "$ROOT/.local/backups/$backup_id/manifest.txt"
fi

# 3. after the recovery point
say "3. writing after the backup"
after=()
for n in 1 2; do read -r id _ < <(create "Drill after $n"); after+=("$id"); done

# 4. disaster and restore
say "4. destroying the data and restoring $backup_id"
t=$(now_ms)
restore_line="$("$DIALECTICA" restore "$backup_id" --wipe | tail -n 1)" || die "restore failed"
restore_ms=$(( $(now_ms) - t ))
rebuilt="$(sed -n 's/.*rebuilt=\([^ ]*\).*/\1/p' <<<"$restore_line")"

# 5. what the users find
say "5. checking what the restored stack holds"
for id in "${before[@]}"; do check "concept $id (written before the backup) is back" "[[ \$(status_of '$GW/api/concepts/$id') == 200 ]]"; done
for id in "${after[@]}"; do check "concept $id (written after the backup) is not" "[[ \$(status_of '$GW/api/concepts/$id') == 404 ]]"; done
check "job $job is SUCCEEDED" "[[ \$(curl -sS -m 10 \"\${AUTH[@]}\" '$GW/api/jobs/$job' | json_field status) == SUCCEEDED ]]"
check "its theses are listed" "curl -sS -m 10 \"\${AUTH[@]}\" '$GW/api/concepts/${before[0]}/theses' | has_text '\"theses\":[{'"
read -r fresh token < <(create "Drill restored")
check "a new write reaches the graph (token $token)" \
  "[[ \$(status_of -H 'X-Consistency-Token: $token' '$GW/api/graph/concepts/$fresh') == 200 ]]"
check "a new write reaches the index" \
  "curl -sS -m 30 \"\${AUTH[@]}\" -H 'X-Consistency-Token: $token' '$GW/api/search?q=Drill%20restored' | has_text '$fresh'"

echo
echo "| step | result |"
echo "| --- | --- |"
echo "| backup | $backup_id in $backup_ms ms |"
echo "| restore (stop, wipe, restore, start, converge) | $restore_ms ms, rebuilt from PostgreSQL: ${rebuilt:-?} |"
echo "| recovery point | the backup: ${#after[@]} concepts written after it are gone, as expected |"
echo "| checks | $((checks - ${#failures[@]})) of $checks passed${failures[*]:+: failed: ${failures[*]}} |"
echo
result=ok; [[ ${#failures[@]} -eq 0 ]] || result=FAILED
echo "drill backup_ms=$backup_ms restore_ms=$restore_ms rebuilt=${rebuilt:-?} result=$result"
[[ $result == ok ]]

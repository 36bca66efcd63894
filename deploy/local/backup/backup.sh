#!/usr/bin/env bash
# ./dialectica backup | restore <id> [--wipe] — backups of the local stack and disaster recovery (issue 12, 3).
# Run through ./dialectica, which holds its lock; the method, the guarantees and the measured recovery point and
# time are in docs/runbooks/restore.md.
#
# backup: into .local/backups/<id>/ (id = UTC time), projections FIRST, PostgreSQL LAST — a projection in a backup
# is then never ahead of the PostgreSQL it is restored with (ahead would be unrepairable: the restored PostgreSQL
# hands out the same LSNs again, and the projections would skip the new writes as repeats):
#   1. OpenSearch: a snapshot of the dialectica indices (and their aliases) into the filesystem repository
#      .local/backups/opensearch (path.repo of the local OpenSearch), online
#   2. Neo4j: a copy of the store — Neo4j Community has no online backup, so neo4j is stopped for the copy (graph
#      reads answer 503 meanwhile; the projector retries and catches up) and started again
#   3. Kafka: cdc-connector's offsets and every consumer group's offsets (KafkaPositions.java)
#   4. PostgreSQL: pg_basebackup of the whole cluster (both databases), tar + the WAL to make it consistent —
#      physical, so the restored cluster continues the same LSN space (consistency tokens are LSNs)
#   manifest.txt holds what was taken, the LSNs and the times; the id is printed last.
#
# restore <id>: from empty data directories (--wipe deletes the current ones; without it a restore refuses to run
# over data): PostgreSQL from the base backup, Neo4j's store, OpenSearch's snapshot, cdc-connector's offsets into
# an empty Kafka (it resumes streaming from a new replication slot instead of snapshotting every table); then the
# whole stack starts, the convergence checker compares PostgreSQL with both projections, and a projection that
# differs (its backup older than PostgreSQL's, or missing) is rebuilt from PostgreSQL (./dialectica reindex search,
# ./dialectica rebuild graph) and checked again. Prints the figures; exits non-zero unless everything converged.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
LOCAL="$ROOT/.local"
DATA="$LOCAL/data"
BACKUPS="$LOCAL/backups"
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=15432
OPENSEARCH="http://127.0.0.1:19200"
REPO=dialectica-local
CDC_SLOT=dialectica_cdc   # cdc-connector's dialectica.cdc.slot-name
DIALECTICA="$ROOT/dialectica"
die() { echo "dialectica: $*" >&2; exit 1; }
say() { echo "dialectica: $*" >&2; }
. "$ROOT/deploy/local/lib/pipes.sh"
. "$ROOT/deploy/local/lib/java.sh"

now_ms() { date +%s%3N; }
is_up() { "$DIALECTICA" status 2>/dev/null | has_match "^$1 +up"; }
kafka_java() {
  find_jdk
  "$JAVA" -cp "$ROOT/deploy/local/kafka/target/lib/*" "$ROOT/deploy/local/backup/KafkaPositions.java" "$@"
}
os() { curl -fsS -m 300 -H 'Content-Type: application/json' "$@"; }
register_repo() {
  os -X PUT "$OPENSEARCH/_snapshot/$REPO" \
    -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$BACKUPS/opensearch\"}}" >/dev/null
}

cmd_backup() {
  local id dir t0 t
  id="$(date -u +%Y%m%dT%H%M%SZ)"
  dir="$BACKUPS/$id"
  is_up postgres || die "backup: postgres is not running (./dialectica up)"
  mkdir -p "$dir"
  t0=$(now_ms)
  {
    echo "id=$id"
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  } >"$dir/manifest.txt"

  # 1. OpenSearch, online
  if is_up opensearch; then
    t=$(now_ms)
    register_repo
    local indices
    indices="$(os "$OPENSEARCH/_cat/indices/dialectica*?h=index" | tr -s ' \n' ',' | sed 's/,$//')"
    if [[ -n "$indices" ]]; then
      os -X PUT "$OPENSEARCH/_snapshot/$REPO/${id,,}?wait_for_completion=true" \
        -d "{\"indices\":\"$indices\",\"include_global_state\":false}" >"$dir/opensearch-snapshot.json"
      has_text '"state":"SUCCESS"' <"$dir/opensearch-snapshot.json" || die "backup: the OpenSearch snapshot failed: $(cat "$dir/opensearch-snapshot.json")"
      echo "opensearch.snapshot=${id,,}" >>"$dir/manifest.txt"
      echo "opensearch.indices=$indices" >>"$dir/manifest.txt"
    fi
    echo "opensearch.ms=$(( $(now_ms) - t ))" >>"$dir/manifest.txt"
    say "backup: OpenSearch snapshot ${id,,} of $indices in $(( $(now_ms) - t )) ms"
  else
    say "backup: opensearch is not running: no search snapshot (restore rebuilds the index from PostgreSQL)"
  fi

  # 2. Neo4j: a cold copy of the store (Community has no online backup)
  if is_up neo4j; then
    t=$(now_ms)
    # down only for a plain copy on the same disk; compressed after neo4j is back
    "$DIALECTICA" stop neo4j >/dev/null
    cp -a "$DATA/neo4j" "$dir/neo4j"
    "$DIALECTICA" start neo4j >/dev/null
    local down=$(( $(now_ms) - t ))
    tar -C "$dir" -czf "$dir/neo4j.tar.gz" neo4j && rm -rf "${dir:?}/neo4j"
    echo "neo4j.down.ms=$down" >>"$dir/manifest.txt"
    say "backup: Neo4j store copied; neo4j was down for $down ms (stop, copy, start)"
  else
    say "backup: neo4j is not running: no graph store (restore rebuilds the graph from PostgreSQL)"
  fi

  # 3. Kafka positions
  if is_up kafka; then
    kafka_java dump "$dir" >&2
  fi

  # 4. PostgreSQL last: a physical base backup with its WAL
  t=$(now_ms)
  PGPASSWORD=dialectica "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U dialectica -D "$dir/postgres" \
    -Ft -z -X stream -c fast -l "dialectica $id" \
    || die "backup: pg_basebackup failed"
  local range
  range="$(sed -n 's/.*"Start-LSN": *"\([^"]*\)", *"End-LSN": *"\([^"]*\)".*/\1 \2/p' "$dir/postgres/backup_manifest" | head -n 1)"
  echo "postgres.start_lsn=${range% *}" >>"$dir/manifest.txt"
  echo "postgres.end_lsn=${range#* }" >>"$dir/manifest.txt"
  echo "postgres.ms=$(( $(now_ms) - t ))" >>"$dir/manifest.txt"
  echo "size=$(du -sh "$dir" | cut -f1)" >>"$dir/manifest.txt"
  echo "took.ms=$(( $(now_ms) - t0 ))" >>"$dir/manifest.txt"
  say "backup: PostgreSQL base backup up to LSN ${range#* } in $(( $(now_ms) - t )) ms; $(du -sh "$dir" | cut -f1) in $(( $(now_ms) - t0 )) ms"
  echo "$id"
}

manifest() { sed -n "s/^$2=//p" "$1/manifest.txt"; }

cmd_restore() {
  local id="${1:-}" wipe="${2:-}" dir t0 t
  [[ -n "$id" ]] || die "usage: ./dialectica restore <id> [--wipe]   (ids: ls .local/backups)"
  dir="$BACKUPS/$id"
  [[ -f "$dir/manifest.txt" && -f "$dir/postgres/base.tar.gz" ]] || die "restore: no complete backup $id in ${BACKUPS#"$ROOT"/}"
  local name
  for name in postgres kafka neo4j opensearch redis; do
    if [[ -d "$DATA/$name" && -n "$(ls -A "$DATA/$name" 2>/dev/null)" && "$wipe" != --wipe ]]; then
      die "restore: ${DATA#"$ROOT"/}/$name holds data; restore starts from empty data directories: add --wipe to delete them"
    fi
  done
  t0=$(now_ms)
  say "restore: stopping the stack"
  "$DIALECTICA" down >/dev/null
  rm -rf "${DATA:?}"/{postgres,kafka,neo4j,opensearch,redis}

  # PostgreSQL: the base backup and its WAL; the server replays the WAL to the backup's end when it starts
  mkdir -p "$DATA/postgres/pg_wal"
  tar -xzf "$dir/postgres/base.tar.gz" -C "$DATA/postgres"
  tar -xzf "$dir/postgres/pg_wal.tar.gz" -C "$DATA/postgres/pg_wal"
  chown -R postgres "$DATA/postgres"; chmod 700 "$DATA/postgres"
  [[ -f "$dir/neo4j.tar.gz" ]] && tar -xzf "$dir/neo4j.tar.gz" -C "$DATA"

  for name in postgres redis kafka neo4j opensearch; do
    "$DIALECTICA" start "$name" >/dev/null
  done
  local snapshot
  snapshot="$(manifest "$dir" opensearch.snapshot)"
  if [[ -n "$snapshot" ]]; then
    t=$(now_ms)
    register_repo
    os -X POST "$OPENSEARCH/_snapshot/$REPO/$snapshot/_restore?wait_for_completion=true" \
      -d '{"include_global_state":false,"include_aliases":true}' >"$LOCAL/logs/restore-opensearch.json" \
      || die "restore: the OpenSearch snapshot $snapshot did not restore (see .local/logs/restore-opensearch.json)"
    say "restore: OpenSearch snapshot $snapshot restored in $(( $(now_ms) - t )) ms"
  fi
  # a base backup holds no replication slot: create cdc-connector's before anything writes, and resume its offset
  # there (Debezium refuses an offset older than its slot; nothing committed since the backup's end)
  if [[ -f "$dir/connector-offsets.tsv" ]]; then
    local slot_lsn
    slot_lsn="$(PGPASSWORD=dialectica "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U dialectica -d concepts -Atq -c \
      "SELECT lsn FROM pg_create_logical_replication_slot('$CDC_SLOT', 'pgoutput')")" \
      || die "restore: creating the replication slot $CDC_SLOT failed"
    say "restore: replication slot $CDC_SLOT created at $slot_lsn"
    RESUME_LSN="$(( 16#${slot_lsn%/*} * 4294967296 + 16#${slot_lsn#*/} ))" kafka_java restore "$dir" >&2
  fi

  t=$(now_ms)
  "$DIALECTICA" up >&2
  local started_ms=$(( $(now_ms) - t ))

  # what the projections' backups missed (writes between their copy and PostgreSQL's) is rebuilt from PostgreSQL
  find_jdk
  e2e_classes io/dialectica/e2e/convergence/ConvergenceCli
  local check rc=0 neo4j search
  check="$("$JAVA" -cp "$CLASSES:$LIB/*" io.dialectica.e2e.convergence.ConvergenceCli)" || rc=$?
  echo "$check" >&2
  [[ $rc -le 1 ]] || die "restore: the convergence check could not read the stores"
  neo4j="$(sed -n 's/^convergence .* neo4j=\([0-9]*\).*/\1/p' <<<"$check")"
  search="$(sed -n 's/^convergence .* search=\([0-9]*\).*/\1/p' <<<"$check")"
  local rebuilt=()
  if [[ "${search:-1}" != 0 ]]; then
    say "restore: the index differs from PostgreSQL in $search place(s): rebuilding it from PostgreSQL"
    "$DIALECTICA" reindex search >&2; rebuilt+=(search)
  fi
  if [[ "${neo4j:-1}" != 0 ]]; then
    say "restore: the graph differs from PostgreSQL in $neo4j place(s): rebuilding it from PostgreSQL"
    "$DIALECTICA" rebuild graph >&2; rebuilt+=(graph)
  fi
  if [[ ${#rebuilt[@]} -gt 0 ]]; then
    rc=0; check="$("$JAVA" -cp "$CLASSES:$LIB/*" io.dialectica.e2e.convergence.ConvergenceCli)" || rc=$?
    echo "$check" >&2
    [[ $rc -eq 0 ]] || die "restore: still not converged after rebuilding ${rebuilt[*]}"
  fi
  say "restore: $id restored in $(( $(now_ms) - t0 )) ms (stack start $started_ms ms; rebuilt: ${rebuilt[*]:-nothing}); $(tail -n 1 <<<"$check")"
  echo "restore id=$id ms=$(( $(now_ms) - t0 )) rebuilt=$(IFS=,; echo "${rebuilt[*]:-none}")"
}

case "${1:-}" in
  backup) shift; cmd_backup "$@" ;;
  restore) shift; cmd_restore "$@" ;;
  *) die "usage: backup.sh backup | restore <id> [--wipe]" ;;
esac

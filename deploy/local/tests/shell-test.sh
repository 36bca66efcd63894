#!/usr/bin/env bash
# Tests of the shell scripts themselves (run by ./dialectica test, step "shell scripts"):
#   1. has_match / has_text (deploy/local/lib/pipes.sh) hold under pipefail with a producer that
#      keeps writing after the match, where `| grep -q` fails;
#   2. no script pipes into `grep -q` (or `grep ... >/dev/null`) again;
#   3. the projectors' second replicas are processes ./dialectica knows (status).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=../lib/pipes.sh
. "$ROOT/deploy/local/lib/pipes.sh"
failures=0
fail() { echo "shell-test: FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "shell-test: ok: $*" >&2; }

# a producer that writes its match first and keeps writing long after: like `./dialectica status`
producer() { echo "claude-worker    up    8085"; seq 1 200000; }

if producer | has_match '^claude-worker +up'; then ok "has_match finds a line before more output"; else fail "has_match missed a line under pipefail"; fi
if producer | has_text 'claude-worker    up'; then ok "has_text finds a line before more output"; else fail "has_text missed a line under pipefail"; fi
if producer | has_match '^graph-service +up'; then fail "has_match matched a line that is not there"; else ok "has_match refuses a missing line"; fi
if printf '' | has_match '.'; then fail "has_match matched empty input"; else ok "has_match refuses empty input"; fi
# the trap itself, so this test shows what it guards against (grep -q loses the producer to SIGPIPE)
if producer | grep -qE '^claude-worker +up'; then
  echo "shell-test: note: grep -q happened to win the race this time" >&2
else
  ok "the trap is real: producer | grep -q fails under pipefail"
fi

# 2. the lint: a pipe into grep -q, or grep to /dev/null, in any script
scripts=("$ROOT/dialectica" "$ROOT/.ci/run")
while IFS= read -r f; do scripts+=("$f"); done < <(find "$ROOT/deploy" -name '*.sh' -not -path '*/node_modules/*' \
  -not -path '*/deploy/local/tests/*' -not -path '*/deploy/local/lib/*' | sort)
offenders="$(grep -nE '\|[[:space:]]*grep[[:space:]]+(-[a-zA-Z]*q|[^|]*>[[:space:]]*/dev/null)' "${scripts[@]}" || true)"
if [[ -n "$offenders" ]]; then
  fail "pipes into grep -q (use has_match/has_text from deploy/local/lib/pipes.sh):"$'\n'"$offenders"
else
  ok "no script pipes into grep -q (${#scripts[@]} scripts)"
fi

# 3. replicas: ./dialectica knows the projectors' second replicas as processes of their own (port + 100)
status="$("$ROOT/dialectica" status)"
for replica in "graph-service-2 8182" "search-service-2 8183"; do
  read -r name port <<<"$replica"
  [[ -d "$ROOT/${name%-2}" ]] || continue
  if printf '%s\n' "$status" | has_match "^$name +[a-z]+ +[-0-9]+ +$port "; then
    ok "./dialectica status lists $name on port $port"
  else
    fail "./dialectica status does not list $name on port $port"
  fi
done

[[ $failures -eq 0 ]] || { echo "shell-test: $failures failure(s)" >&2; exit 1; }

#!/usr/bin/env bash
# The deploy check (docs/deploy.md, "The deploy check"). Offline, ~10 s:
#   1. renders every kustomization under deploy/ (kubectl kustomize);
#   2. validates every rendered object strictly against the schema of its kind: Kubernetes
#      built-ins and every custom resource used - an unknown field (a typo) fails;
#   3. parses every PromQL expression (alerts, canary analysis, dashboards);
#   4. cross-checks deploy/ against the code: service modules <-> bases, Kafka topics <->
#      KafkaTopics, required prod configuration, image names, secrets (none in plaintext, every
#      one read is produced by an ExternalSecret/SealedSecret/operator);
#   5. runs its own self-test: a deliberately broken copy of deploy/ must fail in every way.
# Usage: deploy/check/run.sh [--no-self-test] [--self-test] [--explain] [--provenance]
# Needs node >= 20, npm and kubectl (with its built-in kustomize); installs its own npm
# dependencies into deploy/check/node_modules (git-ignored) from package-lock.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

for tool in node npm kubectl; do
  command -v "$tool" >/dev/null || { echo "deploy check: '$tool' is not installed" >&2; exit 2; }
done

# npm ci only when the lock file changed since the last install
stamp="node_modules/.dialectica-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "deploy check: installing npm dependencies (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi

self_test=1; only_self_test=0; args=()
for a in "$@"; do
  case "$a" in
    --no-self-test) self_test=0 ;;
    --self-test) only_self_test=1 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$only_self_test" = 1 ]; then exec node src/check.mjs --self-test; fi

status=0
node src/check.mjs "${args[@]+"${args[@]}"}" || status=1
if [ "$self_test" = 1 ]; then node src/check.mjs --self-test || status=1; fi
exit $status

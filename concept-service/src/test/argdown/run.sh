#!/usr/bin/env bash
# Runs read.mjs with the Argdown toolchain, installing it first (npm ci from package-lock.json into node_modules,
# git-ignored) when the lock file changed since the last install - as deploy/check/run.sh installs its npm tools,
# so a fresh clone's ./dialectica test needs nothing but node and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "argdown reader: '$tool' is not installed" >&2; exit 2; }
done
stamp="node_modules/.dialectica-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "argdown reader: installing @argdown/core (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi
exec node read.mjs

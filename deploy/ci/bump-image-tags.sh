#!/usr/bin/env bash
# The GitOps step of CI: point an overlay's images at a new tag, for every service module, and
# check the result still passes the deploy check. CI commits the change; Argo CD deploys it.
#   deploy/ci/bump-image-tags.sh <overlay: dev|staging|prod> <tag>
set -euo pipefail
overlay="$1"; tag="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/deploy/k8s/overlays/$overlay"
[ -f "$dir/kustomization.yaml" ] || { echo "no overlay $overlay" >&2; exit 2; }
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "not an image tag: $tag" >&2; exit 2; }
for m in $("$root/deploy/ci/service-modules.sh" | tr -d '[]"' | tr ',' ' '); do
  # kustomize's own editor would do too (kustomize edit set image); kubectl has no such verb, so
  # rewrite the newTag under the module's image entry
  python3 - "$dir/kustomization.yaml" "ghcr.io/dialectica/$m" "$tag" <<'PY'
import re, sys
path, image, tag = sys.argv[1:]
s = open(path).read()
pat = re.compile(r'(- name: ' + re.escape(image) + r'\n\s+newTag: )\S+')
if not pat.search(s):
    sys.exit(f"{path}: no images entry for {image}")
open(path, 'w').write(pat.sub(lambda m: m.group(1) + tag, s))
PY
done
"$root/deploy/check/run.sh" --no-self-test

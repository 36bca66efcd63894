#!/usr/bin/env bash
# Prints the service modules as a JSON array (CI's build matrix): the top-level directories whose
# pom.xml uses the quarkus-maven-plugin - the same rule the deploy check uses.
set -euo pipefail
cd "$(dirname "$0")/../.."
mods=()
for pom in */pom.xml; do
  d="${pom%/pom.xml}"
  grep -q '<artifactId>quarkus-maven-plugin</artifactId>' "$pom" && mods+=("\"$d\"")
done
(IFS=,; echo "[${mods[*]}]")

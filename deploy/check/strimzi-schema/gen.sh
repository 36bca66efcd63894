#!/usr/bin/env bash
# Regenerates ../schemas/strimzi.json from Strimzi's Java API model (io.strimzi:api, version in pom.xml).
# Needs Maven and a JDK 21+ (the api jar targets Java 21). Run it when bumping Strimzi; commit the result.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! [[ "$("$java_bin" -version 2>&1)" =~ version\ \"(2[1-9]|[3-9][0-9]) ]]; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
    [ -x "$j/bin/java" ] && java_bin="$j/bin/java" && break
  done
fi
mvn_bin="$here/../../../mvnw"; [ -x "$mvn_bin" ] || mvn_bin=mvn
cp_file="$(mktemp)"; trap 'rm -f "$cp_file"' EXIT
"$mvn_bin" -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
version="$(sed -n 's#.*<strimzi.version>\(.*\)</strimzi.version>.*#\1#p' "$here/pom.xml")"
"$java_bin" -Dstrimzi.version="$version" -cp "$(cat "$cp_file")" "$here/GenStrimziSchema.java" "$here/../schemas/strimzi.json" 2>&1 | grep -v '^SLF4J'

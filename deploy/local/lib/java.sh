# shellcheck shell=bash
# Java for the scripts beside ./dialectica (benchmarks, backup): source it, then call what you need.
#   find_jdk            exports JAVA_HOME (a JDK 21+: JAVA_HOME if it is one, else the newest under /usr/lib/jvm,
#                       as ./dialectica picks one) and sets JAVA
#   e2e_classes <class> sets CLASSES and LIB (e2e-tests/target/classes + target/lib: the benchmarks and the
#                       convergence checker), building e2e-tests when <class> (e.g. io/dialectica/e2e/bench/
#                       FreshnessBench) is missing or older than e2e-tests' sources; the services' artifacts come
#                       from ~/.m2 (./dialectica up installed them)
# Both need ROOT (the repository) and die.

java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1; }

find_jdk() {
  if [[ -z "${JAVA_HOME:-}" || "$(java_major "$JAVA_HOME")" -lt 21 ]]; then
    local best="" best_major=0 candidate major
    for candidate in /usr/lib/jvm/*/; do
      candidate="${candidate%/}"
      [[ -x "$candidate/bin/javac" ]] || continue
      major="$(java_major "$candidate")"
      if [[ "${major:-0}" -gt "$best_major" ]]; then best="$candidate"; best_major="$major"; fi
    done
    [[ "$best_major" -ge 21 ]] || die "no JDK 21 or newer found (set JAVA_HOME)"
    export JAVA_HOME="$best"
  fi
  JAVA="$JAVA_HOME/bin/java"
}

e2e_classes() {
  local marker="$1" log="$ROOT/.local/logs/e2e-classes-build.log"
  CLASSES="$ROOT/e2e-tests/target/classes"
  LIB="$ROOT/e2e-tests/target/lib"
  if [[ ! -d "$LIB" || ! -f "$CLASSES/$marker.class" \
        || -n "$(find "$ROOT/e2e-tests/src/main" "$ROOT/e2e-tests/pom.xml" -newer "$CLASSES/$marker.class" -print -quit)" ]]; then
    mkdir -p "$ROOT/.local/logs"
    echo "building e2e-tests' classes (log: ${log#"$ROOT"/}) ..." >&2
    (cd "$ROOT" && ./mvnw -B -q package -Dmaven.test.skip=true -pl contracts,e2e-tests) >"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; die "building e2e-tests failed"; }
  fi
}

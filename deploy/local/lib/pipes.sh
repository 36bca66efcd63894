# Shell helpers shared by ./dialectica and the benchmark scripts (sourced, not run).
#
# Why: every script runs under `set -o pipefail`, and `producer | grep -q PATTERN` is then a trap.
# grep -q exits at the first match; the producer's next write gets SIGPIPE, so the pipeline's status
# is the producer's 141 and the test fails although the line was there (./dialectica status |
# grep -q ... did exactly that in bench ratelimit). `grep PATTERN >/dev/null` is no cure: GNU grep
# notices /dev/null and stops at the first match too. has_match reads its whole input instead.
# deploy/local/tests/shell-test.sh checks both the helper and that no script uses the trap again.

# has_match ERE: succeeds when a line of stdin matches the extended regular expression
has_match() { awk -v pattern="$1" '$0 ~ pattern { found = 1 } END { exit !found }'; }

# has_text TEXT: succeeds when stdin contains TEXT literally
has_text() { awk -v text="$1" 'index($0, text) { found = 1 } END { exit !found }'; }

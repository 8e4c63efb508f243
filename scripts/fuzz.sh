#!/usr/bin/env bash
# Fuzzes the rule-file loader (TOML and JSON bundles), the expression parser and `estimate`
# with cargo-fuzz (libFuzzer, nightly). Seeds come from the shipped rule files, bundles, the
# broken-rule corpus and the rule tests. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] (default 600)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-600}
TARGETS=(load_toml load_bundle expression estimate)

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

# Working corpora start from the committed seeds (fuzz/seeds) and grow under fuzz/corpus.
for t in "${TARGETS[@]}"; do mkdir -p "fuzz/corpus/$t"; cp -n fuzz/seeds/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true; done

status=0
for t in "${TARGETS[@]}"; do
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s" >&2
  log="fuzz/$t.log"
  if ! (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -max_len=65536) >"$log" 2>&1; then
    echo "fuzz: $t FOUND A FAILURE — see $log and fuzz/artifacts/$t" >&2
    tail -40 "$log" >&2
    status=1
  fi
  grep -E "^#[0-9]+.*(DONE|pulse)" "$log" | tail -1 | sed "s/^/fuzz: $t: /" >&2 || true
done
exit $status

#!/usr/bin/env bash
# Peer benchmarks for the Baotou rule set: subsidy-calc (the widget's wasm in Node, and the
# native CLI) against
# json-rules-engine, GoRules ZEN and OpenFisca, on the same 2,000 generated answer sets.
# Installs its own tools (npm ci here; a Python venv in bench/.venv), checks that every engine
# gives the same eligible programs and cash total for every set, and prints a markdown table.
# Exits non-zero if any engine disagrees. Run from anywhere: bash bench/peers/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
COUNT=${COUNT:-2000}
SEED=${SEED:-20240715}

if [[ ! -f www/pkg/subsidy_calc.js || ! -f www/rules/baotou-rare-earth-zone.json || ! -x target/release/subsidy-calc ]]; then
  echo "== make build (wasm, bundles and the release CLI are missing)"
  make build
fi

echo "== npm ci (bench/peers)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== OpenFisca venv (bench/.venv)"
OPENFISCA_OUT=""
VENV="$ROOT/bench/.venv"
if { [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV" >"$TMP/venv.log" 2>&1; } &&
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" >"$TMP/pip.log" 2>&1; then
  OPENFISCA_OK=1
else
  OPENFISCA_OK=0
  echo "OpenFisca could not be installed; skipping it. Exact errors:"
  cat "$TMP/venv.log" "$TMP/pip.log" 2>/dev/null | tail -n 20
fi

echo "== generate $COUNT answer sets (seed $SEED)"
node "$HERE/gen.mjs" "$TMP/answers.json" "$COUNT" "$SEED"

if [[ $OPENFISCA_OK == 1 ]]; then
  echo "== OpenFisca"
  # Its Web API prints "Unable to load package metadata" for a system that is not a country package.
  if "$VENV/bin/python" "$HERE/openfisca_baotou.py" "$TMP/answers.json" "$TMP/openfisca.json" 2>"$TMP/openfisca.err"; then
    OPENFISCA_OUT="$TMP/openfisca.json"
  else
    echo "openfisca_baotou.py failed; skipping OpenFisca:"
    cat "$TMP/openfisca.err"
  fi
fi

echo "== subsidy-calc, json-rules-engine, GoRules ZEN, native CLI"
node "$HERE/bench.mjs" "$TMP/answers.json" $OPENFISCA_OUT

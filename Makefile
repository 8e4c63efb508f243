# subsidy-calc — the two commands a fresh machine needs:
#   make run    build everything and serve the demo on http://127.0.0.1:8080 (PORT=… to change)
#   make test   every test
# Each installs what it needs itself, idempotently (scripts/ensure-tools.sh).

SHELL := /bin/bash
CARGO ?= cargo
BIN := target/release/subsidy-calc
RULESETS := $(notdir $(wildcard rules/*))

PORT ?= 8080
WASM_OUT := target/wasm32-unknown-unknown/wasm/subsidy_calc.wasm

.PHONY: bench deny fuzz fuzz-smoke run test build cli check-rules rule-tests unit lint clean tools browser example wasm wasm-fast bundles wasm-test js-test

cli:
	$(CARGO) build --locked --release --bin subsidy-calc

tools:
	bash scripts/ensure-tools.sh wasm npm

browser:
	bash scripts/ensure-tools.sh chromium

# The browser build. With a nightly toolchain and its rust-src (scripts/ensure-tools.sh adds
# rust-src when a nightly is installed), std is rebuilt for size and a panic is a plain trap:
# 8 KB gzip less; -Zlocation-detail=none drops the file names kept for panic locations.
# Without one, the stable build (same code, same behaviour, larger). wasm-opt: one-caller
# inlining only of small functions (-ocimfs=20), passes repeated while they shrink (--converge).
NIGHTLY_WASM := target/nightly/wasm32-unknown-unknown/wasm/subsidy_calc.wasm
wasm: tools
	if rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then \
	  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" CARGO_TARGET_DIR=target/nightly $(CARGO) +nightly build --locked --lib \
	    --target wasm32-unknown-unknown --profile wasm -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size && \
	  wasm-bindgen --target web --out-dir www/pkg --no-typescript --remove-name-section --remove-producers-section $(NIGHTLY_WASM); \
	else \
	  $(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm && \
	  wasm-bindgen --target web --out-dir www/pkg --no-typescript --remove-name-section --remove-producers-section $(WASM_OUT); \
	fi
	node_modules/.bin/wasm-opt -Oz -ocimfs=20 --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	  www/pkg/subsidy_calc_bg.wasm -o www/pkg/subsidy_calc_bg.wasm
	node scripts/minify-wasm-names.mjs www/pkg

# The speed build, www/pkg-fast/: opt-level 3 throughout and `Calculator.figures` (feature
# `figures`), for pages that estimate many answer sets; about 30 KB gzip more than the widget's.
FAST_OUT := target/wasm32-unknown-unknown/wasm-fast/subsidy_calc.wasm
wasm-fast: tools
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm-fast --features figures
	wasm-bindgen --target web --out-dir www/pkg-fast --no-typescript --remove-name-section --remove-producers-section $(FAST_OUT)
	node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	  www/pkg-fast/subsidy_calc_bg.wasm -o www/pkg-fast/subsidy_calc_bg.wasm

bundles: cli
	mkdir -p www/rules
	for set in $(RULESETS); do $(BIN) compile rules/$$set -o www/rules/$$set.json || exit 1; done
	for set in $(notdir $(wildcard tests/rules/*)); do $(BIN) compile tests/rules/$$set -o www/rules/test/$$set.json || exit 1; done

# www/dist/: the element bundled and minified (esbuild), which the demo and embed pages load;
# the same as a versioned copy under www/release/<version>/, and www/integrity.json (sha384 of every file).
build: wasm bundles
	node scripts/release.mjs

run: build
	node scripts/serve.mjs --port $(PORT)

example: cli
	@echo '--- subsidy-calc estimate: a postdoc with 24 months in station (Baotou, 2024-07-15)'
	echo '{"applicant_type":"postdoc","in_zone":true,"months_in_station":24,"school_age_children":1}' | \
	  $(BIN) estimate --rules rules/baotou-rare-earth-zone --as-of 2024-07-15 --answers - --format text --lang en
	@echo '--- an enterprise whose workstation was approved on 2024-03-01'
	echo '{"applicant_type":"enterprise","in_zone":true,"workstation_status":"approved","workstation_approved_on":"2024-03-01"}' | \
	  $(BIN) estimate --rules rules/baotou-rare-earth-zone --as-of 2024-07-15 --answers - --format text

unit:
	$(CARGO) test --locked

check-rules: cli
	$(BIN) check rules tests/rules

rule-tests: cli
	$(BIN) test rules tests/rules

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

# The wasm boundary in Node and in headless Chromium (wasm-bindgen-test); it includes the
# compiled bundles, so they are built first.
wasm-test: tools browser bundles
	$(CARGO) test --locked --target wasm32-unknown-unknown --test wasm_node
	CHROMEDRIVER=/usr/bin/chromedriver $(CARGO) test --locked --target wasm32-unknown-unknown --test wasm_browser

# JS tests: CLI/wasm parity and the end-to-end tests in Chromium (playwright-core).
js-test: build wasm-fast browser
	node --test --test-concurrency=1 tests/js/

# Fuzzing (cargo-fuzz, nightly): `make fuzz` runs each target for FUZZ_SECONDS (default 600);
# `make test` runs a short smoke of each.
FUZZ_SECONDS ?= 600
fuzz: bundles
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke: bundles
	bash scripts/fuzz.sh 15

# Benchmarks against the budgets (and the peers in bench/peers); writes BENCHMARKS.md.
bench: build wasm-fast browser
	bash scripts/ensure-tools.sh valgrind
	node scripts/bench.mjs

# Supply chain: licenses, bans and sources (offline: crates come from the lockfile).
deny:
	bash scripts/ensure-tools.sh deny
	$(CARGO) fetch --locked
	$(CARGO) deny --offline check licenses bans sources

test: deny lint unit check-rules rule-tests fuzz-smoke wasm-test js-test

clean:
	$(CARGO) clean

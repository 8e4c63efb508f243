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

.PHONY: toolchain bench deny fuzz fuzz-smoke run test build cli check-rules rule-tests unit lint clean tools browser example wasm wasm-author wasm-test-hooks bundles wasm-test js-test

# The pinned Rust toolchain (rust-toolchain.toml); every step that runs cargo needs it.
toolchain:
	bash scripts/ensure-tools.sh

cli: toolchain
	$(CARGO) build --locked --release --bin subsidy-calc

tools:
	bash scripts/ensure-tools.sh wasm npm

browser:
	bash scripts/ensure-tools.sh chromium

# The browser build, the same on every machine (rust-toolchain.toml pins the compiler;
# scripts/ensure-tools.sh pins wasm-bindgen and installs npm's binaryen for wasm-opt).
WASM_FLAGS := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
wasm: tools
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm
	wasm-bindgen --target web --out-dir www/pkg --no-typescript --remove-name-section --remove-producers-section $(WASM_OUT)
	node_modules/.bin/wasm-opt -Oz $(WASM_FLAGS) www/pkg/subsidy_calc_bg.wasm -o www/pkg/subsidy_calc_bg.wasm

# The same with the test hook `__panicForTest` (feature test-hooks), in www/pkg-test/: only
# the end-to-end test of the page's recovery loads it; it never ships.
wasm-test-hooks: tools
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm --features test-hooks --target-dir target/test-hooks
	wasm-bindgen --target web --out-dir www/pkg-test --no-typescript target/test-hooks/wasm32-unknown-unknown/wasm/subsidy_calc.wasm

bundles: cli
	mkdir -p www/rules
	for set in $(RULESETS); do $(BIN) compile rules/$$set -o www/rules/$$set.json || exit 1; done
	for set in $(notdir $(wildcard tests/rules/*)); do $(BIN) compile tests/rules/$$set -o www/rules/test/$$set.json || exit 1; done
	node scripts/rule-sources.mjs

# The authoring page's wasm (feature author: the TOML loader, tests and diff in the browser),
# in www/pkg-author/; only www/author.html loads it.
WASM_AUTHOR_OUT := target/author/wasm32-unknown-unknown/wasm/subsidy_calc.wasm
wasm-author: tools
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm --features author --target-dir target/author
	wasm-bindgen --target web --out-dir www/pkg-author --no-typescript --remove-name-section --remove-producers-section $(WASM_AUTHOR_OUT)
	node_modules/.bin/wasm-opt -Oz $(WASM_FLAGS) www/pkg-author/subsidy_calc_bg.wasm -o www/pkg-author/subsidy_calc_bg.wasm

# www/dist/: the element bundled and minified (esbuild), which the demo and embed pages load;
# the same as a versioned copy under www/release/<version>/, and www/integrity.json (sha384 of every file).
build: wasm wasm-author bundles
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

unit: toolchain
	$(CARGO) test --locked

check-rules: cli
	$(BIN) check rules tests/rules

rule-tests: cli
	$(BIN) test rules tests/rules

lint: toolchain
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

# The wasm boundary in Node and in headless Chromium (wasm-bindgen-test); it includes the
# compiled bundles, so they are built first.
wasm-test: tools browser bundles
	$(CARGO) test --locked --target wasm32-unknown-unknown --test wasm_node
	CHROMEDRIVER=/usr/bin/chromedriver $(CARGO) test --locked --target wasm32-unknown-unknown --test wasm_browser

# JS tests: CLI/wasm parity and the end-to-end tests in Chromium (playwright-core).
js-test: build wasm-test-hooks browser
	node --test --test-concurrency=1 tests/js/

# Fuzzing (cargo-fuzz, nightly): `make fuzz` runs each target for FUZZ_SECONDS (default 600);
# `make test` runs a short smoke of each.
FUZZ_SECONDS ?= 600
fuzz: bundles
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke: bundles
	bash scripts/fuzz.sh 15

# Benchmarks against the budgets (and the peers in bench/peers); writes BENCHMARKS.md.
bench: build browser
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

# subsidy-calc — the two commands a fresh machine needs:
#   make run    build and show an estimate on the default Baotou rules
#   make test   every test
# Each installs what it needs itself, idempotently.

SHELL := /bin/bash
CARGO ?= cargo
BIN := target/release/subsidy-calc
RULESETS := $(notdir $(wildcard rules/*))

.PHONY: run test build cli check-rules rule-tests unit lint clean

cli:
	$(CARGO) build --locked --release --bin subsidy-calc

run: cli
	@echo '--- subsidy-calc estimate: a postdoc with 24 months in station (Baotou, 2024-07-15)'
	echo '{"applicant_type":"postdoc","in_zone":true,"months_in_station":24,"school_age_children":1}' | \
	  $(BIN) estimate --rules rules/baotou-rare-earth-zone --as-of 2024-07-15 --answers - --format text --lang en
	@echo '--- an enterprise whose workstation was approved on 2024-03-01'
	echo '{"applicant_type":"enterprise","in_zone":true,"workstation_status":"approved","workstation_approved_on":"2024-03-01"}' | \
	  $(BIN) estimate --rules rules/baotou-rare-earth-zone --as-of 2024-07-15 --answers - --format text

unit:
	$(CARGO) test --locked

check-rules: cli
	$(BIN) check rules

rule-tests: cli
	$(BIN) test rules

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

test: lint unit check-rules rule-tests

clean:
	$(CARGO) clean

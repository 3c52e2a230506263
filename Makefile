# The verbs a user types. Every load target runs one test from tests/ against the emulator by default,
# or against a real org when GENESYSCLOUD_REGION / GENESYSCLOUD_API_URL point at one.
SHELL := /bin/bash
NODE ?= node
TEST ?= load
LOAD_TESTS := smoke load stress spike soak breakpoint bot-conversation analytics-lag notifications web-messaging
# Node flags the runner takes at start-up (bin/runner-flags.mjs): the tests' VU threads run as make load's do.
RUNNER_NODE_FLAGS = $(shell $(NODE) --input-type=module -e "import { runnerNodeFlags } from './bin/runner-flags.mjs'; console.log(runnerNodeFlags.join(' '))")
NODE_TESTS = $(shell find emulator runner lib tools bench -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)

.PHONY: help install build typecheck fmt fmt-check test unit emulator bench quickjs $(LOAD_TESTS) cloud-upload cloud-run cloud-archive k6-operator clean

help:
	@echo "make load | smoke | stress | spike | soak | breakpoint | bot-conversation | analytics-lag | notifications | web-messaging"
	@echo "make test | build | typecheck | fmt | fmt-check | emulator | bench"
	@echo "make cloud-upload | cloud-run [LOCAL=1] | cloud-archive TEST=load [ARGS='-e NAME=value']"
	@echo "make k6-operator TEST=load PARALLELISM=4"

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json

build: install
	@$(NODE) esbuild.config.mjs

typecheck: install
	npx tsc -p tsconfig.json
	npx tsc -p tsconfig.node.json

fmt: install
	npx prettier --write .

fmt-check: install
	npx prettier --check .

unit: build
	$(NODE) $(RUNNER_NODE_FLAGS) --import tsx --test --test-reporter=spec $(NODE_TESTS)

test: fmt-check typecheck build unit

emulator: build
	$(NODE) bin/emulator.mjs $(ARGS)

# run-test builds the test's bundle itself, on every run.
$(LOAD_TESTS): install
	@$(NODE) tools/run-test.mjs $@

cloud-upload cloud-run cloud-archive: build
	@$(NODE) tools/cloud.mjs $@ $(TEST) $(ARGS)

k6-operator: build
	@$(NODE) tools/k6-operator.mjs $(TEST) $(PARALLELISM)

bench: build
	@$(NODE) bench/run.mjs $(BENCH)

# The runner's QuickJS build (runner/quickjs/README.md), committed; this rebuilds it byte for byte.
quickjs:
	bash runner/quickjs/build.sh

clean:
	rm -rf build reports

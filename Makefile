# Two commands do all the set-up on a fresh Debian 12 machine (as root):
#   make run    serve the Worker at http://127.0.0.1:$(PORT) under local workerd
#   make test   build both presets, run the unit tests (ctest) and the integration tests
PORT ?= 8787
export WRANGLER_SEND_METRICS = false
WRANGLER = npx --no-install wrangler

.PHONY: setup wasm native fuzzers build run test unit integration deploy smoke set-commands fuzz bench clean format check-format

setup:
	@bash scripts/setup.sh

wasm: setup
	@[ -f build/wasm/build.ninja ] || cmake --preset wasm >/dev/null
	@cmake --build --preset wasm

native: setup
	@[ -f build/native/build.ninja ] || cmake --preset native >/dev/null
	@cmake --build --preset native

fuzzers: setup
	@[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz --target fuzzers

build: wasm native fuzzers

run: wasm
	@[ -f .dev.vars ] || cp .dev.vars.example .dev.vars
	@$(WRANGLER) d1 migrations apply DB --local
	@$(WRANGLER) dev --ip 127.0.0.1 --port $(PORT) --test-scheduled

unit: native
	@ctest --preset native --output-on-failure -j2

integration: wasm
	@node --test --test-concurrency=2 tests/integration/

# The presets build one after the other: side by side (make -j3) was measured slower on 2 cores
# (13.2 min against 11.4), the three HarfBuzz compiles starving each other at the start.
# ctest runs two tests at a time (-j2): the unit tests and the fuzz smoke runs are each one
# single-threaded process (measured at load 12-15: native 82 s -> 51 s, fuzz 51 s -> 25 s; a
# fuzzer still stops at 20000 runs or 10 s, whichever comes first).
test: build
	@bash scripts/check-format.sh
	@ctest --preset native -j2
	@ctest --preset fuzz -j2
	@node --test --test-concurrency=2 tests/integration/ host/cli/
	@# The webhook's tests once more as a runtime without JSPI runs them: the Asyncify modules.
	@TEST_HOST=asyncify node --test tests/integration/webhook.test.mjs

# Real deployment to your Cloudflare account (wrangler login or CLOUDFLARE_API_TOKEN first).
deploy: wasm
	@bash scripts/deploy.sh

# Smoke probe of any deployment (make deploy runs it too): /healthz with JSPI and the bindings,
# one render, the webhook refusing a wrong secret. RENDER_API_KEY from the environment if set.
smoke:
	@node scripts/smoke.mjs "$(URL)"

# Registers the command menu (all UI languages) on a deployed Worker: WORKER_URL and WEBHOOK_SECRET.
set-commands:
	@curl -fsS -X POST -H "x-telegram-bot-api-secret-token: $$WEBHOOK_SECRET" "$$WORKER_URL/telegram/setup"; echo

fuzz: setup
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

# Formats every C++ file with clang-format-16 and the repository's .clang-format (make test checks it).
format: setup
	@git ls-files -- '*.cpp' '*.h' '*.c' ':!deps/' | xargs clang-format-16 -i

check-format: setup
	@bash scripts/check-format.sh

clean:
	rm -rf build .wrangler

# PartnerDesk. `make run` starts it with demo data; `make test` runs every test.
GO      ?= go
# The toolchain with the current security fixes (go.mod's toolchain line); the go command fetches
# it from the module proxy on first use.
export GOTOOLCHAIN ?= go1.26.10
BIN     := bin/partnerdesk
# The data directory of make run: DATA=…, else PARTNERDESK_DATA_DIR, else ./data.
DATA    ?= $(or $(PARTNERDESK_DATA_DIR),./data)
# Spectral (npm), which the API tests run on the OpenAPI document.
LINT_DIR := internal/api/testdata/lint
SPECTRAL := $(LINT_DIR)/node_modules/.bin/spectral

.PHONY: run build generate test test-postgres check-generated fmt-check vet vulncheck fuzz bench screenshots clean

run: build
	PARTNERDESK_DEMO=$${PARTNERDESK_DEMO:-true} $(BIN) serve --data-dir '$(DATA)'

build:
	$(GO) build -o $(BIN) ./cmd/partnerdesk

# Regenerate the committed templ output with the version pinned by go.mod's tool directive.
generate:
	$(GO) tool templ fmt web
	$(GO) tool templ generate -include-version=false -path web

# The committed *_templ.go must match the .templ sources and the sources must be templ-formatted.
check-generated:
	@$(GO) tool templ fmt -fail web >/dev/null 2>&1 || { echo "templ sources are not formatted: run make generate"; exit 1; }
	@tmp=$$(mktemp -d) && cp -r web $$tmp/ && $(GO) tool templ generate -include-version=false -path $$tmp/web >/dev/null 2>&1 && \
	  diff -r -q web $$tmp/web >/dev/null || { echo "generated templ files are stale: run make generate and commit"; rm -rf $$tmp; exit 1; }; rm -rf $$tmp

fmt-check:
	@out=$$(gofmt -l cmd internal web static migrations); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Every test: unit, HTTP and browser (internal/e2e drives Debian's /usr/bin/chromium) on SQLite —
# with the PostgreSQL store suite and the two-instance test when PostgreSQL answers — then the
# service, HTTP, API and app tests again on PostgreSQL, then a short run of each fuzz target (their
# seed corpora run in the plain test run too). The API tests lint the OpenAPI document with
# Spectral (SPECTRAL names it; without, they skip the lint).
test: check-generated fmt-check vet $(SPECTRAL)
	env -u PARTNERDESK_TEST_DATABASE_URL $(if $(filter true,$(CI)),PARTNERDESK_TEST_POSTGRES='$(PG_TEST_URL)') SPECTRAL=$(abspath $(SPECTRAL)) $(GO) test -count=1 ./...
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory fuzz

# Spectral, the OpenAPI linter, from the npm registry at the versions of its lock file; installed
# again only when the lock file changes.
$(SPECTRAL): $(LINT_DIR)/package.json $(LINT_DIR)/package-lock.json
	npm ci --prefix $(LINT_DIR) --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# PostgreSQL for the tests: PARTNERDESK_TEST_DATABASE_URL, else the server on 127.0.0.1:5432 (user
# postgres). Each test makes and drops its own databases (named pg_t…). Under CI=true a server
# that does not answer is a failure, not a skip.
PG_TEST_URL ?= $(or $(PARTNERDESK_TEST_DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
test-postgres:
	@if [ -z "$$PARTNERDESK_TEST_DATABASE_URL" ] && ! bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL does not answer on 127.0.0.1:5432 (CI=true: the PostgreSQL tests must run)"; exit 1; fi; \
	  echo "PostgreSQL does not answer on 127.0.0.1:5432: skipping the tests on PostgreSQL"; exit 0; fi; \
	echo "the service, HTTP and API tests on PostgreSQL"; \
	PARTNERDESK_TEST_DATABASE_URL='$(PG_TEST_URL)' SPECTRAL=$(abspath $(SPECTRAL)) $(GO) test -count=1 ./internal/postgres/... ./internal/service/ ./internal/server/ ./internal/api/ ./internal/app/

FUZZTIME ?= 3s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzComputeCredit$$' -fuzztime=$(FUZZTIME) ./internal/desk
	$(GO) test -run='^$$' -fuzz='^FuzzComputeAmounts$$' -fuzztime=$(FUZZTIME) ./internal/desk
	$(GO) test -run='^$$' -fuzz='^FuzzMoneyRoundTrip$$' -fuzztime=$(FUZZTIME) ./internal/desk
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeOrderRequest$$' -fuzztime=$(FUZZTIME) ./internal/api
	$(GO) test -run='^$$' -fuzz='^FuzzFindCustomersQuery$$' -fuzztime=$(FUZZTIME) ./internal/sqlite
	$(GO) test -run='^$$' -fuzz='^FuzzImportKeys$$' -fuzztime=$(FUZZTIME) ./internal/service
	$(GO) test -run='^$$' -fuzz='^FuzzActivityFilter$$' -fuzztime=$(FUZZTIME) ./internal/service

# govulncheck with the vulnerability database taken from the module proxy (see .ci/vulncheck).
vulncheck:
	.ci/vulncheck

# The load benchmark: builds the large dataset once into $(BENCH_DATA) (20,000 customers, 200,000
# orders, 1,000,000 events), then drives the server on 127.0.0.1 and prints the table; then the
# store benchmarks (one iteration: the 1M-event export alone takes seconds). BENCH_DATABASE_URL
# (a postgres:// URL of a database the benchmark may fill) runs it all on PostgreSQL as well.
BENCH_DATA ?= bench-data
BENCH_DATABASE_URL ?=
bench: build
	$(GO) build -o bin/pdbench ./cmd/pdbench
	bin/pdbench -bin $(BIN) -data $(BENCH_DATA) $(if $(BENCH_DATABASE_URL),-database-url '$(BENCH_DATABASE_URL)')
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./internal/sqlite/
	$(if $(BENCH_DATABASE_URL),PARTNERDESK_TEST_DATABASE_URL='$(PG_TEST_URL)' $(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./internal/postgres/)

# The screenshot tour: every main page and dialog at 390 and 1366 px wide, light and dark, as PNG
# files in $(SCREENSHOTS) (not committed). Uses the browser tests' Chromium and demo data.
SCREENSHOTS ?= screenshots
screenshots:
	PARTNERDESK_SCREENSHOTS=$(abspath $(SCREENSHOTS)) $(GO) test -count=1 -run '^TestScreenshotTour$$' -timeout 15m ./internal/e2e
	@echo "screenshots in $(SCREENSHOTS)/"

clean:
	rm -rf bin

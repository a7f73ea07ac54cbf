# Samspill developer commands. Each target installs what it needs on its own.
UV := ./scripts/uv
PYTEST_ARGS ?=

.PHONY: install dev test test-fast test-calendar lint format bench clean

install:
	$(UV) sync --frozen
	@if command -v npm >/dev/null 2>&1 && [ -f tests/js/package-lock.json ]; then \
		(cd tests/js && npm ci --silent --no-audit --no-fund); \
	fi
	@# The portal's styles and scripts (Designsystemet, htmx), served as static files.
	@if command -v npm >/dev/null 2>&1 && { [ ! -d services/portal/node_modules/htmx.org ] || \
		[ services/portal/package-lock.json -nt services/portal/node_modules/.package-lock.json ]; }; then \
		(cd services/portal && npm ci --silent --no-audit --no-fund); \
	fi
	@# The embedded OpenID Connect provider: `make dev` and the tests log in against it.
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "warning: npm is missing; the identity provider (make dev, tests) needs Node.js and npm" >&2; \
	elif [ ! -d identity-provider/node_modules/oidc-provider ] || \
		[ identity-provider/package-lock.json -nt identity-provider/node_modules/.package-lock.json ]; then \
		(cd identity-provider && npm ci --silent --no-audit --no-fund); \
	fi

## Run the whole system (infrastructure, the three services, the portal, demo data) on embedded
## defaults.
dev: install
	$(UV) run samspill dev

## Run the whole test suite against real PostgreSQL, Kafka-protocol broker and Redis, then a
## few date-sensitive tests with "today" moved to Christmas, Easter and a clock change.
test: install
	$(UV) run pytest $(PYTEST_ARGS)
	./scripts/test-calendar --quick

## Every date-sensitive test with "today" moved to each holiday period and clock change.
test-calendar: install
	./scripts/test-calendar $(CALENDAR_ARGS)

## Unit tests only (no infrastructure).
test-fast: install
	$(UV) run pytest tests/unit -q $(PYTEST_ARGS)

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy shared/src services

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

bench: install
	$(UV) run python -m bench

clean:
	rm -rf .samspill .pytest_cache .mypy_cache .ruff_cache

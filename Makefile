# The two set-up commands: `make run` (app on demo data) and `make test` (the whole suite).
# Both create .venv on first use and reuse it; editing pyproject.toml reinstalls.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# CPU build of torch by default; GPU users: make run TORCH="torch --index-url https://download.pytorch.org/whl/cu124"
TORCH  ?= torch==2.13.0
DB     ?= data/insight.duckdb
PORT   ?= 8501

.PHONY: run test install chromium lint

run: $(VENV)/.installed
	$(BIN)/insight demo --db $(DB) --port $(PORT)

test: $(VENV)/.installed chromium
	$(BIN)/python -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e ".[dev,privacy]"
	touch $@

# Browser tests use Debian's chromium; they skip (saying why) when it cannot be installed.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

lint: $(VENV)/.installed
	$(BIN)/ruff check .

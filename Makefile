# `make run` and `make test` work on a fresh machine with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := data/sample

.PHONY: run test install lint eval clean browser

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/qa ingest --if-empty $(SAMPLE)
	$(BIN)/qa serve

# Browser tests drive Debian's Chromium; CI machines start bare, so install it when missing.
browser:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q
	$(MAKE) eval

eval: $(STAMP)
	$(BIN)/qa eval --questions evals/questions.jsonl --docs $(SAMPLE) --gate evals/thresholds.toml \
		--json reports/eval.json --markdown reports/eval.md

lint: $(STAMP)
	$(BIN)/ruff check qa ui evals tests

clean:
	rm -rf $(VENV) reports test-artifacts

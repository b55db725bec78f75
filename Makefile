# claimscope: `make demo` sets everything up and analyses the sample article; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: setup demo test lint bench clean demo-verify

$(VENV)/.installed: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/claimscope analyze examples/sample_article.txt -o $(OUT) --format json,html,md

demo-verify: setup  ## check the sample article against a reference corpus (OCHA if present)
	BIN=$(BIN) OUT=$(OUT) bash examples/demo_verify.sh

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/python -m pytest -q

bench: setup  ## bench_framing refits its article heads with scikit-learn (a training dependency)
	$(BIN)/pip install --quiet --disable-pip-version-check scikit-learn==1.9.1
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(OUT) .pytest_cache

# Benchmarks, included by the root Makefile: `make bench`.
# Brings the sandbox up when none answers at SANDBOX_PORT (default 4566) and stops it again
# if it started it; deploys bench/stack (state under reports/bench/terraform, git-ignored),
# measures, prints a table, writes reports/bench/bench-<time>.json and prints that report as
# one JSON line last. Speed never fails the target. BENCH_QUICK=1: a short smoke run;
# BENCH_KEEP=1: leave the stack deployed; BENCH_SWEEP=1: also sweep the mapping settings.
BENCH_VENV := .venv-bench
# Found the way the sandbox finds it (sandbox/bin/find-python313): a candidate counts only
# if it really runs 3.13, so a pyenv shim with no 3.13 selected is passed over.
BENCH_PYTHON_313 ?= $(shell sandbox/bin/find-python313)
BENCH_STAMP := $(BENCH_VENV)/.installed-$(shell sha256sum bench/requirements.txt 2>/dev/null | cut -c1-12)

$(BENCH_STAMP): bench/requirements.txt
	@test -n "$(BENCH_PYTHON_313)" || { echo "bench: Python 3.13 (the Lambda runtime's) is needed: install one (e.g. pyenv install 3.13) or set BENCH_PYTHON_313"; exit 1; }
	@echo "==> bench virtual environment ($(BENCH_VENV), $(BENCH_PYTHON_313)) from bench/requirements.txt"
	rm -rf $(BENCH_VENV)
	$(BENCH_PYTHON_313) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt $(PIP_QUIET)
	touch $@

.PHONY: bench-python
bench-python: ## Print the Python 3.13 the bench venv is made with (empty and exit 1 when none)
	@test -n "$(BENCH_PYTHON_313)" && echo "$(BENCH_PYTHON_313)"

.PHONY: bench-venv
bench-venv: $(BENCH_STAMP) ## Bench-only venv (Python 3.13, boto3 as in the runtime, Powertools, pyinstrument)

.PHONY: bench
bench: venv tf-config bench-venv ## Measure the tracker side by side with its floors (table + reports/bench/*.json)
	TF_CLI_CONFIG_FILE=$(CURDIR)/.tools/terraformrc $(VENV_PY) bench/run.py

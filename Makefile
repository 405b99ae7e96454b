# The front door. `make help` lists the targets; a newcomer needs `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed-$(shell sha256sum < requirements-dev.txt | cut -c1-12)
PYTEST := $(VENV_PY) -m pytest -p no:cacheprovider
# pip warns about find-links folders this machine's pip config names but lacks: not ours
PIP_QUIET := 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)

-include terraform.mk
-include sandbox/sandbox.mk
-include bench/bench.mk

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV_STAMP): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed for the project venv (set PYTHON=python3.11)")'
	@echo "==> project virtual environment ($(VENV)) from requirements-dev.txt"
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt $(PIP_QUIET)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check --no-deps -e sandbox $(PIP_QUIET)
	rm -f $(VENV)/.installed-*
	touch $@

.PHONY: venv
venv: $(VENV_STAMP) ## Create the project virtual environment from pinned requirements

.PHONY: lint-python
lint-python: venv ## ruff on everything; mypy (strict) on the Lambda package, the sandbox and the bench
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy lambda_src/connect_tracker sandbox/src/tracker_sandbox bench

.PHONY: lint
lint: lint-python tf-fmt-check tf-validate checkov ## Every static check: ruff, mypy, terraform fmt/validate, checkov

# The unit and functional tests run on UNIT_WORKERS pytest workers side by side.
UNIT_WORKERS ?= 2

.PHONY: test-python-unit
test-python-unit: venv ## Unit and functional (moto) tests: no emulator
	$(PYTEST) -n $(UNIT_WORKERS) tests/unit tests/functional sandbox/tests/flows -m "not integration and not fuzz"

.PHONY: test-unit
test-unit: lint test-python-unit tf-test ## Everything that needs no emulator: static checks, pytest, terraform test

# The sandbox's and the stack's tests run on INTEGRATION_WORKERS pytest workers side by side
# (pytest-xdist; one module's tests stay on one worker, each worker deploys its own stacks),
# then the fault and load tiers alone. Not beside the integration tier: tried on a fresh
# clone (2026-12-02), the fault tier's burst of 40 contacts met the long calls' 12 and
# the sandbox collapsed (286 runtime processes, load average 29, table calls timing out;
# docs/guarantees.md), although each tier alone keeps the two cores mostly idle.
INTEGRATION_WORKERS ?= 2
WITH_SANDBOX := PROJECT_PYTHON=$(VENV_PY) sandbox/bin/with-sandbox

.PHONY: test-integration
test-integration: venv tf-config ## The sandbox, the whole stack on it, the fault and load tiers (starts and stops the sandbox unless one runs)
	@# The last step: each Lambda runtime's own serializer against the answer sizing, now
	@# that the sandbox has provisioned the runtimes (the unit tier skips it without them).
	$(WITH_SANDBOX) bash -o pipefail -ec '\
	  $(PYTEST) -n $(INTEGRATION_WORKERS) --dist loadscope sandbox/tests tests/integration \
	    -m "not fuzz" --ignore=sandbox/tests/flows --durations=12; \
	  $(PYTEST) tests/reliability -m "fault or load" --durations=0; \
	  $(PYTEST) tests/unit/test_answer_size.py -k real_serializers'

.PHONY: test-reliability
test-reliability: venv tf-config ## The fault and load tiers alone (1,000 contacts at the rate the sandbox sustains)
	$(WITH_SANDBOX) $(PYTEST) tests/reliability -m "fault or load"

.PHONY: test
test: test-unit test-integration ## The whole suite

.PHONY: clean
clean: ## Remove build outputs and caches (keeps the venvs and the sandbox)
	rm -rf builds examples/*/builds .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv*' -not -path './.sandbox/*' -exec rm -rf {} +

.PHONY: diagrams
diagrams: venv ## Redraw the flow: the Mermaid diagram in docs/flow-design.md and docs/flow.png (with Graphviz dot)
	@if command -v dot >/dev/null 2>&1; then \
		$(VENV_PY) scripts/flow_diagram.py --png docs/flow.png; \
	else \
		$(VENV_PY) scripts/flow_diagram.py && \
		echo "docs/flow.png not drawn: Graphviz 'dot' is not installed." && \
		echo "  Debian/Ubuntu: sudo apt-get install -y graphviz   macOS: brew install graphviz" && \
		echo "  then run 'make diagrams' again (the Mermaid diagram in docs/flow-design.md needs no dot)."; \
	fi

.PHONY: test-fuzz
test-fuzz: venv ## Long property-based run on the three handlers (3 x 3,400 examples)
	TRACKER_FUZZ_EXAMPLES=3400 $(PYTEST) tests/functional/test_hostile_input.py

.PHONY: docs
docs: venv ## Regenerate the inputs and outputs tables (README.md summaries, docs/inputs.md whole) from variables.tf and outputs.tf
	$(VENV_PY) scripts/readme_tables.py

.PHONY: docs-check
docs-check: venv tf-config ## Fail when the inputs/outputs tables or docs/flow-design.md's flow diagram are out of date
	$(VENV_PY) scripts/readme_tables.py --check
	$(VENV_PY) scripts/flow_diagram.py --check

.PHONY: demo
demo: venv tf-config ## The main job: sandbox up, module applied, a simulated call through the deployed flow
	$(VENV_PY) scripts/demo.py

.PHONY: down
down: venv tf-config ## Destroy the demo stack and stop the sandbox (every process it started)
	$(VENV_PY) scripts/demo.py --down

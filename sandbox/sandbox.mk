# Sandbox targets, included by the root Makefile.
SANDBOX := sandbox/bin/sandbox
PROJECT_PYTHON ?= .venv/bin/python

.PHONY: sandbox-up sandbox-down sandbox-status sandbox-logs sandbox-test sandbox-lint

sandbox-up: ## Start the offline AWS sandbox (provisions on first run)
	$(SANDBOX) up

sandbox-down: ## Stop the sandbox and every process it started
	$(SANDBOX) down

sandbox-status: ## Show whether the sandbox runs, its processes and services
	$(SANDBOX) status

sandbox-logs: ## Print the last 100 lines of the sandbox log
	$(SANDBOX) logs -n 100

sandbox-test: ## Test the sandbox and its Lambda executor (starts the sandbox when needed)
	$(PROJECT_PYTHON) -m pytest sandbox/tests

sandbox-lint: ## ruff and mypy over the sandbox package
	.venv/bin/ruff check sandbox
	.venv/bin/ruff format --check sandbox
	cd sandbox && ../.venv/bin/mypy

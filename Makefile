# Build and test plumbing for the alibabacloud.ens collection.
#
#   make demo     run the demo (hacking/demo.sh)
#   make test     every check, fail-fast: sanity, units, integration, lint, molecule,
#                 build-install, docs-lint, ee, changelog-lint, galaxy-import, docs,
#                 compat-oldest, compat-newest
#
# Other targets: venv, stage, sanity, units, integration [TARGET=name], lint, molecule
# [SCENARIO=name], build-install, docs-lint, ee, changelog-lint, galaxy-import, docs, docsite-guides,
# compat [VERSIONS="2.16 2.19"], simulator [FIXTURE=name PORT=n], clean, distclean.
# Everything runs offline except `make venv`, the first run of galaxy-import and of each compat
# version (their venvs under .build/venvs, from PyPI) and the first sanity run of each ansible-core
# (ansible-test installs each sanity test's pinned requirements from PyPI, then caches them
# in ~/.ansible/test/venv).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VENV := $(ROOT)/.venv
VENV_BIN := $(VENV)/bin
VENV_PY := $(VENV_BIN)/python
VENV_STAMP := $(VENV)/.make-installed
# Staging/build directory; override (make test BUILD=/tmp/x) to run beside another checkout user.
BUILD ?= $(ROOT)/.build
override BUILD := $(abspath $(BUILD))
export ENS_BUILD_DIR := $(BUILD)
STAGED := $(BUILD)/ansible_collections/alibabacloud/ens

# The interpreter the venv is made from: python3.11, else python3 (override: make PYTHON=...).
ifndef PYTHON
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
endif

# Optional selectors.
TARGET ?=
SCENARIO ?=
FIXTURE ?= default
PORT ?= 0

# Every recipe sees the venv's tools first.
export PATH := $(VENV_BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Loopback traffic to the simulator must never go through a proxy.
SIM_ENV := env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u ALL_PROXY -u all_proxy \
	NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# ansible-core versions the collection is proven on (meta/runtime.yml's requires_ansible says the same).
COMPAT_VERSIONS := 2.16 2.17 2.18 2.19
VERSIONS ?= $(COMPAT_VERSIONS)

STAGES := sanity units integration lint molecule build-install docs-lint ee changelog-lint \
	galaxy-import docs compat-oldest compat-newest

.PHONY: help venv stage offline-get-pip sanity units integration lint molecule build-install \
	changelog-lint test simulator demo clean distclean docs-lint ee galaxy-import docs docsite-guides \
	compat compat-oldest compat-newest

help:
	@echo "make demo    - run the demo"
	@echo "make test    - run every check ($(STAGES))"
	@echo "other targets: venv stage $(STAGES) compat [VERSIONS=...] docsite-guides simulator clean distclean"

# ---------------------------------------------------------------------------------------------
# Virtualenv: rebuilt when a requirements file changes.

venv: $(VENV_STAMP)

$(VENV_STAMP): $(ROOT)/requirements.txt $(ROOT)/requirements-test.txt
	@if [ -z "$(PYTHON)" ]; then echo "no python3.11 or python3 found on PATH" >&2; exit 1; fi
	@if [ ! -x "$(VENV_PY)" ]; then \
		echo "creating $(VENV) with $(PYTHON)"; \
		"$(PYTHON)" -m venv "$(VENV)"; \
	fi
	"$(VENV_PY)" -m pip install --quiet --upgrade pip
	"$(VENV_PY)" -m pip install --quiet -r "$(ROOT)/requirements.txt" -r "$(ROOT)/requirements-test.txt"
	"$(ROOT)/hacking/install_offline_get_pip.sh" "$(VENV_PY)"
	@touch "$@"

# The pip bootstrap script ansible-test sanity needs, in ~/.ansible/test/cache (cheap when done).
offline-get-pip: venv
	@"$(ROOT)/hacking/install_offline_get_pip.sh" "$(VENV_PY)"

# Copy the collection to .build/ansible_collections/alibabacloud/ens (ansible-test needs that
# layout; ansible-lint, molecule and ansible-galaxy use it through ANSIBLE_COLLECTIONS_PATH).
stage:
	@"$(ROOT)/hacking/stage_collection.sh" "$(BUILD)"

# ---------------------------------------------------------------------------------------------
# Checks

sanity: venv offline-get-pip stage
	cd "$(STAGED)" && ansible-test sanity --local --python 3.11

units: venv stage
	cd "$(STAGED)" && ansible-test units --local --python 3.11

integration: venv stage
	$(SIM_ENV) "$(ROOT)/hacking/with_simulator.sh" --fixture "$(FIXTURE)" -- "$(ROOT)/hacking/run_integration.sh" $(TARGET)

# Size rule (issue #13): no Python file over 450 lines, no function over 80 (hacking/check_sizes.py --report-only DIR: report only).
SIZE_CHECK := tests/simulator plugins benchmarks

lint: venv stage
	cd "$(ROOT)" && "$(VENV_PY)" hacking/check_sizes.py $(SIZE_CHECK)
	cd "$(ROOT)" && ANSIBLE_COLLECTIONS_PATH="$(BUILD)" ansible-lint --offline --profile production

# Each scenario gets a fresh state folder in $(BUILD): molecule's default (~/.ansible/tmp/molecule.<hash of the
# checkout's folder name>.<scenario>) is shared by every checkout named alike and would skip prepare.
molecule: venv stage
	@cd "$(ROOT)"; \
	scenarios="$$(for f in extensions/molecule/*/molecule.yml; do [ -f "$$f" ] && basename "$$(dirname "$$f")"; done || true)"; \
	if [ -n "$(SCENARIO)" ]; then scenarios="$(SCENARIO)"; fi; \
	for s in $$scenarios; do \
		echo "--- molecule test -s $$s"; \
		eph="$(BUILD)/molecule/$$s"; rm -rf "$$eph"; \
		$(SIM_ENV) ANSIBLE_COLLECTIONS_PATH="$(BUILD)" MOLECULE_EPHEMERAL_DIRECTORY="$$eph" \
			molecule test -s "$$s"; \
	done

build-install: venv
	$(SIM_ENV) "$(ROOT)/hacking/build_install_smoke.sh"

# Every module, plugin and role renders with ansible-doc; antsibull-docs lints the plugin docs
# (markup, references, RST generation) and docs/docsite.
docs-lint: venv stage
	cd "$(STAGED)" && antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs .
	@export ANSIBLE_COLLECTIONS_PATH="$(BUILD)"; for type in module inventory role; do \
		names="$$(ansible-doc -t "$$type" -l alibabacloud.ens --json \
			| "$(VENV_PY)" -c 'import json, sys; print(" ".join(sorted(json.load(sys.stdin))))')"; \
		if [ -z "$$names" ]; then echo "docs-lint: no $$type found in alibabacloud.ens" >&2; exit 1; fi; \
		for name in $$names; do \
			ansible-doc -t "$$type" "$$name" > "$(BUILD)/ansible-doc.out"; \
			grep -q "$$name" "$(BUILD)/ansible-doc.out"; echo "ansible-doc -t $$type $$name: ok"; \
		done; \
	done

# Execution environment, without a container engine: execution-environment.yml is a valid
# ansible-builder v3 definition (build context created) installing alibabacloud.ens, and
# introspecting the collection yields exactly requirements.txt: no test tool, no system package.
ee: venv stage
	@rm -rf "$(BUILD)/ee"; mkdir -p "$(BUILD)/ee"
	cd "$(ROOT)" && ansible-builder create -f execution-environment.yml -c "$(BUILD)/ee/context" -v 1
	grep -q 'name: alibabacloud.ens' "$(BUILD)/ee/context/_build/requirements.yml"
	ansible-builder introspect "$(BUILD)" --write-pip "$(BUILD)/ee/pip.txt" --write-bindep "$(BUILD)/ee/bindep.txt"
	@norm() { sed -e 's/#.*//' -e 's/[[:space:]]*$$//' -e '/^$$/d' "$$1" | sort; }; \
	if ! diff <(norm "$(ROOT)/requirements.txt") <(norm "$(BUILD)/ee/pip.txt"); then \
		echo "ee: introspected Python needs differ from requirements.txt" >&2; exit 1; fi; \
	if norm "$(BUILD)/ee/pip.txt" | grep -Eiq '^(ansible|pytest|mock|molecule|antsibull|pycodestyle|shellcheck)'; then \
		echo "ee: a test tool or Ansible itself is among the collection's Python needs" >&2; exit 1; fi; \
	if [ -n "$$(norm "$(BUILD)/ee/bindep.txt" 2>/dev/null)" ]; then \
		echo "ee: unexpected system packages: $$(cat "$(BUILD)/ee/bindep.txt")" >&2; exit 1; fi; \
	echo "ee: definition valid; the collection needs exactly: $$(norm "$(BUILD)/ee/pip.txt" | tr '\n' ' ')"

changelog-lint: venv
	cd "$(ROOT)" && antsibull-changelog lint
	cd "$(ROOT)" && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	"$(VENV_PY)" "$(ROOT)/hacking/check_version_bump.py" "$(ROOT)"

# galaxy-importer (what Galaxy and Automation Hub run on upload) on the built tarball: exit code 0
# and not one warning or error in its output (hacking/galaxy_import.sh; its own venv in .build/venvs).
galaxy-import: venv
	"$(ROOT)/hacking/galaxy_import.sh"

# The collection's HTML docs site as docs.ansible.com renders it (antsibull-docs + Sphinx with
# sphinx_ansible_theme, warnings as errors), offline: hacking/docsite/conf.py has no intersphinx.
# Guides come from docs/docsite/rst (generated from README.md and docs/*.md: `make docsite-guides`).
DOCS_DIR := $(BUILD)/docs
docs: venv stage
	"$(VENV_PY)" "$(ROOT)/hacking/docsite_guides.py" --check "$(ROOT)"
	@rm -rf "$(DOCS_DIR)"; mkdir -p "$(DOCS_DIR)/rst"; chmod 700 "$(DOCS_DIR)/rst"
	ANSIBLE_COLLECTIONS_PATH="$(BUILD)" antsibull-docs --config-file "$(ROOT)/hacking/docsite/antsibull-docs.cfg" \
		collection --use-current --fail-on-error --dest-dir "$(DOCS_DIR)/rst" alibabacloud.ens
	cp "$(ROOT)/hacking/docsite/index.rst" "$(DOCS_DIR)/rst/index.rst"
	sphinx-build -q -W --keep-going -b html -c "$(ROOT)/hacking/docsite" "$(DOCS_DIR)/rst" "$(DOCS_DIR)/html"
	"$(VENV_PY)" "$(ROOT)/hacking/docsite_coverage.py" "$(STAGED)" "$(DOCS_DIR)/html"
	@echo "docs: $(DOCS_DIR)/html/index.html"

# Rewrite docs/docsite/rst/guide_*.rst from README.md and docs/*.md.
docsite-guides: venv
	"$(VENV_PY)" "$(ROOT)/hacking/docsite_guides.py" "$(ROOT)"

# Sanity, units and the smoke integration target ens_smoke (attach, detach, one eni_change window) on each ansible-core of
# VERSIONS, each in its own venv (.build/venvs/core-X.Y, kept between runs); hacking/compat.sh.
# compat-oldest / compat-newest: the first / last of COMPAT_VERSIONS (what `make test` runs).
compat: venv
	@for v in $(VERSIONS); do \
		t0=$$(date +%s); \
		$(SIM_ENV) "$(ROOT)/hacking/compat.sh" "$$v"; \
		echo "compat $$v: passed in $$(( $$(date +%s) - t0 ))s"; \
	done

# The oldest core also runs inventory_ens: API data named like templates must stay data there (2.19 is safe anyway).
compat-oldest: venv
	$(SIM_ENV) COMPAT_TARGETS="ens_smoke inventory_ens" "$(ROOT)/hacking/compat.sh" "$(firstword $(COMPAT_VERSIONS))"

# Within `make test` (ENS_MAKE_TEST set), sanity and units already ran on this same ansible-core.
compat-newest: venv
	$(SIM_ENV) COMPAT_SKIP_SAME_AS="$${ENS_MAKE_TEST:+$(VENV_PY)}" "$(ROOT)/hacking/compat.sh" "$(lastword $(COMPAT_VERSIONS))"

# Every stage in order, stopping at the first failure.
test: venv
	@mkdir -p "$(BUILD)"; export ENS_MAKE_TEST=1; \
	passed=0; start=$$(date +%s); \
	for stage in $(STAGES); do \
		printf '\n========== make %s ==========\n' "$$stage"; \
		t0=$$(date +%s); \
		if ! $(MAKE) "$$stage"; then \
			printf '\n========== FAILED: make %s (after %ss) ==========\n' "$$stage" "$$(( $$(date +%s) - t0 ))"; \
			echo "stages: $$passed passed, 1 failed"; \
			exit 1; \
		fi; \
		passed=$$((passed + 1)); \
		printf '========== OK: make %s (%ss) ==========\n' "$$stage" "$$(( $$(date +%s) - t0 ))"; \
	done; \
	printf '\nmake test: all stages done in %ss\n' "$$(( $$(date +%s) - start ))"; \
	echo "stages: $$passed passed, 0 failed"

# The inventory plugin's security checks on the oldest ansible-core the collection claims (hacking/security_compat.sh:
# a venv of its own in $(BUILD), from PyPI on first use): API data must stay data. CORE="ansible-core>=2.18,<2.19"
# for another core.
.PHONY: security-compat
security-compat: venv
	$(SIM_ENV) "$(ROOT)/hacking/security_compat.sh" $(if $(CORE),"$(CORE)")

# ---------------------------------------------------------------------------------------------
# Helpers

# The simulator in the foreground, for manual runs (Ctrl-C stops it).
simulator: venv
	$(SIM_ENV) "$(ROOT)/hacking/with_simulator.sh" --fixture "$(FIXTURE)" --port "$(PORT)" \
		--state-dir "$(BUILD)/manual-sim" --foreground

demo: venv
	$(SIM_ENV) bash "$(ROOT)/hacking/demo.sh"

# The benchmark: writes docs/benchmarks.md (about 30 minutes; QUICK=1: fewer repetitions, a fast look). No read lag
# by default (section 2c turns it on itself), so that the other figures compare with earlier runs.
# BENCH_SECTIONS=fleet runs only section 4 (about 15 minutes) and puts it into the existing report;
# FLEET_SIZES=20 (comma-separated) picks the fleet sizes.
BENCH_ARGS = $(if $(QUICK),--quick) $(if $(BENCH_SECTIONS),--sections "$(BENCH_SECTIONS)") \
	$(if $(FLEET_SIZES),--fleet-sizes "$(FLEET_SIZES)")
BENCH_COMMAND = make bench$(if $(QUICK), QUICK=$(QUICK))$(if $(BENCH_SECTIONS), BENCH_SECTIONS=$(BENCH_SECTIONS))$(if \
	$(FLEET_SIZES), FLEET_SIZES=$(FLEET_SIZES))
.PHONY: bench
bench: venv
	$(SIM_ENV) ENS_SIM_READ_LAG=0 "$(ROOT)/hacking/with_simulator.sh" --state-dir "$(BUILD)/bench" -- \
		"$(VENV_PY)" "$(ROOT)/benchmarks/run.py" $(BENCH_ARGS) --command "$(BENCH_COMMAND)"

clean:
	rm -rf "$(BUILD)" "$(ROOT)/tests/output" "$(ROOT)/.pytest_cache" "$(ROOT)/.ansible"
	find "$(ROOT)" -path "$(VENV)" -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf "$(VENV)" "$(ROOT)/.cache"

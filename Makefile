# The course's commands. Quick start: `make lab` (learners), `make test` (instructors, CI).
#
#   make lab      JupyterLab on the course (extra options: make lab LAB_ARGS="--no-browser")
#   make test     ruff, the unit tests, and nbval over every notebook; the tree stays clean
#   make bench    the helpers' speed and memory against torch (numbers, not a test)
#   make execute  re-execute every notebook in place (authors, before committing)
#   make clean    remove .venv and caches
#
# The environment is .venv, built from requirements.txt on first use and rebuilt only when
# requirements.txt or pyproject.toml change. PYTHON picks the interpreter (3.11 or newer);
# PIP_ARGS is passed to pip, e.g. PIP_ARGS="--extra-index-url https://download.pytorch.org/whl/cpu".

PYTHON ?= python3
PIP_ARGS ?=
LAB_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: lab test lint unit nbval figures-unchanged bench execute clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"the course needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_ARGS) -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	touch $(STAMP)

# Serve the whole course (README, figures, notebooks) and open the introduction; as root
# (containers) JupyterLab wants --allow-root.
FIRST := $(firstword $(wildcard notebooks/00_introduction.ipynb) notebooks)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url="/lab/tree/$(FIRST)" \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: lint unit nbval figures-unchanged

lint: $(STAMP)
	$(BIN)/ruff check helpers tests bench notebooks

unit: $(STAMP)
	$(BIN)/pytest -q tests

nbval: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider --nbval --nbval-current-env $(NOTEBOOKS)

# The notebooks rewrite figures/ while nbval runs them: the files must come out identical.
figures-unchanged:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git diff --exit-code --stat -- figures || { echo "figures/ changed when the notebooks ran: \
	re-execute them (make execute) and commit the figures"; exit 1; }; \
		untracked=$$(git ls-files --others --exclude-standard -- figures); \
		if [ -n "$$untracked" ]; then echo "new figures not committed: $$untracked"; exit 1; fi; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/bench.py

execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info

# The course's commands. Quick start: `make lab` (learners), `make test` (instructors, CI).
#
#   make lab      JupyterLab on the course (extra options: make lab LAB_ARGS="--no-browser")
#   make test     ruff, the unit tests, nbval over every notebook, and the browser tests
#                 (JupyterLab in Chromium); the tree stays clean
#   make nbval NOTEBOOKS=notebooks/02_nll.ipynb   nbval and the figure check for one notebook
#   make test-other-kernels  nbval again under other CPU kernels and one thread (CI runs it)
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

.PHONY: lab test lint unit nbval browser slides test-other-kernels tree-clean bench execute clean

# JupyterLab's settings for the course (jupyter/overrides.json: no news prompt over the
# notebooks), and jupyterlab-mathjax3, which jupyterlab-rise pulls in but JupyterLab 4.6
# flags as incompatible, switched off: JupyterLab renders math itself, in notebooks and slides.
$(STAMP): requirements.txt pyproject.toml jupyter/overrides.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"the course needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_ARGS) -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyterlab/mathjax3-extension \
		>/dev/null 2>&1
	touch $(STAMP)

# Serve the whole course (README, figures, notebooks) and open the introduction; as root
# (containers) JupyterLab wants --allow-root.
FIRST := $(firstword $(wildcard notebooks/00_introduction.ipynb) notebooks)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url="/lab/tree/$(FIRST)" \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# The tree must come out of the tests as it went in: nothing tracked rewritten, nothing
# untracked left behind (an author's uncommitted edits are compared, not forbidden).
TREE_STATE = { git status --porcelain --untracked-files=all; git diff; \
	git ls-files -o --exclude-standard -z | xargs -0 -r sha1sum; } 2>/dev/null | sha1sum
test: $(STAMP)
	@before=$$($(TREE_STATE)); \
	$(MAKE) --no-print-directory lint unit nbval browser || exit 1; \
	if [ "$$before" != "$$($(TREE_STATE))" ]; then \
		echo "make test changed the working tree:"; git status --short; exit 1; fi

lint: $(STAMP)
	$(BIN)/ruff check helpers tests bench tools notebooks

unit: $(STAMP)
	$(BIN)/pytest -q tests --ignore=tests/browser

# JupyterLab in the system's Chromium (Debian: apt-get install chromium), driven by
# Playwright, on a temporary copy of the course: math, images, explorers, Run All, slides.
# Skipped with a message when no Chromium is found, except under CI=true.
browser: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider tests/browser

# nbval re-executes every notebook and compares its outputs with the stored ones. The
# notebooks write their figures to a temporary directory ($$COURSE_FIGURES, read by the plot
# helper), never over the committed figures/; tests/figures_match.py then compares each
# with the committed one by what it shows (matplotlib's compare_images), not by its bytes.
NBVAL_ENV ?=
nbval: $(STAMP)
	@figs=$$(mktemp -d) && trap 'rm -rf "$$figs"' EXIT && \
	echo "nbval $(NBVAL_ENV) (figures written to a temporary directory)" && \
	env $(NBVAL_ENV) COURSE_FIGURES="$$figs" COURSE_NOTEBOOKS="$(NOTEBOOKS)" $(BIN)/pytest -q -p no:cacheprovider \
		--nbval --nbval-current-env $(NOTEBOOKS) tests/figures_match.py

# The same under other CPU kernels and another thread count, as on another machine: torch's
# generic kernels instead of AVX2/AVX-512, NumPy at its x86-64-v2 baseline (naming X86_V3
# alone leaves its AVX-512 kernels on), MKL at SSE4.2, one thread. A notebook whose printed
# numbers or figures hold on one CPU only fails here. (x86 names: on ARM, NumPy rejects them.)
OTHER_KERNELS := ATEN_CPU_CAPABILITY=default \
	NPY_DISABLE_CPU_FEATURES=X86_V3,X86_V4,AVX512_ICL,AVX512_SPR \
	MKL_ENABLE_INSTRUCTIONS=SSE4_2 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
test-other-kernels: $(STAMP)
	$(MAKE) --no-print-directory nbval NBVAL_ENV="$(OTHER_KERNELS)"

# A fresh clone after the tests (CI): nothing tracked rewritten, nothing untracked left.
tree-clean:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		changed=$$(git status --porcelain --untracked-files=all); \
		if [ -n "$$changed" ]; then echo "the tests left the tree changed:"; \
			echo "$$changed"; exit 1; fi; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Slide metadata by the rules of tools/slides.py (a section a slide, figures and explorers
# their own sub-slides), then every notebook executed in place. An explorer's stored output
# is its default drawing, with a note in place of the controls until the cell runs.
slides: $(STAMP)
	$(BIN)/python tools/slides.py $(NOTEBOOKS)

execute: slides
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info

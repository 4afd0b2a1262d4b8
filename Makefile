# Set-up is automatic: each target creates .venv with pip when it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The package's bytecode, written ahead: an editable install leaves src/ uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set (CI images often set it) every process would compile it again (0.2-0.3 s
# each: the command, each render worker, each kernel). Compiles only what changed.
COMPILE := $(BIN)/python -m compileall -q src
# pytest loads the plugins it needs by name: auto-loaded, each plugin's whole distribution is marked for assertion
# rewriting, and hypothesis's hundred-odd modules were rewritten at every start of every xdist worker (about 2.7 CPU s
# each; with PYTHONDONTWRITEBYTECODE set nothing caches it). Tests still get pytest's assertion messages.
PYTEST := PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(BIN)/python -m pytest -p xdist.plugin -p pytest_timeout -p _hypothesis_pytestplugin

.PHONY: briefs compare test test-fast test-browser lab bench profile clean-reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

briefs: $(STAMP)  ## render one PDF brief per scenario into reports/
	@$(COMPILE)
	$(BIN)/dprk-arms render --all

compare: $(STAMP)  ## one comparison brief across all scenarios (or SCENARIOS="a b"), as NAME.pdf (default compare)
	@$(COMPILE)
	$(BIN)/dprk-arms compare $(if $(NAME),--name $(NAME)) $(SCENARIOS)

test: $(STAMP)  ## the whole test suite, notebook execution and PDF checks included
	@$(COMPILE)
	$(PYTEST) -n auto --dist loadfile --no-loadscope-reorder

test-fast: $(STAMP)  ## the suite without notebook execution and PDF rendering
	@$(COMPILE)
	$(PYTEST) -n auto --dist loadfile --no-loadscope-reorder -m "not slow"

test-browser: $(STAMP)  ## the what-if panel in JupyterLab, driven in Chromium (needs apt-get install chromium)
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	$(BIN)/python -m pytest -m browser tests-browser -p no:cacheprovider

lab: $(STAMP)  ## JupyterLab on notebooks/, with the project installed in its kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)  ## benchmarks, as ratios against baselines run in the same script
	@$(COMPILE)
	$(BIN)/python benchmarks/run.py

profile: $(STAMP)  ## where one brief's render time goes, stage by stage, with a pyinstrument profile
	$(BIN)/python benchmarks/profile_render.py

clean-reports:
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

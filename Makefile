# zonegraph: two commands on a fresh machine, `make demo` and `make test`.
# Each creates the virtual environment in .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-quick test-servers lint fmt-check clean venv docs editor

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/zonegraph stats
	$(BIN)/zonegraph check
	$(BIN)/zonegraph query countries-with-most-parks
	$(BIN)/zonegraph query parks-of-zone -p zone=zgr:qingdao-iecz
	$(BIN)/zonegraph query zone-key-figures -p zone=zgr:qingdao-iecz

test: $(STAMP)
	$(BIN)/pytest

# The edit-test loop: everything but the slow tests, the browser, the real servers and the
# independent tools (those need .ci/install-*; `make test` runs them). A few minutes on 2 cores.
QUICK := not slow and not browser and not servers and not interop
test-quick: $(STAMP)
	$(BIN)/pytest -m "$(QUICK)" $(PYTEST_ARGS)

# The store tests against real servers only: an Oxigraph server (the oxigraph command of
# the dev extra) and Debian's Virtuoso (as root: .ci/virtuoso-install), each started on
# free loopback ports and stopped by the tests. Without virtuoso-t its tests are skipped.
test-servers: $(STAMP)
	@command -v virtuoso-t >/dev/null || echo "virtuoso-t is not installed: the Virtuoso tests are skipped (run .ci/virtuoso-install as root)"
	$(BIN)/pytest -m servers -ra tests/test_stores.py tests/test_servers.py

# Documentation generated from the ontology, the data and the drawings: the ontology
# reference (docs/ontology/), the JSON-LD context (src/zonegraph/context.jsonld) and the
# pictures in docs/images/ (Graphviz's dot: .ci/install-interop installs it). The output is
# byte-stable: running it twice changes nothing (tests/test_draw.py checks the drawings in
# processes with different hash seeds; tests check that the ontology reference is up to date).
docs: $(STAMP)
	@command -v dot >/dev/null || { echo "error: Graphviz's dot is not installed; install graphviz: bash .ci/install-interop" >&2; exit 2; }
	$(BIN)/python -m zonegraph.authoring.ontodoc
	mkdir -p docs/images
	for f in svg png; do \
	  $(BIN)/zonegraph --quiet draw -o docs/images/zone.$$f && \
	  $(BIN)/zonegraph --quiet draw --entity zgr:sino-german-ecopark -o docs/images/sino-german-ecopark.$$f && \
	  $(BIN)/zonegraph --quiet draw --ontology -o docs/images/ontology.$$f && \
	  $(BIN)/zonegraph --quiet draw --timeline -o docs/images/timeline.$$f || exit 1; \
	done

# Benchmarks (not tests): generated data, fast paths vs rdflib / pyshacl / owlrl, results
# in benchmarks/results/. Sizes: BENCH_SIZES (default 10000,100000,1000000: several hours on
# 2 cores; BENCH_SIZES=10000 for a quick look). Slow baselines stop at BENCH_TIMEOUT seconds
# (default 300). bench.py generates the data the others read (benchmarks/data/kg-SIZE).
BENCH_PAGING_SIZE ?= $(lastword $(subst $(comma), ,$(or $(BENCH_SIZES),1000000)))
comma := ,
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/gate.py
	$(BIN)/python benchmarks/store_check.py
	$(BIN)/python benchmarks/default_store.py
	test -d benchmarks/data/ox-paging-$(BENCH_PAGING_SIZE) || $(BIN)/zonegraph --quiet \
	  --kg benchmarks/data/kg-$(BENCH_PAGING_SIZE) --store oxigraph:benchmarks/data/ox-paging-$(BENCH_PAGING_SIZE) load
	$(BIN)/python benchmarks/paging.py --kg benchmarks/data/kg-$(BENCH_PAGING_SIZE) \
	  --store benchmarks/data/ox-paging-$(BENCH_PAGING_SIZE) --size $(BENCH_PAGING_SIZE) \
	  --markdown benchmarks/results/paging-$(BENCH_PAGING_SIZE).md \
	  --json benchmarks/results/paging-$(BENCH_PAGING_SIZE).json

# The query page's SPARQL editor (CodeMirror 6), bundled into one committed file,
# src/zonegraph/web/static/editor.js, from the locked npm packages of web/editor/
# (Node and npm are needed only here, not to install or run zonegraph).
editor:
	cd web/editor && npm ci --no-audit --no-fund && node build.mjs

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

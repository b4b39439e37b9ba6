# Two set-up commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast browser-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job on the bundled sample corpus: the real notice in tests/fixtures/ccgp and a
# seeded synthetic corpus (every generated document says it is synthetic).
demo: $(STAMP)
	rm -rf demo && mkdir -p demo
	$(BIN)/sousveil synth --n 500 --seed 2026 demo/synthetic
	$(BIN)/sousveil ingest tests/fixtures/ccgp/award_shenzhen_longhua_2025.html demo/synthetic/notices --db demo/sousveil.db
	$(BIN)/sousveil stats --db demo/sousveil.db --top 5
	@echo
	@echo "Try a search (Chinese from two characters, or English words), then open a notice:"
	@echo "  $(BIN)/sousveil search 人脸识别 --db demo/sousveil.db --category video"
	@echo "  $(BIN)/sousveil search 空调 --db demo/sousveil.db --real"
	@echo "  $(BIN)/sousveil show 1 --db demo/sousveil.db"
	@echo "Vendors with their designations, the timeline of one procurement, an OCDS export:"
	@echo "  $(BIN)/sousveil vendors --db demo/sousveil.db --designated"
	@echo "  $(BIN)/sousveil process 2 --db demo/sousveil.db"
	@echo "  $(BIN)/sousveil export --db demo/sousveil.db --format ocds -o demo/releases.json --validate"
	@echo
	@echo "Open the web interface on the demo database (then visit the address it prints):"
	@echo "  $(BIN)/sousveil serve demo/sousveil.db"

# The whole suite, browser tests included: browser-deps installs Debian's chromium and fonts-noto-cjk
# when it can (as root, with apt-get), else stops with one line saying what to install.
test: browser-deps $(STAMP)
	$(BIN)/python -m pytest -q

# The suite without the browser tests (tests/test_browser.py, tests/test_report_browser.py), for a
# machine without chromium.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q --ignore=tests/test_browser.py --ignore=tests/test_report_browser.py

browser-deps:
	@sh scripts/browser_deps.sh

# Not part of `make test`: field accuracy on a generated corpus and on every labelled folder of
# ../shared/real/, then throughput on 10,000 and 100,000 generated notices (cached in bench/out/), the
# load test of `sousveil serve` on the 100,000 (bench/load.py, docs/web.md);
# OCR's character accuracy, pages/s per CPU and fields on scanned renderings (bench/ocr.py, docs/ocr.md).
bench: $(STAMP)
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/scaling.py
	$(BIN)/python bench/run.py --sizes 10000 100000
	$(BIN)/python bench/load.py --requests 2000
	$(BIN)/python bench/report.py
	$(BIN)/python bench/ocr.py

clean:
	rm -rf $(VENV) demo bench/out .pytest_cache .hypothesis

# Not part of `make test` (which runs the bounded tests/test_fuzz.py): a longer fuzzing run of the
# pipeline, coverage-guided with atheris when it is installed (optional: $(BIN)/pip install atheris),
# else a long hypothesis run; failures go to fuzz-out/crashes/. `make fuzz FUZZ_SECONDS=3600` for longer.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --seconds $(FUZZ_SECONDS) --out fuzz-out

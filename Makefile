# One-command run and test. Every target bootstraps what it needs from nothing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.voxtell-installed
FE_STAMP := frontend/node_modules/.voxtell-installed
OIDC_STAMP := tests/oidc/node_modules/.voxtell-installed
# CPU/CUDA wheel pair known to work; override for your CUDA, e.g. TORCH_SPEC="torch==2.8.0 torchvision==0.23.0"
TORCH_SPEC ?= torch==2.14.1 torchvision==0.29.1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv frontend-deps frontend-build services browser orthanc dicom-tools lint test test-py test-gpu api-types test-frontend test-all screenshots run cluster demo-model bench clean

$(PY_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_SPEC)
	$(PY) -m pip install --quiet -e '.[server,cluster,dev]'
	touch $(PY_STAMP)

venv: $(PY_STAMP)

$(FE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $(FE_STAMP)

frontend-deps: $(FE_STAMP)

# The OpenID Connect provider the sign-in tests start (npm oidc-provider, run with this Node).
$(OIDC_STAMP): tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --silent
	touch $(OIDC_STAMP)

frontend-build: $(FE_STAMP)
	cd frontend && npm run build

# Real servers the Python tests start and stop themselves (Debian packages): PostgreSQL, Redis.
services:
	@{ ls /usr/lib/postgresql/*/bin/postgres && command -v redis-server; } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null; }

# Orthanc with its DICOMweb plugin for the PACS tests (they start and stop it themselves).
orthanc:
	@{ command -v Orthanc >/dev/null 2>&1 && dpkg -s orthanc-dicomweb >/dev/null 2>&1; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq orthanc orthanc-dicomweb >/dev/null; }

# dcmtk (echoscu, storescu, storescp, dcmcjpeg, dcmcjpls, dcmcrle) as the DICOM peers of the node
# tests, dicom3tools' dciodvfy (the reference validator of what we export), and libGL for rt-utils' OpenCV.
dicom-tools:
	@{ command -v storescu && command -v dcmcjpls && command -v dciodvfy && ls /usr/lib/x86_64-linux-gnu/libGL.so.1; } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dcmtk dicom3tools libgl1 libglib2.0-0 >/dev/null; }

# Debian's Chromium for the browser tests; never a browser downloaded by a test tool.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(PY_STAMP)
	$(VENV)/bin/ruff check voxtell backend tests bench download_model.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test-py: $(PY_STAMP) $(OIDC_STAMP) services orthanc dicom-tools
	$(VENV)/bin/pytest -m "not slow"

# Only the tests marked gpu (CUDA precision, out-of-memory fallback, text encoder placement);
# they also run in test-py/test-all wherever CUDA is available.
test-gpu: $(PY_STAMP)
	@$(PY) -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'test-gpu: no CUDA device on this machine')"
	$(VENV)/bin/pytest -m gpu

ifneq ($(wildcard frontend/package.json),)
# The app's API types (frontend/src/api/schema.d.ts) from the server's OpenAPI document; test-frontend checks them.
api-types: $(PY_STAMP) $(FE_STAMP)
	cd frontend && VOXTELL_PYTHON=../$(PY) npm run gen:api

test-frontend: $(PY_STAMP) $(FE_STAMP) $(OIDC_STAMP) browser orthanc dicom-tools
	cd frontend && VOXTELL_PYTHON=../$(PY) npm run check:api
	cd frontend && npm run typecheck && npx vitest run
	cd frontend && npm run build
	cd frontend && VOXTELL_PYTHON=../$(PY) npm run e2e
else
api-types test-frontend:
	@echo "frontend/ not present yet: no front-end tests to run"
endif

test: lint test-py test-frontend

# The README picture (docs/screenshot.png), from the e2e walkthrough; `make test` never writes into docs/.
screenshots: $(PY_STAMP) $(FE_STAMP) browser
	cd frontend && npm run build
	cd frontend && VOXTELL_PYTHON=../$(PY) VOXTELL_SCREENSHOT_DIR=$(CURDIR)/docs npx playwright test -g "upload, segment two prompts"

test-all: lint $(OIDC_STAMP) services orthanc dicom-tools test-frontend
	$(VENV)/bin/pytest

# Serves the web app; uses ./models/voxtell_v1.1 (or VOXTELL_MODEL) and falls back to the demo model.
run: $(PY_STAMP) $(if $(wildcard frontend/package.json),frontend-build)
	$(VENV)/bin/voxtell-web serve --host $(HOST) --port $(PORT)

# The distributed mode on this machine: Redis, PostgreSQL, one API node, two workers (Ctrl+C stops all).
cluster: $(PY_STAMP) services $(if $(wildcard frontend/package.json),frontend-build)
	$(VENV)/bin/voxtell-web cluster --port $(PORT)

demo-model: $(PY_STAMP)
	$(VENV)/bin/voxtell-make-demo-model models/demo

bench: $(PY_STAMP)
	$(PY) bench/official_engine.py --rounds 3
	$(PY) bench/gpu_check.py --out bench/results/gpu_check.json || test $$? -eq 2  # 2: no CUDA here, skipped
	$(PY) bench/volume_pipeline.py --rounds 3
	$(PY) bench/engine_paths.py --paths reference fast --rounds 3
	$(PY) bench/engine_paths.py --paths reference fast fast-bf16 --out engine_paths_with_bf16.json
	$(PY) bench/io_nifti.py
	$(PY) bench/text_encoder.py
	$(PY) bench/server_overhead.py
	$(PY) bench/people.py
	$(PY) bench/torch_compile.py

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist tests/oidc/node_modules

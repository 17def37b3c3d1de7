# claimstream developer tasks. `make help` lists every target from its `## ` comment:
# document a new target the same way, on its own line, and add it to .PHONY.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PYTHON3 ?= python3
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
PYTEST  := $(VENV)/bin/pytest
RUFF    := $(VENV)/bin/ruff
MYPY    := $(VENV)/bin/mypy
KAFKA   := deploy/kafka/kafka.sh
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup run kafka-up kafka-down kafka-status test lint train eval check-deploy metrics-url soak bench agreement

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_.-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(PY) ## venv, pip install -e .[dev], Kafka jars, prometheus + promtool (apt) when missing
	$(PIP) install -e '.[dev]'
	$(KAFKA) fetch
	@if command -v prometheus >/dev/null && command -v promtool >/dev/null; then \
		echo "prometheus: $$(command -v prometheus) and promtool present"; \
	else \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends prometheus; \
	fi
	@if command -v go >/dev/null; then bash deploy/k8s/validate.sh --install; \
	else echo "go not found: kubeconform not installed (make check-deploy needs it)"; fi

$(PY):
	$(PYTHON3) -m venv $(VENV)
	$(PIP) install --upgrade pip

# `make run` and `make test` set up a fresh machine on first use, and again when the
# dependencies change.
SETUP_STAMP := $(VENV)/.setup-done
$(SETUP_STAMP): pyproject.toml deploy/kafka/pom.xml | $(PY)
	$(MAKE) setup
	touch $@

run: $(SETUP_STAMP) ## the main job: local broker, worker, sample article in, claims printed; stops on Ctrl-C or when done
	deploy/local/run.sh

kafka-up: ## start the local Kafka broker on 127.0.0.1:9092 (KAFKA_PORT), data in var/kafka
	$(KAFKA) start

kafka-down: ## stop the local Kafka broker
	$(KAFKA) stop

kafka-status: ## is the local Kafka broker running (pid, port, RSS)
	$(KAFKA) status

test: $(SETUP_STAMP) ## run all tests; Kafka tests start a broker of their own (CI=true: no broker = failure)
	$(PYTEST) -q

soak: $(SETUP_STAMP) ## long reliability runs (a 100,000-article backlog, RSS sampled); a broker like make test
	CLAIMSTREAM_SOAK=1 $(PYTEST) -q -s -m slow tests/integration

train: $(SETUP_STAMP) ## rebuild models/claim-tagger-* from data/labels + ../shared/data on the CPU (~35 min here, ~55 on a slower CPU; installs torch)
	$(PIP) install -e '.[dev,train]'
	$(PY) -m claimstream.training.train
	$(PY) -m claimstream.training.export
	$(PY) -m claimstream.training.decoding --write
	$(PY) -m claimstream.training.evaluate --fp32 var/claim-tagger/model.fp32.onnx --gold-spans --out var/eval-train.json
	$(PY) -m claimstream.training.export --card-only --eval-report var/eval-train.json

eval: $(SETUP_STAMP) ## precision/recall/F1 per claim type on the evaluation set, model vs rule baseline (and the claim builder on gold spans)
	$(VENV)/bin/claimstream eval --gold-spans

agreement: $(SETUP_STAMP) ## a second, blind annotation of part of the evaluation set vs its labels, model and baseline alongside
	$(PY) -m claimstream.training.agreement

# torch + transformers only for the naive peer the benchmark compares against (the worker
# never imports them); BENCH_ARGS passes options to bench/run.py (see bench/README.md).
bench: $(SETUP_STAMP) ## benchmark (~15 min): model ceiling, offline, end-to-end via Kafka, naive peer, scale-out -> bench-results.json
	$(PIP) install --quiet -e '.[dev,train]'
	$(KAFKA) fetch
	$(PY) bench/run.py $(BENCH_ARGS)

lint: ## ruff check, ruff format --check, mypy
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)

check-deploy: ## promtool check config/rules + test rules, dashboard in sync, kubeconform on deploy/k8s, compose parses
	cd deploy/prometheus && promtool check config prometheus.yml && promtool check rules alerts.yml \
		&& promtool test rules alerts_test.yml
	$(PY) deploy/grafana/dashboard.py --check
	bash deploy/k8s/validate.sh
	$(PY) -c 'import yaml; s = yaml.safe_load(open("deploy/docker-compose.yml"))["services"]; \
		assert set(s) == {"kafka", "worker", "prometheus", "grafana"}, s; print("docker-compose.yml:", *s)'

metrics-url: ## where the worker's metrics, health and readiness are (CLAIMSTREAM_WEB_HOST/PORT)
	@echo "metrics: http://$${CLAIMSTREAM_WEB_HOST:-127.0.0.1}:$${CLAIMSTREAM_WEB_PORT:-6066}/metrics  health: /healthz  ready: /readyz"

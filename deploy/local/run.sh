#!/usr/bin/env bash
# The main job on one machine: a local broker, the worker, the sample article in, its claims out.
# Stops everything it started on Ctrl-C or when the claims have arrived.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
RUN_DIR=var/run
mkdir -p "$RUN_DIR"
export CLAIMSTREAM_BROKERS="${CLAIMSTREAM_BROKERS:-127.0.0.1:9092}"
export CLAIMSTREAM_WEB_PORT="${CLAIMSTREAM_WEB_PORT:-6066}"
started_kafka=0
worker_pid=""

cleanup() {
  trap - EXIT INT TERM
  if [[ -n "$worker_pid" ]] && kill -0 "$worker_pid" 2>/dev/null; then
    echo "==> stopping the worker"
    kill -TERM "$worker_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$worker_pid" 2>/dev/null || true
  fi
  if [[ "$started_kafka" == 1 ]]; then
    echo "==> stopping the local Kafka broker"
    deploy/kafka/kafka.sh stop >/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z "${CLAIMSTREAM_EXTERNAL_KAFKA:-}" ]]; then
  if ! deploy/kafka/kafka.sh status >/dev/null 2>&1; then
    echo "==> starting a local Kafka broker (KRaft, single node) on $CLAIMSTREAM_BROKERS"
    deploy/kafka/kafka.sh start
    started_kafka=1
  else
    echo "==> using the Kafka broker already running on $CLAIMSTREAM_BROKERS"
  fi
fi

echo "==> starting the worker (log: $RUN_DIR/worker.log)"
(cd "$RUN_DIR" && exec ../../$BIN/claimstream worker -l info) >"$RUN_DIR/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 1 600); do
  if grep -q " loaded in " "$RUN_DIR/worker.log" && grep -q "Ready" "$RUN_DIR/worker.log"; then break; fi
  if ! kill -0 "$worker_pid" 2>/dev/null; then echo "worker exited:"; tail -40 "$RUN_DIR/worker.log"; exit 1; fi
  sleep 0.2
done
echo "    metrics: http://127.0.0.1:$CLAIMSTREAM_WEB_PORT/metrics  health: /healthz  ready: /readyz"

article_id="sample-article-$(date +%Y%m%dT%H%M%S)"
echo "==> producing tests/data/sample-article.txt as article $article_id"
$BIN/claimstream produce tests/data/sample-article.txt --key "$article_id"
echo "==> claims as they arrive (Ctrl-C to stop)"
$BIN/claimstream consume --article "$article_id" --idle-timeout "${IDLE_TIMEOUT:-20}"
echo "==> done"

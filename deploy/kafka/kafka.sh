#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) run from Maven Central jars.
#
#   deploy/kafka/kafka.sh fetch    resolve the jars into deploy/kafka/lib/ (skipped when complete)
#   deploy/kafka/kafka.sh start    format storage if new, start, wait until a client gets metadata
#   deploy/kafka/kafka.sh stop     SIGTERM, then SIGKILL after $KAFKA_STOP_TIMEOUT seconds
#   deploy/kafka/kafka.sh status   exit 0 when running, 3 when not
#
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [KAFKA_PORT+1]  KAFKA_DATA_DIR [<repo>/var/kafka]
#   KAFKA_HEAP_OPTS [-Xmx512m -Xms256m]  KAFKA_JVM_OPTS  KAFKA_START_TIMEOUT [120]
#   KAFKA_STOP_TIMEOUT [30]  KAFKA_PYTHON [<repo>/.venv/bin/python, else python3]  MVN_ARGS
#   KAFKA_MESSAGE_MAX_BYTES [16777216]  largest record batch the broker accepts (message.max.bytes)
#   KAFKA_SASL_PORT  also listen with SASL_PLAINTEXT here (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN)
#   KAFKA_SASL_USERS ["claimstream:claimstream-secret"]  "user:password ...", [A-Za-z0-9._-] only;
#                    SCRAM users are created when the storage is formatted (a new data dir)
#   KAFKA_SSL_PORT   also listen with TLS (SSL) here; KAFKA_SSL_KEYSTORE: a PEM file with the broker's
#                    unencrypted PKCS#8 key and its certificate chain
# Everything of one instance lives in KAFKA_DATA_DIR: server.properties, kafka.pid, data/,
# logs/server.log (broker log), logs/kafka.out (JVM stdout/stderr), startup-times.log.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
LIB="$HERE/lib"
STAMP="$LIB/.fetched"

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/var/kafka}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
MESSAGE_MAX_BYTES="${KAFKA_MESSAGE_MAX_BYTES:-16777216}"
SASL_PORT="${KAFKA_SASL_PORT:-}"
SASL_USERS="${KAFKA_SASL_USERS:-claimstream:claimstream-secret}"
SSL_PORT="${KAFKA_SSL_PORT:-}"
SSL_KEYSTORE="${KAFKA_SSL_KEYSTORE:-}"
if [[ -n "${KAFKA_PYTHON:-}" ]]; then
  PY="$KAFKA_PYTHON"
elif [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then
  PY="$REPO_ROOT/.venv/bin/python"
else
  PY=python3
fi

CONF="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
LOG_DIR="$DATA_DIR/logs"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"

say() { echo "kafka: $*"; }
die() { echo "kafka: error: $*" >&2; exit 1; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- jars
pom_hash() { sha256sum "$HERE/pom.xml" | cut -d' ' -f1; }

# The stamp holds the pom's hash, then one jar name a line; lib/ is complete when the hash
# matches and every listed jar is there. Then no maven (and no network) is needed.
lib_complete() {
  [[ -f "$STAMP" ]] || return 1
  [[ "$(head -n1 "$STAMP")" == "pom $(pom_hash)" ]] || return 1
  local jar
  while read -r jar; do
    [[ -f "$LIB/$jar" ]] || return 1
  done < <(tail -n +2 "$STAMP")
}

cmd_fetch() {
  if lib_complete; then
    say "jars for kafka $KAFKA_VERSION complete in $LIB ($(($(wc -l <"$STAMP") - 1)) jars)"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
  local t0
  t0="$(now)"
  say "resolving kafka $KAFKA_VERSION jars from Maven Central into $LIB"
  rm -rf "$LIB"
  local mvn_log
  mvn_log="$(mktemp)"
  # shellcheck disable=SC2086  # MVN_ARGS is a word list, e.g. "-o"
  if ! mvn -B -Dstyle.color=never -f "$HERE/pom.xml" ${MVN_ARGS:-} dependency:copy-dependencies >"$mvn_log" 2>&1; then
    grep -E 'ERROR|FAIL' "$mvn_log" | head -n 30 >&2
    rm -f "$mvn_log"
    die "maven could not resolve the jars"
  fi
  rm -f "$mvn_log"
  { echo "pom $(pom_hash)"; (cd "$LIB" && ls -1 -- *.jar); } >"$STAMP.tmp"
  mv "$STAMP.tmp" "$STAMP"
  say "fetched $(($(wc -l <"$STAMP") - 1)) jars in $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')s"
}

# ---------------------------------------------------------------- process
# alive and not a zombie (a container's PID 1 may never reap it)
alive() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)"
  [[ "$state" != Z ]]
}

# prints the pid when this data dir's broker runs (checks the command line, not just the pid)
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONF" || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

configured_listener() { sed -n 's/^listeners=PLAINTEXT:\/\/\([^,]*\),.*/\1/p' "$CONF" 2>/dev/null; }

write_config() {
  local listeners="PLAINTEXT://$HOST:$PORT" advertised="PLAINTEXT://$HOST:$PORT"
  local protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [[ -n "$SASL_PORT" ]]; then
    listeners+=",SASL_PLAINTEXT://$HOST:$SASL_PORT"
    advertised+=",SASL_PLAINTEXT://$HOST:$SASL_PORT"
    protocols+=",SASL_PLAINTEXT:SASL_PLAINTEXT"
  fi
  if [[ -n "$SSL_PORT" ]]; then
    [[ -f "$SSL_KEYSTORE" ]] || die "KAFKA_SSL_PORT needs KAFKA_SSL_KEYSTORE (PEM key + certificate chain)"
    listeners+=",SSL://$HOST:$SSL_PORT"
    advertised+=",SSL://$HOST:$SSL_PORT"
    protocols+=",SSL:SSL"
  fi
  cat >"$CONF" <<EOF
# generated by deploy/kafka/kafka.sh on every start; edit the script, not this file
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=$listeners,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=$advertised
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
log.dirs=$DATA_DIR/data
# a single node: every replication factor and min ISR is 1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# small internal topics: created on first use, so they come up fast on a small machine
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=1
num.network.threads=2
num.io.threads=4
log.retention.hours=72
log.segment.bytes=67108864
message.max.bytes=$MESSAGE_MAX_BYTES
replica.fetch.max.bytes=$MESSAGE_MAX_BYTES
EOF
  if [[ -n "$SASL_PORT" ]]; then
    local user plain=""
    for user in $SASL_USERS; do
      [[ "$user" =~ ^[A-Za-z0-9._-]+:[A-Za-z0-9._-]+$ ]] || die "KAFKA_SASL_USERS: bad entry '$user'"
      plain+=" user_${user%%:*}=\"${user#*:}\""
    done
    cat >>"$CONF" <<EOF
# SASL_PLAINTEXT listener (KAFKA_SASL_PORT): SCRAM users are stored in the metadata log at format time
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain;
EOF
  fi
  if [[ -n "$SSL_PORT" ]]; then
    cat >>"$CONF" <<EOF
# SSL listener (KAFKA_SSL_PORT): server certificate only, no client authentication
listener.name.ssl.ssl.keystore.type=PEM
listener.name.ssl.ssl.keystore.location=$SSL_KEYSTORE
EOF
  fi
}

# --add-scram arguments of kafka-storage format for $KAFKA_SASL_USERS (when KAFKA_SASL_PORT is set)
scram_args() {
  [[ -n "$SASL_PORT" ]] || return 0
  local user
  for user in $SASL_USERS; do
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "${user%%:*}" "${user#*:}"
    printf -- '--add-scram\nSCRAM-SHA-256=[name=%s,password=%s]\n' "${user%%:*}" "${user#*:}"
  done
}

# Kafka cluster ids are 16 random bytes, base64url without padding, not starting with '-'
new_cluster_id() {
  local id
  while :; do
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* ]] || break
  done
  echo "$id"
}

dump_logs() {
  echo "---- $LOG_DIR/kafka.out (tail) ----" >&2
  tail -n 20 "$LOG_DIR/kafka.out" >&2 2>/dev/null || true
  echo "---- $LOG_DIR/server.log (tail) ----" >&2
  tail -n 40 "$LOG_DIR/server.log" >&2 2>/dev/null || true
}

cmd_start() {
  local t0 pid
  t0="$(now)"
  if pid="$(running_pid)"; then
    "$PY" "$HERE/wait_ready.py" --bootstrap "$(configured_listener)" --timeout "$START_TIMEOUT" --pid "$pid" \
      || die "already running (pid $pid) but not answering"
    say "already running (pid $pid) on $(configured_listener)"
    return 0
  fi
  command -v java >/dev/null || die "java not found (apt-get install -y openjdk-17-jre-headless)"
  "$PY" -c 'import aiokafka' 2>/dev/null || die "$PY cannot import aiokafka (run: make setup)"
  port_in_use "$PORT" && die "port $PORT is in use by another process"
  port_in_use "$CONTROLLER_PORT" && die "controller port $CONTROLLER_PORT is in use by another process"
  cmd_fetch
  mkdir -p "$DATA_DIR/data" "$LOG_DIR"
  write_config

  local logging=(-Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$HERE/log4j2.properties")
  if [[ ! -f "$DATA_DIR/data/meta.properties" ]]; then
    say "formatting new storage in $DATA_DIR/data"
    local scram=()
    mapfile -t scram < <(scram_args)
    # shellcheck disable=SC2086
    java $HEAP_OPTS "${logging[@]}" -cp "$LIB/*" kafka.tools.StorageTool format \
      -t "$(new_cluster_id)" -c "$CONF" --ignore-formatted "${scram[@]}" >>"$LOG_DIR/kafka.out" 2>&1 \
      || { dump_logs; die "kafka-storage format failed"; }
  fi

  # setsid + nohup: the broker outlives the shell, terminal and make that started it
  # shellcheck disable=SC2086
  (cd "$DATA_DIR" && exec setsid nohup java $HEAP_OPTS $JVM_OPTS "${logging[@]}" \
    -cp "$LIB/*" kafka.Kafka "$CONF" >>"$LOG_DIR/kafka.out" 2>&1 </dev/null) &
  pid=$!
  echo "$pid" >"$PID_FILE"

  if ! "$PY" "$HERE/wait_ready.py" --bootstrap "$HOST:$PORT" --timeout "$START_TIMEOUT" --pid "$pid"; then
    dump_logs
    cmd_stop >&2 || true
    die "broker did not become ready on $HOST:$PORT (logs in $LOG_DIR)"
  fi
  running_pid >/dev/null || die "pid $pid is not the broker; see $LOG_DIR"
  local secs
  secs="$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')"
  echo "$(date -Is) kafka=$KAFKA_VERSION port=$PORT startup_s=$secs" >>"$DATA_DIR/startup-times.log"
  say "kafka $KAFKA_VERSION ready on $HOST:$PORT in ${secs}s (pid $pid, rss $(rss_mb "$pid") MB, data $DATA_DIR)"
}

cmd_stop() {
  local pid t0 waited=0
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "not running (data $DATA_DIR)"
    return 0
  fi
  t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    if ((waited >= STOP_TIMEOUT * 5)); then
      say "pid $pid still up after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  say "stopped pid $pid in $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')s"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    say "running: kafka $KAFKA_VERSION pid $pid on $(configured_listener), rss $(rss_mb "$pid") MB, data $DATA_DIR"
    return 0
  fi
  say "not running (data $DATA_DIR)"
  return 3
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    sed -n '2,22s/^# \{0,1\}//p' "$0"
    [[ "${1:-}" =~ ^(-h|--help|help)$ ]] || exit 2
    ;;
esac

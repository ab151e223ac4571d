#!/usr/bin/env bash
# Starts the real engines the *.int.spec.ts suites use, on loopback, without containers:
#   bash test/engines/up.sh [postgres] [mongo] [kafka]      (default: all three)
# Safe to run twice: an engine already answering on its port is reused (whoever started it), so a
# second checkout on the same machine shares the first one's servers. Writes test/engines/.state/env
# (sourceable) and prints it. Logs: test/engines/.state/<engine>.log. Stop with test/engines/down.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$HERE/.state"
mkdir -p "$STATE"

# Ports can be moved (CDT_ENGINES_*_PORT) to run a second, separate set beside the first, e.g. a CI
# check while benchmarks hold the default servers busy.
PG_PORT=${CDT_ENGINES_PG_PORT:-55432}
PG_BIN=/usr/lib/postgresql/15/bin
MONGO_PORT=${CDT_ENGINES_MONGO_PORT:-57017}
KAFKA_PORT=${CDT_ENGINES_KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${CDT_ENGINES_KAFKA_CONTROLLER_PORT:-59093}

POSTGRES_URL="postgres://cdt_admin:cdt_admin@127.0.0.1:$PG_PORT/postgres"
MONGO_URL="mongodb://127.0.0.1:$MONGO_PORT"
KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"

log() { printf '[engines] %s\n' "$*" >&2; }
die() { printf '[engines] error: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1 (2 s at most).
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second.
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
  log "$what answers"
}

# A pid file names a process this state dir started; a stale one (process gone) is removed.
alive_from_pidfile() {
  local pidfile=$1
  [[ -f $pidfile ]] || return 1
  if kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  rm -f "$pidfile"
  return 1
}

# ---------------------------------------------------------------- PostgreSQL 15 (Debian's packages)

pg_answers() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }
pg_admin_login() { PGCONNECT_TIMEOUT=2 "$PG_BIN/psql" -XqtA "$POSTGRES_URL" -c 'select 1' >/dev/null 2>&1; }
as_postgres() { runuser -u postgres -- "$@"; }

install_postgres() {
  [[ -x $PG_BIN/postgres ]] && return 0
  log "installing PostgreSQL 15 from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >"$STATE/apt-postgres.log" 2>&1 ||
    die "apt-get install postgresql-15 failed, see $STATE/apt-postgres.log"
  # The package creates and may start the distro's own cluster (15/main on 5432): this harness never uses it.
  if command -v pg_ctlcluster >/dev/null; then pg_ctlcluster 15 main stop >/dev/null 2>&1 || true; fi
}

# The data directory lives under .state unless the postgres OS user cannot reach it (a checkout under a
# private home directory): then it lives under /var/lib/cdt-engines and .state/pg links to it.
pg_data_dir() {
  local wanted="$STATE/pg"
  [[ -L $wanted ]] && { readlink -f "$wanted"; return; }
  if runuser -u postgres -- test -x "$STATE"; then
    echo "$wanted"
  else
    local elsewhere
    elsewhere="/var/lib/cdt-engines/pg-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)"
    mkdir -p "$elsewhere"
    ln -sfn "$elsewhere" "$wanted"
    echo "$elsewhere"
  fi
}

# The unix socket (used only to create the roles as the superuser) sits beside the data directory, so
# clusters of two checkouts never meet there; /tmp/cdt-pg-<hash> when that path is too long for a socket.
pg_socket_dir() {
  local dir
  dir="$(pg_data_dir)-run"
  ((${#dir} <= 90)) || dir="/tmp/cdt-pg-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)"
  echo "$dir"
}

init_postgres_cluster() {
  local data=$1
  [[ -f $data/PG_VERSION ]] && return 0
  log "initdb $data"
  mkdir -p "$data"
  chown postgres:postgres "$data"
  chmod 700 "$data"
  as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$STATE/postgres-initdb.log" 2>&1 ||
    die "initdb failed, see $STATE/postgres-initdb.log"
  # Test settings: durability off (fsync), many short-lived pools, abandoned transactions cut off.
  cat >>"$data/postgresql.conf" <<EOF

# --- test/engines/up.sh ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
max_connections = 300
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
idle_in_transaction_session_timeout = '60s'
log_min_messages = warning
EOF
}

start_postgres() {
  local data socket
  data=$(pg_data_dir)
  socket=$(pg_socket_dir)
  init_postgres_cluster "$data"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  mkdir -p "$socket"
  chown postgres:postgres "$socket"
  touch "$STATE/postgres.log"
  chown postgres:postgres "$STATE/postgres.log"
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$STATE/postgres.log" -o "-k '$socket'" -w -t 60 start >/dev/null 9>&- ||
    die "PostgreSQL did not start, see $STATE/postgres.log"
  head -1 "$data/postmaster.pid" >"$STATE/postgres.pid"
}

# Roles and database, idempotent; run as the cluster's superuser over the unix socket.
bootstrap_postgres() {
  as_postgres "$PG_BIN/psql" -Xq -v ON_ERROR_STOP=1 -h "$(pg_socket_dir)" -p "$PG_PORT" -d postgres >/dev/null <<'SQL'
do $$
begin
  if not exists (select from pg_roles where rolname = 'cdt_admin') then
    create role cdt_admin login createdb createrole password 'cdt_admin';
  end if;
  if not exists (select from pg_roles where rolname = 'cdt_app') then
    create role cdt_app login password 'cdt_app';
  end if;
end $$;
-- drop database ... with (force) must end the application role's sessions too: that takes pg_signal_backend.
grant pg_signal_backend to cdt_admin;
select 'create database cdt owner cdt_admin' where not exists (select from pg_database where datname = 'cdt')
\gexec
SQL
}

up_postgres() {
  if pg_answers; then
    log "PostgreSQL already answers on 127.0.0.1:$PG_PORT: reusing it"
  else
    install_postgres
    start_postgres
    wait_until 30 PostgreSQL pg_answers || die "PostgreSQL does not answer, see $STATE/postgres.log"
  fi
  # Only a cluster of this checkout has its socket here; one reused from elsewhere must already have the roles.
  if id postgres >/dev/null 2>&1 && [[ -S $(pg_socket_dir)/.s.PGSQL.$PG_PORT ]]; then
    bootstrap_postgres || die "could not create the roles cdt_admin / cdt_app and database cdt"
  fi
  pg_admin_login || die "PostgreSQL on $PG_PORT refuses cdt_admin/cdt_admin (a cluster this script did not set up?)"
}

# ---------------------------------------------------------------- Java engines (jars from Maven Central)

# fetch_jars NAME POM: copies the POM's dependencies into .state/NAME-lib once (again when the POM changes).
fetch_jars() {
  local name=$1 pom=$2 lib="$STATE/$1-lib" stamp
  stamp=$(sha256sum "$pom" | cut -c1-16)
  [[ -f $lib/.stamp && $(cat "$lib/.stamp") == "$stamp" ]] && return 0
  command -v java >/dev/null || die "java is missing (apt-get install -y openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "mvn is missing (apt-get install -y maven)"
  log "fetching the $name jars from Maven Central"
  rm -rf "$lib"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" >"$STATE/$name-mvn.log" 2>&1 ||
    die "mvn could not fetch the $name jars, see $STATE/$name-mvn.log"
  echo "$stamp" >"$lib/.stamp"
}

# start_java NAME ARGS...: java in its own session, in the background, output to .state/NAME.log.
start_java() {
  local name=$1; shift
  # $! must be java itself (down.sh signals it): setsid does not fork when it is not a group leader.
  (
    cd "$STATE"
    setsid nohup java "$@" >"$STATE/$name.log" 2>&1 </dev/null 9>&- &
    echo $! >"$STATE/$name.pid"
  )
}

# ---------------------------------------------------------------- MongoDB wire protocol (mongo-java-server)

up_mongo() {
  if port_open "$MONGO_PORT"; then
    log "a MongoDB server already answers on 127.0.0.1:$MONGO_PORT: reusing it"
    return 0
  fi
  alive_from_pidfile "$STATE/mongo.pid" && die "the MongoDB server we started (pid $(cat "$STATE/mongo.pid")) does not answer, see $STATE/mongo.log"
  fetch_jars mongo "$HERE/mongo/pom.xml"
  log "starting mongo-java-server on 127.0.0.1:$MONGO_PORT"
  start_java mongo -Xmx3g -XX:+UseParallelGC -cp "$STATE/mongo-lib/*" "$HERE/mongo/MongoWireServer.java" 127.0.0.1 "$MONGO_PORT"
  wait_until 60 MongoDB port_open "$MONGO_PORT" || die "MongoDB does not answer, see $STATE/mongo.log"
}

# ---------------------------------------------------------------- Kafka 3.9, KRaft, one node

KAFKA_CLUSTER_ID=Y2R0LWxlZGdlci10ZXN0cw # base64url of "cdt-ledger-tests": any fixed 16 bytes will do

kafka_ready() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$STATE/kafka.log"; }

write_kafka_properties() {
  cat >"$STATE/kafka.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE/kafka-data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
EOF
}

up_kafka() {
  if port_open "$KAFKA_PORT"; then
    log "a Kafka broker already answers on 127.0.0.1:$KAFKA_PORT: reusing it"
    return 0
  fi
  alive_from_pidfile "$STATE/kafka.pid" && die "the Kafka broker we started (pid $(cat "$STATE/kafka.pid")) does not answer, see $STATE/kafka.log"
  fetch_jars kafka "$HERE/kafka/pom.xml"
  write_kafka_properties
  local java_opts=(-Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true "-Dlog4j.configuration=file:$HERE/kafka/log4j.properties" -cp "$STATE/kafka-lib/*")
  if [[ ! -f $STATE/kafka-data/meta.properties ]]; then
    log "formatting Kafka storage (KRaft) in $STATE/kafka-data"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" -c "$STATE/kafka.properties" --ignore-formatted \
      >"$STATE/kafka-format.log" 2>&1 || die "formatting Kafka storage failed, see $STATE/kafka-format.log"
  fi
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  start_java kafka "${java_opts[@]}" kafka.Kafka "$STATE/kafka.properties"
  wait_until 120 Kafka kafka_ready || die "Kafka does not answer, see $STATE/kafka.log"
}

# ---------------------------------------------------------------- env file

write_env() {
  local file="$STATE/env" tmp="$STATE/env.tmp" names=()
  {
    echo "# written by test/engines/up.sh; engines that answered when it last ran"
    if pg_answers; then echo "CDT_TEST_POSTGRES_URL=$POSTGRES_URL"; names+=(CDT_TEST_POSTGRES_URL); fi
    if port_open "$MONGO_PORT"; then echo "CDT_TEST_MONGO_URL=$MONGO_URL"; names+=(CDT_TEST_MONGO_URL); fi
    if port_open "$KAFKA_PORT"; then echo "CDT_TEST_KAFKA_BROKERS=$KAFKA_BROKERS"; names+=(CDT_TEST_KAFKA_BROKERS); fi
    ((${#names[@]} == 0)) || echo "export ${names[*]}"
  } >"$tmp"
  mv "$tmp" "$file"
  cat "$file"
}

# ---------------------------------------------------------------- main

main() {
  # One provisioner at a time on this machine: the ports are shared by every checkout. (Servers started
  # below must not inherit fd 9, or they would hold the lock for their whole life.)
  exec 9>/tmp/cdt-engines.lock
  flock 9
  local engines=("$@")
  ((${#engines[@]})) || engines=(postgres mongo kafka)
  for engine in "${engines[@]}"; do
    case $engine in
      postgres) up_postgres ;;
      mongo) up_mongo ;;
      kafka) up_kafka ;;
      *) die "unknown engine '$engine' (postgres, mongo, kafka)" ;;
    esac
  done
  write_env
}

main "$@"

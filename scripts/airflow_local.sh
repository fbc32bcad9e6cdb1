#!/usr/bin/env bash
# A real Airflow deployment on this machine: PostgreSQL (metadata database) and Airflow 3 with
# the LocalExecutor (scheduler, DAG processor, API server with the web UI), running the
# project's generated DAGs.
#
#   scripts/airflow_local.sh start [--env ENV[,ENV2]] [--pipelines gan_smote,benchmark]
#   scripts/airflow_local.sh stop
#   scripts/airflow_local.sh status
#   scripts/airflow_local.sh install      # PostgreSQL only (as root: apt-get when absent)
#
# Run it with the project venv active (it generates the DAGs with `kedro airflow create` and
# runs Airflow from scripts/airflow_venv.sh's cached venv). As root it installs PostgreSQL
# from Debian's packages when absent and runs it as the `postgres` user.
#
# Settings (environment variables):
#   AIRFLOW_LOCAL_DIR     state folder: AIRFLOW_HOME, logs, DAG folder, env.sh, process ids
#                         (default ${TMPDIR:-/tmp}/imbalanced-gan-airflow)
#   AIRFLOW_PARALLELISM   LocalExecutor worker processes (default 2)
#   AIRFLOW_API_PORT      web UI and REST API on 127.0.0.1 (default: a free port)
#   AIRFLOW_PG_PORT       PostgreSQL on 127.0.0.1 (default: a free port)
#   KEDRO_PROJECT_PATH    the Kedro project the tasks run (default: this repository)
#   AIRFLOW_START_TIMEOUT seconds to wait for each service (default 300)
#   AIRFLOW_PRELOAD       1 (default): the scheduler preloads the tasks' modules, which its
#                         forked task processes inherit (imbalanced_gan.deploy.preload); 0: off
#
# Everything listens on 127.0.0.1 only. The PostgreSQL cluster lives in a fresh temporary
# folder (password auth) and is deleted by `stop`: each start has an empty metadata database.
# `stop` keeps the logs under $AIRFLOW_LOCAL_DIR/logs.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$(realpath -m "${AIRFLOW_LOCAL_DIR:-${TMPDIR:-/tmp}/imbalanced-gan-airflow}")"
TIMEOUT="${AIRFLOW_START_TIMEOUT:-300}"
PROJECT_PYTHON="${PROJECT_PYTHON:-python}"

log() { echo "[airflow_local] $*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

free_port() {
    "$PROJECT_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run a command as the owner of the PostgreSQL cluster (postgres when we are root)
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
        log "installing PostgreSQL from Debian's packages (apt-get) ..."
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    fi
    echo "$bin"
}

# wait until "$@" succeeds, at most $TIMEOUT seconds; on timeout show the log named $1
wait_for() {
    local what="$1" logfile="$2"
    shift 2
    local start=$SECONDS
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS - start > TIMEOUT)); then
            log "timed out after ${TIMEOUT} s waiting for $what; last lines of $logfile:"
            tail -n 30 "$logfile" >&2 || true
            die "$what did not come up (scripts/airflow_local.sh stop cleans up)"
        fi
        sleep 2
    done
    log "$what ready after $((SECONDS - start)) s"
}

# start "$@" in its own session (process group), logging to logs/<name>.log
spawn() {
    local name="$1"
    shift
    setsid "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$DIR/run/$name.pid"
}

alive() { [ -f "$DIR/run/$1.pid" ] && kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null; }

start() {
    local env="local" pipelines=""
    while [ $# -gt 0 ]; do
        case "$1" in
        --env) env="$2"; shift 2 ;;
        --env=*) env="${1#*=}"; shift ;;
        --pipelines) pipelines="$2"; shift 2 ;;
        --pipelines=*) pipelines="${1#*=}"; shift ;;
        *) die "unknown option $1 (start [--env ENV] [--pipelines a,b])" ;;
        esac
    done
    if [ -f "$DIR/run/postgres.dir" ] || ls "$DIR"/run/*.pid >/dev/null 2>&1; then
        die "a deployment is already running in $DIR (scripts/airflow_local.sh stop first)"
    fi
    # a failed start leaves nothing running
    GENERATORS=()
    trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed: stopping what started"; kill "${GENERATORS[@]}" 2>/dev/null; stop; fi' EXIT
    local project="${KEDRO_PROJECT_PATH:-$REPO}"
    project="$(cd "$project" && pwd)"
    mkdir -p "$DIR/logs" "$DIR/run" "$DIR/home"
    local dags="$DIR/dags"
    rm -rf "$dags"

    # 1. in the background: the DAGs of the project (all pipelines, or --pipelines), one
    #    `kedro airflow create` per env at once, while the venv, PostgreSQL and the metadata
    #    database are prepared (each one imports the project: seconds of CPU)
    log "generating the DAGs (env $env) into $dags ..."
    local which=(--all) one
    [ -n "$pipelines" ] && which=("--pipelines=$pipelines")
    mkdir -p "$dags"
    GENERATORS=()
    for one in ${env//,/ }; do
        (cd "$project" && KEDRO_DISABLE_TELEMETRY=1 DO_NOT_TRACK=true "$PROJECT_PYTHON" -m kedro airflow create \
            "${which[@]}" "--env=$one" "--jinja-file=$REPO/templates/airflow_dag.j2" "--target-dir=$dags") \
            >"$DIR/logs/dags-$one.log" 2>&1 &
        GENERATORS+=("$!")
    done

    # 2. Airflow's venv (cached) with the PostgreSQL driver
    local venv
    venv="$(PROJECT_PYTHON="$PROJECT_PYTHON" AIRFLOW_VENV_PIP_CHECK=0 bash "$REPO/scripts/airflow_venv.sh" \
        2>"$DIR/logs/venv.log" | tail -1)" ||
        die "scripts/airflow_venv.sh failed: see $DIR/logs/venv.log"

    # 3. PostgreSQL: a fresh cluster in a temporary folder, loopback only, password auth
    local bin pgdir pg_port password
    bin="$(pg_bin)"
    pgdir="$(mktemp -d "${TMPDIR:-/tmp}/imbalanced-gan-pg.XXXXXX")"
    echo "$pgdir" >"$DIR/run/postgres.dir"
    pg_port="${AIRFLOW_PG_PORT:-$(free_port)}"
    password="$("$PROJECT_PYTHON" -c 'import secrets; print(secrets.token_hex(16))')"
    printf '%s\n' "$password" >"$pgdir/pwfile"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$pgdir"
    chmod 700 "$pgdir"
    as_pg "$bin/initdb" -D "$pgdir/data" -U airflow --pwfile="$pgdir/pwfile" -A scram-sha-256 \
        -E UTF8 >"$DIR/logs/initdb.log" 2>&1 || die "initdb failed: see $DIR/logs/initdb.log"
    as_pg "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -w -t "$TIMEOUT" start \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pgdir -c max_connections=200" \
        >"$DIR/logs/pg_ctl.log" 2>&1 || {
        cp "$pgdir/postgres.log" "$DIR/logs/" 2>/dev/null || true
        die "PostgreSQL did not start: see $DIR/logs/pg_ctl.log and postgres.log"
    }
    PGPASSWORD="$password" "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U airflow airflow ||
        die "createdb airflow failed"
    log "PostgreSQL on 127.0.0.1:$pg_port (data $pgdir/data)"

    # 4. Airflow's settings: one env file that every process (and the user's shell) sources
    local api_port
    api_port="${AIRFLOW_API_PORT:-$(free_port)}"
    cat >"$DIR/env.sh" <<EOF
# source this file to use the local deployment's airflow CLI (scripts/airflow_local.sh)
export IMBALANCED_GAN_AIRFLOW_DIR='$DIR'
export PATH='$venv/bin':"\$PATH"
export AIRFLOW_HOME='$DIR/home'
export AIRFLOW__CORE__DAGS_FOLDER='$dags'
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM=${AIRFLOW_PARALLELISM:-2}
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL='http://127.0.0.1:$api_port/execution/'
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN='postgresql+psycopg2://airflow:$password@127.0.0.1:$pg_port/airflow'
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT=$api_port
export AIRFLOW__API__BASE_URL='http://127.0.0.1:$api_port'
export AIRFLOW__API__SECRET_KEY='$("$PROJECT_PYTHON" -c 'import secrets; print(secrets.token_hex(16))')'
export AIRFLOW__API_AUTH__JWT_SECRET='$("$PROJECT_PYTHON" -c 'import secrets; print(secrets.token_hex(32))')'
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True
export AIRFLOW__LOGGING__BASE_LOG_FOLDER='$DIR/logs/tasks'
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$(free_port)
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30
export KEDRO_PROJECT_PATH='$project'
export KEDRO_DISABLE_TELEMETRY=1 DO_NOT_TRACK=true
export AIRFLOW_LOCAL_PG_PORT=$pg_port AIRFLOW_LOCAL_PG_PASSWORD='$password' AIRFLOW_LOCAL_PG_BIN='$bin'
EOF
    chmod 600 "$DIR/env.sh"
    # the scheduler imports the tasks' modules once; the LocalExecutor forks its workers from
    # it and they fork each task, so tasks start with Kedro, torch and the pipelines imported
    # (imbalanced_gan.deploy.preload); AIRFLOW_PRELOAD=0 turns it off
    mkdir -p "$DIR/home/config"
    if [ "${AIRFLOW_PRELOAD:-1}" = 1 ]; then
        cat >"$DIR/home/config/airflow_local_settings.py" <<EOF
"""Written by scripts/airflow_local.sh: preload the project's task modules in the scheduler."""
import sys

if sys.argv[1:2] == ["scheduler"]:
    sys.path.insert(0, "$project/src")  # the project's code, as the DAG files import it
    from imbalanced_gan.deploy.preload import preload

    preload()
EOF
    else
        rm -f "$DIR/home/config/airflow_local_settings.py"
    fi
    # shellcheck disable=SC1091
    . "$DIR/env.sh"

    # 5. the metadata database, then the services
    log "airflow db migrate ..."
    airflow db migrate >"$DIR/logs/db_migrate.log" 2>&1 || die "airflow db migrate failed: see $DIR/logs/db_migrate.log"
    local pid
    for pid in "${GENERATORS[@]}"; do
        wait "$pid" || die "kedro airflow create failed: see $DIR/logs/dags-*.log"
    done
    GENERATORS=()
    local n_dags
    n_dags="$(find "$dags" -name '*.py' | wc -l)"
    [ "$n_dags" -gt 0 ] || die "no DAG generated: see $DIR/logs/dags-*.log"
    cd "$project" # the services' working directory: the project (tasks also chdir there)
    spawn api-server airflow api-server --host 127.0.0.1 --port "$api_port"
    spawn scheduler airflow scheduler --skip-serve-logs
    spawn dag-processor airflow dag-processor
    wait_for "the API server" "$DIR/logs/api-server.log" \
        curl -fsS "http://127.0.0.1:$api_port/api/v2/monitor/health"
    # the task API too (its first answer is slow: better here than as a task's timed-out call)
    wait_for "the task execution API" "$DIR/logs/api-server.log" \
        curl -fsS "http://127.0.0.1:$api_port/execution/health"
    wait_for "the scheduler" "$DIR/logs/scheduler.log" bash -c \
        "curl -fsS http://127.0.0.1:$api_port/api/v2/monitor/health | grep -q '\"scheduler\":{\"status\":\"healthy\"'"
    wait_for "$n_dags DAG(s) parsed" "$DIR/logs/dag-processor.log" bash -c \
        "[ \"\$(PGPASSWORD='$password' psql -h 127.0.0.1 -p $pg_port -U airflow -d airflow -Atc \
        'select count(distinct dag_id) from serialized_dag')\" -ge $n_dags ]"
    for name in api-server scheduler dag-processor; do
        alive "$name" || die "$name exited: see $DIR/logs/$name.log"
    done
    log "running: web UI http://127.0.0.1:$api_port (no login), parallelism ${AIRFLOW_PARALLELISM:-2}"
    log "CLI: . $DIR/env.sh && airflow dags list; stop: scripts/airflow_local.sh stop"
    echo "$DIR"
}

# SIGTERM to the services' process groups, SIGKILL to what is left after 15 s
stop_groups() {
    local name pids=() pid
    for name in scheduler dag-processor api-server; do
        [ -f "$DIR/run/$name.pid" ] || continue
        pid="$(cat "$DIR/run/$name.pid")"
        kill -TERM -- "-$pid" 2>/dev/null && pids+=("$pid")
    done
    local running
    for _ in $(seq 30); do
        running=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
        [ "$running" = 0 ] && break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    rm -f "$DIR"/run/*.pid
}

# processes started by this deployment that left its process groups (task processes)
leftovers() {
    local proc
    for proc in /proc/[0-9]*; do
        [ "${proc#/proc/}" = $$ ] && continue
        if tr '\0' '\n' 2>/dev/null <"$proc/environ" | grep -qxF "IMBALANCED_GAN_AIRFLOW_DIR=$DIR"; then
            echo "${proc#/proc/}"
        fi
    done
}

stop() {
    [ -d "$DIR/run" ] || {
        log "nothing to stop in $DIR"
        return 0
    }
    stop_groups
    local pids
    pids="$(leftovers)"
    if [ -n "$pids" ]; then
        log "killing leftover processes: $pids"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
    fi
    if [ -f "$DIR/run/postgres.dir" ]; then
        local pgdir bin
        pgdir="$(cat "$DIR/run/postgres.dir")"
        bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
        if [ -f "$pgdir/data/postmaster.pid" ] && [ -n "$bin" ]; then
            as_pg "$bin/pg_ctl" -D "$pgdir/data" -m fast -w -t 60 stop >&2 || true
        fi
        cp "$pgdir/postgres.log" "$DIR/logs/postgres.log" 2>/dev/null || true
        rm -rf "$pgdir"
        rm -f "$DIR/run/postgres.dir"
    fi
    log "stopped; logs in $DIR/logs"
}

status() {
    local name
    for name in api-server scheduler dag-processor; do
        if alive "$name"; then echo "$name: running (pid $(cat "$DIR/run/$name.pid"))"; else echo "$name: stopped"; fi
    done
    if [ -f "$DIR/run/postgres.dir" ]; then echo "postgres: $(cat "$DIR/run/postgres.dir")/data"; else echo "postgres: stopped"; fi
}

main() {
    case "${1:-}" in
    start) shift; start "$@" ;;
    install) log "PostgreSQL binaries: $(pg_bin)" ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: scripts/airflow_local.sh start [--env ENV] [--pipelines a,b] | stop | status | install" ;;
    esac
}

# one line, read whole before it runs: editing this file during a start cannot derail it
main "$@"; exit $?

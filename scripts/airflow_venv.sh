#!/usr/bin/env bash
# Create (once) a virtualenv with Apache Airflow for the DAG tests; print its path last.
#
#   scripts/airflow_venv.sh            # run with the project venv active
#
# The venv lives at ${IMBALANCED_GAN_CACHE:-$HOME/.cache/imbalanced-gan}/airflow-venv and is
# re-used when it already holds the pinned Airflow. Airflow's constraints file cannot be
# fetched here, so it is a plain `pip install`. Torch, Kedro and the project are not installed
# a second time: a .pth file appends the project venv's site-packages (the python that runs
# this script) AFTER the Airflow venv's own, so Airflow's pins take precedence. The .pth is
# rewritten on every call, so it always points at the calling project venv.
set -euo pipefail

AIRFLOW_VERSION=3.3.2
POSTGRES_DRIVERS=(psycopg2-binary==2.9.13 asyncpg==0.32.0)   # sync and async drivers
CACHE="${IMBALANCED_GAN_CACHE:-$HOME/.cache/imbalanced-gan}"
VENV="$CACHE/airflow-venv"
PROJECT_PYTHON="${PROJECT_PYTHON:-python}"   # the project venv's python (default: the active venv)
export PIP_DISABLE_PIP_VERSION_CHECK=1

project_site="$("$PROJECT_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

# the stamp is written last, so an interrupted install is redone from scratch
stamp="$VENV/.installed-apache-airflow-$AIRFLOW_VERSION"
if [ ! -f "$stamp" ]; then
    echo "Creating $VENV (apache-airflow==$AIRFLOW_VERSION) ..." >&2
    start=$SECONDS
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    # a plain venv from the interpreter behind the project venv (same Python version)
    "$("$PROJECT_PYTHON" -c 'import sys; print(sys._base_executable)')" -m venv "$VENV"
    # setuptools: the venv's bundled one would shadow the project's (torch needs >=77)
    "$VENV/bin/pip" install -q "apache-airflow==$AIRFLOW_VERSION" "setuptools>=77" >&2
    touch "$stamp"
    echo "Airflow venv ready in $((SECONDS - start)) s" >&2
fi

# PostgreSQL drivers of the local deployment (scripts/airflow_local.sh); added to older caches too
if ! "$VENV/bin/python" -c 'import psycopg2, asyncpg' 2>/dev/null; then
    "$VENV/bin/pip" install -q "${POSTGRES_DRIVERS[@]}" >&2
fi

venv_site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# addsitedir also runs the project venv's own .pth files (the editable install of the project)
echo "import site; site.addsitedir('$project_site')" > "$venv_site/zz_imbalanced_gan_project.pth"

"$VENV/bin/python" - <<'EOF' >&2
import importlib.metadata as m
import airflow, kedro, kedro_airflow  # noqa: F401  the DAG files import these
import imbalanced_gan.deploy.airflow_task  # noqa: F401
print(f"airflow {airflow.__version__} (from {airflow.__file__}), kedro {kedro.__version__}, "
      f"kedro-airflow {m.version('kedro-airflow')}")
EOF
# informational: the two venvs together (the project venv's own conflicts show here too);
# AIRFLOW_VENV_PIP_CHECK=0 skips it (scripts/airflow_local.sh start: seconds of CPU)
if [ "${AIRFLOW_VENV_PIP_CHECK:-1}" = 1 ]; then "$VENV/bin/pip" check >&2 || true; fi
echo "$VENV"

#!/usr/bin/env bash
# An overlay virtualenv with the optional [mlflow] extra (kedro-mlflow), for the tracking test.
#
# The project venv must not get kedro-mlflow (once installed, every `kedro run` needs an
# mlflow.yml and a tracking store). This overlay sees the project venv's packages through a
# .pth file placed after its own, so torch and the rest are not installed twice; what the extra
# needs in other versions (pyarrow, python-dateutil) lands in the overlay and wins there.
#
# Usage: scripts/mlflow_venv.sh [BASE_VENV]   (default: .venv). Prints the overlay's python.
# Cached at ${IMBALANCED_GAN_CACHE:-$HOME/.cache/imbalanced-gan}/mlflow-venv; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$(cd "${1:-.venv}" && pwd)
requirement=$("$base/bin/python" -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["mlflow"])')
overlay=${IMBALANCED_GAN_CACHE:-$HOME/.cache/imbalanced-gan}/mlflow-venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 DO_NOT_TRACK=true

base_site=$("$base/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
base_version=$("$base/bin/python" -c 'import sys; print(sys.version_info[:2])')
if [[ -x "$overlay/bin/python" ]] &&
    [[ $("$overlay/bin/python" -c 'import sys; print(sys.version_info[:2])') != "$base_version" ]]; then
    rm -rf "$overlay"  # built for another Python: start again
fi
if [[ ! -x "$overlay/bin/python" ]]; then
    "$base/bin/python" -m venv "$overlay" >&2
    # the venv's bundled setuptools is older than torch needs: use the project venv's
    "$overlay/bin/pip" uninstall -q -y setuptools >&2
fi
site=$("$overlay/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# addsitedir (not a bare path) also runs the base venv's .pth files: the editable project install.
echo "import site; site.addsitedir('$base_site')" > "$site/zz_project_venv.pth"

stamp="$overlay/.installed"
if [[ ! -f "$stamp" || $(cat "$stamp") != "$requirement" ]]; then
    "$overlay/bin/pip" install -q "$requirement" >&2
    echo "$requirement" > "$stamp"
fi
# conflicts are reported, not fatal: the project venv may hold packages of other helpers' tools
"$overlay/bin/pip" check >&2 || echo "mlflow_venv.sh: pip check reported the conflicts above" >&2
echo "$overlay/bin/python"

#!/usr/bin/env bash
# Headless Chromium (Debian package `chromium`) for tests/deploy/test_viz_browser.py.
# Idempotent: does nothing where `chromium` is already on PATH. Needs root or sudo.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
$sudo apt-get install -y -q chromium >&2
chromium --version 2>/dev/null

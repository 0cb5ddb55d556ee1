#!/usr/bin/env bash
# Create .venv and install the pinned requirements; reinstall only when they change.
set -euo pipefail
cd "$(dirname "$0")/.."
req=${1:-requirements.txt}
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$req")"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet -r "$req"
  touch "$stamp"
fi

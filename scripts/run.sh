#!/usr/bin/env bash
# Install, migrate, seed the demo season and run everything on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements.txt
exec .venv/bin/python -m server.devstack

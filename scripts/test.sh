#!/usr/bin/env bash
# Install (with the test tools) and run every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements-dev.txt
bash scripts/browser.sh
# With no arguments (the whole suite, as CI runs it): two processes, one per core — the tests
# mostly wait on the database and on servers they start, so two overlap those waits; the
# end-to-end tests stay together in one of them (tests/conftest.py). TEST_PROCESSES=1: one.
if [ $# -eq 0 ] && [ "${TEST_PROCESSES:-2}" != 1 ]; then
  set -- -n "${TEST_PROCESSES:-2}"
fi
exec .venv/bin/python -m pytest "$@"

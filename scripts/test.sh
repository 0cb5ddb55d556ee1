#!/usr/bin/env bash
# Install (with the test tools) and run every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements-dev.txt
# The browser tests drive Debian's chromium (Playwright downloads no browser of its own),
# with CJK fonts so that the screenshots they keep show Chinese, not empty boxes.
if ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/fonts/opentype/noto ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium and CJK fonts for the browser tests ..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null) \
      || echo "Could not install chromium: the browser tests will be skipped."
  else
    echo "chromium is not installed (apt-get install chromium): the browser tests will be skipped."
  fi
fi
# With no arguments (the whole suite, as CI runs it): two processes, one per core — the tests
# mostly wait on the database and on servers they start, so two overlap those waits; the
# end-to-end tests stay together in one of them (tests/conftest.py). TEST_PROCESSES=1: one.
if [ $# -eq 0 ] && [ "${TEST_PROCESSES:-2}" != 1 ]; then
  set -- -n "${TEST_PROCESSES:-2}"
fi
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright downloads no browser of its own),
# with CJK fonts so that the screenshots they keep show Chinese, not empty boxes. Installs
# them when missing and this is root on Debian; otherwise says the browser tests will skip.
# Used by scripts/test.sh and scripts/e2e_streak.sh.
set -uo pipefail
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
exit 0

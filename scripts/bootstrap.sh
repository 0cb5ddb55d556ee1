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
# Certificates are drawn with Debian's Noto CJK fonts (server/services/certificates/surfaces.py;
# CERT_FONT points elsewhere): without a CJK font Chinese would print as empty boxes.
if [ ! -d /usr/share/fonts/opentype/noto ] && [ -z "${CERT_FONT:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's CJK fonts (fonts-noto-cjk) for certificates ..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
      || echo "Could not install fonts-noto-cjk: certificates cannot be rendered until a CJK font is installed."
  else
    echo "No CJK font: run 'apt-get install fonts-noto-cjk' (or set CERT_FONT) so certificates can be rendered."
  fi
fi

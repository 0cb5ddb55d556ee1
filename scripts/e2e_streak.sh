#!/usr/bin/env bash
# Issue 13's flakiness check: the end-to-end tests N times in a row (default 30) while BURNERS
# busy loops (default 2, at normal priority) keep both cores busy. Run it on an otherwise idle
# machine, from a clone that nobody edits meanwhile (a run takes about 4 minutes under two busy
# loops on 2 cores, so 30 take about 2 hours). One line per run in e2e-streak.log beside the
# clone; each run's output in e2e-streak/run-N.log. Stops at the first failure unless KEEP_GOING=1.
set -u
cd "$(dirname "$0")/.."
N=${N:-30}
out="$(pwd)/../e2e-streak"
mkdir -p "$out"
bash scripts/bootstrap.sh requirements-dev.txt >/dev/null || exit 1
bash scripts/browser.sh
# A streak without the page tests proves less than it seems: refuse to start one.
command -v chromium >/dev/null || { echo "chromium is missing: the browser tests would be skipped" >&2; exit 1; }
burners=()
for _ in $(seq 1 "${BURNERS:-2}"); do ( while :; do :; done ) & burners+=($!); done
trap 'kill "${burners[@]}" 2>/dev/null' EXIT
for i in $(seq 1 "$N"); do
  start=$(date +%s)
  .venv/bin/python -m pytest tests/e2e -q > "$out/run-$i.log" 2>&1
  rc=$?
  echo "$(date -u +%FT%TZ) run $i rc=$rc $(( $(date +%s) - start ))s load $(cut -d' ' -f1 /proc/loadavg) $(git rev-parse --short HEAD) $(tail -1 "$out/run-$i.log")" \
    | tee -a "$out/../e2e-streak.log"
  if [ $rc -ne 0 ] && [ "${KEEP_GOING:-0}" != 1 ]; then exit $rc; fi
done

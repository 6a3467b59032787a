#!/usr/bin/env bash
# Run the test suite with the computer's clock set to other days (Debian's faketime), to show that no test depends
# on the real date. The app's own day is pinned by tests/conftest.py (OHSHI_TODAY), so every run must pass.
#   bash tests/tools/suite_at_dates.sh                      # the whole suite at 2025-06-01, 2026-11-23, 2027-03-01
#   bash tests/tools/suite_at_dates.sh -m "not slow"        # extra pytest arguments are passed on
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v faketime >/dev/null || { echo "faketime is needed: bash packaging/setup-linux.sh --test installs it" >&2; exit 2; }
py=${PYTHON:-.venv/bin/python}
status=0
logs=$(mktemp -d -t ohshi-suite-XXXXXX)  # a folder of this run's own: two runs at once never share a log
for day in 2025-06-01 2026-11-23 2027-03-01; do
  seen=$(faketime "$day 10:00:00" "$py" -c 'import time; print(time.strftime("%Y-%m-%d"))')
  [ "$seen" = "$day" ] || { echo "faketime did not set the clock to $day (saw $seen)" >&2; exit 2; }
  start=$(date +%s)
  # the test that runs this script is left out: faketime cannot run inside faketime
  faketime -f "@$day 10:00:00" "$py" -m pytest -q -p no:cacheprovider --ignore=tests/test_suite_at_dates.py "$@" \
    > "$logs/$day.log" 2>&1
  rc=$?
  echo "$day: $(tail -n 1 "$logs/$day.log") (exit $rc, $(( $(date +%s) - start )) s)"
  [ $rc -eq 0 ] || status=1
done
[ $status -eq 0 ] && rm -rf "$logs" || echo "logs: $logs" >&2
exit $status

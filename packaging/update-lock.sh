#!/usr/bin/env bash
# Update the hashed lock on purpose (requirements/README.md says when):
#   bash packaging/update-lock.sh                      # every package to the newest version pyproject.toml allows
#   bash packaging/update-lock.sh --upgrade-package X  # only X (and what it needs); repeatable; pip-compile's flag
# It recompiles requirements/app.txt and requirements/test.txt (universal: Linux and Windows, Python 3.11), proves
# the test lock downloads for win_amd64, rebuilds .venv from the lock and runs the whole suite. Commit the two files
# only when the suite passed; say in the commit which versions changed (git diff requirements/).
set -euo pipefail
cd "$(dirname "$0")/.."

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/python" -m pip install -q --disable-pip-version-check uv
upgrade=("--upgrade")
[ $# -gt 0 ] && upgrade=("$@")

compile() {  # compile OUT [--extra test]
  local out=$1; shift
  cp "$out" "$out.new"  # the current pins are uv's preferences: only what --upgrade(-package) names moves
  "$tools/venv/bin/uv" pip compile pyproject.toml requirements/build.in "$@" --universal --python-version 3.11 \
    --generate-hashes --annotation-style line --no-header -q "${upgrade[@]}" -o "$out.new"
  { echo "# The hashed lock (requirements/README.md). Made by packaging/update-lock.sh; do not edit by hand."
    cat "$out.new"; } > "$out"
  rm "$out.new"
}
compile requirements/app.txt
compile requirements/test.txt --extra test

rm -rf .venv
bash packaging/setup-linux.sh --test
.venv/bin/python packaging/lock.py windows requirements/test.txt "$tools/windows-wheels"
.venv/bin/python -m pytest
git --no-pager diff --stat requirements/
echo "The suite passed on the new lock: commit requirements/ (and say which versions changed)."

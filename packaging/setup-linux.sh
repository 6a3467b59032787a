#!/usr/bin/env bash
# Set up ohshi-desk on a Linux machine (Debian/Ubuntu): the Debian packages Qt and the tests need, then a
# virtual environment in .venv with the app installed into it.
#   bash packaging/setup-linux.sh          # the app
#   bash packaging/setup-linux.sh --test   # the app and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
lock=requirements/app.txt
[ "${1:-}" = "--test" ] && extras="[test]" && lock=requirements/test.txt

# Qt's runtime libraries, Japanese fonts, a virtual screen for screenshots, LibreOffice for workbook checks.
debs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4
      libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
      fonts-noto-cjk xvfb xauth)
[ -n "$extras" ] && debs+=(libreoffice-calc-nogui python3-uno poppler-utils strace faketime)

# a system Python without venv/ensurepip (Debian's python3 without python3-venv) needs it from apt
python3 -c "import venv, ensurepip" 2>/dev/null || debs+=(python3-venv)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Exactly the locked packages (hashes checked; requirements/README.md says how the lock is updated), then the
# project itself on top without resolving anything again; whatever an older setup left that the lock lacks goes.
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r "$lock"
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
.venv/bin/python packaging/lock.py prune "$lock"

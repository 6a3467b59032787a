"""The hashed lock of every Python package the app and its tests use (requirements/app.txt, requirements/test.txt).

    python packaging/lock.py check LOCK       # exit 1, naming each difference, when this Python's packages differ
    python packaging/lock.py prune LOCK       # uninstall what the lock does not hold (an older setup's leftovers)
    python packaging/lock.py windows LOCK DIR # download every wheel the lock gives win_amd64 / CPython 3.11

`check` is what tests/test_lock.py asserts, so a green run always means "the locked set passed". `windows` is how
update-lock.sh proves the lock installs on the clinics' Windows PCs (pip's own `--platform` download evaluates
`sys_platform` markers for this machine, so the Windows-only packages are picked here, by the markers, first).
Uses only the standard library and `packaging` (which the test lock holds); it never imports the app.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

# not packages of the lock but of the venv itself or the project: never compared, never pruned
_OWN = {"ohshi-desk"}

_REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")

WINDOWS = {
    "implementation_name": "cpython", "implementation_version": "3.11.9", "os_name": "nt",
    "platform_machine": "AMD64", "platform_python_implementation": "CPython", "platform_release": "10",
    "platform_system": "Windows", "platform_version": "10.0.19045", "python_full_version": "3.11.9",
    "python_version": "3.11", "sys_platform": "win32",
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(lock: Path) -> list[tuple[str, str, str | None, list[str]]]:
    """(name, version, marker or None, the entry's lines) for each package of a lock written by uv/pip-compile."""
    out: list[tuple[str, str, str | None, list[str]]] = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = _REQ.match(line)
        if m:
            out.append((norm(m.group(1)), m.group(2), m.group(3), [line]))
        elif out and line.startswith((" ", "\t")) and "--hash=" in line:
            out[-1][3].append(line)
    return out


def wanted(lock: Path, env: dict | None = None) -> dict[str, str]:
    """The packages the lock gives this machine (or ``env``), by normalised name."""
    from packaging.markers import Marker

    return {name: version for name, version, marker, _ in entries(lock)
            if marker is None or Marker(marker).evaluate(env)}


def installed() -> dict[str, str]:
    return {norm(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def differences(lock: Path) -> list[str]:
    want, have = wanted(lock), installed()
    out = []
    for name in sorted(set(want) | set(have)):
        if name in _OWN:
            continue
        if name not in have:
            out.append(f"{name}: locked {want[name]}, not installed")
        elif name not in want:
            out.append(f"{name}: installed {have[name]}, not in the lock")
        elif have[name] != want[name]:
            out.append(f"{name}: installed {have[name]}, locked {want[name]}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in {"check", "prune", "windows"}:
        print(__doc__, file=sys.stderr)
        return 2
    verb, lock = argv[0], Path(argv[1])
    if verb == "check":
        diff = differences(lock)
        for line in diff:
            print(f"{lock}: {line}", file=sys.stderr)
        return 1 if diff else 0
    if verb == "prune":
        extra = sorted(set(installed()) - set(wanted(lock)) - _OWN)
        if extra:
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "-q", "-y", *extra], check=True)
        return 0
    # windows: the lock's lines for win_amd64, markers decided here, downloaded as binaries only, hashes required
    from packaging.markers import Marker

    keep = [line for _, _, marker, lines in entries(lock) if marker is None or Marker(marker).evaluate(WINDOWS)
            for line in ([re.sub(r"\s*;[^\\]*", " ", lines[0])] + lines[1:])]
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "windows.txt"
        req.write_text("\n".join(keep) + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--require-hashes", "--only-binary=:all:",
               "--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp",
               "-r", str(req), "-d", argv[2] if len(argv) > 2 else str(Path(tmp) / "wheels")]
        return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The hashed lock (requirements/): what is installed is what was locked, and the lock covers pyproject.toml."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"


def _lock_tool():
    spec = importlib.util.spec_from_file_location("lock_tool", ROOT / "packaging" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = _lock_tool()


def test_the_installed_packages_are_exactly_the_test_lock():
    # a green suite must mean "the locked set passed": any other version, a missing or an extra package fails here
    assert lock.differences(LOCKS / "test.txt") == []


def test_the_check_names_a_version_that_differs(tmp_path):
    text = (LOCKS / "test.txt").read_text(encoding="utf-8")
    edited = tmp_path / "lock.txt"
    edited.write_text(re.sub(r"^pyyaml==\S+", "pyyaml==0.0.1", text, flags=re.M), encoding="utf-8")
    assert any(line.startswith("pyyaml: installed ") and line.endswith("locked 0.0.1")
               for line in lock.differences(edited))


def test_every_locked_package_has_hashes_and_both_locks_agree():
    app, test = (lock.entries(LOCKS / name) for name in ("app.txt", "test.txt"))
    for entries in (app, test):
        assert entries and all(any("--hash=sha256:" in line for line in lines) for *_, lines in entries)
    test_versions = {name: version for name, version, *_ in test}
    assert {name: version for name, version, *_ in app if test_versions.get(name) != version} == {}


def test_the_lock_holds_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {lock.norm(re.match(r"[A-Za-z0-9_.\-]+", dep).group()) for dep in wanted}
    locked = {name for name, *_ in lock.entries(LOCKS / "test.txt")}
    app_locked = {name for name, *_ in lock.entries(LOCKS / "app.txt")}
    assert names - locked == set()
    assert {lock.norm(re.match(r"[A-Za-z0-9_.\-]+", d).group()) for d in project["dependencies"]} - app_locked == set()


def test_the_windows_packages_are_picked_by_their_markers():
    on_windows = lock.wanted(LOCKS / "test.txt", lock.WINDOWS)
    assert {"pefile", "pywin32-ctypes", "pyside6-essentials", "shiboken6"} <= set(on_windows)
    assert "macholib" not in on_windows

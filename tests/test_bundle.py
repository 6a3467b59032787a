"""The frozen app: build the PyInstaller bundle from packaging/ohshi_desk.spec, run its --self-test offscreen, and
check that a rules folder beside the executable overrides the bundled rules only when it validates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import rules_once
from tests.rules_edit import own_warnings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pyi")
    proc = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                           "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                           str(ROOT / "packaging" / "ohshi_desk.spec")], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    app = work / "dist" / "ohshi-desk"
    assert (app / "ohshi-desk").exists()
    return app


def run_frozen(app: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "OHSHI_DATA_DIR": str(tmp_path / "data"), "OHSHI_CACHE_DIR": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "OHSHI_TODAY": os.environ["OHSHI_TODAY"]}
    return subprocess.run([str(app / "ohshi-desk"), *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_frozen_self_test_passes(bundle, tmp_path):
    proc = run_frozen(bundle, tmp_path, "--self-test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [ln.split()[1] for ln in lines if ln.startswith("OK ")] == ["rules", "compute", "export+reopen", "wizard"]
    assert lines[-1] == "self-test: passed"
    assert "self-test: passed" in (tmp_path / "data" / "self-test.txt").read_text(encoding="utf-8")
    assert "self-test" in (tmp_path / "data" / "ohshi-desk.log").read_text(encoding="utf-8")


@pytest.mark.slow
def test_bundle_is_trimmed(bundle):
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()]
    qms = [f for f in files if f.endswith(".qm")]
    assert [q.rsplit("/", 1)[-1] for q in qms] == ["qtbase_ja.qm"], qms  # the one translation ui/app.py loads
    for unwanted in ("pytest", "hypothesis", "PyInstaller", "libQt6Network", "libQt6Qml", "libQt6Quick",
                     "opengl32sw", "cryptography", "QtNetwork", "xcbglintegrations", "libxcb-glx"):
        assert not [f for f in files if unwanted in f], unwanted
    # printing stays (QtPrintSupport and its plugin); on Linux CUPS's client library and its TLS/Kerberos chain are
    # the system's, not the bundle's (packaging/ohshi_desk.spec, SYSTEM_ON_LINUX)
    assert any("QtPrintSupport" in f for f in files) and any("/plugins/printsupport/" in f for f in files)
    if sys.platform == "linux":
        for unwanted in ("libcups.so", "libgnutls", "libkrb5", "libavahi", "libp11-kit"):
            assert not [f for f in files if unwanted in f], unwanted
    assert any(f.endswith("rules/meta.yaml") for f in files)
    assert any(f.endswith("resources/examples/yamada_clinic.ohshi.json") for f in files)


@pytest.mark.slow
def test_rules_beside_the_executable_override_only_when_valid(bundle, tmp_path):
    override = bundle / "rules"
    try:
        shutil.copytree(ROOT / "rules", override)
        meta = override / "meta.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace(f'version: "{rules_once().version}"', 'version: "2099.1"'),
                        encoding="utf-8")
        proc = run_frozen(bundle, tmp_path, "--self-test")
        assert proc.returncode == 0, proc.stdout
        assert "version 2099.1" in proc.stdout and str(override) in proc.stdout
        # a vendor's mistake: the app says which file is wrong and falls back to the bundled rules
        p2 = override / "programs" / "p2_home_visit.yaml"
        p2.write_text(p2.read_text(encoding="utf-8").replace("limit: {hospital: 411000", "limit: {hospital: 911000"),
                      encoding="utf-8")
        proc = run_frozen(bundle, tmp_path / "2", "--self-test")
        assert proc.returncode == 0, proc.stdout
        note = next(ln for ln in proc.stdout.splitlines() if ln.startswith("NOTE "))
        assert "p2_home_visit.yaml" in note and "同梱のルールを使います" in note
        assert f"version {rules_once().version}" in proc.stdout
    finally:
        shutil.rmtree(override, ignore_errors=True)


def test_user_rules_folder_override_from_source(tmp_path, monkeypatch):
    from ohshi_desk.core.rules.build import load_rules_for_app

    monkeypatch.setenv("OHSHI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OHSHI_RULES_DIR", raising=False)
    rules, folder, warnings = load_rules_for_app()
    assert folder == ROOT / "rules" and own_warnings(warnings) == []
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "rules" / "items.yaml").write_text("kind: items\nitems: {a: {label: x}, a: {label: y}}\n",
                                                   encoding="utf-8")
    rules, folder, warnings = load_rules_for_app()
    assert folder == ROOT / "rules" and "items.yaml" in warnings[0] and "2回" in warnings[0]
    os.unlink(tmp_path / "rules" / "items.yaml")
    shutil.copy(ROOT / "rules" / "items.yaml", tmp_path / "rules" / "items.yaml")
    rules, folder, warnings = load_rules_for_app()
    assert folder == tmp_path / "rules" and own_warnings(warnings) == []

"""One window per autosave (issue 23 point 3). The attack: a second window offered to restore the first window's
live input, "no" moved it aside, both then wrote the same autosave, and after SIGKILL the first window's last input
was in no file. Now the second window sees the first one's lock, uses an autosave of its own and says so; the
first window's file is never touched, and after a kill the next start restores it exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("kill_driver.py")


def _start(mode, env):
    return subprocess.Popen([sys.executable, str(DRIVER), mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _ready(proc) -> dict:
    line = proc.stdout.readline()
    assert line.startswith("READY "), line or proc.stderr.read()
    return json.loads(line[len("READY "):])


@pytest.mark.slow
def test_two_windows_and_a_kill_lose_nothing(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OHSHI_DATA_DIR": str(data),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = _start("fill", env)
    second = None
    try:
        a = _ready(first)
        second = _start("second", env)
        b = _ready(second)
        # the second window was not offered the first one's live input, and was told it has its own file
        assert b["asked"] == [] and b["outcome"] == "none"
        assert len(b["told"]) == 1 and "もう一つ開いて" in b["told"][0] and b["autosave"] in b["told"][0]
        assert Path(b["autosave"]) == data / "autosave-2.json"
        assert not list(data.glob("autosave-declined-*"))  # nothing moved aside
        assert json.loads((data / "autosave.json").read_text(encoding="utf-8")) == a["snapshot"]
        assert json.loads((data / "autosave-2.json").read_text(encoding="utf-8")) == b["snapshot"]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        if second is not None:
            second.send_signal(signal.SIGKILL)
            second.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    # the first window's last input is in its file, and the next start restores it exactly
    assert json.loads((data / "autosave.json").read_text(encoding="utf-8")) == a["snapshot"]
    again = subprocess.run([sys.executable, str(DRIVER), "restore"], capture_output=True, text=True, env=env,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    after = json.loads(next(ln for ln in again.stdout.splitlines() if ln.startswith("RESTORED "))[9:])
    assert after["outcome"] == "restored" and after["snapshot"] == a["snapshot"]
    assert json.loads((data / "autosave-2.json").read_text(encoding="utf-8"))["facility"]["name"] == "ふたつめの窓の医院"


def test_a_second_claim_in_another_process_gets_its_own_autosave(tmp_path, monkeypatch):
    """The lock itself: held by this process, seen by another; released when the holder goes."""
    from ohshi_desk.core.base.paths import autosave_path, claim_autosave, release_autosave

    path, usual = claim_autosave()
    assert usual and path == autosave_path() and path.name == "autosave.json"
    code = ("from ohshi_desk.core.base.paths import claim_autosave, autosave_path; p, u = claim_autosave(); "
            "print(p.name, u, autosave_path().name)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert other.stdout.split() == ["autosave-2.json", "False", "autosave-2.json"], other.stderr
    release_autosave()
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert other.stdout.split() == ["autosave.json", "True", "autosave.json"], other.stderr

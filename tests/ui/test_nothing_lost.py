"""Nothing lost: a killed process restores exactly, a corrupt autosave is kept aside, closing asks, an unexpected
error apologises and logs, and driving the wizard opens no socket."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from ohshi_desk.core.base.paths import autosave_path, log_path
from ohshi_desk.ui import plain
from ohshi_desk.ui.autosave import AUTOSAVE_DELAY_MS, offer_recovery
from ohshi_desk.ui.errors import install_excepthook
from ohshi_desk.ui.pages import RESULT

from .driver import commit, next_page, to_plans

DRIVER = Path(__file__).with_name("kill_driver.py")


def _env(tmp_path):
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OHSHI_DATA_DIR": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


@pytest.mark.slow
def test_sigkill_in_the_middle_then_a_new_start_restores_exactly(tmp_path):
    env = _env(tmp_path)
    proc = subprocess.Popen([sys.executable, str(DRIVER), "fill"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY "), line + proc.stderr.read() if not line else line
        before = json.loads(line[len("READY "):])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / "data" / "autosave.json").exists()
    again = subprocess.run([sys.executable, str(DRIVER), "restore"], capture_output=True, text=True, env=env,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    after = json.loads(next(ln for ln in again.stdout.splitlines() if ln.startswith("RESTORED "))[9:])
    assert after["outcome"] == "restored"
    assert after["page"] == before["page"] == 3  # back on 購入・改修の予定
    assert after["case"] == before["case"]
    snap_b, snap_a = before["snapshot"], after["snapshot"]
    assert snap_a == snap_b
    rows = snap_a["plans"]["medical_aid_card"]["lines"]
    assert rows[0]["unit_price"] == "-3"  # what was half-typed comes back as typed
    assert snap_a["plans"]["home_visit"]["lines"][0]["unit_price"] == "４万５千円"
    assert before["case"]["plans"]["home_visit"]["lines"][0]["unit_price"] == 45000


def test_a_corrupt_autosave_is_moved_aside_and_the_app_starts_clean(wizard):
    path = autosave_path()
    path.write_text('{"format": "ohshi-desk-autosave/1", "facility": {"na', encoding="utf-8")
    told = []
    assert offer_recovery(wizard, ask=lambda t: True, tell=told.append) == "corrupt"
    assert not path.exists()
    kept = list(path.parent.glob("autosave-broken-*.json"))
    assert kept and kept[0].read_text(encoding="utf-8").startswith('{"format"')
    assert told and "壊れていた" in told[0] and str(kept[0]) in told[0]
    assert wizard.facility_page.name.text() == ""
    for p in kept:
        p.unlink()


def test_declining_keeps_the_old_autosave_aside(wizard):
    wizard.facility_page.name.setText("前回の医院")
    wizard.facility_page.kind.setCurrentIndex(1)
    assert wizard.autosave_now()
    wizard.facility_page.name.setText("")
    assert offer_recovery(wizard, ask=lambda t: "前回の医院" in t and False, tell=lambda t: None) == "declined"
    kept = list(autosave_path().parent.glob("autosave-declined-*.json"))
    assert len(kept) == 1 and "前回の医院" in kept[0].read_text(encoding="utf-8")
    kept[0].unlink()


def test_autosave_is_debounced_and_written_atomically(wizard, qtbot):
    wizard.autosave_enabled = True
    path = autosave_path()
    if path.exists():
        path.unlink()
    timer = wizard._autosave_timer
    assert timer.interval() == AUTOSAVE_DELAY_MS and timer.isSingleShot()
    timer.setInterval(3_600_000)  # the delay itself is not what is tested: no keystroke may write
    for ch in "あいうえお":
        wizard.facility_page.name.setText(wizard.facility_page.name.text() + ch)
        assert timer.isActive() and timer.remainingTime() > 3_000_000  # each keystroke starts the wait again
    assert not path.exists()  # not on every keystroke
    timer.setInterval(0)
    timer.start()  # the wait is over
    qtbot.waitUntil(path.exists, timeout=10_000)
    assert json.loads(path.read_text(encoding="utf-8"))["facility"]["name"] == "あいうえお"
    assert not list(path.parent.glob(".autosave.json.*"))  # no temporary file left behind
    wizard.discard_autosave()


def test_closing_with_unsaved_work_asks(wizard, monkeypatch):
    wizard.ask_before_close = True
    wizard.facility_page.name.setText("未保存の医院")
    wizard.autosave_now()
    assert wizard.dirty
    answers = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(plain, "choose", lambda *a, **k: answers.pop(0))
    wizard.close()
    assert wizard.isVisible()  # cancelled: nothing lost
    answers.append(QMessageBox.StandardButton.Discard)
    wizard.close()
    assert not wizard.isVisible()
    assert not autosave_path().exists()


def test_unexpected_error_apologises_logs_autosaves_and_carries_on(wizard, monkeypatch, qtbot):
    from ohshi_desk.core.base.paths import setup_logging

    setup_logging()
    shown = []
    monkeypatch.setattr(plain, "critical", lambda *a, **k: shown.append(a[2]))
    old_hook = sys.excepthook
    install_excepthook(lambda: wizard)
    try:
        wizard.facility_page.name.setText("エラー前の入力")
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old_hook
    assert shown and shown[0].startswith("申し訳ありません") and "自動保存しました" in shown[0]
    logged = log_path().read_text(encoding="utf-8")
    assert "RuntimeError" in logged and "test_unexpected_error_apologises" in logged  # where it happened
    assert "エラー前の入力" not in logged  # never a value (the message of an error may hold one)
    assert json.loads(autosave_path().read_text(encoding="utf-8"))["facility"]["name"] == "エラー前の入力"
    wizard.facility_page.name.setText("まだ使える")  # the window still works
    assert wizard.facility_page.name.text() == "まだ使える"
    wizard.discard_autosave()


def test_driving_the_wizard_and_exporting_opens_no_socket(fx_wizard, tmp_path):
    """A Python audit hook records every socket the process would open (the strace test covers C++ too)."""
    events = []

    def hook(event, args):
        if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
            events.append(event)

    sys.addaudithook(hook)
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    commit(w.plans_page.editors["fx_capped"].rows[0].price, "40000")
    next_page(w, RESULT)  # past the 入力内容の確認 page
    assert w.result_page.breakdown is not None
    assert w.export_path(tmp_path / "o.xlsx", ask=False)
    w.print_to_pdf(tmp_path / "o.pdf")
    assert events == []


@pytest.mark.slow
def test_many_signals_do_not_corrupt_the_interpreter():
    """PySide6 6.12 on Python 3.11 loses a reference to whatever a slot returns; a slot returning True ends the
    process with "bool_dealloc". Every slot of ours returns None: drive the busiest ones thousands of times in a
    separate process and check that it ends cleanly."""
    code = """
import gc
from ohshi_desk.ui.app import make_application
from ohshi_desk.core.rules.build import load_rules
from ohshi_desk.ui.wizard import OhshiWizard
make_application([])
w = OhshiWizard(load_rules()); w.ask_before_close = False; w.autosave_enabled = True; w.show()
fp = w.facility_page
for i in range(3000):
    fp.questions["obligation_exempt"].set_value(i % 2 == 0)
    fp.name.setText(str(i))
w.next(); w.next()
w.goals_page.boxes["home_visit"].setChecked(True)
w.next()
ed = w.plans_page.editors["home_visit"]
for i in range(3000):
    ed.rows[0].description.setText(str(i))
    ed.rows[0].item.setCurrentIndex(i % 3)
for _ in range(20):
    w.autosave_now(); w._autosave_tick()
gc.collect()
print("clean")
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0 and "clean" in proc.stdout, proc.stderr[-2000:]

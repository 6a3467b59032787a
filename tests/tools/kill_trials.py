"""SIGKILL trials: kill the wizard at random moments while it is being typed into, start it again, restore.

    python tests/tools/kill_trials.py [TRIALS] [SEED]      # default 100 trials; prints one line per trial and
                                                           # the figures at the end (not part of the suite;
                                                           # tests/ui/test_kill_trials.py runs a few)

Each trial: a driver process fills the wizard with random input (half-typed codes, prices as typed, long text,
goals, lines), committing text the way an input method does and letting the autosave run; it prints every
snapshot it autosaved. At a random moment it is killed with SIGKILL. A new process answers yes to
「前回の入力を復元しますか」 and prints what is on screen. A trial passes when the autosave file parses, the restore
lists no field it could not take, and every field on screen equals the last snapshot autosaved (or the one being
written when the kill came).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ("facility", "reader", "goals", "plans", "usage")


def _pump(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds  # timing: a typist's pause between keys, which the autosave timer races
    while time.monotonic() < end:  # timing: the same pause, Qt's events running meanwhile
        QApplication.processEvents()
        time.sleep(0.005)  # timing: the same pause, without spinning a core


def _commit(widget, text: str) -> None:
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _setup(mode):
    sys.path.insert(0, str(ROOT))
    from ohshi_desk.core.rules.build import load_rules
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    make_application([])
    w = OhshiWizard(load_rules())
    w.ask_before_close = False
    w.show()
    return w


def type_randomly(seed: int) -> None:
    from ohshi_desk.ui.autosave import offer_recovery

    rng = random.Random(seed)
    w = _setup("type")
    assert offer_recovery(w, ask=lambda t: False, tell=lambda t: None) == "none"
    real = w.autosave_now

    def autosave_and_tell() -> bool:
        snap = json.dumps(w.snapshot(), ensure_ascii=False)
        print("SAVING " + snap, flush=True)
        ok = real()
        print("SAVED" if ok else "FAILED", flush=True)
        return ok

    w.autosave_now = autosave_and_tell
    w._autosave_timer.timeout.disconnect()
    w._autosave_timer.timeout.connect(autosave_and_tell)
    w.autosave_enabled = True
    print("READY", flush=True)
    fp = w.facility_page
    kinds = [fp.kind.itemData(i) for i in range(1, fp.kind.count())]
    texts = ["べっぷ中央病院", "やまだ内科", "Ａ", "長" * 250, "017", "0123456", "ｘ", "歯科", "４万５千円", "12,000",
             "-3", "abc", "２台", "", "1/2", "令和7年"]
    while True:
        step = rng.randrange(10)
        page = w.currentId()
        try:
            if page == 0:
                if step < 3:
                    _commit(fp.name, rng.choice(texts))
                elif step < 5:
                    fp.code.clear()
                    _commit(fp.code, rng.choice(["017", "1234567", "12", "９８７６５４３", "x"]))
                elif step < 7:
                    fp.kind.setCurrentIndex(fp.kind.findData(rng.choice(kinds)))
                elif fp.code.text() and rng.random() < 0.5:
                    fp.code.clear()
                else:
                    w.next()
            elif page == 1:
                if step < 4:
                    w.reader_page.units.clear()
                    _commit(w.reader_page.units, rng.choice(["1", "２", "3台", "x", ""]))
                elif step < 6:
                    rng.choice(list(w.reader_page.buttons.values())).setChecked(True)
                elif step < 8:
                    w.next()
                else:
                    w.back()
            elif page == 2:
                if step < 6:
                    box = rng.choice(list(w.goals_page.boxes.values()))
                    if box.isEnabled():
                        box.setChecked(not box.isChecked())
                elif step < 8:
                    w.next()
                else:
                    w.back()
            else:
                editors = list(getattr(w.plans_page, "editors", {}).values())
                if page == 3 and editors and step < 7:
                    ed = rng.choice(editors)
                    if ed.rows:
                        row = rng.choice(ed.rows)
                        field = rng.choice([row.price, row.description, row.quantity, row.vendor])
                        field.clear()
                        _commit(field, rng.choice(texts))
                elif step < 8:
                    w.next()
                else:
                    w.back()
        except Exception as exc:  # noqa: BLE001 - the driver keeps typing; the trial judges the outcome
            print(f"STEP-ERROR {type(exc).__name__}", flush=True)
        # typing comes in bursts: keys a few tens of ms apart, now and then a pause (the autosave runs 0.4 s after
        # the last change, so a kill can land before, during or after one)
        _pump(rng.uniform(0.3, 0.9) if rng.random() < 0.3 else rng.uniform(0.0, 0.12))


def restore() -> None:
    from ohshi_desk.ui.autosave import offer_recovery

    w = _setup("restore")
    told: list[str] = []
    outcome = offer_recovery(w, ask=lambda t: True, tell=told.append)
    _pump(0.1)
    print("RESTORED " + json.dumps({"outcome": outcome, "told": told, "snapshot": w.snapshot()},
                                   ensure_ascii=False), flush=True)
    w.autosave_enabled = False
    w.close()


def _same(saved: dict, shown: dict) -> list[str]:
    return [k for k in FIELDS if k in saved and saved[k] != shown.get(k)]


def trial(seed: int, data: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OHSHI_DATA_DIR": str(data),
           "XDG_CONFIG_HOME": str(data / "config")}
    rng = random.Random(seed * 7919)
    proc = subprocess.Popen([sys.executable, __file__, "--type", str(seed)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    ready = proc.stdout.readline()
    if not ready.startswith("READY"):
        proc.kill()
        return {"seed": seed, "ok": False, "why": "driver did not start"}
    time.sleep(rng.uniform(0.5, 5.0))  # timing: the kill lands at a random moment of the typing, by design
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    saving: list[dict] = []
    last_saved = None
    for line in out.splitlines():
        if line.startswith("SAVING "):
            try:
                saving.append(json.loads(line[7:]))
            except ValueError:
                pass  # the line itself was cut by the kill
        elif line == "SAVED" and saving:
            last_saved = saving[-1]
    autosave = data / "autosave.json"
    if not autosave.exists():
        return {"seed": seed, "ok": last_saved is None, "why": "no autosave yet", "saves": 0}
    try:
        on_disk = json.loads(autosave.read_text(encoding="utf-8"))
    except ValueError:
        return {"seed": seed, "ok": False, "why": "autosave half-written"}
    candidates = [s for s in ([last_saved] + saving[-2:]) if s is not None]
    if not any(_same(c, on_disk) == [] for c in candidates):
        return {"seed": seed, "ok": False, "why": "autosave on disk is none of the last snapshots"}
    again = subprocess.run([sys.executable, __file__, "--restore"], capture_output=True, text=True, env=env,
                           timeout=120)
    line = next((ln for ln in again.stdout.splitlines() if ln.startswith("RESTORED ")), None)
    if line is None:
        return {"seed": seed, "ok": False, "why": "restore crashed: " + again.stderr[-300:]}
    got = json.loads(line[9:])
    diff = _same(on_disk, got["snapshot"])
    ok = got["outcome"] == "restored" and not diff
    return {"seed": seed, "ok": ok, "why": "" if ok else f"{got['outcome']} {diff} {got['told'][:1]}",
            "saves": sum(1 for ln in out.splitlines() if ln == "SAVED"), "page": on_disk.get("page")}


def main(trials: int = 100, seed0: int = 1) -> int:
    results = []
    started = time.monotonic()  # timing: the tool reports how long its trials took (a figure, not a check)
    for i in range(trials):
        with tempfile.TemporaryDirectory(prefix="ohshi-kill-") as tmp:
            r = trial(seed0 + i, Path(tmp))
        results.append(r)
        print(f"trial {i + 1:3d} seed {r['seed']}: {'ok ' if r['ok'] else 'FAIL'} {r.get('why', '')} "
              f"(autosaves before the kill: {r.get('saves', 0)}, page {r.get('page')})", flush=True)
    failed = [r for r in results if not r["ok"]]
    with_autosave = [r for r in results if r.get("saves")]
    took = time.monotonic() - started  # timing: the same report of how long the trials took
    print(f"\n{trials} trials in {took:.0f} s: {trials - len(failed)} restored every field, "
          f"{len(failed)} failed; {len(with_autosave)} had autosaved before the kill "
          f"(pages reached: {sorted({r.get('page') for r in with_autosave if r.get('page') is not None})})")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--type"]:
        type_randomly(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--restore"]:
        restore()
    else:
        sys.exit(main(*(int(a) for a in sys.argv[1:3])))

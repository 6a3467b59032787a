"""Nothing lost: the wizard's snapshot (everything on screen, as typed), written a moment after each change, and
the recovery question at the next start after a crash or a power cut.

:class:`Autosave` is mixed into the wizard; :func:`offer_recovery` runs once the first page has been painted.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

from . import plain, qt

AUTOSAVE_DELAY_MS = 400

log = logging.getLogger("ohshi_desk")


class Autosave:
    """The wizard's autosave. Needs ``facility_page`` … ``usage_page``, ``raw``, ``as_of``, ``path``."""

    def _init_autosave(self) -> None:
        self.autosave_enabled = False  # switched on by the app once a recovery question has been answered
        self._autosave_timer = qt.QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._autosave_tick)

    def schedule_autosave(self) -> None:
        if self.autosave_enabled:
            self._autosave_timer.start()

    def snapshot(self) -> dict:
        """Everything on screen, as typed (even a price that does not parse yet), and the page shown."""
        from .recovery import AUTOSAVE_FORMAT  # written once, in recovery.py (not imported before the first page)

        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        # the days (issue 22): the day chosen on purpose, the one to keep in the file, the day the opened
        # estimate was made; a restore after a crash computes as of today again (restore, keep_day)
        snap = {"format": AUTOSAVE_FORMAT, "page": self.currentId(), "raw": self.raw,
                "other_day": iso(self.other_day), "file_as_of": iso(self.file_as_of), "made_on": iso(self.made_on),
                "path": str(self.path) if self.path else None,
                "facility": self.facility_page.raw_data()}
        if self.reader_page._built:
            snap["reader"] = self.reader_page.raw_data()
        if self.goals_page._built:
            snap["goals"] = self.goals_page.chosen()
        if self.plans_page._built:
            snap["plans"] = {pid: self.plans_page.raw_plan(pid) for pid in self.plans_page.editors}
        if self.usage_page._built:
            snap["usage"] = self.usage_page.raw_data()
        return snap

    def restore(self, snap: dict, names: dict[str, str] | None = None, *, keep_day: bool = False) -> list[str]:
        """Put a snapshot back on screen, page included. Never refuses a readable snapshot: every field it can
        take is taken (a half-typed value comes back as typed); returns one line for each it could not, with
        the value as it was typed. ``names``: what to call a program these rules lack (else its id). The page
        computes as of today again unless ``keep_day`` (the rules switch, in the same session, keeps the day chosen on
        purpose); a snapshot of an older version held the result page's day as ``as_of``: the day it was made."""
        from .recovery import AUTOSAVE_FORMAT, shown_value

        if snap.get("format") != AUTOSAVE_FORMAT:
            raise ValueError("not an autosave")
        problems: list[str] = []

        def attempt(label: str, value, fn) -> bool:
            try:
                fn()
                return True
            except Exception:  # noqa: BLE001 - one bad field must not cost the others
                problems.append(f"{label}: {shown_value(value)}")
                return False

        raw = snap.get("raw")
        self.raw = raw if isinstance(raw, dict) else {}
        def day(key):
            return _dt.date.fromisoformat(snap[key]) if snap.get(key) else None

        self.other_day = None
        attempt("計算の基準日", snap.get("file_as_of"), lambda: setattr(self, "file_as_of", day("file_as_of")))
        legacy = not snap.get("made_on")  # an older version's as_of: the day its estimate was made
        attempt("計算の基準日" if legacy else "見積りを作った日", snap.get("as_of" if legacy else "made_on"),
                lambda: setattr(self, "made_on", day("as_of" if legacy else "made_on")))
        if keep_day:
            attempt("別の日で計算", snap.get("other_day"), lambda: setattr(self, "other_day", day("other_day")))
        attempt("ファイルの場所", snap.get("path"), lambda: setattr(
            self, "path", Path(snap["path"]) if snap.get("path") else None))
        self._load_section(snap.get("facility"), self.facility_page.load, problems, "facility",
                           self.facility_page.raw_data)
        if "reader" in snap:
            self._load_section(snap.get("reader"), self.reader_page.load, problems, "face_reader",
                               self.reader_page.raw_data)
        if "goals" in snap:
            goals = snap.get("goals") if isinstance(snap.get("goals"), list) else []
            for g in goals:  # a program these rules do not have (a rules update): said, not dropped in silence
                if g not in self.rules.program_ids:
                    problems.append(f"やりたいこと: {shown_value((names or {}).get(g, g))}（このルールにない補助制度です）")
            attempt("やりたいこと", snap.get("goals"), lambda: self.goals_page.set_chosen(
                [g for g in snap["goals"] if g in self.rules.program_ids]))
        plans = snap.get("plans") if isinstance(snap.get("plans"), dict) else {}
        for pid, plan in plans.items():
            if pid not in self.rules.program_ids:
                lines = plan.get("lines") if isinstance(plan, dict) and isinstance(plan.get("lines"), list) else []
                if lines:
                    prices = "、".join(f"{line.get('unit_price') or '（空欄）'}円" if isinstance(line, dict)
                                      else shown_value(line) for line in lines[:5])
                    problems.append(f"購入・改修の予定（{shown_value((names or {}).get(pid, pid))}）: "
                                    f"このルールにない補助制度のため読めませんでした"
                                    f"（{len(lines)}行、単価 {prices}{' …' if len(lines) > 5 else ''}）")
                continue
            if not attempt(self._plan_label(pid), "", lambda p=pid, pl=plan: self.plans_page.load_plan(p, pl)):
                problems.pop()
                self._load_plan_line_by_line(pid, plan, problems)
        if "usage" in snap:
            self._load_section(snap.get("usage"), self.usage_page.load, problems, "usage", self.usage_page.raw_data)
        self.restart()
        self.work_out_made_on()  # then against now, with these rules and as of today
        target = snap.get("page", 0)
        while self.currentId() != target and self.currentId() != -1:
            before = self.currentId()
            if not self.currentPage().isComplete():
                break
            self.next()
            if self.currentId() == before:
                break
        self.dirty = True
        return problems

    def _load_section(self, values, load, problems: list[str], prefix: str = "", read_back=None) -> None:
        """load(values) on a page; when it fails, find the keys that make it fail, load the rest, and list those
        (and, with ``read_back``, any value the field could not hold whole, e.g. text over its length)."""
        from ohshi_desk.core.case.model import FIELD_LABELS

        from .recovery import shown_value

        values = dict(values) if isinstance(values, dict) else {}

        def label(key):
            return FIELD_LABELS.get(f"{prefix}.{key}") or FIELD_LABELS.get(key) or key

        bad: list[str] = []
        try:
            load(values)
        except Exception:  # noqa: BLE001
            for key in list(values):
                try:
                    load({key: values[key]})
                except Exception:  # noqa: BLE001
                    bad.append(key)
            try:
                load({k: v for k, v in values.items() if k not in bad})
            except Exception:  # noqa: BLE001
                bad = list(values)
        for key in bad:
            problems.append(f"{label(key)}: {shown_value(values[key])}")
        if read_back is not None:
            try:
                now = read_back()
            except Exception:  # noqa: BLE001
                return
            for key, value in values.items():
                if key not in bad and isinstance(value, str) and key in now and now[key] != value:
                    problems.append(f"{label(key)}: {shown_value(value)}（欄に入りきらないため一部だけ入れました）")

    def _plan_label(self, pid: str) -> str:
        return f"購入・改修の予定（{self.rules.program(pid).short_name}）"

    def _load_plan_line_by_line(self, pid: str, plan, problems: list[str]) -> None:
        from .recovery import shown_value

        label = self._plan_label(pid)
        plan = dict(plan) if isinstance(plan, dict) else {}
        lines = plan.get("lines") if isinstance(plan.get("lines"), list) else []
        ok = []
        for i, line in enumerate(lines):
            try:
                self.plans_page.load_plan(pid, {"lines": [line]})
                ok.append(line)
            except Exception:  # noqa: BLE001
                problems.append(f"{label}の{i + 1}行目: {shown_value(line)}")
        settings = {k: v for k, v in plan.items() if k != "lines"}
        try:
            self.plans_page.load_plan(pid, {**settings, "lines": ok})
        except Exception:  # noqa: BLE001
            problems.append(f"{label}の選択: {shown_value(settings)}")  # an option these rules do not offer
            try:
                self.plans_page.load_plan(pid, {"lines": ok})
            except Exception:  # noqa: BLE001
                problems.append(f"{label}: {shown_value(plan)}")

    def _autosave_tick(self) -> None:  # a slot must return None (see lines.LineRow)
        self.autosave_now()

    def autosave_now(self) -> bool:
        """Write the snapshot atomically to the app-data folder. Never raises: autosave must not break the app."""
        import json

        from ohshi_desk.core.base.atomic import atomic_write_bytes
        from ohshi_desk.core.base.paths import autosave_path

        from .recovery import autosave_problem, clean_app_data

        self._autosave_timer.stop()
        path = autosave_path()
        try:
            snap = self.snapshot()
            try:
                data = json.dumps(snap, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate pasted into a field: kept, as a \\uXXXX escape
                data = json.dumps(snap).encode("ascii")
            atomic_write_bytes(path, data, private=True)
        except Exception as exc:  # noqa: BLE001 - a full disk or a bad path must not take the user's work down with it
            log.exception("autosave failed")
            self.show_autosave_problem(autosave_problem(exc, path))
            return False
        self.show_autosave_problem("")
        clean_app_data(path.parent)
        return True

    def show_autosave_problem(self, text: str) -> None:
        """A warning in the button row while autosave cannot write (where, why, what to do); gone once it can."""
        self.autosave_problem = text
        which = qt.QWizard.WizardButton.CustomButton3
        if bool(text) != self.testOption(qt.QWizard.WizardOption.HaveCustomButton3):
            self.setOption(qt.QWizard.WizardOption.HaveCustomButton3, bool(text))
            self.lay_out_buttons(autosave_problem=bool(text))
        if text:
            self.setButtonText(which, "⚠ 自動保存できません")
            self.button(which).setToolTip(plain.tip(text))
            self.button(which).setAccessibleDescription(text)

    def _explain_autosave_problem(self) -> None:
        box = plain.message("Warning", "自動保存", self.autosave_problem, self)
        save = box.addButton("保存…", qt.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(qt.QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is save:
            self.save_dialog()

    def discard_autosave(self) -> None:
        from ohshi_desk.core.base.paths import autosave_path

        self._autosave_timer.stop()
        try:
            autosave_path().unlink()
        except OSError:
            pass


def _move_aside(kind: str):
    from ohshi_desk.core.base.paths import autosave_path

    from .recovery import aside_path

    src = autosave_path()
    dst = aside_path(src.parent, kind)
    try:
        src.replace(dst)
    except OSError:
        return None
    return dst


def offer_recovery(wizard, ask=None, tell=None) -> str:
    """After a crash or a power cut: offer 「前回の入力を復元しますか」. Returns none / restored / declined / corrupt.

    ``ask(text) -> bool`` and ``tell(text)`` default to message boxes (tests pass their own).
    """
    import os

    if ask is None:
        def ask(text):
            return plain.ask(wizard, "前回の入力", text)
    if tell is None:
        def tell(text):
            plain.inform(wizard, "前回の入力", text)

    from ohshi_desk.core.base.paths import claim_autosave

    path, usual = claim_autosave()  # one window per autosave: a second one gets its own, and is told
    if not usual:
        tell("ohshi-desk がもう一つ開いていて、いつもの自動保存ファイルはそちらが使っています。"
             "そのウィンドウの入力には触れません。\nこのウィンドウの入力は、別の自動保存ファイルに保存します:\n"
             f"{path}")
    if not os.path.lexists(path):
        return "none"
    from ohshi_desk.core.base.guard import LimitError, read_regular_file, shown, strict_json_loads

    from .recovery import AUTOSAVE_FORMAT

    try:
        raw = read_regular_file(path, MAX_AUTOSAVE_BYTES)
        try:
            snap = strict_json_loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            snap = strict_json_loads(raw.decode("utf-8", "replace"))
        if not isinstance(snap, dict) or snap.get("format") != AUTOSAVE_FORMAT:
            raise ValueError("format")
        saved = _dt.datetime.fromtimestamp(path.stat().st_mtime)
        facility = snap.get("facility") if isinstance(snap.get("facility"), dict) else {}
        name = shown(facility.get("name") or "（施設名なし）", 40)
    except (OSError, ValueError, LimitError, RecursionError):
        log.exception("corrupt autosave")
        kept = _move_aside("broken")
        tell("前回の自動保存ファイルが壊れていたため、読み込まずに新しく始めます。"
             f"ファイルは消さずに保管してあります:\n{kept}")
        return "corrupt"
    if not ask(f"前回の入力（{name}、{saved:%Y年%m月%d日 %H:%M}）が残っています。\n前回の入力を復元しますか。"):
        _move_aside("declined")
        return "declined"
    try:
        problems = wizard.restore(snap) or []
    except Exception:  # noqa: BLE001 - not even the page could be put back: keep it, start clean
        log.exception("autosave could not be restored")
        kept = _move_aside("broken")
        tell(f"前回の入力を復元できなかったため、新しく始めます。ファイルは保管してあります"
             f"（「開く…」でこのファイルを選ぶと、もう一度復元を試せます）:\n{kept}")
        return "corrupt"
    if problems:
        log.warning("autosave restored without %d field(s)", len(problems))
        kept = _copy_aside("partial")
        tell("前回の入力を復元しました。次の項目は復元できなかったため、入力されていた値を下に示します"
             "（もう一度入力してください）:\n" + "\n".join(f"・{p}" for p in problems[:20])
             + (f"\n…ほか{len(problems) - 20}項目" if len(problems) > 20 else "")
             + (f"\n\n元のファイルは保管してあります:\n{kept}" if kept else ""))
        return "partial"
    return "restored"


MAX_AUTOSAVE_BYTES = 20 * 1024 * 1024


def _copy_aside(kind: str):
    import os
    import shutil

    from ohshi_desk.core.base.paths import autosave_path

    from .recovery import aside_path

    src = autosave_path()
    dst = aside_path(src.parent, kind)
    try:
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o600)
    except OSError:
        return None
    return dst

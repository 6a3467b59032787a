"""Nothing lost: the wizard's snapshot (everything on screen, as typed), written a moment after each change, and
the recovery question at the next start after a crash or a power cut.

:class:`Autosave` is mixed into the wizard; :func:`offer_recovery` runs once the first page has been painted.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

from . import qt

AUTOSAVE_FORMAT = "ohshi-desk-autosave/1"
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
        snap = {"format": AUTOSAVE_FORMAT, "page": self.currentId(), "raw": self.raw,
                "as_of": self.as_of.isoformat() if self.as_of else None,
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

    def restore(self, snap: dict) -> None:
        """Put a snapshot back on screen, page included."""
        if snap.get("format") != AUTOSAVE_FORMAT:
            raise ValueError("not an autosave")
        self.raw = snap.get("raw") or {}
        self.as_of = _dt.date.fromisoformat(snap["as_of"]) if snap.get("as_of") else None
        self.path = Path(snap["path"]) if snap.get("path") else None
        self.facility_page.load(snap["facility"])
        if "reader" in snap:
            self.reader_page.load(snap["reader"])
        if "goals" in snap:
            self.goals_page.set_chosen(snap["goals"])
        for pid, plan in (snap.get("plans") or {}).items():
            self.plans_page.load_plan(pid, plan)
        if "usage" in snap:
            self.usage_page.load(snap["usage"])
        self.restart()
        target = snap.get("page", 0)
        while self.currentId() != target and self.currentId() != -1:
            before = self.currentId()
            if not self.currentPage().isComplete():
                break
            self.next()
            if self.currentId() == before:
                break
        self.dirty = True

    def _autosave_tick(self) -> None:  # a slot must return None (see widgets.LineRow)
        self.autosave_now()

    def autosave_now(self) -> bool:
        """Write the snapshot atomically to the app-data folder. Never raises: autosave must not break the app."""
        import json

        from ..core.atomic import atomic_write_bytes
        from ..core.paths import autosave_path

        self._autosave_timer.stop()
        try:
            data = json.dumps(self.snapshot(), ensure_ascii=False).encode("utf-8")
            atomic_write_bytes(autosave_path(), data)
            return True
        except Exception:  # noqa: BLE001 - a full disk or a bad path must not take the user's work down with it
            log.exception("autosave failed")
            return False

    def discard_autosave(self) -> None:
        from ..core.paths import autosave_path

        self._autosave_timer.stop()
        try:
            autosave_path().unlink()
        except OSError:
            pass


def _move_aside(kind: str):
    from ..core.clock import now
    from ..core.paths import autosave_path

    src = autosave_path()
    dst = src.with_name(f"autosave-{kind}-{now():%Y%m%d-%H%M%S}.json")
    try:
        src.replace(dst)
    except OSError:
        return None
    return dst


def offer_recovery(wizard, ask=None, tell=None) -> str:
    """After a crash or a power cut: offer 「前回の入力を復元しますか」. Returns none / restored / declined / corrupt.

    ``ask(text) -> bool`` and ``tell(text)`` default to message boxes (tests pass their own).
    """
    import json

    from ..core.paths import autosave_path

    if ask is None:
        def ask(text):
            return qt.QMessageBox.question(wizard, "前回の入力", text) == qt.QMessageBox.StandardButton.Yes
    if tell is None:
        def tell(text):
            qt.QMessageBox.information(wizard, "前回の入力", text)

    path = autosave_path()
    if not path.exists():
        return "none"
    try:
        snap = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(snap, dict) or snap.get("format") != AUTOSAVE_FORMAT:
            raise ValueError("format")
        saved = _dt.datetime.fromtimestamp(path.stat().st_mtime)
        name = (snap.get("facility") or {}).get("name") or "（施設名なし）"
    except (OSError, ValueError):
        log.exception("corrupt autosave")
        kept = _move_aside("broken")
        tell("前回の自動保存ファイルが壊れていたため、読み込まずに新しく始めます。"
             f"ファイルは消さずに保管してあります:\n{kept}")
        return "corrupt"
    if not ask(f"前回の入力（{name}、{saved:%Y年%m月%d日 %H:%M}）が残っています。\n前回の入力を復元しますか。"):
        _move_aside("declined")
        return "declined"
    try:
        wizard.restore(snap)
    except Exception:  # noqa: BLE001 - a snapshot from an older layout: keep it, start clean
        log.exception("autosave could not be restored")
        kept = _move_aside("broken")
        tell(f"前回の入力を復元できなかったため、新しく始めます。ファイルは保管してあります:\n{kept}")
        return "corrupt"
    return "restored"

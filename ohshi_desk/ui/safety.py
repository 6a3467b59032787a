"""Nothing lost: the recovery question at start, and a handler for errors nobody expected."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import sys
import traceback

from ..core.clock import now
from ..core.paths import autosave_path, log_path

log = logging.getLogger("ohshi_desk")


def _move_aside(kind: str):
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
    from PySide6.QtWidgets import QMessageBox

    if ask is None:
        def ask(text):
            return QMessageBox.question(wizard, "前回の入力", text) == QMessageBox.StandardButton.Yes
    if tell is None:
        def tell(text):
            QMessageBox.information(wizard, "前回の入力", text)

    path = autosave_path()
    if not path.exists():
        return "none"
    try:
        snap = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(snap, dict) or snap.get("format") != "ohshi-desk-autosave/1":
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


def install_excepthook(get_wizard) -> None:
    """Unexpected errors: apologise in Japanese, write the traceback to the log, autosave, and carry on."""
    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled error\n%s", text)
        wizard = get_wizard()
        saved = False
        try:
            if wizard is not None:
                saved = wizard.autosave_now()
        except Exception:  # noqa: BLE001
            pass
        try:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(
                wizard, "申し訳ありません",
                "申し訳ありません。予期しないエラーが起きました。\n"
                + ("入力した内容は自動保存しました。" if saved else "")
                + "このまま作業を続けられます。うまく動かない場合はアプリを開き直してください"
                  "（次に開いたときに前回の入力を復元できます）。\n\n"
                + f"詳しい記録: {log_path()}")
        except Exception:  # noqa: BLE001 - no screen: the log has it
            sys.__stderr__.write(text)

    sys.excepthook = hook

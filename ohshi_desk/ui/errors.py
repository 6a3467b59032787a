"""Errors nobody expected: apologise in Japanese, write the traceback to the log, autosave, and carry on."""

from __future__ import annotations

import logging
import sys
import traceback

from . import plain

log = logging.getLogger("ohshi_desk")


def install_excepthook(get_wizard) -> None:
    """Unexpected errors: apologise in Japanese, write the traceback to the log, autosave, and carry on."""
    from ohshi_desk.core.base.paths import log_path

    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled error", exc_info=(exc_type, exc, tb))  # the log's formatter leaves values out
        wizard = get_wizard()
        saved = False
        try:
            if wizard is not None:
                saved = wizard.autosave_now()
        except Exception:  # noqa: BLE001
            pass
        try:
            plain.critical(
                wizard, "申し訳ありません",
                "申し訳ありません。予期しないエラーが起きました。\n"
                + ("入力した内容は自動保存しました。" if saved else "")
                + "このまま作業を続けられます。うまく動かない場合はアプリを開き直してください"
                  "（次に開いたときに前回の入力を復元できます）。\n\n"
                + f"詳しい記録: {log_path()}")
        except Exception:  # noqa: BLE001 - no screen: the log has it
            sys.__stderr__.write(text)

    sys.excepthook = hook

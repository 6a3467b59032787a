"""Entry point: ``ohshi-desk`` opens the wizard; ``ohshi-desk compute …`` runs the command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "prepare":  # 申請の準備: its PDF pages are drawn with Qt (offscreen, no window)
        from ohshi_desk.core.cli.main import run

        from .ui.pdf_render import QtRenderer

        return run(argv, renderer_factory=QtRenderer)
    if argv and (argv[0] in ("compute", "export", "-h", "--help") or _unknown_command(argv[0])):
        from ohshi_desk.core.cli.main import run

        return run(argv)  # an unknown command is refused there with the usage (exit 2), never opened as a file
    if "--self-test" in argv:
        from .ui.selftest import run_self_test

        return run_self_test()
    try:
        from .ui.app import run_app
    except ImportError:
        from ohshi_desk.core.cli.main import run

        return run(argv)
    return run_app(argv)


def _unknown_command(word: str) -> bool:
    """A first word that is no option, names no file and looks like no file name (``ohshi-desk submit …``): a
    command this version does not have — not a file for the window to open (without a display it never returns)."""
    import os

    return not word.startswith("-") and "." not in word and os.sep not in word and "/" not in word \
        and not os.path.exists(word)


if __name__ == "__main__":
    sys.exit(main())

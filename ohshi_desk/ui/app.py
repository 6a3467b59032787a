"""Starting the window: Japanese Qt translations and locale, fonts, the rules, the wizard.

``--self-test`` is dispatched in ``__main__`` (it uses :func:`make_application`; this module does not import it).
"""

from __future__ import annotations

import os
import sys

WINDOWS_FONTS = ["Yu Gothic UI", "Meiryo UI", "Meiryo", "MS UI Gothic"]
LINUX_FONTS = ["Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic"]


def make_application(argv: list[str], *, icon: bool = True):
    """The application, in Japanese. ``icon=False`` leaves the window icon for :func:`set_window_icon` to set after
    the first paint (run_app): Qt's icon class builds its 151-name ThemeIcon enum when first touched (~2 ms), which
    the first page does not need to be drawn."""
    from .qt import QApplication, QFont, QLibraryInfo, QLocale, QTranslator

    app = QApplication.instance() or QApplication(["ohshi-desk", *argv])
    app.setApplicationName("ohshi-desk")
    app.setOrganizationName("ohshi-desk")
    # QLocale("ja_JP") rather than QLocale(QLocale.Language.Japanese, …): building those two enums of several
    # hundred members each costs ~10 ms at start.
    QLocale.setDefault(QLocale("ja_JP"))
    translator = QTranslator(app)
    if translator.load("qtbase_ja", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    app._ohshi_translator = translator  # keep it alive
    font = QFont(app.font())
    preferred = WINDOWS_FONTS if sys.platform == "win32" else LINUX_FONTS
    font.setFamilies([*preferred, *font.families()])
    app.setFont(font)
    if icon:
        set_window_icon(app)
    return app


def set_window_icon(app) -> None:
    from ohshi_desk.core.base.paths import bundled

    path = bundled("resources") / "icon.png"
    if path.exists():
        from .qt import QIcon

        app.setWindowIcon(QIcon(str(path)))


def run_app(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    args = [a for a in argv if a != "--smoke"]
    # The rules are read before Qt is loaded: PySide6 reads the source of every module imported after it (to see
    # whether it asks for a __feature__), which for json, datetime and the rules module cost ~3 ms and ~1 MiB.
    from ohshi_desk.core.rules.build import RulesError, load_rules_for_app

    try:
        rules, _folder, warnings = load_rules_for_app(rules_warnings=False)  # those are said after the first paint
        failure = None
    except RulesError as exc:
        failure = exc
    app = make_application(args, icon=False)
    if failure is not None:
        from .plain import critical

        critical(None, "ohshi-desk", f"補助制度のルールを読み込めませんでした。\n\n{failure}")
        return 3
    from ohshi_desk.core.base import clock

    try:
        clock.today()
    except clock.ClockError as exc:  # support set OHSHI_TODAY wrongly: say so, then use the computer's date
        from .plain import warn

        os.environ.pop(clock.ENV, None)
        warn(None, "ohshi-desk", f"{exc}\n\nパソコンの日付で計算します。")
    from .wizard import OhshiWizard

    try:
        wizard = OhshiWizard(rules)
    except Exception as exc:
        if not rules.origin:  # the bundled rules always build a window: a real bug, for the crash handler
            raise
        # an override this version cannot show (a question its pages need is missing): the bundled rules, said
        import logging

        from ohshi_desk.core.rules.build import load_rules

        logging.getLogger("ohshi_desk").warning("the window cannot be built with the override: %s: %s",
                                                type(exc).__name__, exc)  # for support; not on screen
        warnings = [*warnings, f"差し替え用のルール（{rules.origin}）にはこのバージョンの画面に必要な項目がないため、"
                               "アプリ同梱のルールを使います"]
        rules = load_rules()
        wizard = OhshiWizard(rules)
    wizard.show()
    if smoke:  # used by the start-up benchmarks and the packaging checks: first page shown, then exit
        app.processEvents()
        import time

        # read by the start-up benchmarks: the wall clock, and the CPU time this process has used so far
        print(f"smoke: first page shown at {time.time():.6f} cpu {time.process_time():.6f}", flush=True)
        wizard.dirty = False
        wizard.remember_size = False  # a check run leaves the user's settings as they were
        wizard.close()
        return 0
    from .qt import QTimer

    # The window paints first; then the log, the crash handler, the rules warnings, the offer to restore the last
    # input and a file given on the command line (each may show a message over the window); then the pages after
    # the first one are added (they are added at once if any of those needs them).
    QTimer.singleShot(0, lambda: _after_first_paint(wizard, warnings, args))
    return app.exec()


def _after_first_paint(wizard, warnings: list[str], args: list[str]) -> None:
    import logging

    from ohshi_desk.core.base.paths import setup_logging

    from .autosave import offer_recovery
    from .errors import install_excepthook
    from .plain import warn
    from .qt import QApplication, QTimer

    QTimer.singleShot(0, wizard, wizard.add_later_pages)  # the pages after the first, in a turn of their own
    setup_logging()
    app = QApplication.instance()
    set_window_icon(app)  # the window is drawn; the icon follows at once (see make_application)
    app._ohshi_window = wizard  # replaced when the rules are switched (ui/rules_update.py)
    install_excepthook(lambda: getattr(QApplication.instance(), "_ohshi_window", None))
    for warning in [*warnings, *wizard.rules.warnings]:
        logging.getLogger("ohshi_desk").warning(warning)
        warn(wizard, "ルールの差し替え", warning)
    offer_recovery(wizard)
    wizard.autosave_enabled = True
    if args and not args[0].startswith("-"):
        wizard.open_path(args[0])


if __name__ == "__main__":
    sys.exit(run_app(sys.argv[1:]))

"""Starting the window: Japanese Qt translations and locale, fonts, the rules, the wizard."""

from __future__ import annotations

import sys

WINDOWS_FONTS = ["Yu Gothic UI", "Meiryo UI", "Meiryo", "MS UI Gothic"]
LINUX_FONTS = ["Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic"]


def make_application(argv: list[str]):
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["ohshi-desk", *argv])
    app.setApplicationName("ohshi-desk")
    app.setOrganizationName("ohshi-desk")
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    translator = QTranslator(app)
    if translator.load(QLocale(QLocale.Language.Japanese), "qtbase", "_",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    app._ohshi_translator = translator  # keep it alive
    font = QFont(app.font())
    font.setFamilies([*WINDOWS_FONTS, *LINUX_FONTS, *font.families()])
    app.setFont(font)
    return app


def run_app(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    args = [a for a in argv if a != "--smoke"]
    app = make_application(args)
    from PySide6.QtWidgets import QMessageBox

    from ..core.rules import RulesError, load_rules

    try:
        rules = load_rules()
    except RulesError as exc:
        QMessageBox.critical(None, "ohshi-desk", f"補助制度のルールを読み込めませんでした。\n\n{exc}")
        return 3
    from .wizard import OhshiWizard

    wizard = OhshiWizard(rules)
    wizard.show()
    if args and not args[0].startswith("-"):
        wizard.open_path(args[0])
    if smoke:
        app.processEvents()
        wizard.dirty = False
        wizard.close()
        return 0
    return app.exec()


if __name__ == "__main__":
    sys.exit(run_app(sys.argv[1:]))

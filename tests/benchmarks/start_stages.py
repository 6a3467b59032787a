"""The start of `ohshi-desk` cut into stages, for bench_instructions.py --stages: run with the name of a stage,
it does the app's start (ui/app.py's run_app, step by step) up to and including that stage and ends the process,
so that callgrind's count for each stage, less the one before it, is what that stage costs.

Stages, in run_app's order: python (the interpreter and site), rules (the rules read: run_app reads them before
Qt), qt (PySide6.QtWidgets imported), qapp (QApplication made), app (make_application: translations, locale, font, icon), modules (the
wizard's modules imported), wizard (OhshiWizard built), shown (shown and painted, the --smoke line).
The bare wizard (--bare) has python, qt, qapp, pages (its three pages), shown.
"""

import os
import sys

STAGES = ("python", "rules", "qt", "qapp", "app", "modules", "wizard", "shown")
BARE_STAGES = ("python", "qt", "qapp", "pages", "shown")


def main() -> None:
    bare = "--bare" in sys.argv
    stop = sys.argv[1]
    done = []

    def reached(stage: str) -> None:
        done.append(stage)
        if stage == stop:
            sys.stdout.write(f"stage: {stage}\n")
            sys.stdout.flush()
            os._exit(0)

    reached("python")
    if bare:
        from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWizard, QWizardPage

        reached("qt")
        app = QApplication(sys.argv[:1])
        reached("qapp")
        w = QWizard()
        for i in range(3):
            p = QWizardPage()
            p.setTitle(f"ページ {i}：施設について")
            QVBoxLayout(p).addWidget(QLabel("日本語の説明文です"))
            w.addPage(p)
        reached("pages")
        w.show()
        app.processEvents()
        reached("shown")
        return
    from ohshi_desk.core.rules.build import load_rules_for_app

    rules, _folder, _warnings = load_rules_for_app(rules_warnings=False)
    reached("rules")
    from PySide6.QtWidgets import QApplication

    reached("qt")
    QApplication(["ohshi-desk"])
    reached("qapp")
    from ohshi_desk.ui.app import make_application

    app = make_application([], icon=False)  # as run_app: the icon is set after the first paint
    reached("app")
    from ohshi_desk.ui.wizard import OhshiWizard

    reached("modules")
    wizard = OhshiWizard(rules)
    reached("wizard")
    wizard.show()
    app.processEvents()
    reached("shown")


if __name__ == "__main__":
    main()

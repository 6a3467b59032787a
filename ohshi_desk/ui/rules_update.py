"""「ルールを更新…」: take a rules pack a vendor sends (a zip or a folder), check it, show what it changes, and use it
only when the user says so; or go back to the rules shipped with the app. The work is done by core.rules_pack;
this module only asks and tells."""

from __future__ import annotations

from pathlib import Path

from . import plain, qt

TITLE = "ルールの更新"


def run(wizard, choose=None, confirm=None, tell=None) -> str:
    """The whole action. Returns "installed", "bundled", "refused" or "cancelled".

    ``choose() -> (kind, path)`` with kind "zip" / "folder" / "bundled" / None, ``confirm(text) -> bool`` and
    ``tell(text)`` default to dialogs (tests pass their own)."""
    from ohshi_desk.core.rules import pack as rules_pack
    from ohshi_desk.core.rules.build import RulesError

    choose = choose or (lambda: _choose(wizard))
    confirm = confirm or (lambda text: _confirm(wizard, text))
    # after a switch the old window is going: a message belongs to the window in use
    tell = tell or (lambda text: plain.inform(
        getattr(qt.QApplication.instance(), "_ohshi_window", None) or wizard, TITLE, text))
    kind, path = choose()
    if kind is None:
        return "cancelled"
    if kind == "bundled":
        if not rules_pack.user_rules_dir().exists():
            tell("すでにアプリ同梱のルールを使っています。")
            return "cancelled"
        if not confirm("差し替えたルールをやめて、アプリ同梱のルールに戻しますか。\n（差し替えたルールは消さずに保管します）"):
            return "cancelled"
        kept = rules_pack.use_bundled()
        _use_now(wizard, "同梱のルールに戻しました。", f"\n保管した差し替えルール: {kept}", confirm, tell)
        return "bundled"
    staged = None
    try:
        staged = rules_pack.stage(path)
        new = rules_pack.check(staged)
    except RulesError as exc:
        if staged is not None:
            rules_pack.discard(staged)
        tell(f"このルールは使えません。いまのルールのままです。\n\n{exc}")
        return "refused"
    problem = _window_problem(wizard, new)
    if problem:  # checked as data, but this version of the app cannot show it: refused before it is installed
        rules_pack.discard(staged)
        tell(f"このルールは使えません。いまのルールのままです。\n\n{problem}")
        return "refused"
    lines = rules_pack.changes(wizard.rules, new) or ["計算に関わる変更はありません"]
    shown = "\n".join(f"・{ln}" for ln in lines[:25]) + (f"\n…ほか{len(lines) - 25}件" if len(lines) > 25 else "")
    if new.warnings:  # the same sense warnings as for the bundled rules (issue 25 point 8)
        shown += "\n\n注意（確認してください）:\n" + "\n".join(f"・{w}" for w in new.warnings[:10])
    if not confirm(f"ルール版 {new.version}（{new.last_checked:%Y年%m月%d日}確認）を確認しました。"
                   f"いまのルール（版 {wizard.rules.version}）からの変更:\n\n{shown}\n\nこのルールを使いますか。"):
        rules_pack.discard(staged)
        return "cancelled"
    kept = rules_pack.install(staged)
    _use_now(wizard, "新しいルールを入れました。", f"\n前の差し替えルールは保管してあります: {kept}" if kept else "",
             confirm, tell)
    return "installed"


def _window_problem(wizard, rules) -> str:
    """Why a window cannot be built with these rules (a question the pages need is missing…), or ""."""
    try:
        probe = type(wizard)(rules)
    except Exception:  # noqa: BLE001 - any failure means: not these rules (the log has which)
        import logging

        logging.getLogger("ohshi_desk").exception("the window cannot be built with these rules")
        return "このバージョンのアプリの画面に必要な項目（施設の質問など）がこのルールにありません"
    probe.deleteLater()
    return ""


def _use_now(wizard, done: str, kept: str, confirm, tell) -> None:
    """Offer to compute with the rules now, the typed input kept; else from the next start."""
    if not confirm(f"{done}\nいま入力している内容はそのままで、すぐにそのルールで計算し直しますか。\n"
                   f"（「いいえ」のときは、アプリを開き直したときから使います）{kept}"):
        tell(f"{done}アプリを開き直すと、そのルールで計算します。{kept}")
        return
    try:
        new, problems, aside = switch_rules(wizard)
    except Exception:  # noqa: BLE001 - the window in use stays as it was (the log has why)
        import logging

        logging.getLogger("ohshi_desk").exception("switching the rules failed")
        tell(f"{done}ただ、いまの画面を新しいルールに切り替えられませんでした。"
             f"この画面は前のルールのまま使えます。アプリを開き直すと、そのルールで計算します。")
        return
    text = f"ルール（版 {new.rules.version}）で計算し直しました。入力した内容は引き継いでいます。"
    if problems:
        shown = problems[:20] + ([f"…ほか{len(problems) - 20}件"] if len(problems) > 20 else [])
        text += "\n\n次の点に注意してください:\n" + "\n".join(f"・{p}" for p in shown)
    if aside:
        text += f"\n\n切り替える前の入力は次のファイルに残してあります（開く… から開けます）:\n{aside}"
    tell(text)


def switch_rules(old):
    """A new window with the rules the app would now use (``load_rules_for_app``), holding everything the old one
    held (its autosave snapshot: fields as typed, the page, the file it came from); the old window goes without
    asking and without removing the autosave. Returns (the new window, what to tell: a fallback to the bundled
    rules and the fields the new rules could not take, the file the old input was kept in when some were not
    taken). Nothing changes for the old window until the new one is built and filled: a failure raises."""
    from ohshi_desk.core.rules.build import load_rules_for_app

    from .autosave import _copy_aside

    rules, _folder, warnings = load_rules_for_app()
    snap, dirty, autosave = old.snapshot(), old.dirty, old.autosave_enabled
    new = type(old)(rules)  # the wizard's class, without importing the module that imports this one
    try:
        new.ask_before_close, new.remember_size = old.ask_before_close, old.remember_size
        # a program the new rules lack is named as the old rules name it
        problems = new.restore(snap, {pid: old.rules.program(pid).short_name for pid in old.rules.program_ids},
                               keep_day=True)
    except Exception:
        new.deleteLater()
        raise
    aside = None
    if problems and old.autosave_now():  # what could not be taken stays in a file of its own
        aside = _copy_aside("partial")
    old.autosave_enabled = False
    old._autosave_timer.stop()
    new.setGeometry(old.geometry())
    if old.isMaximized():
        new.showMaximized()
    else:
        new.show()
    new.dirty = dirty
    app = qt.QApplication.instance()
    app._ohshi_window = new  # the window the crash handler autosaves, and a reference that keeps it alive
    old.hide()
    old.deleteLater()
    new.autosave_enabled = autosave
    if autosave and dirty:
        new.autosave_now()
    return new, [*warnings, *problems], aside


def _choose(wizard):
    box = plain.message("Question", TITLE, "ベンダーから届いたルール（ZIP ファイルまたはフォルダ）を選んでください。\n"
                        "使う前に中身を確かめ、変わる点をお見せします。", wizard)
    zip_b = box.addButton("ZIP ファイルから…", qt.QMessageBox.ButtonRole.AcceptRole)
    dir_b = box.addButton("フォルダから…", qt.QMessageBox.ButtonRole.AcceptRole)
    back_b = box.addButton("同梱のルールに戻す", qt.QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(qt.QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is zip_b:
        path, _f = qt.QFileDialog.getOpenFileName(wizard, "ルールの ZIP ファイル", str(Path.home()), "ZIP (*.zip)")
        return ("zip", path) if path else (None, None)
    if clicked is dir_b:
        path = qt.QFileDialog.getExistingDirectory(wizard, "ルールのフォルダ", str(Path.home()))
        return ("folder", path) if path else (None, None)
    if clicked is back_b:
        return "bundled", None
    return None, None


def _confirm(wizard, text: str) -> bool:
    return plain.ask(wizard, TITLE, text)

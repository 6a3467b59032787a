"""「ルールを更新…」: take a rules pack a vendor sends (a zip or a folder), check it, show what it changes, and use it
only when the user says so; or go back to the rules shipped with the app. The work is done by core.rules_pack;
this module only asks and tells."""

from __future__ import annotations

from pathlib import Path

from . import qt

TITLE = "ルールの更新"


def run(wizard, choose=None, confirm=None, tell=None) -> str:
    """The whole action. Returns "installed", "bundled", "refused" or "cancelled".

    ``choose() -> (kind, path)`` with kind "zip" / "folder" / "bundled" / None, ``confirm(text) -> bool`` and
    ``tell(text)`` default to dialogs (tests pass their own)."""
    from ..core import rules_pack
    from ..core.rules import RulesError

    choose = choose or (lambda: _choose(wizard))
    confirm = confirm or (lambda text: _confirm(wizard, text))
    tell = tell or (lambda text: qt.QMessageBox.information(wizard, TITLE, text))
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
        tell(f"同梱のルールに戻しました。アプリを開き直すと同梱のルールで計算します。\n保管した差し替えルール: {kept}")
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
    lines = rules_pack.changes(wizard.rules, new) or ["計算に関わる変更はありません"]
    shown = "\n".join(f"・{ln}" for ln in lines[:25]) + (f"\n…ほか{len(lines) - 25}件" if len(lines) > 25 else "")
    if not confirm(f"ルール版 {new.version}（{new.last_checked:%Y年%m月%d日}確認）を確認しました。"
                   f"いまのルール（版 {wizard.rules.version}）からの変更:\n\n{shown}\n\nこのルールを使いますか。"):
        rules_pack.discard(staged)
        return "cancelled"
    kept = rules_pack.install(staged)
    tell("新しいルールを入れました。アプリを開き直すと新しいルールで計算します。"
         + (f"\n前の差し替えルールは保管してあります: {kept}" if kept else ""))
    return "installed"


def _choose(wizard):
    box = qt.QMessageBox(qt.QMessageBox.Icon.Question, TITLE,
                      "ベンダーから届いたルール（ZIP ファイルまたはフォルダ）を選んでください。\n"
                      "使う前に中身を確かめ、変わる点をお見せします。", parent=wizard)
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
    return qt.QMessageBox.question(wizard, TITLE, text) == qt.QMessageBox.StandardButton.Yes

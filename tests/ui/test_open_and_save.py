"""Opening, saving, closing and exporting: unsaved work is replaced only after asking, save says where, closing unsaved
says the autosave goes, exporting over a workbook says what would be lost."""

from __future__ import annotations

from pathlib import Path

from .driver import commit, facility

EXAMPLE = __import__("pathlib").Path(__file__).resolve().parents[2] / "resources" / "examples" / "yamada_clinic.ohshi.json"


def _answering(monkeypatch, label=None):
    """QMessageBox.exec records each question and presses the button whose text starts with ``label``."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(EXAMPLE), ""))
    asked = []

    def exec_(box):
        asked.append((box.text(), {b.text(): b.isEnabled() for b in box.buttons()}))
        box._clicked = next((b for b in box.buttons() if label and b.text().startswith(label) and b.isEnabled()), None)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: getattr(box, "_clicked", None))
    return asked


def test_open_replaces_unsaved_work_only_after_asking(wizard, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    w = wizard
    example = Path(__file__).resolve().parents[2] / "resources" / "examples" / "yamada_clinic.ohshi.json"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(example), ""))
    asked = []

    def answer(label):
        def exec_(box):
            asked.append(box.text())
            box._clicked = next(b for b in box.buttons() if b.text().startswith(label))
        return exec_

    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: box._clicked)
    facility(w, "clinic", "入力中の医院")
    monkeypatch.setattr(QMessageBox, "exec", answer("やめる"))
    w.open_dialog()
    assert asked and "置き換わります" in asked[0]
    assert w.facility_page.name.text() == "入力中の医院"  # kept
    monkeypatch.setattr(QMessageBox, "exec", answer("保存しないで開く"))
    w.open_dialog()
    assert w.facility_page.name.text() == "やまだ内科クリニック"
    assert w.windowTitle().startswith("yamada_clinic.ohshi.json") and not w.isWindowModified()
    asked.clear()
    w.open_dialog()  # nothing changed since it was opened: no question
    assert asked == []


def test_save_says_where_and_starts_in_documents(wizard, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ohshi_desk.ui.actions import documents_dir

    w = wizard
    w.settings.remove("files/last_dir")  # as on a first start
    facility(w, "clinic", "保存医院")
    offered = []
    target = tmp_path / "保存医院.ohshi.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: offered.append(a[2]) or (str(target), ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: None)
    assert w.isWindowModified()
    w.save_dialog()
    assert Path(offered[0]).parent == Path(documents_dir())
    assert target.exists() and "保存しました" in w.last_told and str(target) in w.last_told
    assert w.windowTitle().startswith("保存医院.ohshi.json") and not w.isWindowModified()


def test_open_in_an_untouched_window_opens_at_once(wizard, monkeypatch):
    """Issue 27 point 6: a fresh window (even after moving to page 2 and back) opens the file without a question."""
    w = wizard
    asked = _answering(monkeypatch)
    w.next()
    w.back()
    assert w.isWindowModified()  # moving between pages marks the window; it is still untouched
    w.open_dialog()
    assert asked == []
    assert w.facility_page.name.text() == "やまだ内科クリニック" and w.windowTitle().startswith("yamada_clinic")


def test_open_over_typed_work_offers_save_dont_save_or_cancel(wizard, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    w = wizard
    commit(w.facility_page.name, "入力中の医院")  # no 施設の種類 yet: it cannot be saved, and the question says so
    asked = _answering(monkeypatch, "保存してから開く")
    w.open_dialog()
    text, buttons = asked[0]
    assert buttons == {"保存してから開く(&S)": False, "保存しないで開く(&D)": True, "やめる": True}
    assert "施設の種類" in text
    assert w.facility_page.name.text() == "入力中の医院"  # nothing pressed that opens: kept
    asked = _answering(monkeypatch, "やめる")
    w.open_dialog()
    assert w.facility_page.name.text() == "入力中の医院"
    # with a kind chosen, 保存 saves and then opens
    w.facility_page.kind.setCurrentIndex(w.facility_page.kind.findData("clinic"))
    target = tmp_path / "入力中の医院.ohshi.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    asked = _answering(monkeypatch, "保存してから開く")
    w.open_dialog()
    assert all(asked[0][1].values())
    assert target.exists() and "入力中の医院" in target.read_text(encoding="utf-8")
    assert w.facility_page.name.text() == "やまだ内科クリニック"
    # a save called off (the file dialog cancelled) calls the open off too, and says so
    commit(w.facility_page.name, "また入力中")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    asked = _answering(monkeypatch, "保存してから開く")
    told = []
    from ohshi_desk.ui import plain

    monkeypatch.setattr(plain, "inform", lambda _p, title, text: told.append(title))
    w.open_dialog()
    assert told == ["開くのをやめました"] and "また入力中" in w.facility_page.name.text()
    # 保存しないで開く opens
    asked = _answering(monkeypatch, "保存しないで開く")
    w.open_dialog()
    assert w.facility_page.name.text() == "やまだ内科クリニック"


def test_the_written_message_closes_on_enter_and_closing_unsaved_says_the_autosave_goes(wizard, tmp_path,
                                                                                      monkeypatch):
    """Issue 27 point 9: after 「Excel に書き出しました」 Enter closes the message (it opened the file manager); the
    question on closing unsaved work says that not saving also removes the autosave."""
    from ohshi_desk.ui import plain

    w = wizard
    w.confirm_files = False  # the box is made, not shown
    w.tell_written(tmp_path / "book.xlsx", "Excel に書き出しました", open_label="Excel で開く(&O)")
    assert w.tell_default == "閉じる"
    asked = []
    monkeypatch.setattr(plain, "choose", lambda parent, title, text, buttons, default: asked.append(text))
    w.ask_before_close = True
    w.dirty = True
    w._confirm_close()
    assert asked and "自動保存も消え" in asked[0]
    w.ask_before_close = False


def test_exporting_over_a_workbook_says_what_would_be_lost_and_offers_a_new_name(wizard, tmp_path, monkeypatch):
    """Issue 27 point 9: an existing workbook may hold a vendor's entries — the app says so, and the default is a new
    name beside it (never Qt's generic 置き換えますか?); 置き換える and やめる do what they say."""
    from ohshi_desk.ui import actions

    w = wizard
    old = tmp_path / "やまだ_補助金管理表.xlsx"
    old.write_bytes(b"vendor's copy")
    monkeypatch.setattr(actions.qt.QFileDialog, "getSaveFileName", lambda *a, **k: (str(old), ""))
    monkeypatch.setattr(w, "export_path", lambda path, **k: path)
    monkeypatch.setattr(w, "tell_written", lambda *a, **k: None)
    chosen = []
    monkeypatch.setattr(w, "pick", lambda box: chosen.append(box) or box.defaultButton())
    assert w.ask_over_workbook(old) == tmp_path / "やまだ_補助金管理表_2.xlsx"  # the default: a new name
    assert "業者が記入して返送した管理表かもしれません" in w.last_told and "消えます" in w.last_told
    by_text = {}
    monkeypatch.setattr(w, "pick", lambda box: next(b for b in box.buttons() if b.text() == by_text["t"]))
    by_text["t"] = "置き換える(&R)"
    assert w.ask_over_workbook(old) == old
    by_text["t"] = "やめる"
    assert w.ask_over_workbook(old) is None
    assert actions.FileActions.free_name(tmp_path / "new.xlsx") == tmp_path / "new.xlsx"
    w.export_dialog()  # the whole path: the dialog's answer exists, so it is asked
    assert old.read_bytes() == b"vendor's copy"

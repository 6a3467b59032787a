"""The receptionist's wizard, round 3 (issue 27): no answer changes by accident, every warning where it is typed."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWizard

from ohshi_desk.ui.pages import CONFIRM, GOALS, PLANS, READER, RESULT

from .driver import commit, every_page, facility, next_page


def wheel(widget, dy: int) -> None:
    """One notch of the mouse wheel over the middle of ``widget`` (dy: +120 up, -120 down)."""
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, dy),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def choosers(page):
    """Every combo box, spin box and date field shown on ``page``."""
    return [c for c in page.findChildren(QComboBox) + page.findChildren(QAbstractSpinBox) if c.isVisible()]


def value_of(c):
    return c.currentText() if isinstance(c, QComboBox) else c.text()


def test_the_wheel_changes_no_answer_on_any_page(wizard, qtbot):
    """Turning the wheel over a combo box, spin box or date field that does not have the focus changes nothing
    (issue 27 point 1: 改修の内容 ②→① cut a hospital's estimate unnoticed)."""
    w = wizard
    control = QComboBox()  # the same wheel does change a combo box left as Qt makes it
    control.addItems(["a", "b", "c"])
    qtbot.addWidget(control)
    wheel(control, -120)
    assert control.currentIndex() == 1
    seen = 0
    for page in every_page(w):
        found = choosers(page)
        # the result page has no date field since issue 22 (another day is chosen through a dialog)
        assert found or page.heading in ("やりたいこと", "利用状況（2024年の制度）", "入力内容の確認", "結果: 補助の見積り"), page.heading
        for c in found:
            w.button(QWizard.WizardButton.BackButton if w.currentId() else QWizard.WizardButton.CancelButton).setFocus()
            assert not c.hasFocus()
            case, shown = w.case_data(), value_of(c)
            for dy in (-120, -120, 120, 120, 120):
                wheel(c, dy)
            assert value_of(c) == shown, f"{page.heading}: {c.accessibleName()}"
            assert w.case_data() == case, f"{page.heading}: {c.accessibleName()}"
            # and the wheel does not take the focus (Qt's WheelFocus would give it before the turn)
            assert c.focusPolicy() == Qt.FocusPolicy.StrongFocus, c.accessibleName()
            seen += 1
    assert seen >= 9  # 3 on 施設, 2 on カードリーダー, 改修の内容 and the 品目 of each line (the result has no day field)


def test_the_wheel_over_a_choice_scrolls_the_page_and_a_focused_choice_still_turns(wizard, qtbot):
    w = wizard
    facility(w, "hospital")
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["medical_aid_card"].setChecked(True)
    next_page(w, PLANS)
    ed = w.plans_page.editors["medical_aid_card"]
    for _ in range(12):
        ed.add_row()
    bar = w.plans_page.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(0)
    combo = ed.rows[0].item
    before = combo.currentIndex()
    w.button(QWizard.WizardButton.BackButton).setFocus()
    wheel(combo, -120)
    assert combo.currentIndex() == before
    assert bar.value() > 0  # the page scrolled instead
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel(combo, -120)
    assert combo.currentIndex() == before + 1  # chosen on purpose: the wheel may turn it


def test_every_combo_box_of_the_wizard_is_a_guarded_choice():
    """A combo box made anywhere in the window is widgets.Choice (the wheel rule); any other spin box or date field
    is guarded when its page is built (widgets.guard_wheels), which the test above checks on every page."""
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "ohshi_desk" / "ui"
    made = [f"{p.name}: {line.strip()}" for p in ui.rglob("*.py") if p.name not in ("qt.py", "widgets.py")
            for line in p.read_text(encoding="utf-8").splitlines() if "QComboBox(" in line]
    assert made == []


def test_an_excluded_item_says_so_beside_its_line_as_it_is_chosen(wizard, qtbot, rules):
    """A desktop PC for a 健診センター: the rules' reason beside the line the moment it is chosen (no price yet),
    and a notebook PC's 個別審査 too; a tablet gets no warning (issue 27 point 3)."""
    w = wizard
    facility(w, "other", "健診センター", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)
    edition = rules.program("checkup_limited_check").editions[-1]
    ed = w.plans_page.editors["checkup_limited_check"]
    row = ed.add_row()
    row.item.setCurrentIndex(row.item.findData("desktop_pc"))
    qtbot.waitUntil(lambda: row.note.isVisible())
    assert edition.excluded_items["desktop_pc"].value in row.note.text()
    assert row.item.accessibleDescription() == row.note.text()
    assert all(not r.note.isVisible() for r in ed.rows if r is not row)  # the reader and the tablet are paid
    row.item.setCurrentIndex(row.item.findData("notebook_pc"))
    qtbot.waitUntil(lambda: edition.review_items["notebook_pc"].value in row.note.text())
    commit(row.price, "98000")  # priced, it still says why
    w.plans_page.update_estimate()
    assert edition.review_items["notebook_pc"].value in row.note.text()
    row.item.setCurrentIndex(row.item.findData("tablet"))
    w.plans_page.update_estimate()
    assert "事業費の上限" in row.note.text()  # a tablet dearer than the cap: the part over it is said too
    commit(row.price, "20000")
    w.plans_page.update_estimate()
    assert row.note.text() == "" and not row.note.isVisible()


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


def test_the_confirm_page_lists_every_answer_a_program_reads_with_a_fix_link(wizard, rules):
    """Issue 27 point 7: 改修の内容, 「既に申請した」 (a plan question from the rules), the other makers' readers, the
    free readers and every facility question are on 入力内容の確認, each row with 「訂正」 back to its page."""
    from PySide6.QtCore import QUrl

    w = wizard
    facility(w, "hospital", "確認病院", exempt=False, checkup=False)
    next_page(w, READER)
    rp = w.reader_page
    rp.buttons["fujitsu"].setChecked(True)
    rp.other_maker.setCurrentIndex(rp.other_maker.findData("canon"))
    rp.free_units.setCurrentIndex(rp.free_units.findData(1))
    next_page(w, GOALS)
    w.goals_page.boxes["medical_aid_card"].setChecked(True)
    w.goals_page.boxes["outpatient_mobile"].setChecked(True)
    next_page(w, PLANS)
    pp = w.plans_page
    pp.options["medical_aid_card"].setCurrentIndex(pp.options["medical_aid_card"].findData("both"))
    pp.flags["medical_aid_card"]["already_claimed"].setChecked(True)
    commit(pp.editors["medical_aid_card"].rows[0].price, "900000")
    w.next()
    assert w.currentId() == CONFIRM
    html = w.confirm_page.html
    p7 = rules.program("medical_aid_card")
    expected = [p7.options["both"], p7.questions["already_claimed"]["label"], rules.makers["canon"]["label"],
                rules.makers["fujitsu"]["label"], "1台", "900,000円", "確認病院", rules.kinds["hospital"]["label"]]
    expected += [q["label"] for q in rules.program("outpatient_mobile").questions.values()]
    expected += [f["label"] for f in rules.flags.values()]
    for text in expected:
        assert text in html, text
    sections = w.confirm_page.sections()
    answered = {q for _h, _p, rows, _pid in sections for q, _a in rows}
    for f in w.reader_page.FIELDS + w.facility_page.FIELDS:
        assert rules.flags.get(f.key, {}).get("label", f.label) in answered, f.label
    for program in (p7, rules.program("outpatient_mobile")):  # every question the chosen programs read
        for qid in program.questions:
            assert program.questions[qid]["label"] in answered
        if program.options:
            assert "改修の内容" in answered
    rows_with_fix = html.count("訂正</a>")
    assert rows_with_fix == sum(len(rows) + (pid is not None) for _h, _p, rows, pid in sections)
    # 「訂正」 goes back to the page, and 次へ comes back with the answers as they were
    w.confirm_page.view.anchorClicked.emit(QUrl(f"fix:{READER}"))
    assert w.currentId() == READER and rp.other_maker.currentData() == "canon"
    w.next()
    w.next()
    w.next()
    assert w.currentId() == CONFIRM and pp.flags["medical_aid_card"]["already_claimed"].isChecked()


HOSPITAL_P7 = {
    "format": "ohshi-desk-case/1",
    "facility": {"name": "べっぷ中央病院", "kind": "hospital", "prefecture": "大分県"},
    "face_reader": {"maker": "panasonic", "units": 2, "free_units": 0},
    "plans": {"medical_aid_card": {"option": "both", "lines": [  # ② with 再来受付機: 450,000円; ①: 283,000円
        {"item": "receipt_system_change", "quantity": 1, "unit_price": 600000},
        {"item": "reception_machine_change", "quantity": 1, "unit_price": 300000}]}},
}


def _hospital_at(w, tmp_path, page_id):
    """The hospital case opened, and 次へ until ``page_id``."""
    import json

    path = tmp_path / "h.ohshi.json"
    path.write_text(json.dumps(HOSPITAL_P7, ensure_ascii=False), encoding="utf-8")
    assert w.open_path(path)
    for _ in range(8):
        if w.currentId() == page_id:
            break
        w.next()
    assert w.currentId() == page_id
    return w


def test_the_running_estimate_follows_the_option_and_already_claimed_as_the_result_does(wizard, qtbot, tmp_path,
                                                                                        clock):
    """Issue 27 point 2: 改修の内容 ②→① and 「既に申請した」 change the running estimate on 購入予定 at once, and it
    always equals the result page's figure (one engine, one case)."""
    import datetime as dt
    import json

    from ohshi_desk.core.case.model import parse_case
    from ohshi_desk.core.compute.engine import compute
    from ohshi_desk.core.compute.presenting import claimable_total

    clock(dt.date(2025, 11, 1))  # P7 open
    w = _hospital_at(wizard, tmp_path, PLANS)
    pp = w.plans_page

    def engine_total(option, claimed):
        data = json.loads(json.dumps(HOSPITAL_P7))
        data["plans"]["medical_aid_card"]["option"] = option
        data["plans"]["medical_aid_card"]["already_claimed"] = claimed
        bd = compute(parse_case(data, w.rules), w.rules, dt.date(2025, 11, 1))
        return f"いま申請できる見積り合計: {claimable_total(bd, {'medical_aid_card'}):,}円"

    both = engine_total("both", False)
    qtbot.waitUntil(lambda: pp.estimate.text() == both)
    combo = pp.options["medical_aid_card"]
    combo.setCurrentIndex(combo.findData("certificate"))
    first = engine_total("certificate", False)
    assert first != both  # the option decides the money
    qtbot.waitUntil(lambda: pp.estimate.text() == first)
    pp.flags["medical_aid_card"]["already_claimed"].setChecked(True)
    claimed = engine_total("certificate", True)
    assert claimed == "いま申請できる見積り合計: 0円"
    qtbot.waitUntil(lambda: pp.estimate.text() == claimed)
    for _ in range(4):
        if w.currentId() == RESULT:
            break
        w.next()
    assert w.currentId() == RESULT and w.result_page.total.text() == pp.estimate.text()


def test_the_pages_print_and_banner_share_one_engine_call_per_change(wizard, tmp_path, monkeypatch, clock):
    """Issue 28 point 1: while nothing has changed, the result page, the print and a second look ask the engine
    nothing again; a change of any answer (or of the day) asks it once more."""
    import datetime as dt

    from ohshi_desk.core.compute import engine

    clock(dt.date(2025, 11, 1))
    w = _hospital_at(wizard, tmp_path, RESULT)
    calls = []
    real = engine.compute
    monkeypatch.setattr(engine, "compute", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    first = w.compute(w.day())
    w.breakdown_html()
    w.result_page.refresh_if_stale()
    assert w.compute(w.day()) is first and calls == []
    w.plans_page.flags["medical_aid_card"]["already_claimed"].setChecked(True)
    assert w.compute(w.day()) is not first and len(calls) == 1
    clock(dt.date(2025, 11, 2))
    w.compute(w.day())
    assert calls[-1] == dt.date(2025, 11, 2) and len(calls) == 2


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

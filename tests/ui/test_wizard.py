"""The wizard end to end with pytest-qt (offscreen). Japanese text is typed through input-method commit events."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWizard

from ohshi_desk.ui.pages import GOALS, PLANS, READER, RESULT, USAGE
from ohshi_desk.ui.wizard import OhshiWizard

from ..conftest import FIXTURE_CASE
from .driver import commit, facility, next_page, result_cards, set_result_date, to_plans


def test_japanese_translation_and_locale(wizard):
    assert wizard.button(QWizard.WizardButton.NextButton).text().startswith("次へ")
    assert wizard.button(QWizard.WizardButton.CancelButton).text() == "キャンセル"


def test_every_page_shows_its_own_heading_in_the_same_style(wizard):
    """Each page draws its title and subtitle itself (QWizard's titles stay empty, so no page gets Windows' Aero
    heading or Linux's bold one), and the wizard keeps the Classic look on every system."""
    from PySide6.QtWidgets import QLabel

    w = wizard
    assert w.wizardStyle() == QWizard.WizardStyle.ClassicStyle
    for page in (w.facility_page, w.reader_page, w.goals_page, w.plans_page, w.usage_page, w.result_page):
        if hasattr(page, "ensure_built"):
            page.ensure_built()
        assert page.title() == "" and page.subTitle() == ""
        labels = page.findChildren(QLabel)
        heading = next(label for label in labels if label.text() == page.heading)
        assert page.heading and not heading.font().bold()
        assert heading.font().pointSizeF() > page.font().pointSizeF() * 1.3
        assert heading.isVisible() == (page is w.currentPage())
    assert w.facility_page.heading == "施設について" and w.result_page.heading == "結果: 補助の見積り"


def test_explanations_and_errors_are_coloured_without_style_sheets(wizard):
    from PySide6.QtGui import QColor, QPalette

    fp = wizard.facility_page
    help_label = next(label for label in fp.findChildren(type(fp.kind_note)) if "紙レセプトで請求" in label.text())
    assert help_label.styleSheet() == ""
    assert help_label.palette().color(QPalette.ColorRole.WindowText) == QColor("#555555")
    commit(fp.code, "12345")
    assert fp.code_error.isVisible() and "7桁" in fp.code_error.text()
    assert fp.code_error.palette().color(QPalette.ColorRole.WindowText) == QColor("#c62828")


def test_canon_clinic_wanting_smartphone_support_sees_not_needed(wizard, qtbot):
    w = wizard
    facility(w, "clinic", "やまだ内科クリニック")
    next_page(w, READER)
    w.reader_page.buttons["canon"].setChecked(True)
    assert w.reader_page.canon_info.isVisible()
    assert "不要" in w.reader_page.canon_info.text()
    next_page(w, GOALS)
    assert w.goals_page.boxes["smartphone_reader"].isEnabled()
    assert "不要" in w.goals_page.reasons["smartphone_reader"].text()
    w.goals_page.boxes["smartphone_reader"].setChecked(True)
    next_page(w, PLANS)
    assert not w.plans_page.editors["smartphone_reader"].isVisible()
    assert w.plans_page.editors["smartphone_reader"].rows == []  # no reader line
    assert "不要" in w.plans_page.not_needed["smartphone_reader"].text()
    next_page(w, RESULT)
    set_result_date(w, dt.date(2025, 11, 1))
    cards = result_cards(w)
    assert cards["smartphone_reader"].status.text() == "不要"
    assert cards["smartphone_reader"].amount.text() == "見積額 0円"
    assert w.case_data()["plans"]["smartphone_reader"]["lines"] == []


def _smartphone_status(w) -> str:
    from ohshi_desk.core.compute.engine import compute

    out = compute(w.case(), w.rules)
    return next(p for p in out["programs"] if p["id"] == "smartphone_reader")["status"]


def test_hospital_with_a_second_maker_reader_is_not_told_not_needed(wizard, tmp_path):
    """Issue 14 point 9 on the reader page: a Canon reader and a Panasonic one; the Panasonic one cannot read the
    smartphone by itself, so smartphone support is not 'not needed' (a Canon-only hospital is told it is)."""
    w = wizard
    facility(w, "hospital", "みなと総合病院")
    next_page(w, READER)
    rp = w.reader_page
    rp.buttons["canon"].setChecked(True)
    assert rp.other_maker.accessibleName() and rp.other_maker.currentText() == "ない"
    next_page(w, GOALS)
    w.goals_page.boxes["smartphone_reader"].setChecked(True)
    next_page(w, PLANS)
    assert "other_makers" not in w.case_data()["face_reader"]  # ない: left out
    assert _smartphone_status(w) == "not_needed"  # Canon only
    w.back()
    w.back()
    assert w.currentId() == READER
    rp.other_maker.setCurrentIndex(rp.other_maker.findData("panasonic"))
    next_page(w, GOALS)
    assert w.goals_page.boxes["smartphone_reader"].isChecked()
    assert "不要" not in w.goals_page.reasons["smartphone_reader"].text()
    next_page(w, PLANS)
    assert w.case_data()["face_reader"]["other_makers"] == ["panasonic"]
    assert _smartphone_status(w) != "not_needed"
    # saved and reopened, the second maker is chosen again
    path = tmp_path / "byoin.ohshi.json"
    path.write_text(json.dumps(w.case_data(), ensure_ascii=False), encoding="utf-8")
    rp.other_maker.setCurrentIndex(0)
    assert w.open_path(path)
    assert rp.other_maker.currentData() == "panasonic"


def test_a_hospital_with_two_programs_gets_their_sum_and_after_a_deadline_only_the_open_one(fx_wizard):
    w = fx_wizard
    facility(w, "hospital", "べっぷ中央病院", fx_visits=1)  # テスト2 asks at least 1件
    next_page(w, READER)
    w.reader_page.buttons["panasonic"].setChecked(True)
    next_page(w, GOALS)
    w.goals_page.boxes["fx_capped"].setChecked(True)
    w.goals_page.boxes["fx_coupons"].setChecked(True)
    next_page(w, PLANS)
    capped = w.plans_page.editors["fx_capped"]
    assert [r.item.currentData() for r in capped.rows] == ["mobile_terminal", "receipt_system_change"]
    capped.rows[0].quantity.setText("2")
    commit(capped.rows[0].price, "25,000")
    commit(capped.rows[1].price, "80万円")
    coupons = w.plans_page.editors["fx_coupons"]
    coupons.rows[0].quantity.setText("2")
    commit(coupons.rows[0].price, "9800")
    commit(coupons.rows[0].description, "汎用カードリーダー（受付2か所）")
    next_page(w, RESULT)  # no program reading the usage chosen: the usage page is skipped
    set_result_date(w, dt.date(2025, 11, 1))
    bd = w.result_page.breakdown
    by_id = {p["id"]: p for p in bd["programs"]}
    assert by_id["fx_capped"]["subsidy"] == 411000  # (50,000→41,000) + (800,000→781,000) = 822,000 × 1/2
    assert by_id["fx_coupons"]["subsidy"] == 9800  # 2 of a hospital's 3 coupons: 9,800 × 1/2 each
    assert bd["total_subsidy_open"] == 420800
    assert "420,800円" in w.result_page.total.text()
    assert "usage" not in w.case_data()
    # the date selector recomputes live: after テスト1's deadline only テスト2 (to 2026-01-31) is claimable now
    set_result_date(w, dt.date(2026, 1, 16))
    assert w.result_page.breakdown["total_subsidy_open"] == 9800
    assert "受付終了" in result_cards(w)["fx_capped"].status.text()
    set_result_date(w, dt.date(2026, 2, 1))
    assert w.result_page.breakdown["total_subsidy_open"] == 0
    assert "受付終了" in result_cards(w)["fx_coupons"].status.text()


def test_checkup_centre_tablet_and_desktop_pc(wizard):
    w = wizard
    facility(w, "other", "べっぷ健診センター", checkup=True)
    next_page(w, READER)
    w.reader_page.buttons["unknown"].setChecked(True)
    next_page(w, GOALS)
    assert not w.goals_page.boxes["home_visit"].isEnabled()
    assert "対象外" in w.goals_page.reasons["home_visit"].text()
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)
    ed = w.plans_page.editors["checkup_limited_check"]
    ed.remove_row(ed.rows[0])  # no card reader
    ed.rows[0].item.setCurrentIndex(ed.rows[0].item.findData("tablet"))
    commit(ed.rows[0].price, "30000")
    row = ed.add_row()
    row.item.setCurrentIndex(row.item.findData("desktop_pc"))
    commit(row.price, "98000")
    next_page(w, RESULT)
    set_result_date(w, dt.date(2026, 11, 22))
    card = result_cards(w)["checkup_limited_check"]
    assert card.amount.text() == "見積額 22,000円"
    assert "受付中" in card.status.text()
    card.toggle.setChecked(True)
    assert card.details.isVisible()
    assert "デスクトップPCは補助対象外" in card.details.text()
    from PySide6.QtWidgets import QLabel

    assert any("申請先: 施術所等向け総合ポータルサイト" in lbl.text() for lbl in card.findChildren(QLabel))


def test_full_width_price_input_and_errors_block_next(fx_wizard):
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    row = w.plans_page.editors["fx_capped"].rows[0]
    commit(row.price, "４，０００円")
    assert row.price.value() == 4000
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    row.price.clear()
    commit(row.price, "ー５００")
    assert row.price.value() is None
    assert "マイナス" in row.error.text() and "1行目" in row.error.text()
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()
    assert "1行目の「単価（税込）」を確かめてください" in w.plans_page.missing_line.text()
    row.price.clear()
    commit(row.price, "４．２万")
    assert row.price.value() == 42000
    assert not row.error.isVisible()
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    # Back never loses what was typed
    w.back()
    w.back()
    assert w.currentId() == READER
    next_page(w, GOALS)
    next_page(w, PLANS)
    price = w.plans_page.editors["fx_capped"].rows[0].price
    assert price.value() == 42000 and price.text() == "42,000"  # as understood, once the field was left


def test_unchecked_goal_does_not_feed_the_engine(fx_wizard):
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped", "fx_usage_bonus", fx_visits=2)  # テスト2 asks at least 1件
    commit(w.plans_page.editors["fx_capped"].rows[0].price, "40000")
    next_page(w, USAGE)
    commit(w.usage_page.edits["oct2023_rate_percent"], "４")
    w.usage_page.edits["oct2023_users"].setText("40")
    w.usage_page.edits["best_month_users_2024"].setText("200")
    w.usage_page.edits["oct2023_receipts"].setText("1000")
    next_page(w, RESULT)
    assert {p["id"] for p in w.result_page.breakdown["programs"]} >= {"fx_capped", "fx_usage_bonus"}
    assert {p["id"]: p for p in w.result_page.breakdown["programs"]}["fx_usage_bonus"]["subsidy"] == 200000
    w.back()  # the 入力内容の確認 page
    w.back()
    w.back()
    w.back()
    assert w.currentId() == GOALS
    w.goals_page.boxes["fx_usage_bonus"].setChecked(False)
    w.goals_page.boxes["fx_capped"].setChecked(False)
    w.goals_page.boxes["fx_coupons"].setChecked(True)
    data = w.case_data()
    assert "usage" not in data and set(data["plans"]) == {"fx_coupons"}


def test_keyboard_enter_goes_next_and_inputs_have_accessible_names(wizard, qtbot):
    w = wizard
    facility(w, "pharmacy")
    w.facility_page.name.setFocus()
    qtbot.keyClick(w.facility_page.name, Qt.Key.Key_Return)
    assert w.currentId() == READER
    checked = 0
    for page in (w.facility_page, w.reader_page, w.goals_page, w.plans_page, w.usage_page, w.result_page):
        from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

        if hasattr(page, "ensure_built"):
            page.ensure_built()  # pages build their widgets when first needed

        for widget in page.findChildren(QLineEdit) + page.findChildren(QComboBox) + page.findChildren(QAbstractButton):
            from PySide6.QtWidgets import QAbstractSpinBox

            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
                continue  # the editor inside a combo box or date field: the outer widget carries the name
            if isinstance(widget, QAbstractButton) and widget.text() and not widget.accessibleName():
                continue  # a button's own text is its accessible name
            assert widget.accessibleName(), f"{type(widget).__name__} {widget.text() if hasattr(widget, 'text') else ''}"
            checked += 1
    assert checked > 60


def test_municipality_follows_the_prefecture(wizard):
    fp = wizard.facility_page
    assert not fp.municipality.isEnabled() and fp.municipality.placeholderText() == "先に都道府県を選んでください"
    fp.prefecture.setCurrentIndex(fp.prefecture.findData("大分県"))
    assert fp.municipality.isEnabled() and fp.municipality.isEditable()
    assert fp.municipality.findText("別府市") >= 0
    commit(fp.municipality.lineEdit(), "湯布院町")  # typed: not on the seed-003 list, still kept
    assert fp.to_data()["municipality"] == "湯布院町"
    # whether it is on the notice's list of 医療費助成 participants is said with the goal it concerns, not here
    assert not any("参加予定" in label.text() for label in fp.findChildren(QLabel))
    fp.kind.setCurrentIndex(fp.kind.findData("clinic"))
    next_page(wizard, READER)
    next_page(wizard, GOALS)
    (pid,) = wizard.rules.municipalities["shown_with"]
    info = wizard.goals_page.infos[pid]
    assert info.isVisibleTo(wizard.goals_page)
    assert "大分県は医療費助成のオンライン資格確認に参加予定の都道府県です。湯布院町は参加予定の市区町村の一覧にありません。" in info.text()
    assert not any(wizard.goals_page.infos[other].text() for other in wizard.goals_page.infos if other != pid)
    wizard.back()
    wizard.back()
    # a file that names a municipality without a prefecture still shows it
    fp.load({"kind": "clinic", "municipality": "どこか町"})
    assert fp.municipality.currentText() == "どこか町" and fp.to_data()["municipality"] == "どこか町"


def test_save_and_open_round_trip_keeps_unknown_keys(fx_wizard, tmp_path):
    w = fx_wizard
    src = tmp_path / "in.ohshi.json"
    data = json.loads(FIXTURE_CASE.read_text(encoding="utf-8"))
    data["x_vendor"] = {"note": "残す"}
    data["plans"]["fx_capped"]["option"] = "wide"  # not the program's default
    data["usage"] = {"oct2023_receipts": 1000, "oct2023_rate_percent": 4.0, "oct2023_users": 40,
                     "best_month_users_2024": 200, "peak_monthly_uses": 600}
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert w.open_path(src)
    assert w.facility_page.name.text() == "てすと内科クリニック"
    assert w.reader_page.maker() == "panasonic"
    # the usage given chooses the program that reads only it (テスト4), with the two planned
    assert set(w.goals()) == {"fx_coupons", "fx_capped", "fx_usage_bonus"}
    assert w.plans_page.options["fx_capped"].currentData() == "wide"
    out = tmp_path / "out.ohshi.json"
    assert w.save_path(out)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["x_vendor"] == {"note": "残す"}
    assert saved["plans"]["fx_capped"] == data["plans"]["fx_capped"]
    assert saved["plans"]["fx_coupons"]["lines"][0]["description"] == "ICカードリーダー 型番"
    assert saved["usage"] == data["usage"]
    assert saved["facility"] == data["facility"]


def test_opening_a_broken_file_keeps_what_is_on_screen(wizard, tmp_path, monkeypatch):
    from ohshi_desk.ui import plain

    shown = []
    monkeypatch.setattr(plain, "warn", lambda *a, **k: shown.append(a[2]))
    facility(wizard, "clinic", "入力中の医院")
    bad = tmp_path / "bad.ohshi.json"
    bad.write_text('{"format": "ohshi-desk-case/1", "facility": {"kind": "cli', encoding="utf-8")
    assert not wizard.open_path(bad)
    assert shown and "JSONとして読めません" in shown[0]
    assert wizard.facility_page.name.text() == "入力中の医院"


def test_print_to_pdf(wizard, tmp_path):
    w = wizard
    to_plans(w, "clinic", "medical_aid_card")
    commit(w.plans_page.editors["medical_aid_card"].rows[0].price, "80000")
    next_page(w, RESULT)
    pdf = tmp_path / "out.pdf"
    w.print_to_pdf(pdf)
    head = pdf.read_bytes()[:5]
    assert head == b"%PDF-" and pdf.stat().st_size > 2000


def test_smoke_flag_exits_zero_and_leaves_the_settings_alone(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "--smoke"], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
                               "XDG_CONFIG_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "first page shown at" in proc.stdout
    # a check run does not change the window size the user will get next time
    assert "size" not in "".join(p.read_text() for p in tmp_path.rglob("*.conf"))


def test_excel_button_writes_the_workbook_and_it_opens_again(fx_wizard, tmp_path, fixture_rules):
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped", name="エクセル医院")
    commit(w.plans_page.editors["fx_capped"].rows[0].price, "40000")
    commit(w.plans_page.editors["fx_capped"].rows[0].description, "タブレット ABC")
    next_page(w, RESULT)
    assert w.result_page.export_button.isVisible()
    written = w.export_path(tmp_path / "book.xlsx")
    assert written == tmp_path / "book.xlsx" and written.exists()
    other = OhshiWizard(fixture_rules)
    other.ask_before_close = False
    assert other.open_path(written)
    assert other.facility_page.name.text() == "エクセル医院"
    assert other.plans_page.editors["fx_capped"].rows[0].description.text() == "タブレット ABC"
    other.dirty = False
    other.deleteLater()


def test_excel_locked_target_offers_another_name(wizard, tmp_path, monkeypatch):
    import os

    from ohshi_desk.ui import plain

    w = wizard
    facility(w, "clinic")
    target = tmp_path / "locked.xlsx"
    target.write_bytes(b"old")
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda s, d: (_ for _ in ()).throw(PermissionError(13, "locked"))
                        if str(d) == str(target) else real(s, d))
    asked = []
    monkeypatch.setattr(plain, "ask", lambda *a, **k: asked.append(a[2]) or True)
    written = w.export_path(target)
    assert asked and "開いたまま" in asked[0]
    assert written == tmp_path / "locked (2).xlsx" and written.exists()
    assert target.read_bytes() == b"old"


def test_wizard_writes_a_case_the_core_reads(wizard, rules, tmp_path):
    """What the wizard saves is a case file of the core's format that the CLI's reader takes back unchanged."""
    from ohshi_desk.core.case.model import read_case_file

    facility(wizard, "clinic", "形式テスト医院")
    path = tmp_path / "c.ohshi.json"
    assert wizard.save_path(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format"] == "ohshi-desk-case/1"
    case = read_case_file(path, rules)
    assert case.facility.name == "形式テスト医院" and case.facility.kind == "clinic"


def test_no_reader_greys_the_questions_about_it_keeps_what_was_typed_and_does_not_block(fx_wizard):
    """「持っていない」: 型番, 台数, 無償提供 and ほかのメーカー do not apply. They are greyed with a line saying so, an
    empty or wrong 台数 does not stop 次へ, and what was typed comes back when a maker is chosen again."""
    w = fx_wizard
    facility(w, "clinic")
    next_page(w, READER)
    rp = w.reader_page
    rp.buttons["canon"].setChecked(True)
    commit(rp.units, "2")
    rp.free_units.setCurrentIndex(rp.free_units.findData(1))
    fields = (rp.model, rp.units, rp.free_units, rp.other_maker)
    assert all(f.isEnabled() for f in fields) and rp.none_note.isHidden()
    rp.buttons["none"].setChecked(True)
    assert not any(f.isEnabled() for f in fields) and not rp.none_note.isHidden()
    rp.units.clear()
    commit(rp.units, "-3")  # wrong, but not asked
    assert rp.isComplete() and rp.blockers() == []
    rp.units.clear()
    commit(rp.units, "2")
    rp.buttons["canon"].setChecked(True)
    assert all(f.isEnabled() for f in fields) and rp.none_note.isHidden()
    assert rp.units.value() == 2 and rp.free_units.currentData() == 1
    rp.units.clear()
    commit(rp.units, "-3")
    assert not rp.isComplete() and rp.blockers()

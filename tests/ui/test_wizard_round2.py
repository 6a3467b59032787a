"""The receptionist's wizard, round 2: fits any screen, says what is claimable now, never leaves them stuck."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from ohshi_desk.ui.pages import GOALS, PLANS, READER, RESULT

from .driver import commit, facility, next_page, result_cards, set_result_date, to_plans

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("width,height,scale,first_page_fits", [(1366, 768, "1.5", False), (1920, 1040, "1.5", True),
                                                                (1366, 768, "1", True), (1024, 728, "1.25", False)])
def test_every_button_is_on_screen_at_any_text_scale(tmp_path, width, height, scale, first_page_fits):
    """At 150 % text on 1366×768 (and 1920×1080 less a taskbar) 次へ/戻る/キャンセル/開く/保存 and the result page's
    buttons are on the screen's free area on every page. At 100 % on 1366×768 the first page (施設) is whole in the
    window at its first size, with nothing to scroll, as it opens, with a kind and with a prefecture chosen
    (issue 27 point 9)."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale,
           "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(HERE / "fit_driver.py")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["pages"] == [0, 1, 2, 3, 4, 6, 5]  # every page was seen (6: 入力内容の確認, before the result)
    assert out["problems"] == []
    if first_page_fits:
        assert out["first_page_scrolls"] == [], out


def mnemonics(w, page) -> dict[str, list[str]]:
    """Alt+letter → the controls it would reach on ``page`` (with the wizard's own buttons)."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel

    seen: dict[str, list[str]] = {}
    texts = [b.text() for b in w.findChildren(QAbstractButton) if b.isVisible() and not page.isAncestorOf(b)]
    texts += [b.text() for b in page.findChildren(QAbstractButton)]
    texts += [lbl.text() for lbl in page.findChildren(QLabel) if lbl.buddy() is not None]
    for t in texts:
        m = re.search(r"&([^&])", t.replace("&&", ""))
        if m:
            seen.setdefault(m.group(1).upper(), []).append(t)
    return seen


def walk_every_page(w):
    facility(w, "clinic", checkup=True, exempt=True)
    yield w.currentPage()
    for target in (READER, GOALS):
        next_page(w, target)
        yield w.currentPage()
    for pid in ("home_visit", "usage_bonus"):
        w.goals_page.boxes[pid].setChecked(True)
    next_page(w, PLANS)
    yield w.currentPage()
    commit(w.plans_page.editors["home_visit"].rows[0].price, "40000")
    w.next()
    yield w.currentPage()
    while w.currentId() != RESULT:
        w.next()
        yield w.currentPage()
    assert w.currentId() == RESULT


def test_no_page_has_two_controls_on_one_alt_letter(wizard):
    """Alt+N is 次へ on every page (it went to 施設名 on page 1); no letter reaches two controls."""
    pages = 0
    for page in walk_every_page(wizard):
        clashes = {k: v for k, v in mnemonics(wizard, page).items() if len(v) > 1}
        assert clashes == {}, f"{page.heading}: {clashes}"
        pages += 1
    assert pages >= 6


def test_each_page_starts_on_its_first_field_with_a_visible_ring(wizard, qtbot):
    from PySide6.QtWidgets import QGraphicsDropShadowEffect

    w = wizard
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qtbot.waitUntil(lambda: w.focusWidget() is w.facility_page.name)
    qtbot.waitUntil(lambda: isinstance(w.facility_page.name.graphicsEffect(), QGraphicsDropShadowEffect))
    facility(w, "clinic")
    next_page(w, READER)
    first_maker = next(iter(w.reader_page.buttons.values()))
    qtbot.waitUntil(lambda: w.focusWidget() is first_maker)
    assert isinstance(first_maker.graphicsEffect(), QGraphicsDropShadowEffect)
    assert w.facility_page.name.graphicsEffect() is None  # the ring follows the focus


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2025, 6, 1), "受付前・令和7年8月29日から受付"),
    (dt.date(2026, 11, 23), "受付終了・令和8年1月31日（目安）で締切"),  # P1's end is not in the notice
])
def test_a_goal_that_is_not_needed_still_says_whether_it_is_open(wizard, clock, day, expected):
    """A Canon clinic does not need P1; beside its goal the window says closed / not yet open, not a bare period."""
    clock(day)
    w = wizard
    facility(w, "clinic", "キヤノン医院")
    next_page(w, READER)
    w.reader_page.buttons["canon"].setChecked(True)
    next_page(w, GOALS)
    assert w.goals_page.reasons["smartphone_reader"].text().startswith("不要")
    assert w.goals_page.whens["smartphone_reader"].text() == expected


def test_closed_programs_fold_to_one_line_and_never_count_as_claimable(wizard):
    w = wizard
    facility(w, "hospital", "べっぷ中央病院", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    # status and deadline beside each goal (the suite's day is 2026-11-23: only the 健診 program is open)
    assert "受付終了" in w.goals_page.whens["home_visit"].text()
    assert "令和8年1月15日" in w.goals_page.whens["home_visit"].text()
    w.goals_page.boxes["home_visit"].setChecked(True)
    next_page(w, PLANS)
    hv = w.plans_page.editors["home_visit"]
    hv.rows[0].quantity.setText("2")
    commit(hv.rows[0].price, "25,000")
    commit(hv.rows[1].price, "80万円")
    next_page(w, RESULT)
    assert w.result_page.breakdown["total_subsidy"] == 411000  # the engine's figure, reference only
    assert w.result_page.total.text() == "いま申請できる見積り合計: 0円"
    line = result_cards(w)["home_visit"]
    assert type(line).__name__ == "ClosedLine" and not hasattr(line, "amount")
    assert "令和8年1月15日で締切。現在は申請できません。参考額 411,000円（受付終了・参考）" in line.text.text()
    # the same case while it was open: a full card on top, counted, with the days left
    set_result_date(w, dt.date(2025, 12, 16))
    card = result_cards(w)["home_visit"]
    assert card.amount.text() == "見積額 411,000円" and "あと30日" in card.when.text()
    assert "411,000円" in w.result_page.total.text()


def checkup_centre_plans(w) -> None:
    """べっぷ健診センター (その他, 特定健診 はい) → the 健診 goal → the plans page."""
    facility(w, "other", "べっぷ健診センター", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)


def test_a_chosen_program_without_prices_shows_its_maximum_not_zero(wizard):
    w = wizard
    checkup_centre_plans(w)
    next_page(w, RESULT)  # no price typed
    card = result_cards(w)["checkup_limited_check"]
    assert card.amount.text() == "最大 30,000円。購入金額を入れると計算します"
    assert w.result_page.total.text() == "いま申請できる見積り合計: 0円"  # a maximum is not an estimate


def test_next_says_why_it_is_grey(wizard):
    w = wizard
    fp = w.facility_page
    next_button = w.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    assert fp.missing_line.isVisible() and "「施設の種類」を選んでください" in fp.missing_line.text()
    assert fp.missing_line.toolTip() == ""  # said on the page, not in a tooltip
    facility(w, "clinic")
    assert next_button.isEnabled() and not fp.missing_line.isVisible()
    next_page(w, READER)
    next_page(w, GOALS)
    assert "1つ以上" in w.goals_page.missing_line.text()
    w.goals_page.boxes["home_visit"].setChecked(True)
    next_page(w, PLANS)
    row = w.plans_page.editors["home_visit"].rows[0]
    row.quantity.clear()
    assert not next_button.isEnabled()
    assert "1行目の「数量」を入力してください" in w.plans_page.missing_line.text()


def test_a_checkup_centre_with_the_question_unanswered_is_told_what_to_do(wizard):
    w = wizard
    facility(w, "other", "べっぷ健診センター")  # 健診 left unanswered
    next_page(w, READER)
    next_page(w, GOALS)
    assert not any(b.isEnabled() for b in w.goals_page.boxes.values())
    assert "戻る" in w.goals_page.missing_line.text()
    assert "未回答" in w.goals_page.reasons["checkup_limited_check"].text()


def test_a_changed_answer_that_drops_goals_says_so_and_can_be_undone(wizard):
    w = wizard
    facility(w, "clinic")
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["home_visit"].setChecked(True)
    w.back()
    w.back()
    w.facility_page.kind.setCurrentIndex(w.facility_page.kind.findData("other"))
    next_page(w, READER)
    next_page(w, GOALS)
    assert not w.goals_page.boxes["home_visit"].isChecked()
    assert w.goals_page.dropped_box.isVisible() and "外しました" in w.goals_page.dropped_text.text()
    w.goals_page.undo_button.click()
    assert w.facility_page.kind.currentData() == "clinic"
    assert w.goals_page.boxes["home_visit"].isChecked() and not w.goals_page.dropped_box.isVisible()


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


def test_amounts_are_echoed_ambiguous_ones_asked_and_subtotals_kept(wizard, qtbot):
    w = wizard
    checkup_centre_plans(w)
    ed = w.plans_page.editors["checkup_limited_check"]
    commit(ed.rows[0].price, "6万8千円")
    assert ed.rows[0].echo.text() == "＝68,000円"
    commit(ed.rows[1].price, "10.000")  # 10円 or 10,000円? asked, not read as 10円
    assert ed.rows[1].price.value() is None and "10,000円 ですか" in ed.rows[1].error.text()
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()
    ed.rows[1].price.clear()
    commit(ed.rows[1].price, "4,980")
    ed.rows[1].quantity.setText("2")
    assert ed.rows[1].echo.text() == "＝4,980円 × 2 ＝ 9,960円"
    assert ed.total_label.text() == "購入合計（税込）: 77,960円"
    qtbot.waitUntil(lambda: "30,000円" in w.plans_page.estimate.text())  # 77,960 → 41,000 cap × 3/4, 千円未満切捨て
    assert "見積額: 30,000円" in w.plans_page.estimates["checkup_limited_check"].text()


def test_an_amount_is_reformatted_on_leaving_the_field(wizard, qtbot):
    from PySide6.QtCore import Qt

    w = wizard
    to_plans(w, "clinic", "home_visit")
    ed = w.plans_page.editors["home_visit"]
    price = ed.rows[0].price
    commit(price, "6万8千円")
    assert price.text() == "6万8千円"  # while typing, the text stays as typed
    qtbot.keyClick(price, Qt.Key.Key_Tab)  # leaving the field
    assert price.text() == "68,000" and price.value() == 68000
    price.clear()
    commit(price, "１０．０００")  # asked about, so it stays as typed until answered
    qtbot.keyClick(price, Qt.Key.Key_Return)
    assert price.text() == "１０．０００" and price.value() is None
    price.clear()
    commit(price, "４，９８０円")
    qtbot.keyClick(price, Qt.Key.Key_Return)
    assert price.text() == "4,980" and ed.rows[0].echo.text() == "＝4,980円"
    assert w.case_data()["plans"]["home_visit"]["lines"][0]["unit_price"] == 4980


def test_only_the_items_a_program_names_are_offered(wizard):
    w = wizard
    to_plans(w, "clinic", "home_visit")
    combo = w.plans_page.editors["home_visit"].rows[0].item
    offered = {combo.itemData(i) for i in range(combo.count())}
    assert "mobile_terminal" in offered and "receipt_system_change" in offered and "generic_reader" not in offered


def test_an_open_program_says_what_to_do_next_from_the_rules_data(wizard, rules):
    w = wizard
    facility(w, "other", "べっぷ健診センター", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    assert "受付中" in w.goals_page.whens["checkup_limited_check"].text()
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)
    commit(w.plans_page.editors["checkup_limited_check"].rows[1].price, "30000")
    next_page(w, RESULT)
    card = result_cards(w)["checkup_limited_check"]
    steps = w.result_page.todo_steps.text()  # one checklist at the top of the page (issue 27 point 9)
    portal = rules.portals["facility_portal"]["label"]
    assert f"令和9年2月1日までに「{portal}」から申請する" in steps
    assert rules.call_center in steps and "領収書" in steps
    assert "あと70日" in card.when.text()  # 2026-11-23 → 2027-02-01


def test_documents_are_papers_and_conditions_are_apart(rules):
    from ohshi_desk.core.compute.presenting import documents_and_conditions

    p = {"documents": [{"id": "coupon_code", "label": "クーポンコード"},
                       {"id": "amazon_business_account", "label": "Amazonビジネスのアカウント登録"}]}
    docs, conds = documents_and_conditions(p, rules)
    assert docs == ["クーポンコード"] and conds == ["Amazonビジネスのアカウント登録"]


def test_the_printout_has_the_inputs_the_lines_the_steps_and_closed_ones_as_reference(wizard, qtbot):
    w = wizard
    facility(w, "hospital", "べっぷ中央病院", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["home_visit"].setChecked(True)
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)
    hv = w.plans_page.editors["home_visit"]
    commit(hv.rows[0].price, "45000")
    commit(hv.rows[0].vendor, "別府OA")
    commit(hv.rows[0].description, "タブレット TB-10")
    next_page(w, RESULT)
    html = w.breakdown_html()
    assert "入力内容" in html and "べっぷ中央病院" in html and "病院" in html
    assert "タブレット TB-10" in html and "別府OA" in html  # the purchase line with its vendor
    assert "次にやること" in html and "令和9年2月1日までに" in html  # the open 健診 program
    assert "最大 30,000円" in html  # chosen, no price yet
    assert "令和8年1月15日で締切。現在は申請できません。参考額" in html  # closed: reference only
    assert "いま申請できる補助の見積り合計: 0円" in html
    assert "2026-" not in html and "2027-" not in html  # 和暦 everywhere
    preview = w.print_preview()
    preview.show()
    qtbot.waitUntil(lambda: getattr(w, "preview_pages", 0) > 0)  # the preview drew the printout
    preview.close()


def test_a_step_bar_and_a_confirmation_page_before_the_result(wizard):
    from ohshi_desk.ui.pages import CONFIRM

    w = wizard
    assert "<b style='color:#0d47a1'>①施設</b>" in w.facility_page.step_bar.text()
    to_plans(w, "clinic", "home_visit", name="確認医院")
    commit(w.plans_page.editors["home_visit"].rows[0].price, "45000")
    commit(w.plans_page.editors["home_visit"].rows[0].vendor, "別府OA")
    w.next()
    assert w.currentId() == CONFIRM
    assert "⑤確認</b>" in w.confirm_page.step_bar.text() and "④購入予定 ✓" in w.confirm_page.step_bar.text()
    html = w.confirm_page.html
    assert "確認医院" in html and "別府OA" in html and "45,000円" in html
    w.next()
    assert w.currentId() == RESULT


def test_help_is_on_the_page_and_unknown_maker_gets_advice(wizard, rules):
    w = wizard
    fp = w.facility_page
    help_ = fp.code_row.help_label
    assert not help_.isVisible()
    fp.code_row.help_button.click()
    assert help_.isVisible() and "7桁" in help_.text() and help_.toolTip() == ""
    fp.kind.setCurrentIndex(fp.kind.findData("other"))  # not a 保険医療機関: no 医療機関コード asked
    assert not fp.code_row.isVisible()
    fp.kind.setCurrentIndex(fp.kind.findData("clinic"))
    assert fp.code_row.isVisible()
    next_page(w, READER)
    w.reader_page.buttons["unknown"].setChecked(True)
    advice = w.reader_page.canon_info.text()
    assert w.reader_page.canon_info.isVisible()
    assert rules.reader_hint in advice and rules.makers["canon"]["label"] in advice


def test_choosing_canon_later_keeps_typed_reader_lines_and_says_so(wizard):
    w = wizard
    to_plans(w, "clinic", "smartphone_reader")
    commit(w.plans_page.editors["smartphone_reader"].rows[0].price, "4980")
    w.back()
    w.back()
    w.reader_page.buttons["canon"].setChecked(True)  # the reader turns out to be a Canon: no reader needed
    next_page(w, GOALS)
    next_page(w, PLANS)
    ed = w.plans_page.editors["smartphone_reader"]
    assert [r.price.text() for r in ed.rows] == ["4,980"] and ed.isVisible()  # kept (reformatted on leaving)
    assert "入力済みの1行は消さずに残してあります" in w.plans_page.not_needed["smartphone_reader"].text()


def test_tab_order_is_reading_order_on_the_first_page(wizard):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    w = wizard
    fp = w.facility_page
    order, x = [], fp.name
    for _ in range(60):
        if isinstance(x, (QLineEdit, QComboBox, QAbstractButton)) and fp.isAncestorOf(x) and x.isVisible():
            if not (isinstance(x, QLineEdit) and isinstance(x.parent(), QComboBox)):
                order.append(x.accessibleName() or x.text())
        x = x.nextInFocusChain()
        if x is fp.name:
            break
    expected = ["施設名", "施設の種類", "施設の種類の説明", "保険医療機関等コード（7桁）", "保険医療機関等コードの説明",
                "都道府県", "市区町村"]
    assert order[:len(expected)] == expected
    yes = [o for o in order if o.endswith(": はい")]
    assert len(yes) == 2 and "義務化対象外" in yes[0] and "健診" in yes[1]  # the two questions, top to bottom

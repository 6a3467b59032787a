"""The step bar, the confirm page, the result and the printout: every answer a program reads with a fix link, the next
steps from the rules data, one engine call per change."""

from __future__ import annotations

import datetime as dt
import json

from ohshi_desk.ui.pages import CONFIRM, GOALS, PLANS, READER, RESULT

from .driver import commit, facility, next_page, result_cards, to_plans

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

    path = tmp_path / "h.ohshi.json"
    path.write_text(json.dumps(HOSPITAL_P7, ensure_ascii=False), encoding="utf-8")
    assert w.open_path(path)
    for _ in range(8):
        if w.currentId() == page_id:
            break
        w.next()
    assert w.currentId() == page_id
    return w


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


def test_the_printout_has_the_inputs_the_lines_the_steps_and_closed_ones_as_reference(fx_wizard, qtbot, clock):
    clock(dt.date(2026, 1, 20))  # テスト1 has closed (2026-01-15), テスト2 is open to 2026-01-31
    w = fx_wizard
    to_plans(w, "hospital", "fx_capped", "fx_coupons", name="べっぷ中央病院", fx_visits=1)  # テスト2 asks 1件
    capped = w.plans_page.editors["fx_capped"]
    commit(capped.rows[0].price, "45000")
    commit(capped.rows[0].vendor, "別府OA")
    commit(capped.rows[0].description, "タブレット TB-10")
    next_page(w, RESULT)
    html = w.breakdown_html()
    assert "入力内容" in html and "べっぷ中央病院" in html and "病院" in html
    assert "タブレット TB-10" in html and "別府OA" in html  # the purchase line with its vendor
    assert "次にやること" in html and "令和8年1月31日までに" in html  # the open テスト2
    assert "最大 21,000円" in html  # chosen, no price yet: a hospital's 3 coupons × 7,000
    assert "参考額 20,000円" in html  # テスト1's 45,000 capped at 41,000 × 1/2 = 20,500, to the 1,000 below
    assert "令和8年1月15日で締切。現在は申請できません。参考額" in html  # closed: reference only
    assert "いま申請できる補助の見積り合計: 0円" in html
    assert "2026-" not in html and "2027-" not in html  # 和暦 everywhere
    preview = w.print_preview()
    preview.show()
    qtbot.waitUntil(lambda: getattr(w, "preview_pages", 0) > 0)  # the preview drew the printout
    preview.close()


def test_a_step_bar_and_a_confirmation_page_before_the_result(fx_wizard):
    from ohshi_desk.ui.pages import CONFIRM

    w = fx_wizard
    assert "<b style='color:#0d47a1'>①施設</b>" in w.facility_page.step_bar.text()
    to_plans(w, "clinic", "fx_capped", name="確認医院")
    commit(w.plans_page.editors["fx_capped"].rows[0].price, "45000")
    commit(w.plans_page.editors["fx_capped"].rows[0].vendor, "別府OA")
    w.next()
    assert w.currentId() == CONFIRM
    assert "⑤確認</b>" in w.confirm_page.step_bar.text() and "④購入予定 ✓" in w.confirm_page.step_bar.text()
    html = w.confirm_page.html
    assert "確認医院" in html and "別府OA" in html and "45,000円" in html
    w.next()
    assert w.currentId() == RESULT


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


def test_the_running_estimate_follows_the_option_and_already_claimed_as_the_result_does(wizard, qtbot, tmp_path,
                                                                                        clock):
    """Issue 27 point 2: 改修の内容 ②→① and 「既に申請した」 change the running estimate on 購入予定 at once, and it
    always equals the result page's figure (one engine, one case)."""
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

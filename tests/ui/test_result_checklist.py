"""The result page says 次にやること once, at the top, for every open program (issue 27 point 9): two cards no longer
repeat the same step; the cards keep their own figures."""

from __future__ import annotations

import datetime as dt

from ohshi_desk.core.compute.presenting import checklist
from ohshi_desk.ui.pages import RESULT

from .driver import commit, next_page, result_cards, to_plans
from .windows import open_wizard

# テスト1 and テスト5 (fixture_rules_plus) are applied for at the same portal: its steps are theirs, each once
SHARED_STEP = "機器の購入・改修をする"


def test_two_programs_sharing_a_step_show_it_once_at_the_top(qtbot, clock, fixture_rules_plus):
    clock(dt.date(2025, 11, 1))  # テスト1 and テスト5 open
    w = open_wizard(qtbot, fixture_rules_plus)
    to_plans(w, "hospital", "fx_capped", "fx_aid_card")
    for pid in ("fx_capped", "fx_aid_card"):
        commit(w.plans_page.editors[pid].rows[0].price, "40000")
    next_page(w, RESULT)
    rp = w.result_page
    cards = result_cards(w)
    assert {cards["fx_capped"].program["status"], cards["fx_aid_card"].program["status"]} == {"open"}
    assert rp.todo.isVisible()
    shown = rp.todo_steps.text()
    step = next(i for i in rp.checklist if i["text"].startswith(SHARED_STEP))
    assert len(step["programs"]) == 2 and shown.count(SHARED_STEP) == 1
    assert shown.splitlines() == [f"{n}. {i['line']}" for n, i in enumerate(checklist(rp.breakdown,
                                                                                     fixture_rules_plus), 1)]
    # above every card, and no card says a step again; each keeps its figure
    assert rp.todo.y() < rp.cards_host.y()
    for card in (cards["fx_capped"], cards["fx_aid_card"]):
        assert not hasattr(card, "steps")
        texts = [lab.text() for lab in card.findChildren(type(rp.todo_steps))]
        assert not any(SHARED_STEP in t for t in texts)
        assert card.amount.text().startswith("見積額 ")


def test_no_open_program_no_checklist(fx_wizard):
    w = fx_wizard  # on the suite's day テスト1 has closed; a clinic choosing only it has nothing to do
    to_plans(w, "clinic", "fx_capped")
    next_page(w, RESULT)
    assert w.result_page.checklist == [] and not w.result_page.todo.isVisible()

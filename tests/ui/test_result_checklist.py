"""The result page says 次にやること once, at the top, for every open program (issue 27 point 9): two cards no longer
repeat the same step; the cards keep their own figures."""

from __future__ import annotations

import datetime as dt

from ohshi_desk.core.compute.presenting import checklist
from ohshi_desk.ui.pages import RESULT

from .driver import commit, next_page, result_cards, to_plans


def test_two_programs_sharing_a_step_show_it_once_at_the_top(wizard, clock, rules):
    clock(dt.date(2025, 11, 1))  # P2 and P3 open, applied for at the same portal
    w = wizard
    to_plans(w, "hospital", "home_visit", "online_care")
    for pid in ("home_visit", "online_care"):
        commit(w.plans_page.editors[pid].rows[0].price, "40000")
    next_page(w, RESULT)
    rp = w.result_page
    cards = result_cards(w)
    assert {cards["home_visit"].program["status"], cards["online_care"].program["status"]} == {"open"}
    assert rp.todo.isVisible()
    shown = rp.todo_steps.text()
    step = next(i for i in rp.checklist if i["text"].startswith("機器の購入・改修をする"))
    assert len(step["programs"]) == 2 and shown.count("機器の購入・改修をする") == 1
    assert shown.splitlines() == [f"{n}. {i['line']}" for n, i in enumerate(checklist(rp.breakdown, rules), 1)]
    # above every card, and no card says a step again; each keeps its figure
    assert rp.todo.y() < rp.cards_host.y()
    for card in (cards["home_visit"], cards["online_care"]):
        assert not hasattr(card, "steps")
        texts = [lab.text() for lab in card.findChildren(type(rp.todo_steps))]
        assert not any("機器の購入・改修をする" in t for t in texts)
        assert card.amount.text().startswith("見積額 ")


def test_no_open_program_no_checklist(wizard):
    w = wizard  # on the suite's day only the 健診 program is open; a clinic choosing a closed one has nothing to do
    to_plans(w, "clinic", "home_visit")
    next_page(w, RESULT)
    assert w.result_page.checklist == [] and not w.result_page.todo.isVisible()

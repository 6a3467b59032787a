"""Issue 24 point 1: a number question declared in the rules only (1か月の訪問件数, read by P2) is on the facility
page with its unit, keeps 次へ grey while it cannot be read, is listed on the confirm page, saved and reopened."""

from __future__ import annotations

import json

import pytest

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.rules.build import load_rules

from ..rules_edit import with_fixture_visits_question
from .windows import open_wizard


@pytest.fixture
def wizard_visits(qtbot, tmp_path):
    rules = load_rules(with_fixture_visits_question(tmp_path / "rules"), cache_dir=False)
    return open_wizard(qtbot, rules)


def test_a_number_question_from_the_rules_is_asked_listed_saved_and_reopened(wizard_visits, qtbot, tmp_path):
    w = wizard_visits
    fp = w.facility_page
    q = fp.questions["visits_per_month"]
    assert q.isVisibleTo(fp)
    fp.kind.setCurrentIndex(fp.kind.findData("clinic"))
    q.edit.field.setText("abc")  # set directly (no key clicks)
    qtbot.waitUntil(lambda: not fp.isComplete())
    assert any("1か月の訪問件数" in b for b in fp.blockers())
    q.edit.field.setText("12")
    qtbot.waitUntil(fp.isComplete)
    data = w.case_data()
    assert data["facility"]["visits_per_month"] == 12
    data["plans"] = {"fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}
    p2 = next(p for p in compute(parse_case(data, w.rules), w.rules)["programs"] if p["id"] == "fx_capped")
    assert p2["status"] != "not_applicable"
    # the confirm page lists it, in the words of the rules and with its unit
    w.confirm_page.ensure_built()
    rows = dict(w.confirm_page.sections()[0][2])
    assert rows["1か月の訪問件数"] == "12件"
    # saved and reopened
    src = tmp_path / "visits.ohshi.json"
    src.write_text(json.dumps({**data, "facility": {**data["facility"], "visits_per_month": 3}}, ensure_ascii=False),
                   encoding="utf-8")
    assert w.open_path(src)
    assert fp.questions["visits_per_month"].value() == 3
    assert w.case_data()["facility"]["visits_per_month"] == 3

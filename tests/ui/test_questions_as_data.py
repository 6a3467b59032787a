"""Issue 14 point 10: a question added to rules/ shows in the wizard and is kept in the case file, with no Python.

The rules here are a copy of the fixture rules (tests/fixtures/README.md) with two questions added as data only:
- a facility question ``night_clinic`` that テスト1 (fx_capped) reads through ``eligibility.flags``;
- a plan question ``tablet_lent`` on テスト2 (fx_coupons).
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLabel

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.rules.build import RulesError, load_rules

from ..conftest import FIXTURE_RULES
from ..rules_edit import copy_rules, edit
from .driver import facility
from .windows import open_wizard

FX1 = "programs/1_fx_capped.yaml"
FX1_KINDS = "      kinds: [hospital, clinic, pharmacy]\n"


@pytest.fixture
def rules_with_new_questions(tmp_path):
    folder = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    edit(folder, "facility_kinds.yaml", "flags:\n", "flags:\n"
          "  night_clinic:\n"
          "    label: 夜間に訪問診療を行う施設\n"
          "    help: 試験用の質問です（規則のデータだけで追加）\n"
          "    read_by: [fx_capped]\n")
    edit(folder, FX1, FX1_KINDS, FX1_KINDS + "      flags: [night_clinic]\n", exactly_once=True)
    edit(folder, "programs/2_fx_coupons.yaml", "editions:\n", "questions:\n"
          "  - id: tablet_lent\n"
          "    label: タブレットは貸出品を使う\n"
          "    help: 試験用の質問です\n"
          "    cite: ohshi_policy\n"
          "    confidence: assumed\n"
          "editions:\n", exactly_once=True)
    return load_rules(folder, cache_dir=False)


@pytest.fixture
def wizard_new(qtbot, rules_with_new_questions):
    return open_wizard(qtbot, rules_with_new_questions)


def test_new_questions_show_in_the_wizard_and_are_kept_in_the_case_file(wizard_new, tmp_path):
    w = wizard_new
    # the plan question added as data is on the plans page, is saved, and reopens
    w.plans_page.ensure_built()
    box = w.plans_page.flags["fx_coupons"]["tablet_lent"]
    assert box.text() == "タブレットは貸出品を使う"
    data = {"format": "ohshi-desk-case/1", "facility": {"name": "よる診療所", "kind": "clinic", "night_clinic": True,
                                                        "fx_visits": 1},  # テスト2 asks at least 1件
            "plans": {"fx_coupons": {"tablet_lent": True, "lines": [{"item": "generic_reader", "unit_price": 5000}]},
                      "fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}}
    src = tmp_path / "in.ohshi.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert w.open_path(src)
    assert w.plans_page.flags["fx_coupons"]["tablet_lent"].isChecked()
    saved = w.case_data()
    assert saved["plans"]["fx_coupons"]["tablet_lent"] is True
    assert saved["facility"]["night_clinic"] is True  # kept in the case file
    # the facility question declared only in the rules can become true: テスト1 reads it
    out = compute(parse_case(data, w.rules), w.rules)
    assert next(p for p in out["programs"] if p["id"] == "fx_capped")["status"] != "not_applicable"
    data["facility"]["night_clinic"] = False
    out = compute(parse_case(data, w.rules), w.rules)
    assert next(p for p in out["programs"] if p["id"] == "fx_capped")["status"] == "not_applicable"


def test_a_program_reading_an_undeclared_question_is_refused(tmp_path):
    folder = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    edit(folder, FX1, FX1_KINDS, FX1_KINDS + "      flags: [not_declared]\n", exactly_once=True)
    with pytest.raises(RulesError) as err:
        load_rules(folder, cache_dir=False)
    assert "1_fx_capped.yaml" in str(err.value) and "not_declared" in str(err.value)


def test_a_question_read_by_an_unknown_program_is_refused(tmp_path):
    folder = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    edit(folder, "facility_kinds.yaml", "    read_by: [fx_unit_table]", "    read_by: [no_such_program]",
         exactly_once=True)
    with pytest.raises(RulesError) as err:
        load_rules(folder, cache_dir=False)
    assert "facility_kinds.yaml" in str(err.value) and "no_such_program" in str(err.value)


def test_a_facility_question_from_the_rules_is_on_the_facility_page(wizard_new, tmp_path):
    """The facility question added as data is shown on the facility page; answering it there changes the saved
    case file and テスト1's status, and reopening the file sets it again."""
    w = wizard_new
    fp = w.facility_page
    assert "night_clinic" in fp.questions
    q = fp.questions["night_clinic"]
    assert q.isVisibleTo(fp)
    assert "夜間に訪問診療を行う施設" in [label.text().rstrip("ですか") for label in fp.findChildren(QLabel)]
    facility(w, "clinic")
    w.dirty = False
    q.set_value(True)
    assert w.dirty  # counts as a change, like the other fields
    data = w.case_data()
    assert data["facility"]["night_clinic"] is True
    data["plans"] = {"fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}
    assert next(p for p in compute(parse_case(data, w.rules), w.rules)["programs"]
                if p["id"] == "fx_capped")["status"] != "not_applicable"
    q.set_value(False)
    data = w.case_data()
    assert data["facility"]["night_clinic"] is False
    data["plans"] = {"fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}
    assert next(p for p in compute(parse_case(data, w.rules), w.rules)["programs"]
                if p["id"] == "fx_capped")["status"] == "not_applicable"
    # saved with はい, then reopened: the page shows はい again
    q.set_value(True)
    path = tmp_path / "yoru.ohshi.json"
    path.write_text(json.dumps(w.case_data(), ensure_ascii=False), encoding="utf-8")
    q.set_value(False)
    assert w.open_path(path)
    assert q.value() is True
    assert w.case_data()["facility"]["night_clinic"] is True

"""Issue 14 point 10: a question added to rules/ shows in the wizard and is kept in the case file, with no Python.

The fixture rules folder is a copy of the bundled rules with two questions added as data only:
- a facility question ``night_clinic`` that P2 (home_visit) reads through ``eligibility.flags``;
- a plan question ``tablet_lent`` on P4 (outpatient_mobile).
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLabel, QWizard

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.rules.build import RulesError, load_rules

from ..rules_edit import copy_rules, edit
from .windows import open_wizard


@pytest.fixture
def rules_with_new_questions(tmp_path):
    folder = tmp_path / "rules"
    copy_rules(folder)
    edit(folder, "facility_kinds.yaml", "flags:\n", "flags:\n"
          "  night_clinic:\n"
          "    label: 夜間に訪問診療を行う施設\n"
          "    help: 試験用の質問です（規則のデータだけで追加）\n"
          "    read_by: [home_visit]\n")
    edit(folder, "programs/p2_home_visit.yaml", "      kinds: [hospital, clinic, dental_clinic, pharmacy, chain_pharmacy]\n",
          "      kinds: [hospital, clinic, dental_clinic, pharmacy, chain_pharmacy]\n      flags: [night_clinic]\n")
    edit(folder, "programs/p4_outpatient_mobile.yaml", "questions:\n", "questions:\n"
          "  - id: tablet_lent\n"
          "    label: タブレットは貸出品を使う\n"
          "    help: 試験用の質問です\n"
          "    cite: ohshi_policy\n"
          "    confidence: assumed\n")
    return load_rules(folder, cache_dir=False)


@pytest.fixture
def wizard_new(qtbot, rules_with_new_questions):
    return open_wizard(qtbot, rules_with_new_questions)


def _next(w, expected):
    w.button(QWizard.WizardButton.NextButton).click()
    assert w.currentId() == expected


def test_new_questions_show_in_the_wizard_and_are_kept_in_the_case_file(wizard_new, tmp_path):
    w = wizard_new
    # the plan question added as data is on the plans page, is saved, and reopens
    w.plans_page.ensure_built()
    box = w.plans_page.flags["outpatient_mobile"]["tablet_lent"]
    assert box.text() == "タブレットは貸出品を使う"
    data = {"format": "ohshi-desk-case/1", "facility": {"name": "よる診療所", "kind": "clinic", "night_clinic": True},
            "plans": {"outpatient_mobile": {"tablet_lent": True, "lines": [{"item": "tablet", "unit_price": 30000}]},
                      "home_visit": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}}
    src = tmp_path / "in.ohshi.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert w.open_path(src)
    assert w.plans_page.flags["outpatient_mobile"]["tablet_lent"].isChecked()
    saved = w.case_data()
    assert saved["plans"]["outpatient_mobile"]["tablet_lent"] is True
    assert saved["facility"]["night_clinic"] is True  # kept in the case file
    # the facility question declared only in the rules can become true: P2 reads it
    out = compute(parse_case(data, w.rules), w.rules)
    assert next(p for p in out["programs"] if p["id"] == "home_visit")["status"] != "not_applicable"
    data["facility"]["night_clinic"] = False
    out = compute(parse_case(data, w.rules), w.rules)
    assert next(p for p in out["programs"] if p["id"] == "home_visit")["status"] == "not_applicable"


def test_a_program_reading_an_undeclared_question_is_refused(tmp_path):
    folder = tmp_path / "rules"
    copy_rules(folder)
    edit(folder, "programs/p2_home_visit.yaml", "      kinds: [hospital, clinic, dental_clinic, pharmacy, chain_pharmacy]\n",
          "      kinds: [hospital, clinic, dental_clinic, pharmacy, chain_pharmacy]\n      flags: [not_declared]\n")
    with pytest.raises(RulesError) as err:
        load_rules(folder, cache_dir=False)
    assert "p2_home_visit.yaml" in str(err.value) and "not_declared" in str(err.value)


def test_a_question_read_by_an_unknown_program_is_refused(tmp_path):
    folder = tmp_path / "rules"
    copy_rules(folder)
    edit(folder, "facility_kinds.yaml", "    read_by: [limited_check]", "    read_by: [no_such_program]")
    with pytest.raises(RulesError) as err:
        load_rules(folder, cache_dir=False)
    assert "facility_kinds.yaml" in str(err.value) and "no_such_program" in str(err.value)


def _p2_status(w) -> str:
    out = compute(w.case(), w.rules)
    return next(p for p in out["programs"] if p["id"] == "home_visit")["status"]


def test_a_facility_question_from_the_rules_is_on_the_facility_page(wizard_new, tmp_path):
    """The facility question added as data is shown on the facility page; answering it there changes the saved
    case file and P2's status, and reopening the file sets it again."""
    w = wizard_new
    fp = w.facility_page
    assert "night_clinic" in fp.questions
    q = fp.questions["night_clinic"]
    assert q.isVisibleTo(fp)
    assert "夜間に訪問診療を行う施設" in [label.text().rstrip("ですか") for label in fp.findChildren(QLabel)]
    fp.kind.setCurrentIndex(fp.kind.findData("clinic"))
    w.dirty = False
    q.set_value(True)
    assert w.dirty  # counts as a change, like the other fields
    data = w.case_data()
    assert data["facility"]["night_clinic"] is True
    data["plans"] = {"home_visit": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}
    assert next(p for p in compute(parse_case(data, w.rules), w.rules)["programs"]
                if p["id"] == "home_visit")["status"] != "not_applicable"
    q.set_value(False)
    data = w.case_data()
    assert data["facility"]["night_clinic"] is False
    data["plans"] = {"home_visit": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]}}
    assert next(p for p in compute(parse_case(data, w.rules), w.rules)["programs"]
                if p["id"] == "home_visit")["status"] == "not_applicable"
    # saved with はい, then reopened: the page shows はい again
    q.set_value(True)
    path = tmp_path / "yoru.ohshi.json"
    path.write_text(json.dumps(w.case_data(), ensure_ascii=False), encoding="utf-8")
    q.set_value(False)
    assert w.open_path(path)
    assert q.value() is True
    assert w.case_data()["facility"]["night_clinic"] is True

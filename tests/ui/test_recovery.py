"""Restore never refuses, autosave failures are seen, 開く takes exactly what compute takes and never half-loads."""

from __future__ import annotations

import copy
import json
import os
import stat

import pytest
from PySide6.QtWidgets import QWizard

from ohshi_desk.core.base.paths import autosave_path
from ohshi_desk.ui import plain
from ohshi_desk.ui.autosave import offer_recovery
from ohshi_desk.ui.recovery import clean_app_data
from ohshi_desk.ui.wizard import OhshiWizard

from ..conftest import FIXTURE_CASE
from .driver import commit

EXAMPLE = json.loads(FIXTURE_CASE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rules(fixture_rules):
    """Recovery needs some program, not the real ones: the fixture rules (tests/fixtures/README.md)."""
    return fixture_rules


@pytest.fixture
def fresh(qtbot, rules):
    def make():
        w = OhshiWizard(rules)
        w.ask_before_close = False
        qtbot.addWidget(w)
        w.show()
        return w
    return make


def _fill(w):
    fp = w.facility_page
    commit(fp.name, "べっぷ中央病院")
    fp.kind.setCurrentIndex(fp.kind.findData("hospital"))
    w.next()
    commit(w.reader_page.units, "２")
    w.next()
    w.goals_page.boxes["fx_capped"].setChecked(True)
    w.next()
    row = w.plans_page.editors["fx_capped"].rows[0]
    commit(row.price, "４万５千円")
    commit(row.description, "タブレット")


def test_a_code_longer_than_its_field_is_listed(wizard, fresh):
    _fill(wizard)
    snap = wizard.snapshot()
    snap["facility"]["institution_code"] = "12345678901234567890"
    w2 = fresh()
    problems = w2.restore(snap)
    assert len(problems) == 1 and "保険医療機関等コード" in problems[0] and "12345678901234567890" in problems[0]
    assert w2.snapshot()["plans"] == snap["plans"]


@pytest.mark.parametrize("code", ["017", "0", "abc"])
def test_a_half_typed_code_restores_every_other_field(wizard, fresh, code):
    _fill(wizard)
    wizard.facility_page.code.setText(code)
    snap = wizard.snapshot()
    w2 = fresh()
    assert w2.restore(copy.deepcopy(snap)) == []
    after = w2.snapshot()
    for key in ("facility", "reader", "goals", "plans"):
        assert after[key] == snap[key], key
    assert w2.facility_page.code.text() == code  # kept in the field, as typed, with the page's own message


def test_text_over_a_limit_is_restored_as_typed(wizard, fresh):
    _fill(wizard)
    wizard.facility_page.name.setText("長" * 400)
    snap = wizard.snapshot()
    w2 = fresh()
    assert w2.restore(copy.deepcopy(snap)) == []
    assert w2.snapshot()["facility"]["name"] == "長" * 400
    assert w2.snapshot()["plans"] == snap["plans"]


def test_fields_that_cannot_be_restored_are_listed_with_their_values(wizard, fresh):
    _fill(wizard)
    snap = wizard.snapshot()
    snap["facility"]["name"] = {"not": "text"}
    snap["reader"]["model"] = ["x"]
    snap["as_of"] = "いつか"
    snap["plans"]["fx_capped"]["lines"].append(17)
    w2 = fresh()
    problems = w2.restore(snap)
    text = "\n".join(problems)
    assert "施設名" in text and "'not'" in text
    assert "カードリーダーの型番" in text and "計算の基準日" in text and "「いつか」" in text
    assert "行目: 「17」" in text
    after = w2.snapshot()
    assert after["goals"] == ["fx_capped"]
    # the amount is kept, as 45,000 once the field has been left (widgets.reformat_yen)
    assert after["plans"]["fx_capped"]["lines"][0]["unit_price"] == "45,000"
    assert after["reader"]["units"] == "２"


def test_offer_recovery_tells_what_it_could_not_take(wizard, fresh):
    _fill(wizard)
    snap = wizard.snapshot()
    snap["facility"]["municipality"] = 12
    snap["facility"]["name"] = ["x"]
    autosave_path().write_text(json.dumps(snap, ensure_ascii=False), encoding="utf-8")
    told = []
    w2 = fresh()
    assert offer_recovery(w2, ask=lambda t: True, tell=told.append) == "partial"
    assert told and "施設名" in told[0] and "['x']" in told[0]
    assert w2.snapshot()["plans"] == snap["plans"]
    assert list(autosave_path().parent.glob("autosave-partial-*.json"))


# ------------------------------------------------------------------------------------ autosave failures

def _problem_button(w):
    return w.button(QWizard.WizardButton.CustomButton3)


@pytest.mark.parametrize("how", ["directory", "read-only"])
def test_autosave_failure_is_shown_with_where_why_and_what_to_do(wizard, how, monkeypatch):
    import errno
    import tempfile

    path = autosave_path()
    patch = monkeypatch.context()
    mp = patch.__enter__()
    if how == "directory":
        path.mkdir()
    else:  # a read-only folder (chmod does not stop root, who runs CI containers): the error it gives
        def read_only(*_a, **_k):
            raise OSError(errno.EROFS, "Read-only file system")

        mp.setattr(tempfile, "mkstemp", read_only)
    assert not _problem_button(wizard).isVisible()  # nothing to say yet: no empty button in the row
    try:
        commit(wizard.facility_page.name, "入力中")
        assert wizard.autosave_now() is False
        button = _problem_button(wizard)
        assert wizard.testOption(QWizard.WizardOption.HaveCustomButton3) and button.isVisible()
        why = "フォルダ" if how == "directory" else "読み取り専用"
        assert str(path.parent) in wizard.autosave_problem and why in wizard.autosave_problem
        assert "保存…" in wizard.autosave_problem and button.toolTip() == plain.tip(wizard.autosave_problem)
    finally:
        patch.__exit__(None, None, None)
        if path.is_dir():
            path.rmdir()
    assert wizard.autosave_now() is True  # fixed: the warning goes
    assert not wizard.testOption(QWizard.WizardOption.HaveCustomButton3)
    assert not _problem_button(wizard).isVisible()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_autosave_on_a_full_disk_is_shown(wizard, monkeypatch):
    import errno

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert wizard.autosave_now() is False
    assert "ディスクの空きが足りない" in wizard.autosave_problem


def test_old_temporary_and_kept_aside_files_are_cleaned(wizard):
    folder = autosave_path().parent
    fresh_tmp = folder / ".autosave.json.def.tmp"  # a save running right now: not touched
    fresh_tmp.write_text("x")
    old = fresh_tmp.stat().st_mtime - 3600  # an hour older than a file written now (the file system's time)
    stale = folder / ".autosave.json.abc.tmp"
    stale.write_text("x")
    os.utime(stale, (old, old))
    for i in range(8):
        (folder / f"autosave-broken-2026010{i}-000000.json").write_text("{}")
    assert wizard.autosave_now()
    assert not stale.exists() and fresh_tmp.exists()
    kept = sorted(p.name for p in folder.glob("autosave-broken-*.json"))
    assert kept == [f"autosave-broken-2026010{i}-000000.json" for i in range(3, 8)]
    assert clean_app_data(folder) == []


# ------------------------------------------------------------------------------------------------ 開く

@pytest.mark.parametrize("edit", [
    lambda d: d["facility"].__setitem__("name", 12345),
    lambda d: d.__setitem__("as_of", "2025/11/1"),
    lambda d: d.__setitem__("as_of", "令和7年11月1日"),
    lambda d: d["plans"]["fx_capped"]["lines"][0].__setitem__("description", None),
    lambda d: d["plans"]["fx_capped"]["lines"][0].__setitem__("unit_price", "４万円"),
    lambda d: d["face_reader"].__setitem__("units", "２台"),
    lambda d: d["plans"].__setitem__("fx_coupons", None),
])
def test_open_accepts_what_compute_accepts(wizard, tmp_path, edit, rules):
    from ohshi_desk.core.compute.engine import compute
    from ohshi_desk.core.workbook.read import read_any

    data = copy.deepcopy(EXAMPLE)
    edit(data)
    p = tmp_path / "case.ohshi.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert wizard.open_path(p)
    # the wizard computes as of today whatever the file's as_of (issue 22); the same case, the same day
    expected = compute(read_any(p, rules), rules, wizard.day())
    assert compute(wizard.case(), rules, wizard.day()) == expected


def test_open_never_half_loads(wizard, tmp_path, monkeypatch):
    _fill(wizard)
    before = wizard.snapshot()
    p = tmp_path / "case.ohshi.json"
    p.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8")

    def broken(*_a, **_k):
        raise RuntimeError("a page could not take it")

    told = []
    with monkeypatch.context() as mp:
        mp.setattr(wizard.plans_page, "load_plan", broken)
        mp.setattr(plain, "warn", lambda *a, **k: told.append(a[2]))
        assert wizard.open_path(p) is False
    after = wizard.snapshot()
    assert after["facility"] == before["facility"] and after["reader"] == before["reader"]
    assert told and "そのまま残っています" in told[0]


def test_a_control_character_typed_in_the_wizard_is_named_like_in_a_case_file(wizard, monkeypatch):
    from ohshi_desk.core.case.model import CaseError

    _fill(wizard)
    wizard.facility_page.name.setText("べっぷ\x07病院")
    with pytest.raises(CaseError, match=r"facility\.name.*U\+0007"):
        wizard.case()


def test_a_kept_aside_autosave_opens_from_the_app(wizard, fresh):
    _fill(wizard)
    snap = wizard.snapshot()
    assert wizard.autosave_now()
    assert offer_recovery(fresh(), ask=lambda t: False, tell=lambda t: None) == "declined"
    kept = list(autosave_path().parent.glob("autosave-declined-*.json"))
    assert len(kept) == 1
    w2 = fresh()
    assert w2.open_path(kept[0])
    after = w2.snapshot()
    for key in ("facility", "reader", "goals", "plans"):
        assert after[key] == snap[key], key


@pytest.mark.parametrize("name, words", [("長" * 300, "200文字以内"), ("べっぷ\x07病院", "U+0007")])
def test_the_result_page_names_a_refused_field_instead_of_a_generic_error(wizard, name, words):
    _fill(wizard)
    wizard.facility_page.name.setText(name)
    while wizard.currentId() != 5:
        before = wizard.currentId()
        wizard.next()
        assert wizard.currentId() != before
    page = wizard.result_page
    assert page.breakdown is None and page.total.text() == "計算できません"
    assert "facility.name" in page.footer.text() and words in page.footer.text()


def test_an_item_or_option_the_rules_do_not_have_is_listed_not_swapped(wizard, fresh):
    _fill(wizard)
    snap = wizard.snapshot()
    lines = snap["plans"]["fx_capped"]["lines"]
    lines.append({**lines[0], "item": "no_such_item", "unit_price": "12345"})
    snap["plans"]["fx_capped"]["option"] = "no_such_option"
    w2 = fresh()
    problems = w2.restore(snap)
    text = "\n".join(problems)
    assert f"の{len(lines)}行目" in text and "no_such_item" in text, text
    assert "の選択" in text and "no_such_option" in text, text
    kept = w2.snapshot()["plans"]["fx_capped"]["lines"]
    assert len(kept) == len(lines) - 1 and all(line["item"] != "no_such_item" for line in kept)
    assert "12345" not in json.dumps(kept)  # not put on another item's line


def test_the_clock_set_back_does_not_delete_the_copy_just_declined(wizard, clock):
    """Issue 23 point 4: kept-aside copies were pruned by the date in their name, so with the clock set back the
    autosave the user had just declined was the 'oldest' and deleted. Their age is now the order they were made."""
    import datetime as dt

    folder = autosave_path().parent
    for i in range(5):
        wizard.facility_page.name.setText(f"前の医院{i}")
        assert wizard.autosave_now()
        assert offer_recovery(wizard, ask=lambda t: False, tell=lambda t: None) == "declined"
    clock(dt.date(2020, 1, 1))  # the computer's clock set back years
    wizard.facility_page.name.setText("いま断った医院")
    assert wizard.autosave_now()
    assert offer_recovery(wizard, ask=lambda t: False, tell=lambda t: None) == "declined"
    wizard.facility_page.name.setText("")
    assert wizard.autosave_now()  # cleans the kept-aside copies (5 of each kind)
    kept = [json.loads(p.read_text(encoding="utf-8"))["facility"]["name"]
            for p in folder.glob("autosave-declined-*.json")]
    assert sorted(kept) == sorted(["前の医院1", "前の医院2", "前の医院3", "前の医院4", "いま断った医院"])

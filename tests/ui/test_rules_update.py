"""「ルールを更新…」: a pack is checked and its changes shown before it is used; a bad pack changes nothing; going back
to the bundled rules keeps the override aside."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from ohshi_desk.core.rules import pack as rules_pack
from ohshi_desk.core.rules.build import load_rules_for_app
from ohshi_desk.ui import rules_update
from ohshi_desk.ui.app import make_application
from ohshi_desk.ui.wizard import OhshiWizard
from tests.conftest import FIXTURE_RULES, rules_once
from tests.rules_edit import own_warnings

ROOT = Path(__file__).resolve().parents[2]
P2 = "programs/p2_home_visit.yaml"
FX1 = "programs/1_fx_capped.yaml"  # テスト1 of the fixture rules, P2's figures (tests/fixtures/README.md)


def _window(qtbot, rules, monkeypatch):
    monkeypatch.delenv("OHSHI_RULES_DIR", raising=False)
    app = make_application([])
    w = OhshiWizard(rules)
    w.ask_before_close = False
    qtbot.addWidget(w)
    yield w
    app.__dict__.pop("_ohshi_window", None)  # a switch leaves the window in use here: not for the next test


@pytest.fixture
def wizard(qtbot, rules, monkeypatch):
    yield from _window(qtbot, rules, monkeypatch)


@pytest.fixture
def fx_wizard(qtbot, fixture_rules, monkeypatch):
    """The window on the fixture rules, for a switch to a pack made from them: what is kept across a switch does
    not hang on a real program."""
    yield from _window(qtbot, fixture_rules, monkeypatch)


def _switched(qtbot, old):
    """The window a switch made (closed at the end of the test); the old one hidden, its autosave off."""
    from PySide6.QtWidgets import QApplication

    new = QApplication.instance()._ohshi_window
    qtbot.addWidget(new)
    assert new is not old and new.isVisible() and not old.isVisible()
    assert not old.autosave_enabled and not old._autosave_timer.isActive()
    return new


def _pack(tmp_path, edit=None, as_zip=True, source=ROOT / "rules") -> Path:
    """A pack of version 2026.12 made from ``source`` (the bundled rules, or the fixture rules), ``edit`` made."""
    folder = tmp_path / "pack" / "rules-2026.12"
    shutil.copytree(source, folder)
    meta = folder / "meta.yaml"
    text, n = re.subn(r'^version: ".*"$', 'version: "2026.12"', meta.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert n == 1
    meta.write_text(text, encoding="utf-8")
    if edit:
        edit(folder)
    if not as_zip:
        return folder
    out = tmp_path / "rules-2026.12.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in folder.rglob("*"):
            if p.is_file():
                zf.write(p, p.relative_to(folder.parent).as_posix())
    return out


def _raise_cap(folder: Path, rel: str = P2) -> None:
    p = folder / rel
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("project_cap: {hospital: 822000", "project_cap: {hospital: 824000")
                 .replace("limit: {hospital: 411000", "limit: {hospital: 412000"), encoding="utf-8")


def _run(wizard, kind, path, answer=True, now=False):
    """``answer`` to "use these rules?", ``now`` to "compute with them now, the input kept?"."""
    asked, told = [], []

    def confirm(text):
        asked.append(text)
        return now if "すぐにそのルールで計算し直しますか" in text else answer

    outcome = rules_update.run(wizard, choose=lambda: (kind, path), confirm=confirm, tell=told.append)
    return outcome, asked, told


@pytest.mark.parametrize("as_zip", [True, False])
def test_a_pack_is_checked_shown_and_used(wizard, tmp_path, as_zip):
    pack = _pack(tmp_path, _raise_cap, as_zip=as_zip)
    outcome, asked, told = _run(wizard, "zip" if as_zip else "folder", pack)
    assert outcome == "installed"
    assert f"{rules_once().version} → 2026.12" in asked[0]
    assert "病院の事業費の上限 822,000円 → 824,000円" in asked[0]
    assert "病院の補助限度額 411,000円 → 412,000円" in asked[0]
    rules, folder, warnings = load_rules_for_app()
    assert folder == rules_pack.user_rules_dir() and rules.version == "2026.12" and own_warnings(warnings) == []
    assert not (folder / "schema").exists()  # the bundled schema is the only one
    assert "開き直す" in told[0]


def _typed(wizard, kind, name, goals, pid, price, **answers):
    """The wizard shown with autosave on, on the plans page: a facility (``answers``: its questions), goals, one
    price typed."""
    from .driver import commit, to_plans

    wizard.show()
    wizard.autosave_enabled = True
    to_plans(wizard, kind, *goals, name=name, **answers)
    commit(wizard.plans_page.editors[pid].rows[0].price, price)


def test_the_new_rules_can_be_used_at_once_with_the_input_kept(fx_wizard, tmp_path, qtbot):
    from ohshi_desk.core.base.paths import autosave_path
    from ohshi_desk.ui.pages import PLANS

    wizard = fx_wizard
    _typed(wizard, "hospital", "べっぷ中央病院", ["fx_capped"], "fx_capped", "900000")
    pack = _pack(tmp_path, lambda f: _raise_cap(f, FX1), source=FIXTURE_RULES)
    outcome, asked, told = _run(wizard, "zip", pack, now=True)
    assert outcome == "installed" and "すぐにそのルールで計算し直しますか" in asked[1]
    new = _switched(qtbot, wizard)
    assert new.rules.version == "2026.12" and "2026.12" in told[0] and "引き継いで" in told[0]
    assert new.currentId() == PLANS and new.facility_page.name.text() == "べっぷ中央病院"
    assert new.plans_page.editors["fx_capped"].rows[0].price.value() == 900000
    assert new.goals_page.chosen() == ["fx_capped"] and new.dirty
    capped = next(p for p in new.compute(dt.date(2025, 11, 1))["programs"] if p["id"] == "fx_capped")
    assert capped["limit"] == 412000  # the pack's figure, not the fixture's 411,000
    # the old window went without removing the autosave, which now holds the new window's input
    assert json.loads(autosave_path().read_text(encoding="utf-8")) == new.snapshot()
    assert "残してあります" not in told[0]  # everything was taken: nothing kept aside


def _drop_unit_table(folder: Path) -> None:
    """A fiscal year that dropped テスト3 (the reader addition), and the question only it read."""
    (folder / "programs" / "3_fx_unit_table.yaml").unlink()
    p = folder / "facility_kinds.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(text[:text.index("  fx_done:")] + text[text.index("  fx_visits:"):], encoding="utf-8")


def test_a_switch_says_what_the_new_rules_cannot_take_and_keeps_the_input_aside(fx_wizard, tmp_path, qtbot):
    from ohshi_desk.core.base.paths import autosave_path

    wizard = fx_wizard
    _typed(wizard, "clinic", "べっぷ診療所", ["fx_capped", "fx_unit_table"], "fx_unit_table", "50000", fx_done=True)
    outcome, _asked, told = _run(wizard, "zip", _pack(tmp_path, _drop_unit_table, source=FIXTURE_RULES), now=True)
    assert outcome == "installed"
    new = _switched(qtbot, wizard)
    assert new.goals_page.chosen() == ["fx_capped"]
    name = "テスト3・リーダー増設"  # the old rules' name of the program, not its id
    assert f"やりたいこと: 「{name}" in told[0] and "このルールにない補助制度" in told[0], told[0]
    assert "50,000" in told[0] or "50000" in told[0]  # the line's price is shown, not dropped in silence
    assert "fx_unit_table" not in told[0]
    aside = list(autosave_path().parent.glob("autosave-partial-*.json"))
    assert len(aside) == 1 and str(aside[0]) in told[0]
    kept = json.loads(aside[0].read_text(encoding="utf-8"))
    assert kept["goals"] == ["fx_capped", "fx_unit_table"] and kept["plans"]["fx_unit_table"]["lines"]


def _drop_question(folder):
    p = folder / "facility_kinds.yaml"
    text = p.read_text(encoding="utf-8")
    start = text.index("  obligation_exempt:")
    end = text.index("  checkup_provider:")
    p.write_text(text[:start] + text[end:], encoding="utf-8")
    for f in (folder / "programs").glob("*.yaml"):  # and nothing reads it any more
        f.write_text(f.read_text(encoding="utf-8").replace("flags: [obligation_exempt]", "flags: []"),
                     encoding="utf-8")


def test_a_pack_without_a_facility_question_is_installed_and_the_question_not_asked(wizard, tmp_path, qtbot):
    """Every facility question is the rules' (issue 24): a pack that drops one is shown without it."""
    outcome, _asked, told = _run(wizard, "zip", _pack(tmp_path, _drop_question), now=True)
    assert outcome == "installed", told
    assert "で計算し直しました" in told[-1], told  # a window was built with them, and computes
    new = _switched(qtbot, wizard)  # (closed at the end of the test: left open, a later test crashed at random)
    assert "obligation_exempt" not in new.facility_page.questions
    assert "obligation_exempt" not in load_rules_for_app()[0].flags


def test_a_pack_this_window_cannot_show_is_refused_before_it_is_installed(wizard, tmp_path, monkeypatch):
    """A window that cannot be built with the pack's rules (as if this version's pages needed the question the
    pack drops): refused, nothing installed."""
    from ohshi_desk.ui.pages import facility

    built = facility.FacilityPage.__init__

    def needs_the_question(self, w):
        w.rules.flags["obligation_exempt"]  # noqa: B018 — a KeyError, as a page that needs it would raise
        built(self, w)

    monkeypatch.setattr(facility.FacilityPage, "__init__", needs_the_question)
    outcome, asked, told = _run(wizard, "zip", _pack(tmp_path, _drop_question), now=True)
    assert outcome == "refused" and not asked, told
    assert "いまのルールのまま" in told[0] and "画面に必要な項目" in told[0]
    assert not rules_pack.user_rules_dir().exists()


def test_declining_leaves_everything_as_it_was(wizard, tmp_path):
    outcome, asked, _ = _run(wizard, "zip", _pack(tmp_path), answer=False)
    assert outcome == "cancelled" and asked
    assert not rules_pack.user_rules_dir().exists()
    assert not list(rules_pack.user_rules_dir().parent.glob(".rules-staging-*"))


@pytest.mark.parametrize("edit, words", [
    (lambda f: (f / "items.yaml").write_text("kind: items\nitems: " + "[" * 5000 + "]" * 5000), "入れ子"),
    (lambda f: (f / "meta.yaml").unlink(), "meta.yaml"),
    (lambda f: (f / "programs" / "p2_home_visit.yaml").write_text(
        (f / "programs" / "p2_home_visit.yaml").read_text(encoding="utf-8").replace(
            "limit: {hospital: 411000", "limit: {hospital: 0")), "p2_home_visit.yaml"),
])
def test_a_bad_pack_changes_nothing(wizard, tmp_path, edit, words):
    outcome, asked, told = _run(wizard, "zip", _pack(tmp_path, edit))
    assert outcome == "refused" and not asked
    assert "いまのルールのまま" in told[0] and words in told[0] and "\n\n" in told[0]
    assert not rules_pack.user_rules_dir().exists()
    assert not list(rules_pack.user_rules_dir().parent.glob(".rules-staging-*"))


def test_a_pack_whose_limit_is_not_cap_times_rate_is_shown_with_the_warning(wizard, tmp_path):
    """Issue 25 point 8: the same warning as for the bundled rules, shown before the pack is used (not a refusal)."""
    def typo(f):
        p = f / "programs" / "p2_home_visit.yaml"
        p.write_text(p.read_text(encoding="utf-8").replace("limit: {hospital: 411000", "limit: {hospital: 41100"),
                     encoding="utf-8")

    outcome, asked, _told = _run(wizard, "zip", _pack(tmp_path, typo), answer=False)
    assert outcome == "cancelled"
    assert "病院の補助限度額 411,000円 → 41,100円" in asked[0]
    assert "注意（確認してください）" in asked[0] and "補助限度額 41,100円が 事業費の上限 822,000円 × 補助率 1/2" in asked[0]


@pytest.mark.parametrize("edit, listed", [
    # issue 25 point 7: the three changes the dialog used to hide
    (("programs/p2_home_visit.yaml", "cap: {any: 41000}", "cap: {any: 30000}"), "モバイル端末等の事業費の上限"),
    (("programs/p1_smartphone_reader.yaml", "limit: {value: 7000,", "limit: {value: 6000,"),
     "クーポン1つあたり・補助限度額 7,000円 → 6,000円"),
    (("programs/p9_reader_addition.yaml", "clinic_pharmacy_all: [275000]", "clinic_pharmacy_all: [200000]"),
     "［275,000円］ → ［200,000円］"),
])
def test_the_dialog_lists_every_change(wizard, tmp_path, edit, listed):
    rel, old, new = edit

    def change(f):
        p = f / rel
        text = p.read_text(encoding="utf-8")
        assert text.count(old) == 1
        p.write_text(text.replace(old, new), encoding="utf-8")

    _outcome, asked, _told = _run(wizard, "zip", _pack(tmp_path, change), answer=False)
    assert "計算に関わる変更はありません" not in asked[0] and listed in asked[0]


def test_a_zip_cannot_write_outside_its_staging_folder(wizard, tmp_path):
    pack = _pack(tmp_path)
    with zipfile.ZipFile(pack, "a") as zf:
        zf.writestr("rules-2026.12/../../evil.yaml", "x: 1")
        zf.writestr("/abs.yaml", "x: 1")
    outcome, _asked, _told = _run(wizard, "zip", pack)
    assert outcome == "installed"
    data = rules_pack.user_rules_dir().parent
    assert not list(data.parent.glob("evil.yaml")) and not (data / "evil.yaml").exists()


def test_going_back_to_the_bundled_rules_keeps_the_override_aside(wizard, tmp_path):
    assert _run(wizard, "zip", _pack(tmp_path))[0] == "installed"
    outcome, asked, told = _run(wizard, "bundled", None)
    assert outcome == "bundled" and "同梱" in asked[0]
    rules, folder, _ = load_rules_for_app()
    assert folder == ROOT / "rules" and rules.origin == ""
    kept = list(rules_pack.user_rules_dir().parent.glob("rules-removed-*"))
    assert len(kept) == 1 and (kept[0] / "meta.yaml").exists() and str(kept[0]) in told[0]


def test_the_action_is_a_button_beside_save(wizard, monkeypatch):
    from PySide6.QtWidgets import QWizard

    called = []
    monkeypatch.setattr(rules_update, "run", lambda w: called.append(w))
    button = wizard.button(QWizard.WizardButton.HelpButton)
    assert button.text() == "ルールを更新…"
    wizard.show()
    button.click()
    assert called == [wizard]
    assert os.environ.get("OHSHI_RULES_DIR") is None

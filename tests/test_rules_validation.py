"""A broken or contradictory rules file is refused with a message naming the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohshi_desk.core.rules.build import RulesError, load_rules

from .conftest import FIXTURE_CASE, FIXTURE_RULES, rules_once
from .rules_edit import copy_rules, edit, own_warnings

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
# one program per file in rules/programs/ (a new program is a new file, and no test counts them by hand)
PROGRAM_FILES = len(list((RULES_DIR / "programs").glob("*.yaml")))


@pytest.fixture
def rules_copy(tmp_path):
    return copy_rules(tmp_path / "rules")


def test_bundled_rules_load(rules):
    assert len(rules.programs) == PROGRAM_FILES
    meta = (RULES_DIR / "meta.yaml").read_text(encoding="utf-8")
    assert rules.version and f'last_checked: "{rules.last_checked.isoformat()}"' in meta
    for p in rules.programs:
        for ed in p.editions:
            assert ed.start.cite in rules.sources and ed.end.cite in rules.sources
            assert ed.start.confidence in ("source", "derived", "secondary", "assumed")


CASES = [
    # (file, old, new, expected fragments of the message)
    ("programs/p2_home_visit.yaml", "limit: {hospital: 411000,", "limit: {hospital: 411000, clinic: 1, hospital: 2,",
     ["p2_home_visit.yaml", "hospital", "2回"]),
    ("programs/p2_home_visit.yaml", 'end: "2026-01-15"', 'end: "2025-01-15"',
     ["p2_home_visit.yaml", "editions[0].window", "終わりが始まりより前"]),
    ("programs/p2_home_visit.yaml", "limit: {hospital: 411000", "limit: {hospital: 911000",
     ["p2_home_visit.yaml", "editions[0].limit", "超えています"]),
    ("programs/p2_home_visit.yaml", "rate: {hospital: \"1/2\"", "rate: {hospital: \"3/2\"",
     ["p2_home_visit.yaml", "rate.hospital", "1以下"]),
    ("programs/p2_home_visit.yaml", "rate: {hospital: \"1/2\"", "rate: {hospital: 0.5",
     ["p2_home_visit.yaml", "editions[0].rate.hospital", "値"]),
    ("programs/p2_home_visit.yaml", "cite: s001_mhlw", "cite: s999_nowhere",
     ["p2_home_visit.yaml", "s999_nowhere", "sources"]),
    ("programs/p2_home_visit.yaml", "items: [receipt_system_change]", "items: [receipt_system_changes]",
     ["p2_home_visit.yaml", "receipt_system_changes", "items.yaml"]),
    ("programs/p2_home_visit.yaml", "items: [receipt_system_change]", "items: [tablet]",
     ["p2_home_visit.yaml", "tablet", "2つのグループ"]),
    ("programs/p2_home_visit.yaml", "project_cap: {hospital: 822000, chain_pharmacy: 171000, clinic_pharmacy: 171000}",
     "project_cap: {hospital: 822000, chain_pharmacy: 171000}", ["p2_home_visit.yaml", "project_cap", "clinic"]),
    ("programs/p2_home_visit.yaml", "kind: program", "kind: program\nsurprise: 1",
     ["p2_home_visit.yaml", "知らないキー", "surprise"]),
    ("programs/p2_home_visit.yaml", "    window:\n", "    window:\n      start: \"2025-01-01\"\n",
     ["p2_home_visit.yaml", "start", "2回"]),
    ("programs/p2_home_visit.yaml", "cap: {any: 41000}", "cap: {any: 41000",
     ["p2_home_visit.yaml", "行目", "YAMLとして読めません"]),
    ("programs/p2_home_visit.yaml", "cap: {any: 41000}", "cap: {any: -1}",
     ["p2_home_visit.yaml", "cap.any", "値"]),
    ("programs/p2_home_visit.yaml", "cap: {any: 41000}", "cap: {all: 41000}",
     ["p2_home_visit.yaml", "all", "facility_kinds.yaml"]),
    ("programs/p8_usage_bonus.yaml", "thresholds: [10, 40, 80,", "thresholds: [10, 80, 40,",
     ["p8_usage_bonus.yaml", "thresholds", "小さい順"]),
    ("programs/p8_usage_bonus.yaml", "b3_5:   [0, 0, 100000, 120000", "b3_5:   [0, 0, 100000, 90000",
     ["p8_usage_bonus.yaml", "rows.b3_5", "矛盾"]),
    ("programs/p8_usage_bonus.yaml", "b5_10:  [0, 30000, 50000", "b5_10:  [0, 0, 0",
     ["p8_usage_bonus.yaml", "rows", "矛盾"]),
    ("programs/p9_reader_addition.yaml", "hospital: [275000, 450000, 625000]", "hospital: [275000, 450000]",
     ["p9_reader_addition.yaml", "limit_by_units", "hospital"]),
    ("programs/p4_outpatient_mobile.yaml", "with: online_care", "with: home_visit",
     ["shares_system", "outpatient_mobile", "同じシステム"]),
    ("programs/p3_online_care.yaml", "id: online_care", "id: home_visit", ["home_visit", "重複"]),
    ("meta.yaml", f'version: "{rules_once().version}"', "version: latest", ["meta.yaml", "version"]),
    # the engine's sentences (engine_texts): each one there, each {blank} one the engine fills in
    ("meta.yaml", "  this_plan: この計画\n", "", ["meta.yaml", "engine_texts", "this_plan", "ありません"]),
    ("meta.yaml", "{kind}は、", "{facility}は、", ["meta.yaml", "engine_texts.kind_not_eligible", "{facility}", "埋められません"]),
    ("meta.yaml", '"{what}（{day}）が', '"{what（{day}）が', ["meta.yaml", "engine_texts.line_before_receipts_from", "{ }"]),
    ("meta.yaml", "engine_texts:\n  cite: ohshi_policy", "engine_texts:\n  cite: s999_nowhere",
     ["meta.yaml", "engine_texts.cite", "s999_nowhere"]),
    ("municipalities.yaml", "  - 北海道\n", "  - 北海道\n  - ムー大陸\n", ["municipalities.yaml", "ムー大陸"]),
    # the words after a paper the notice does not name are the rules' own, with no wording in Python to fall back on
    ("documents.yaml", "\nnot_named: （通知に書類名はありませんが、念のため用意してください）\n", "\n",
     ["documents.yaml", "not_named"]),
    ("readers.yaml", "reads_smartphone: {value: true,", "reads_smartphone: {value: yes-please,",
     ["readers.yaml", "reads_smartphone"]),
]


@pytest.mark.parametrize("rel,old,new,fragments", CASES, ids=[f"{c[0]}:{c[3][-1]}" for c in CASES])
def test_broken_rules_are_refused_naming_file_key_and_problem(rules_copy, rel, old, new, fragments):
    edit(rules_copy, rel, old, new)
    with pytest.raises(RulesError) as err:
        load_rules(rules_copy)
    message = str(err.value)
    assert message.startswith("ルールファイル ")
    for fragment in fragments:
        assert fragment in message, message


def test_yaml_tags_that_would_run_code_are_refused(rules_copy):
    path = rules_copy / "programs" / "p2_home_visit.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nboom: !!python/object/apply:os.system ['echo hacked']\n",
                    encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(rules_copy)
    assert "p2_home_visit.yaml" in str(err.value)


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"- a\n- b\n", b"kind: program\n"])
def test_empty_binary_or_wrong_shape_file_is_refused(rules_copy, content):
    (rules_copy / "programs" / "p2_home_visit.yaml").write_bytes(content)
    with pytest.raises(RulesError) as err:
        load_rules(rules_copy)
    assert "p2_home_visit.yaml" in str(err.value)


def test_missing_file_and_missing_folder(rules_copy, tmp_path):
    (rules_copy / "items.yaml").unlink()
    with pytest.raises(RulesError, match="items.yaml"):
        load_rules(rules_copy)
    with pytest.raises(RulesError, match="フォルダがありません"):
        load_rules(tmp_path / "nowhere")


def test_adding_a_fiscal_year_is_a_data_change(rules_copy):
    """A new edition of P6 for 令和9年度, added as data only, is picked by date; the old one still answers for
    earlier dates."""
    path = rules_copy / "programs" / "p6_checkup_limited_check.yaml"
    text = path.read_text(encoding="utf-8")
    head, editions = text.split("editions:\n", 1)
    new = editions.replace("id: fy2026", "id: fy2027").replace("label: 令和8年度", "label: 令和9年度") \
        .replace('start: "2026-06-30"', 'start: "2027-06-01"').replace('end: "2027-02-01"', 'end: "2028-01-31"') \
        .replace("project_cap: {any: 41000}", "project_cap: {any: 60000}")
    path.write_text(head + "editions:\n" + editions + new, encoding="utf-8")
    rules = load_rules(rules_copy)
    import datetime as dt

    from ohshi_desk.core.case.model import parse_case
    from ohshi_desk.core.compute.engine import compute

    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "other", "checkup_provider": True},
                       "plans": {"checkup_limited_check": {"lines": [{"item": "tablet", "unit_price": 100000}]}}},
                      rules)
    old = compute(case, rules, dt.date(2026, 12, 1))["programs"][0]
    new_ = compute(case, rules, dt.date(2027, 7, 1))["programs"][0]
    between = compute(case, rules, dt.date(2027, 3, 1))["programs"][0]
    assert (old["edition"], old["subsidy"], old["status"]) == ("令和8年度", 30000, "open")
    assert (new_["edition"], new_["subsidy"], new_["status"]) == ("令和9年度", 31000, "open")
    assert (between["edition"], between["status"]) == ("令和9年度", "not_yet_open")


def test_checked_rules_are_cached_and_an_edit_is_checked_again(rules_copy, tmp_path):
    cache = tmp_path / "cache"
    first = load_rules(rules_copy, cache_dir=cache)
    files = list(cache.glob("rules-*.json"))
    assert len(files) == 1
    again = load_rules(rules_copy, cache_dir=cache)
    assert [p.id for p in again.programs] == [p.id for p in first.programs]
    # an edit makes another key: the broken file is checked and refused although a cache exists
    edit(rules_copy, "programs/p2_home_visit.yaml", "limit: {hospital: 411000", "limit: {hospital: 911000")
    with pytest.raises(RulesError, match="超えています"):
        load_rules(rules_copy, cache_dir=cache)
    # a corrupt cache file is ignored, not trusted
    edit(rules_copy, "programs/p2_home_visit.yaml", "limit: {hospital: 911000", "limit: {hospital: 411000")
    files[0].write_text("{not json", encoding="utf-8")
    assert len(load_rules(rules_copy, cache_dir=cache).programs) == PROGRAM_FILES


def test_an_unwritable_cache_folder_is_not_an_error(rules_copy, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert len(load_rules(rules_copy, cache_dir=blocker / "sub").programs) == PROGRAM_FILES


def test_only_a_folder_that_passes_every_check_is_remembered(rules_copy, tmp_path):
    """The schema passes but a contradiction check fails: nothing is cached, so the next start checks again."""
    cache = tmp_path / "cache"
    edit(rules_copy, "programs/p2_home_visit.yaml", "limit: {hospital: 411000", "limit: {hospital: 911000")
    for _ in range(2):
        with pytest.raises(RulesError, match="超えています"):
            load_rules(rules_copy, cache_dir=cache)
    assert not list(cache.glob("rules-*.json"))


def test_another_app_version_checks_the_same_rules_again(rules_copy, tmp_path, monkeypatch):
    import ohshi_desk

    cache = tmp_path / "cache"
    load_rules(rules_copy, cache_dir=cache)
    monkeypatch.setattr(ohshi_desk, "__version__", "99.0.0")
    load_rules(rules_copy, cache_dir=cache)
    assert len(list(cache.glob("rules-*.json"))) == 2


def test_from_the_cache_the_programs_are_built_when_first_needed(rules_copy, tmp_path):
    cache = tmp_path / "cache"
    fresh = load_rules(rules_copy, cache_dir=cache)
    assert fresh._programs is not None  # a first load checks everything at once
    cached = load_rules(rules_copy, cache_dir=cache)
    assert cached._programs is None and cached.kinds == fresh.kinds
    assert [(p.id, [e.id for e in p.editions]) for p in cached.programs] == \
        [(p.id, [e.id for e in p.editions]) for p in fresh.programs]
    assert cached.program("home_visit").editions[0].limit["hospital"].value == 411000


def test_the_package_version_is_pyprojects():
    import re

    import ohshi_desk

    text = (RULES_DIR.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == ohshi_desk.__version__


# Issue 14 point 11: a limit should be the rounding of project cap × rate, unless the edition says why not.
def test_bundled_limits_match_cap_times_rate_or_say_why(rules):
    assert not [w for w in rules.warnings if "補助限度額" in w]


def test_a_limit_that_is_not_cap_times_rate_warns_naming_file_and_line(rules_copy):
    # P3 clinic/pharmacy: 130,000 × 3/4 = 97,500 → 97,000 (seed 001 「9.7万円」); 98,000 would not match
    edit(rules_copy, "programs/p3_online_care.yaml", "clinic_pharmacy: 97000", "clinic_pharmacy: 98000")
    rules = load_rules(rules_copy, cache_dir=False)
    text = (rules_copy / "programs/p3_online_care.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, ln in enumerate(text, 1) if "clinic_pharmacy: 98000" in ln)
    assert len(own_warnings(rules.warnings)) == 1
    w = own_warnings(rules.warnings)[0]
    assert f"programs/p3_online_care.yaml {line}行目" in w and "98,000円" in w and "97,000円" in w


def test_a_limit_with_a_note_saying_why_does_not_warn(rules_copy):
    # P5's 「最大3.1万円」 with a 4.1万円 cap (30,750 → 30,000) carries a note: no warning. Without it, one.
    edit(rules_copy, "programs/p6_checkup_limited_check.yaml",
         'limit: {any: {value: 31000, note: "通知は「最大3.1万円」。ただし4.1万円×3/4＝30,750円の千円未満切捨ては30,000円のため、見積りでは30,000円が上限になります"}}',
         "limit: {any: 31000}")
    rules = load_rules(rules_copy, cache_dir=False)
    assert len(own_warnings(rules.warnings)) == 1 and "p6_checkup_limited_check.yaml" in own_warnings(rules.warnings)[0]


def test_kind_groups_in_only_when_and_variants_match_in_the_engine(rules_copy):
    """Issue 14 point 10: a kind group (insured, clinic_any, …) in only_when / variants.when is resolved at load."""
    import datetime as dt

    from ohshi_desk.core.case.model import parse_case
    from ohshi_desk.core.compute.engine import compute

    edit(rules_copy, "programs/p7_medical_aid_card.yaml",
         "only_when: {kinds: [hospital], options: [both, card]}", "only_when: {kinds: [insured], options: [both, card]}")
    edit(rules_copy, "programs/p7_medical_aid_card.yaml",
         "when: {kinds: [hospital], options: [both, card], has_group: reception}",
         "when: {kinds: [insured], options: [both, card], has_group: reception}")
    rules = load_rules(rules_copy, cache_dir=False)
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "hospital"},
                       "plans": {"medical_aid_card": {"option": "both", "lines": [
                           {"item": "reception_machine_change", "unit_price": 1000000}]}}}, rules)
    p7 = compute(case, rules, dt.date(2025, 11, 1))["programs"][0]
    # before the fix the group name never matched: the 再来受付機 line was refused and the subsidy was 0
    assert p7["subsidy"] == 500000 and p7["details"]["variant"] == "with_reception"


def _some_subsidy(rules) -> int:
    from ohshi_desk.core.case.model import read_case_file
    from ohshi_desk.core.compute.engine import compute

    case = read_case_file(FIXTURE_CASE, rules)
    return next(p["subsidy"] for p in compute(case, rules)["programs"] if p["id"] == "fx_capped")


def test_a_tampered_rules_cache_is_not_trusted(tmp_path):
    """Issue 23: a cache edited by hand (the P2 rate and cap raised: 120,000 → 3,090,000円) was trusted without the
    checks (here on the fixture rules' テスト1, a copy of P2's figures). Its documents now carry a digest keyed with the user's own key: an edit is not trusted, the rules are
    read and checked afresh, and the cache is written again."""
    import json

    rules_copy = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    cache = tmp_path / "cache"
    honest = _some_subsidy(load_rules(rules_copy, cache_dir=cache))
    assert honest == 120000
    (file,) = cache.glob("rules-*.json")
    head, _nl, body = file.read_bytes().partition(b"\n")  # a line with the format and the digest, then the documents
    assert json.loads(head)["format"] == "ohshi-rules-cache/4"
    docs = json.loads(body)
    edition = docs["programs/1_fx_capped.yaml"]["editions"][0]
    text = json.dumps(edition, ensure_ascii=False)
    assert '"3/4"' in text and "130000" in text
    docs["programs/1_fx_capped.yaml"]["editions"][0] = json.loads(text.replace('"3/4"', '"1/1"')
                                                                    .replace("130000", "3090000")
                                                                    .replace("171000", "3090000"))
    # the digest left as it was: the key is not known
    file.write_bytes(head + b"\n" + json.dumps(docs, ensure_ascii=False).encode("utf-8"))
    assert _some_subsidy(load_rules(rules_copy, cache_dir=cache)) == 120000
    assert json.loads(file.read_bytes().partition(b"\n")[2]) != docs  # written again, honest
    # a cache of the format before (the documents as one string, with the digest they had) is not trusted either
    stored = {"format": "ohshi-rules-cache/3", "documents": json.dumps(docs, ensure_ascii=False),
              "mac": json.loads(head)["mac"]}
    file.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert _some_subsidy(load_rules(rules_copy, cache_dir=cache)) == 120000

"""Issue 25 points 4, 6, 7 and 8: dates and eras, the input limits the contract lists, every rules change listed
by 「ルールを更新…」, and one check for 「限度額 = 事業費上限 × 補助率」."""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal

import pytest

from ohshi_desk.core.base.formatting import ERAS, wareki
from ohshi_desk.core.base.inputs import InputError, parse_date
from ohshi_desk.core.case.model import CaseError, parse_case

# ------------------------------------------------------------------------------------------------ point 4: dates


@pytest.mark.parametrize("text,day", [
    ("昭和64年1月7日", dt.date(1989, 1, 7)),   # the last 昭和 day
    ("平成元年1月8日", dt.date(1989, 1, 8)),   # the first 平成 day
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),   # the first 令和 day
    ("R7.11.1", dt.date(2025, 11, 1)),
    ("ｒ７．１１．１", dt.date(2025, 11, 1)),
    ("2025年11月1日", dt.date(2025, 11, 1)),
    ("S1.12.25", dt.date(1926, 12, 25)),
])
def test_dates_inside_their_era_are_read(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text,fragment", [
    ("R0.1.1", "令和0年はありません"),
    ("令和元年4月1日", "令和は令和元年5月1日からです"),
    ("平成35年1月1日", "平成は平成31年4月30日までです"),
    ("平成元年1月7日", "平成は平成元年1月8日からです"),
    ("昭和64年1月8日", "昭和は昭和64年1月7日までです"),
    ("2025-02-30", "存在しない日付です"),
])
def test_dates_outside_their_era_are_refused_in_japanese(text, fragment):
    with pytest.raises(InputError) as exc:
        parse_date(text, "納品日")
    assert fragment in str(exc.value) and "納品日" in str(exc.value)


def test_wareki_uses_the_one_era_table():
    assert wareki(dt.date(1989, 1, 7)) == "昭和64年1月7日"
    assert wareki(dt.date(1989, 1, 8)) == "平成元年1月8日"
    assert wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(dt.date(1926, 12, 24)) == "大正15年12月24日"
    # before the table: 西暦, never 「平成-88年」
    assert wareki(dt.date(1900, 1, 1)) == "1900年1月1日"
    # every era's first day reads back as itself, in both directions
    for name, initial, first in ERAS:
        assert wareki(first) == f"{name}元年{first.month}月{first.day}日"
        assert parse_date(wareki(first)) == first
        assert parse_date(f"{initial}1.{first.month}.{first.day}") == first
        before = first - dt.timedelta(days=1)  # the last day of the era before (or 西暦 before the table)
        assert parse_date(wareki(before)) == before
    assert wareki(ERAS[-1][2] - dt.timedelta(days=1)) == "1912年7月29日"


def test_impossible_receipt_date_names_the_field(rules):
    data = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
            "plans": {"medical_aid_card": {"lines": [{"item": "receipt_system_change", "unit_price": 40000,
                                                      "vendor": "A"}],
                                           "receipts": {"A": {"date": "2025-02-30"}}}}}
    with pytest.raises(CaseError) as exc:
        parse_case(data, rules)
    assert "plans.medical_aid_card.receipts.A.date" in str(exc.value) and "存在しない日付" in str(exc.value)


def test_a_typed_receipt_date_reaches_the_form2_date_cell(rules):
    from ohshi_desk.core.compute.engine import compute
    from ohshi_desk.core.workbook.write import build_workbook

    data = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
            "plans": {"medical_aid_card": {"lines": [{"item": "receipt_system_change", "unit_price": 40000,
                                                      "vendor": "A社"}],
                                           "receipts": {"A社": {"date": "R7.10.3"}}}}}
    case = parse_case(data, rules)
    wb = build_workbook(case, compute(case, rules, dt.date(2025, 11, 1)), rules)
    form = next(ws for ws in wb.sheets if ws.title.startswith("様式2_"))
    assert form.value(4, 2) in (dt.date(2025, 10, 3), dt.datetime(2025, 10, 3))


# ------------------------------------------------------------------------------------------------ point 6: limits

def _contract() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[1] / "docs" / "CASE_FORMAT.md").read_text(encoding="utf-8")


def _bullet(text: str, start: str) -> str:
    """The bullet of CASE_FORMAT.md that starts with ``start`` (its continuation lines joined)."""
    lines = text.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(start))
    out = [lines[i]]
    for ln in lines[i + 1:]:
        if not ln.startswith("  "):
            break
        out.append(ln)
    return " ".join(s.strip() for s in out)


def test_the_contract_lists_the_limits_the_code_applies(rules):
    """Each limit the contract states is the one the parsers apply: just inside is read, just outside refused."""
    import json

    from ohshi_desk.core.base import inputs
    from ohshi_desk.core.case import model as case_mod

    limits = _bullet(_contract(), "- (ohshi-desk extension) Value limits")
    assert f"{inputs.MAX_YEN:,}" in limits and f"{inputs.MAX_COUNT:,}" in limits
    assert f"at most {case_mod.MAX_LINES} `lines`" in limits
    assert inputs.parse_yen(inputs.MAX_YEN) == 100_000_000
    with pytest.raises(InputError):
        inputs.parse_yen(inputs.MAX_YEN + 1)
    with pytest.raises(InputError):
        inputs.parse_count(inputs.MAX_COUNT + 1)

    def line(**kw):
        return {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
                "plans": {"home_visit": {"lines": [{"item": "tablet", "unit_price": 1000, **kw}]}}}

    # every text length the contract states is the one refused one character later
    for key, n in (("description", 200), ("vendor", 100), ("status", 40), ("note", 1000), ("receipt", 20)):
        assert f"`{key}` {n}" in limits, key
        parse_case(json.loads(json.dumps(line(**{key: "あ" * n}))), rules)
        with pytest.raises(CaseError) as exc:
            parse_case(line(**{key: "あ" * (n + 1)}), rules)
        assert key in str(exc.value)
    for forbidden in ({"unit_price": -1}, {"unit_price": 1.5}, {"quantity": 0}, {"unit_price": "100,000,001円"}):
        with pytest.raises(CaseError):
            parse_case(line(**forbidden), rules)


def test_every_typed_form_the_contract_lists_is_read(rules):
    import re

    from ohshi_desk.core.base import inputs

    forms = _bullet(_contract(), "- (ohshi-desk extension) Typed forms read")
    parsers = {"money": inputs.parse_yen, "counts and `quantity`": inputs.parse_count,
               "percentages": inputs.parse_percent, "dates": inputs.parse_date}
    seen = 0
    for label, parser in parsers.items():
        part = forms.split(f"{label} —", 1)[1].split(";", 1)[0]
        examples = re.findall(r"`([^`]+)`", part)
        assert examples, label
        for ex in examples:
            value = ex[1:-1] if ex.startswith('"') else (float(ex) if "." in ex else int(ex))
            if isinstance(value, float):
                value = ex  # a JSON number with a decimal point: read through its text (percent only)
            assert parser(value) is not None, (label, ex)
            seen += 1
    assert seen >= 20
    assert inputs.parse_yen("4,980円") == 4980 and inputs.parse_count("２") == 2 and inputs.parse_count("2") == 2


# ------------------------------------------------------------------------------------------------ point 7: changes

def _numeric_leaves(node, path=()):
    """Every number of a rules document (ints, and numbers written as text: rates "1/2", bands "3", codes "01")."""
    import re

    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numeric_leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numeric_leaves(v, (*path, i))
    elif isinstance(node, int) and not isinstance(node, bool):
        yield path, node
    elif isinstance(node, str) and re.fullmatch(r"\d+(\.\d+)?|\d+/\d+", node):
        yield path, node


def _candidates(v):
    """Other values to try, in order: the first one the pack checks accept is the edit."""
    if isinstance(v, int):
        return list(dict.fromkeys(c for c in (v + 1, v - 1, v * 2, v + 1000) if c != v))
    if "/" in v:
        return [r for r in ("1/3", "2/3", "1/4", "1/2", "3/4") if r != v]
    if "." in v:
        return [str(float(v) + 1)]
    width = len(v) if v.startswith("0") else 1
    return [str(int(v) + d).zfill(width) for d in (1, -1, 50, 2)] if int(v) else [str(int(v) + 1).zfill(width)]


def _set(doc, path, value):
    for p in path[:-1]:
        doc = doc[p]
    doc[path[-1]] = value


# a rules file's own key (above_top, flag_reasons, read_by…) said in the dialog instead of Japanese words
BARE_KEY = re.compile(r"(?<![A-Za-z0-9./:_{-])[a-z]+_[a-z0-9_]+(?![A-Za-z0-9./_}-])")  # {blanks} are the text's own


def test_every_numeric_edit_of_every_rules_file_is_listed():
    """Each number of each bundled rules file, edited alone: either the pack checks refuse the edit, or
    rules_pack.changes lists it (besides the version). In-process, one build per edit (a few ms each)."""
    from ohshi_desk.core.rules.build import rules_from_documents
    from ohshi_desk.core.rules.files import default_rules_dir, read_documents
    from ohshi_desk.core.rules.pack import changes
    from ohshi_desk.core.rules.records import RulesError
    from ohshi_desk.core.rules.source import check_sense

    folder = default_rules_dir()
    docs, _cached, _save = read_documents(folder, None)
    base = rules_from_documents(folder, docs)
    base.programs  # noqa: B018
    listed, refused, hidden, bare = 0, [], [], []
    per_file: dict[str, int] = {}
    for rel, doc in docs.items():
        for path, value in list(_numeric_leaves(doc)):
            per_file[rel] = per_file.get(rel, 0) + 1
            accepted = False
            for cand in _candidates(value):
                edited = copy.deepcopy(doc)  # the built rules keep references into their documents
                _set(edited, path, cand)
                try:
                    new = rules_from_documents(folder, {**docs, rel: edited})
                    new.programs  # noqa: B018 — builds and checks every program
                    check_sense(new)
                except RulesError:
                    continue
                accepted = True
                said = changes(base, new)
                if said:
                    listed += 1
                    bare += [f"{rel}: {ln}" for ln in said if BARE_KEY.search(ln)]
                else:
                    hidden.append(f"{rel}: {'.'.join(map(str, path))} {value!r} → {cand!r}")
                break
            if not accepted:
                refused.append(f"{rel}: {'.'.join(map(str, path))}")
    assert hidden == [], "edits the dialog would not list:\n" + "\n".join(hidden)
    assert bare == [], "lines that say a rules file's key instead of words:\n" + "\n".join(bare[:20])
    # the test reached (nearly) every number: only edits every candidate of which the checks refuse are not listed
    total = sum(per_file.values())
    assert total > 300 and listed >= 0.9 * total, (listed, total, refused)
    assert all(n for n in per_file.values())
    assert {"programs/p2_home_visit.yaml", "prefectures.yaml", "municipalities.yaml", "facility_kinds.yaml"} <= set(per_file)
    # a band edge is two numbers (one band's max, the next one's min) that can only move together: moved together
    rel = "programs/p8_usage_bonus.yaml"
    bands = docs[rel]["editions"][0]["bands"]
    for i in range(len(bands) - 1):
        edited = copy.deepcopy(docs[rel])
        lo, hi = edited["editions"][0]["bands"][i], edited["editions"][0]["bands"][i + 1]
        lo["max"] = hi["min"] = str((Decimal(lo["min"]) + Decimal(lo["max"])) / 2)  # 1.5, 4, 7.5, …
        new = rules_from_documents(folder, {**docs, rel: edited})
        check_sense(new)
        assert any("利用率の区分" in ln for ln in changes(base, new)), i


@pytest.mark.parametrize("rel,old,new,fragment", [
    # the three the issue names: a group cap, a per-coupon limit, a one-unit limit
    ("programs/1_fx_capped.yaml", "cap: {any: 41000}", "cap: {any: 30000}", ("モバイル端末等の事業費の上限・病院、", "41,000円 → 30,000円")),
    ("programs/2_fx_coupons.yaml", "limit: {value: 7000,", "limit: {value: 6000,",
     "クーポン1つあたり・補助限度額 7,000円 → 6,000円"),
    ("programs/3_fx_unit_table.yaml", "clinic_pharmacy: [275000]", "clinic_pharmacy: [200000]",
     ("台数ごとの補助上限・診療所（医科）、", "［275,000円］ → ［200,000円］")),
])
def test_the_dialog_lists_the_changes_the_issue_names(tmp_path, fixture_rules, rel, old, new, fragment):
    """On the fixture rules' copies of P2, P1 and P9 (tests/fixtures/README.md): a new edition of a real program
    does not move the lines edited."""
    from ohshi_desk.core.rules import pack as rules_pack

    from .conftest import FIXTURE_RULES
    from .rules_edit import copy_rules, edit

    folder = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    edit(folder, rel, old, new, exactly_once=True)
    lines = rules_pack.changes(fixture_rules, rules_pack.check(folder))
    assert lines, "計算に関わる変更はありません"
    fragments = fragment if isinstance(fragment, tuple) else (fragment,)
    assert any(all(f in ln for f in fragments) for ln in lines), lines


# ------------------------------------------------------------------------------------------------ point 8: one check

@pytest.mark.parametrize("rel,old,new,words", [
    # capped_rate's check: 130,000 × 3/4 = 97,500 → 97,000
    ("programs/p3_online_care.yaml", "clinic_pharmacy: 97000}", "clinic_pharmacy: 98000}",
     "（editions[0].limit.clinic_pharmacy）: 補助限度額 98,000円が 事業費の上限 130,000円 × 補助率 3/4（1,000円未満切捨て）= 97,000円"),
    # a variant's limit (P7 with 再来受付機等): 1,200,000 × 1/2 = 600,000
    ("programs/p7_medical_aid_card.yaml", "limit: {hospital: 600000}", "limit: {hospital: 610000}",
     "（editions[0].variants[0].limit.hospital）: 補助限度額 610,000円が 事業費の上限 1,200,000円 × 補助率 1/2"),
    # the coupons method brings its own: 14,000 × 1/2 = 7,000 (to the yen); a limit with a note is not warned about
    ("programs/p1_smartphone_reader.yaml",
     "limit: {value: 7000, confidence: derived, note: 病院2.1万円（3台分）、診療所・薬局0.7万円から、クーポン1つあたり0.7万円}",
     "limit: {value: 6000, confidence: derived}",
     "（editions[0].coupon.limit）: 補助限度額 6,000円が 事業費の上限 14,000円 × 補助率 1/2 = 7,000円"),
])
def test_one_limit_check_one_wording_bundled_override_and_pack(tmp_path, monkeypatch, rel, old, new, words):
    """「限度額 = 事業費上限 × 補助率」 is one check: the same folder gets the same warning, in the same words, whether it
    is loaded as the rules, resolved as an override or checked as a pack; none of them refuses it."""
    from ohshi_desk.core.rules import pack as rules_pack
    from ohshi_desk.core.rules.build import load_rules, load_rules_for_app
    from ohshi_desk.core.rules.source import sense_problems

    from .rules_edit import copy_rules, edit, own_warnings

    folder = copy_rules(tmp_path / "rules")
    edit(folder, rel, old, new, exactly_once=True)
    line = next(i for i, ln in enumerate((folder / rel).read_text(encoding="utf-8").splitlines(), 1) if new in ln)
    as_rules = load_rules(folder, cache_dir=False)
    assert sense_problems(as_rules) == []
    added = own_warnings(as_rules.warnings)
    assert len(added) == 1 and added[0].startswith(f"{rel} {line}行目"), as_rules.warnings
    assert words in added[0]
    as_pack = rules_pack.check(folder)  # not refused
    assert as_pack.warnings == as_rules.warnings
    assert any("補助限度額" in ln for ln in rules_pack.changes(load_rules(cache_dir=False), as_pack))
    monkeypatch.setenv("OHSHI_RULES_DIR", str(folder))
    _rules, used, warnings = load_rules_for_app()
    assert used == folder and warnings == as_rules.warnings


def test_money_that_cannot_be_is_refused_the_same_way_everywhere(tmp_path):
    from ohshi_desk.core.rules import pack as rules_pack
    from ohshi_desk.core.rules.build import load_rules
    from ohshi_desk.core.rules.records import RulesError
    from ohshi_desk.core.rules.source import sense_problems

    from .rules_edit import copy_rules, edit

    folder = copy_rules(tmp_path / "rules")
    edit(folder, "programs/p9_reader_addition.yaml", "hospital: [275000, 450000, 625000]",
         "hospital: [0, 450000, 625000]", exactly_once=True)
    problems = sense_problems(load_rules(folder, cache_dir=False))
    assert problems == [("programs/p9_reader_addition.yaml", "editions[y2024].limit_by_units.hospital[0]",
                         "金額 0 円は範囲外です（1円〜1,000,000,000円）")]
    with pytest.raises(RulesError) as exc:
        rules_pack.check(folder)
    assert "limit_by_units.hospital[0]" in str(exc.value)


def test_every_method_brings_its_checks_and_its_comparison():
    """A new method is one module with parse, compute, sense and changes (ARCHITECTURE.md): without its own
    comparison a rules update could hide its values, without its own checks a pack could carry nonsense."""
    from ohshi_desk.core.rules.methods import METHODS

    for name, module in METHODS.items():
        for fn in ("parse", "compute", "sense", "changes"):
            assert callable(getattr(module, fn, None)), f"{name}.{fn}"


@pytest.mark.parametrize("rel,old,new,fragment", [
    ("programs/p1_smartphone_reader.yaml", "スマホ保険証への対応は義務ではありません", "スマホ保険証への対応は任意です",
     "受付終了後の案内"),
    ("portals.yaml", "いまから申請することはできません", "いまからは申請できません", "受付終了後の案内"),
    ("facility_kinds.yaml", "特定健診・特定保健指導を実施していれば", "特定健診を行っていれば",
     "「はい」なら申請できるときの案内"),
    ("programs/p8_usage_bonus.yaml", "above_top: true", "above_top: false", "小規模の表の上限を超えるとき"),
    ("programs/p3_online_care.yaml", "counted_once_note: 両方の計画に", "counted_once_note: 二つの計画に",
     "1回だけ計上するときの説明"),
    ("meta.yaml", "{kind}は、この補助の対象", "{kind}は、この制度の対象", "補助額の計算の説明文"),
])
def test_what_is_said_of_a_closed_program_and_its_words_are_listed_in_words(tmp_path, rel, old, new, fragment):
    """A rules update that changes what a closed program says (its own when_closed, its portal's closed_steps), a
    question's offer (if_yes) or a rule's condition lists it in Japanese words, never by the file's keys."""
    from ohshi_desk.core.rules import pack as rules_pack
    from ohshi_desk.core.rules.build import load_rules

    from .rules_edit import copy_rules, edit

    folder = copy_rules(tmp_path / "rules")
    edit(folder, rel, old, new)
    lines = rules_pack.changes(load_rules(cache_dir=False), load_rules(folder, cache_dir=False))
    assert any(fragment in ln for ln in lines), lines
    assert [ln for ln in lines if BARE_KEY.search(ln)] == []

"""The command-line contract of shared/CASE_FORMAT.md: compute prints the breakdown; a bad case exits 2 with one
Japanese line on stderr naming the field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CASE, FIXTURE_RULES
from tests.rules_edit import own_warnings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json"  # CASE_FORMAT.md's example


def run(*args, stdin=None, rules_dir: Path | None = None):
    """The command line; on the rules folder ``rules_dir`` (OHSHI_RULES_DIR) when given, else the bundled rules."""
    env = {**os.environ, "OHSHI_RULES_DIR": str(rules_dir)} if rules_dir else None
    return subprocess.run([sys.executable, "-m", "ohshi_desk", *args], capture_output=True, text=True,
                          timeout=120, input=stdin, cwd=ROOT, env=env)


def test_compute_prints_the_breakdown(tmp_path):
    """The contract of ``compute`` on the fixture rules (tests/fixtures/README.md), so that a change to a real
    program changes nothing here: one entry per plan, and for the programs that read ``usage`` when it is given;
    the figures; the totals."""
    data = json.loads(FIXTURE_CASE.read_text(encoding="utf-8"))
    data["usage"] = {"oct2023_receipts": 1000, "oct2023_rate_percent": 4.0, "oct2023_users": 40,
                     "best_month_users_2024": 200, "peak_monthly_uses": 600}
    case = tmp_path / "c.ohshi.json"
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = run("compute", str(case), "--as-of", "2025-11-01", rules_dir=FIXTURE_RULES)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["as_of"], out["as_of_source"], out["rules_version"]) == ("2025-11-01", "option", "2000.1.1")
    by_id = {p["id"]: p for p in out["programs"]}
    assert list(by_id) == ["fx_capped", "fx_coupons", "fx_unit_table", "fx_usage_bonus"]
    # テスト1: 40,000 + 120,000, both under their caps (41,000; 130,000), × 3/4
    assert (by_id["fx_capped"]["status"], by_id["fx_capped"]["eligible_cost"], by_id["fx_capped"]["subsidy"],
            by_id["fx_capped"]["deadline"]) == ("open", 160000, 120000, "2026-01-15")
    # テスト2: one coupon, 4,980 + 1,500 = 6,480 (under 14,000) × 1/2
    assert (by_id["fx_coupons"]["status"], by_id["fx_coupons"]["subsidy"]) == ("open", 3240)
    # テスト3: its yes/no question answered いいえ; テスト4: the clinic table, 3–5% and +160 users
    assert (by_id["fx_unit_table"]["status"], by_id["fx_unit_table"]["subsidy"]) == ("not_applicable", 0)
    assert (by_id["fx_usage_bonus"]["status"], by_id["fx_usage_bonus"]["subsidy"]) == ("closed", 200000)
    assert out["total_subsidy"] == sum(p["subsidy"] for p in out["programs"]) == 323240
    assert out["total_subsidy_open"] == 120000 + 3240
    for p in out["programs"]:
        assert isinstance(p["notes"], list) and p["reasons"]


def _json_blocks(text: str) -> list:
    return [json.loads(block.split("```", 1)[0]) for block in text.split("```json\n")[1:]]


def test_the_documented_example_is_the_shipped_one_and_its_breakdown_the_one_expected():
    """CASE_FORMAT.md's example case is resources/examples/yamada_clinic.ohshi.json and the YAML case 「the
    CASE_FORMAT example」 (tests/cases/case_format_example.yaml), whose expectations hold the program the document's
    breakdown shows: its figures on the real rules are checked there, with the rules; here, that the three say the
    same, and that the command line computes the example with the documented shape."""
    from ohshi_desk.core.base.yamlsafe import load_yaml

    case_block, breakdown_block = _json_blocks((ROOT / "docs" / "CASE_FORMAT.md").read_text(encoding="utf-8"))
    shipped = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert case_block == shipped
    [spec] = load_yaml((ROOT / "tests" / "cases" / "case_format_example.yaml").read_text(encoding="utf-8"))
    assert {"format": "ohshi-desk-case/1", **spec["case"]} == shipped and spec["as_of"] == shipped["as_of"]
    for shown in breakdown_block["programs"]:
        expected = spec["expect"][shown["id"]]
        assert {k: v for k, v in shown.items() if k in expected} == expected, shown["id"]
        assert set(shown) - set(expected) == {"id", "notes"}, shown["id"]  # every figure shown is one expected
    assert breakdown_block["as_of"] == shipped["as_of"]
    proc = run("compute", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(breakdown_block) <= set(out)
    # one entry for every program the case has a plan for, and for usage_bonus / reader_addition (usage is given)
    assert [p["id"] for p in out["programs"]] == spec["expect"]["programs"]
    for p in out["programs"]:
        assert set(breakdown_block["programs"][0]) <= set(p), p["id"]
        assert p["status"] in ("open", "not_yet_open", "closed", "not_applicable", "not_needed")
    assert out["total_subsidy_open"] == sum(p["subsidy"] for p in out["programs"] if p["status"] == "open")


def test_compute_uses_case_as_of_and_flag_overrides(tmp_path):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case = tmp_path / "c.ohshi.json"
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert json.loads(run("compute", str(case)).stdout)["as_of"] == "2025-11-01"
    out = json.loads(run("compute", str(case), "--as-of", "令和8年2月1日").stdout)
    assert out["as_of"] == "2026-02-01" and out["total_subsidy_open"] == 0


def test_canon_clinic_gets_not_needed(tmp_path):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["face_reader"]["maker"] = "canon"
    case = tmp_path / "c.ohshi.json"
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = json.loads(run("compute", str(case)).stdout)
    p = next(p for p in out["programs"] if p["id"] == "smartphone_reader")
    assert p["status"] == "not_needed" and p["subsidy"] == 0


BAD = [
    ("not json", "{format", "JSONとして読めません"),
    ("truncated", '{"format": "ohshi-desk-case/1", "facility": {"kind": "cli', "JSONとして読めません"),
    ("array", "[1, 2]", "ケースの形式"),
    ("no format", '{"facility": {"kind": "clinic"}}', "format"),
    ("newer format", '{"format": "ohshi-desk-case/2", "facility": {"kind": "clinic"}}', "新しいバージョン"),
    ("unknown kind", '{"format": "ohshi-desk-case/1", "facility": {"kind": "castle"}}', "facility.kind"),
    ("no kind", '{"format": "ohshi-desk-case/1", "facility": {}}', "facility.kind"),
    ("negative price", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
                       ' {"lines": [{"item": "tablet", "unit_price": -5}]}}}', "plans.home_visit.lines[0].unit_price"),
    ("huge price", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
                   ' {"lines": [{"item": "tablet", "unit_price": 1e300}]}}}', "unit_price"),
    ("float price", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
                    ' {"lines": [{"item": "tablet", "unit_price": 4980.5}]}}}', "unit_price"),
    ("NaN", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
            ' {"lines": [{"item": "tablet", "unit_price": NaN}]}}}', "JSONとして読めません"),
    ("unknown item", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
                     ' {"lines": [{"item": "rocket", "unit_price": 5}]}}}', "plans.home_visit.lines[0].item"),
    ("unknown program", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"moon": {}}}',
     "plans.moon"),
    ("zero quantity", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
                      ' {"lines": [{"item": "tablet", "quantity": 0, "unit_price": 5}]}}}', "quantity"),
    ("bad option", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"medical_aid_card":'
                   ' {"option": "all"}}}', "option"),
    ("bad code", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "institution_code": "12ab"}}',
     "institution_code"),
    ("bad maker", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "face_reader": {"maker": "sony"}}',
     "face_reader.maker"),
    ("bad percent", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "usage":'
                    ' {"oct2023_rate_percent": 140}}', "usage.oct2023_rate_percent"),
    ("bad as_of", '{"format": "ohshi-desk-case/1", "as_of": "2025-13-45", "facility": {"kind": "clinic"}}', "as_of"),
    # issue 25 point 4: an impossible receipt date is refused like an impossible as_of
    ("bad receipt date", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"medical_aid_card":'
                         ' {"lines": [{"item": "receipt_system_change", "unit_price": 40000, "vendor": "A"}],'
                         ' "receipts": {"A": {"date": "2025-02-30"}}}}}', "plans.medical_aid_card.receipts.A.date"),
    ("receipt date before its era", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans":'
                                    ' {"medical_aid_card": {"receipts": {"A": {"date": "令和元年4月1日"}}}}}',
     "令和は令和元年5月1日からです"),
    ("lines not a list", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}, "plans": {"home_visit":'
                         ' {"lines": 5}}}', "lines"),
    ("bool flag wrong", '{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "obligation_exempt": "yes"}}',
     "obligation_exempt"),
    ("deep nesting", "[" * 100000 + "]" * 100000, "JSONとして読めません"),
    ("binary", "\udcff", "UTF-8"),
]


@pytest.mark.parametrize("name,text,fragment", BAD, ids=[b[0] for b in BAD])
def test_bad_case_exits_2_with_one_japanese_line(tmp_path, name, text, fragment):
    case = tmp_path / "bad.ohshi.json"
    case.write_bytes(text.encode("utf-8", "surrogateescape"))
    proc = run("compute", str(case))
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = own_warnings(proc.stderr.strip().splitlines())
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in lines[0])


def test_missing_file_and_bad_as_of_exit_2(tmp_path):
    proc = run("compute", str(tmp_path / "nope.json"))
    assert proc.returncode == 2 and "見つかりません" in proc.stderr
    proc = run("compute", str(EXAMPLE), "--as-of", "someday")
    assert proc.returncode == 2 and "--as-of" in proc.stderr
    proc = run("compute")
    assert proc.returncode == 2 and "コマンドの指定" in proc.stderr


def test_unknown_keys_survive_a_save(tmp_path, rules):
    from ohshi_desk.core.case.model import read_case_file, save_case

    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["x_vendor_note"] = {"keep": [1, 2]}
    data["facility"]["x_extra"] = "残す"
    data["plans"]["home_visit"]["lines"][0]["x_serial"] = "SN-1"
    src = tmp_path / "in.ohshi.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    case = read_case_file(src, rules)
    out = tmp_path / "out.ohshi.json"
    save_case(case, out)
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again == data
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# Issue 23 point 2: the output never crashes on the stream's encoding (Japanese Windows with output redirected is
# cp932; a Shift_JIS locale lacks 「②」; the C locale, with Python's UTF-8 coercion off, is ASCII).
ENCODINGS = [
    ("cp932", {"PYTHONIOENCODING": "cp932"}),
    ("shift_jis", {"PYTHONIOENCODING": "shift_jis"}),
    ("C locale", {"LC_ALL": "C", "LANG": "C"}),
    ("C locale, no UTF-8 mode", {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}),
]


def _run_env(extra, *args):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LANG")}
    env.update(extra)
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", *args], capture_output=True, timeout=120, cwd=ROOT,
                          env=env)
    return proc


def _stream_encoding(extra) -> str:
    """The encoding Python gives stdout in that environment."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LANG")}
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"], capture_output=True,
                           env={**env, **extra}, timeout=60)
    return probe.stdout.decode().strip()


@pytest.mark.parametrize("label, extra", ENCODINGS, ids=[e[0] for e in ENCODINGS])
@pytest.mark.parametrize("name", [None, "𠮷田内科クリニック"], ids=["example (②)", "𠮷田"])
def test_compute_never_crashes_on_the_output_encoding(tmp_path, label, extra, name):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    if name:
        data["facility"]["name"] = name
    case = tmp_path / "c.ohshi.json"
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    expected = json.loads(run("compute", str(case)).stdout)  # UTF-8, as the suite runs
    assert "②" in json.dumps(expected, ensure_ascii=False)  # the example's 「②」 is in the output
    proc = _run_env(extra, "compute", str(case))
    encoding = _stream_encoding(extra)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr.decode(encoding, "replace")
    out = proc.stdout.decode(encoding)  # the stream's own encoding: whatever it cannot hold came as \uXXXX
    assert json.loads(out) == expected


@pytest.mark.parametrize("label, extra", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_a_message_with_a_character_the_console_lacks_is_still_one_line(tmp_path, label, extra):
    proc = _run_env(extra, "compute", str(tmp_path / "𠮷田②.ohshi.json"))
    encoding = _stream_encoding(extra)
    err = proc.stderr.decode(encoding)
    assert proc.returncode == 2 and "Traceback" not in err and len(own_warnings(err.strip().splitlines())) == 1, err
    assert "見つかりません" in err or "\\u898b" in err  # Japanese where the console holds it, else escaped

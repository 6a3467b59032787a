"""Hostile override rules folders: none can break the app, steer it silently, or reach the network.

Each attack is an override folder in the user's app-data; the outcome asserted is always the same: the bundled
rules are used, quickly, with one warning line naming the folder and the file (or, for a valid override, the
output says which rules are in use)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ohshi_desk.core.base.guard import LimitError, check_yaml, read_regular_file, strict_json_loads
from ohshi_desk.core.rules.build import RulesError, load_rules, load_rules_for_app
from ohshi_desk.core.rules.source import sense_problems
from tests.conftest import rules_once
from tests.rules_edit import own_stderr, own_warnings

from .hangs import finishes

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json"


@pytest.fixture
def override(tmp_path, monkeypatch):
    """A copy of the bundled rules as the user's override folder (app-data/rules)."""
    monkeypatch.delenv("OHSHI_RULES_DIR", raising=False)
    folder = Path(os.environ["OHSHI_DATA_DIR"]) / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


def _resolve():
    """The rules the app would use; a hang (a FIFO, billion laughs) fails instead of stopping the suite."""
    result = finishes(load_rules_for_app)
    assert not isinstance(result, Exception), f"resolving the rules raised {result!r} instead of falling back"
    return result


def _falls_back(override: Path, file: str, words: str = "") -> list[str]:
    rules, folder, warnings = _resolve()
    warnings = own_warnings(warnings)
    assert folder == ROOT / "rules", "the bundled rules are used"
    assert rules.origin == "" and rules.version == rules_once().version
    assert len(warnings) == 1 and str(override) in warnings[0] and file in warnings[0], warnings
    assert "\n" not in warnings[0]
    assert words in warnings[0], warnings[0]
    return warnings


def test_a_valid_override_is_used_and_named(override):
    (override / "meta.yaml").write_text((override / "meta.yaml").read_text(encoding="utf-8").replace(
        f'version: "{rules_once().version}"', 'version: "2099.1"'), encoding="utf-8")
    rules, folder, warnings = _resolve()
    assert folder == override and own_warnings(warnings) == [] and rules.version == "2099.1"
    assert rules.origin == str(override)


def test_deep_nesting_falls_back(override):
    (override / "items.yaml").write_text("kind: items\nitems: " + "[" * 30000 + "]" * 30000 + "\n", encoding="utf-8")
    _falls_back(override, "items.yaml", "入れ子が深すぎます")


def test_billion_laughs_falls_back_quickly(override):
    lines = ["kind: items", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    lines.append("items: {x: {label: *a9}}")
    (override / "items.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _falls_back(override, "items.yaml", "エイリアス")


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "folder"])
def test_a_rules_file_that_is_not_a_regular_file_falls_back_without_hanging(override, tmp_path, target):
    path = override / "programs" / "p2_home_visit.yaml"
    path.unlink()
    if target == "fifo":
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to(tmp_path / "pipe")
    elif target == "folder":
        path.mkdir()
    else:
        path.symlink_to(target)
    _falls_back(override, "p2_home_visit.yaml")  # a hang on a file that is not a regular file fails in _resolve


def test_a_huge_rules_file_falls_back(override):
    with open(override / "documents.yaml", "ab") as fh:
        fh.write(b"#" * (3 * 1024 * 1024) + b"\n")
    _falls_back(override, "documents.yaml", "大きすぎます")


def test_a_five_thousand_digit_rate_falls_back(override):
    p = override / "programs" / "p2_home_visit.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace('hospital: "1/2", chain', f'hospital: "{"9" * 5000}/1", chain'),
                 encoding="utf-8")
    _falls_back(override, "p2_home_visit.yaml", "桁が多すぎます")


@pytest.mark.parametrize("edit, words", [
    (("project_cap: {hospital: 822000", "project_cap: {hospital: -822000"), "project_cap"),
    (("limit: {hospital: 411000", "limit: {hospital: 4110000"), "limit"),  # typed 10× too big: above the cap
    (('rate: {hospital: "1/2"', 'rate: {hospital: "3/2"'), "rate"),
])
def test_figures_that_make_no_sense_fall_back(override, edit, words):
    p = override / "programs" / "p2_home_visit.yaml"
    text = p.read_text(encoding="utf-8")
    assert edit[0] in text
    p.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    _falls_back(override, "p2_home_visit.yaml", words)


def test_a_limit_that_is_not_cap_times_rate_is_used_with_one_warning(override):
    """Issue 25 point 8: one check, one wording, one rule — the override is used, as the bundled rules would be,
    and the warning names file, line and key (10× too small: 41,100 where cap × rate gives 411,000). The override
    is the fixture rules (tests/fixtures/README.md), so that a new edition of a real program changes nothing here."""
    from ohshi_desk.core.rules.build import load_rules_for_app
    from tests.conftest import FIXTURE_RULES

    shutil.rmtree(override)
    shutil.copytree(FIXTURE_RULES, override)
    p = override / "programs" / "1_fx_capped.yaml"
    text = p.read_text(encoding="utf-8")
    assert text.count("limit: {hospital: 411000") == 1
    p.write_text(text.replace("limit: {hospital: 411000", "limit: {hospital: 41100"), encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "limit: {hospital: 411000" in ln)
    rules, folder, warnings = load_rules_for_app()
    assert folder == override and rules.program("fx_capped").editions[0].limit["hospital"].value == 41100
    # テスト1: project_cap hospital 822,000 × rate 1/2 = 411,000 (already a whole 1,000)
    assert warnings == [f"programs/1_fx_capped.yaml {line}行目（editions[0].limit.hospital）: 補助限度額 41,100円が"
                        " 事業費の上限 822,000円 × 補助率 1/2（1,000円未満切捨て）= 411,000円と合いません。"
                        "理由があれば note に書いてください"]


def test_sense_checks_pass_on_the_bundled_rules(rules):
    assert sense_problems(rules) == []


def test_any_failure_of_an_override_falls_back(override, monkeypatch):
    import ohshi_desk.core.rules.build as rules_module

    real = rules_module.load_rules

    def explode(folder, **kw):
        if Path(folder) == override:
            raise RecursionError("deep")
        return real(folder, **kw)

    monkeypatch.setattr(rules_module, "load_rules", explode)
    rules, folder, warnings = _resolve()
    assert folder == ROOT / "rules" and "入れ子が深すぎて" in warnings[0]


# --------------------------------------------------------------------------------------------- the schema

HOSTILE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"items": {"$ref": "http://127.0.0.1:9/evil.json"}, "meta": {"$ref": "file:///etc/passwd"}},
}


def test_an_override_schema_is_never_read(override):
    (override / "schema" / "rules.schema.json").write_text(json.dumps(HOSTILE_SCHEMA), encoding="utf-8")
    rules, folder, warnings = _resolve()
    assert folder == override and own_warnings(warnings) == []  # the bundled schema checked it: the rest is valid


def test_no_socket_and_no_passwd_with_a_hostile_override(override):
    """An audit hook sees every socket and every open: loading a hostile override folder opens neither."""
    (override / "schema" / "rules.schema.json").write_text(json.dumps(HOSTILE_SCHEMA), encoding="utf-8")
    (override / "items.yaml").write_text("kind: items\nitems: {x: {$ref: 'http://127.0.0.1:9/x'}}\n",
                                         encoding="utf-8")
    seen: list[str] = []
    active = [True]

    def hook(event, args):
        if not active[0]:
            return
        if event.startswith("socket."):
            seen.append(event)
        elif event == "open" and args and str(args[0]).startswith("/etc/passwd"):
            seen.append(f"open {args[0]}")

    sys.addaudithook(hook)
    try:
        load_rules(override, cache_dir=False)
    except RulesError:
        pass
    finally:
        active[0] = False
    try:
        active[0] = True
        _resolve()
    finally:
        active[0] = False
    assert seen == []


@pytest.mark.slow
def test_strace_compute_with_a_hostile_override_opens_no_socket(override, tmp_path):
    (override / "schema" / "rules.schema.json").write_text(json.dumps(HOSTILE_SCHEMA), encoding="utf-8")
    trace = tmp_path / "trace"
    env = dict(os.environ)
    env.pop("OHSHI_RULES_DIR", None)
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect,open,openat", "-o", str(trace),
                           sys.executable, "-m", "ohshi_desk", "compute", str(CASE)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["rules_source"] == "override" and out["rules_source_folder"] == str(override)
    calls = trace.read_text()
    assert "openat(" in calls  # the trace worked
    assert " socket(" not in calls and "connect(" not in calls
    assert "/etc/passwd" not in calls


# --------------------------------------------------------------------------------------------- the CLI

def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ohshi_desk", *args], capture_output=True, text=True,
                          env=env or dict(os.environ), timeout=120)


def test_cli_and_wizard_read_the_same_rules(override):
    env = dict(os.environ)
    env.pop("OHSHI_RULES_DIR", None)
    p = override / "programs" / "p2_home_visit.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("limit: {hospital: 411000", "limit: {hospital: -5"),
                 encoding="utf-8")
    # the day given, so that stderr holds only what concerns the rules (a case's own day not today is told too)
    proc = _cli("compute", str(CASE), "--as-of", "2025-11-01", env=env)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["rules_source"] == "bundled"
    lines = own_warnings(proc.stderr.strip().splitlines())
    assert len(lines) == 1 and str(override) in lines[0] and "p2_home_visit.yaml" in lines[0]
    shutil.rmtree(override)
    shutil.copytree(ROOT / "rules", override)
    proc = _cli("compute", str(CASE), "--as-of", "2025-11-01", env=env)
    assert proc.returncode == 0 and own_stderr(proc.stderr) == ""
    out = json.loads(proc.stdout)
    assert out["rules_source"] == "override" and out["rules_source_folder"] == str(override)
    assert out["rules_version"] == load_rules_for_app()[0].version


# --------------------------------------------------------------------------------------------- the guard

def test_guard_limits(tmp_path):
    with pytest.raises(LimitError):
        check_yaml("a: " + "9" * 31)
    check_yaml("a: " + "9" * 30)
    with pytest.raises(LimitError):
        strict_json_loads("[" * 100 + "]" * 100)
    with pytest.raises(ValueError, match="a"):
        strict_json_loads('{"a": 1, "a": 2}')
    with pytest.raises(LimitError):
        strict_json_loads("9" * 5000)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 11)
    with pytest.raises(LimitError):
        read_regular_file(big, 10)
    assert read_regular_file(big, 11) == b"x" * 11


def test_override_rules_are_named_in_the_workbook_the_print_and_the_wizard(override, tmp_path, qtbot):
    from openpyxl import load_workbook

    from ohshi_desk.core.case.model import read_case_file
    from ohshi_desk.core.compute.engine import compute
    from ohshi_desk.core.papers.print_html import breakdown_html
    from ohshi_desk.core.workbook.write import export_case
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    rules, folder, _w = _resolve()
    assert folder == override
    case = read_case_file(CASE, rules)
    bd = compute(case, rules)
    assert bd["rules_source"] == "override"
    html = breakdown_html(bd)
    assert "差し替えルール" in html and str(override) in html
    out = tmp_path / "o.xlsx"
    export_case(case, rules, out)
    cells = [str(c.value) for row in load_workbook(out).worksheets[0].iter_rows() for c in row if c.value]
    assert any("差し替えルール" in c and str(override) in c for c in cells)
    make_application([])
    w = OhshiWizard(rules)
    w.ask_before_close = False
    qtbot.addWidget(w)
    assert "差し替えルール" in w.windowTitle()
    bundled = load_rules()
    assert breakdown_html(compute(case, bundled)).count("差し替え") == 0


@pytest.mark.slow
def test_an_override_the_window_cannot_show_still_lets_the_app_start(override):
    """Valid as data, but this version's facility page needs a question it lacks: the app starts on the bundled
    rules instead of stopping with a traceback (the warning is shown once the window has painted)."""
    p = override / "facility_kinds.yaml"
    text = p.read_text(encoding="utf-8")
    p.write_text(text[:text.index("  obligation_exempt:")] + text[text.index("  checkup_provider:"):], encoding="utf-8")
    for f in (override / "programs").glob("*.yaml"):
        f.write_text(f.read_text(encoding="utf-8").replace("flags: [obligation_exempt]", "flags: []"), encoding="utf-8")
    rules, folder, warnings = _resolve()
    assert folder == override and warnings == []  # the loader takes it: only the window cannot
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "--smoke"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0 and "smoke: first page shown" in proc.stdout, proc.stderr
    assert "Traceback" not in proc.stderr

"""Hostile input never escapes as a traceback; the app opens no network socket."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ohshi_desk.core.base.inputs import InputError, parse_count, parse_date, parse_percent, parse_yen
from ohshi_desk.core.case.model import CaseError, parse_case, read_case_file

from .conftest import SUITE_DAY, rules_once

ROOT = Path(__file__).resolve().parents[1]
RULES = rules_once()
EXAMPLE = json.loads((ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json").read_text(encoding="utf-8"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["clinic", "hospital", "ohshi-desk-case/1", "tablet", "home_visit",
                                             "４，９８０円", "4.2万", "-1", "1e309", "令和8年1月15日", "=cmd"]),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.sampled_from(["format", "facility", "kind", "plans", "lines", "item", "unit_price", "quantity", "usage",
                         "face_reader", "maker", "option", "as_of", "order_date", "x"]) | st.text(max_size=8),
        children, max_size=6),
    max_leaves=30)

FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_refused_clearly(exc: CaseError) -> None:
    """A refusal is one Japanese line that says it is about the case file."""
    text = str(exc)
    assert text.startswith("ケースファイル") and "\n" not in text, text


def assert_valid_breakdown(case) -> None:
    """What loads also computes, to a breakdown whose figures are whole yen, never negative, within their limits."""
    from ohshi_desk.core.compute.engine import compute

    out = compute(case, RULES, SUITE_DAY)
    assert out["as_of"] == SUITE_DAY.isoformat()
    for p in out["programs"]:
        assert isinstance(p["subsidy"], int) and p["subsidy"] >= 0, p["id"]
        assert p["limit"] is None or p["subsidy"] <= p["limit"], p["id"]
    assert out["total_subsidy"] == sum(p["subsidy"] for p in out["programs"])


@pytest.mark.slow
@FUZZ
@given(json_values)
def test_case_loader_on_random_structures(data):
    try:
        case = parse_case(data, RULES)
    except CaseError as exc:
        assert_refused_clearly(exc)
    else:
        assert isinstance(data, dict) and data.get("format") == "ohshi-desk-case/1"
        assert_valid_breakdown(case)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


EXAMPLE_PATHS = [p for p in _paths(EXAMPLE) if p]


@pytest.mark.slow
@FUZZ
@given(st.sampled_from(EXAMPLE_PATHS), json_values)
def test_case_loader_on_a_real_case_with_one_value_replaced(path, value):
    import copy

    data = copy.deepcopy(EXAMPLE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        case = parse_case(data, RULES)
    except CaseError as exc:
        assert_refused_clearly(exc)
    else:
        assert_valid_breakdown(case)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=400))
def test_case_file_of_random_bytes(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("fuzz") / "x.ohshi.json"
    path.write_bytes(blob)
    try:
        case = read_case_file(path, RULES)
    except CaseError as exc:
        assert_refused_clearly(exc)
    else:  # only bytes that are a whole case in UTF-8 JSON can load
        assert json.loads(blob.decode("utf-8"))["format"] == "ohshi-desk-case/1"
        assert_valid_breakdown(case)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans(),
                 st.lists(st.integers(), max_size=2)))
@pytest.mark.slow
def test_every_parser_ends_in_a_value_or_a_clear_error(value):
    for parser in (parse_yen, parse_count, parse_percent, parse_date):
        try:
            parser(value, "項目")
        except InputError as exc:
            assert exc.field == "項目" and exc.problem


def _strace(args, tmp_path):
    log = tmp_path / "strace.log"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "OHSHI_DATA_DIR": str(tmp_path / "data"), "OHSHI_CACHE_DIR": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "OHSHI_TODAY": SUITE_DAY.isoformat()}
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(log), sys.executable, "-m",
                           "ohshi_desk", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    calls = [line for line in log.read_text().splitlines() if "socket(" in line or "connect(" in line]
    return calls


@pytest.mark.slow
def test_no_network_socket_when_starting_computing_and_exporting(tmp_path):
    assert shutil.which("strace"), "strace is needed: packaging/setup-linux.sh --test installs it"
    example = ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json"
    for args in (["--smoke"], ["compute", str(example)], ["export", str(example), "-o", str(tmp_path / "o.xlsx")]):
        calls = _strace(args, tmp_path)
        assert calls == [], (args, calls)
    assert (tmp_path / "o.xlsx").exists()

"""Shared fixtures, and the runner for the YAML case files in tests/cases/ (OpenFisca-style tests)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

from ohshi_desk.core.rules.build import load_rules

_RULES = None

ROOT = Path(__file__).resolve().parents[1]
# The notices are the golden test's source: they live in shared/seeds beside the checkout (the CI layout), or
# wherever OHSHI_SEEDS_DIR points.
SEEDS = Path(os.environ.get("OHSHI_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))

# The day every test runs on, unless it sets its own (the `clock` fixture). Put in the environment, so the CLI and
# the app started as subprocesses see the same day. No test reads the computer's date.
SUITE_DAY = dt.date(2026, 11, 23)
os.environ["OHSHI_TODAY"] = SUITE_DAY.isoformat()

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt settings (window size, last folder) go to a throw-away folder, never the developer's own
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="ohshi-test-config-")
os.environ["OHSHI_CACHE_DIR"] = tempfile.mkdtemp(prefix="ohshi-test-cache-")
os.environ["OHSHI_DATA_DIR"] = tempfile.mkdtemp(prefix="ohshi-test-data-")


@pytest.fixture(autouse=True)
def _fresh_app_data_and_day(tmp_path, monkeypatch):
    """Each test gets its own app-data folder (autosave, log) and starts on SUITE_DAY."""
    from ohshi_desk.core.base import clock

    data = tmp_path / "app-data"
    data.mkdir()
    monkeypatch.setenv("OHSHI_DATA_DIR", str(data))
    monkeypatch.setenv("OHSHI_TODAY", SUITE_DAY.isoformat())
    clock.set_today(None)
    yield
    clock.set_today(None)
    from ohshi_desk.core.base.paths import release_autosave

    release_autosave()  # the autosave lock a window of this test took (ui/autosave.offer_recovery)


@pytest.fixture
def clock(monkeypatch):
    """Set the day the app sees: ``clock(dt.date(2025, 6, 1))`` (this process and the subprocesses it starts)."""
    from ohshi_desk.core.base import clock as _clock

    def set_day(day: dt.date) -> None:
        _clock.set_today(day)
        monkeypatch.setenv("OHSHI_TODAY", day.isoformat())

    return set_day


def rules_once():
    """The bundled rules, loaded once for the whole run (module-level users and the `rules` fixture share them)."""
    global _RULES
    if _RULES is None:
        _RULES = load_rules()
    return _RULES


@pytest.fixture(scope="session")
def rules():
    return rules_once()


# A small rules set of made-up programs, one per computation method (tests/fixtures/README.md): for the tests that
# need "some program", so that a change to a real program does not break them.
FIXTURE_RULES = ROOT / "tests" / "fixtures" / "rules"
FIXTURE_SEEDS = ROOT / "tests" / "fixtures" / "seeds"
FIXTURE_CASE = ROOT / "tests" / "fixtures" / "clinic.ohshi.json"  # a clinic on them: テスト1 and テスト2


@pytest.fixture(scope="session")
def fixture_rules(tmp_path_factory):
    return load_rules(FIXTURE_RULES, cache_dir=tmp_path_factory.mktemp("fixture-rules-cache"))


@pytest.fixture(scope="session")
def fixture_rules_plus(tmp_path_factory):
    """The fixture rules with テスト5 (tests/fixtures/rules_plus): a second program applied for at テスト1's portal and
    open with it. Its ``folder`` is for a command line (OHSHI_RULES_DIR)."""
    from .rules_edit import fixture_rules_plus_folder

    folder = fixture_rules_plus_folder(tmp_path_factory.mktemp("fixture-rules-plus") / "rules")
    return load_rules(folder, cache_dir=tmp_path_factory.mktemp("fixture-rules-plus-cache"))


SEED_PREFIXES = ("000", "001", "002", "003", "004")


def missing_seeds() -> list[str]:
    return [p for p in SEED_PREFIXES if not (SEEDS.is_dir() and any(SEEDS.glob(f"{p}_*.txt")))]


def pytest_collection_modifyitems(session, config, items):
    """Tests that read the notices need them: without them the run stops once, saying where they are expected."""
    if any(item.get_closest_marker("seeds") for item in items) and missing_seeds():
        pytest.exit(f"The notices (seeds) {', '.join(missing_seeds())} were not found in {SEEDS}. Put the shared/ "
                    "folder beside the checkout, or set OHSHI_SEEDS_DIR to the folder holding 000_*.txt … 004_*.txt.",
                    returncode=4)


def seed_text(prefix: str) -> str:
    """The text of notice ``prefix`` (000–004), for tests marked ``seeds``."""
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases" and file_path.parent.parent.name == "tests":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        from ohshi_desk.core.base.yamlsafe import load_yaml

        docs = load_yaml(self.path.read_text(encoding="utf-8"))
        if not isinstance(docs, list) or not docs:
            raise ValueError(f"{self.path.name}: a list of test cases is expected")
        names = set()
        for doc in docs:
            name = doc["name"]
            assert name not in names, f"duplicate test name {name!r} in {self.path.name}"
            names.add(name)
            yield CaseItem.from_parent(self, name=name, spec=doc)


_CASE_RULES = tempfile.TemporaryDirectory(prefix="ohshi-case-rules-")  # removed when the run ends


def _edited_rules(edits: list[dict], case_file: str):
    """A case that needs rules the bundle does not have (a question added as data, a kind group, a limit that is
    not cap × rate): a copy of the bundled rules with each ``{file, old, new}`` edit made once, loaded uncached."""
    from .rules_edit import copy_rules, edit

    folder = copy_rules(Path(tempfile.mkdtemp(prefix="ohshi-case-rules-", dir=_CASE_RULES.name)) / "rules")
    for e in edits:
        edit(folder, e["file"], e["old"], e["new"], exactly_once=True, where=f"{case_file}: ")
    return load_rules(folder, cache_dir=False)


class CaseItem(pytest.Item):
    def __init__(self, *, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self):
        from ohshi_desk.core.case.model import parse_case
        from ohshi_desk.core.compute.engine import compute

        spec = self.spec
        rules = _edited_rules(spec["rules_edits"], self.path.name) if spec.get("rules_edits") else rules_once()
        data = {"format": "ohshi-desk-case/1", **spec["case"]}
        case = parse_case(data, rules)
        out = compute(case, rules, dt.date.fromisoformat(spec["as_of"]))
        by_id = {p["id"]: p for p in out["programs"]}
        expect = spec["expect"]
        for key, want in expect.items():
            if key == "rules_warnings_contain":  # what loading the (edited) rules warned about, all in one warning
                from tests.rules_edit import own_warnings

                warnings = own_warnings(rules.warnings)  # the edit's, not those the bundled rules give by themselves
                assert len(warnings) == len(want), f"rules warnings: {warnings}"
                for warning, fragments in zip(warnings, want, strict=True):
                    for fragment in fragments:
                        assert fragment in warning, f"no {fragment!r} in the rules warning {warning!r}"
                continue
            if key in ("total_subsidy", "total_subsidy_open"):
                assert out[key] == want, f"{key}: {out[key]} != {want}"
                continue
            if key == "programs":
                assert sorted(by_id) == sorted(want), f"programs: {sorted(by_id)} != {sorted(want)}"
                continue
            assert key in by_id, f"no entry for {key}; got {sorted(by_id)}"
            got = by_id[key]
            for field, value in want.items():
                if field == "reasons_contain":
                    for fragment in value:
                        assert any(fragment in r for r in got["reasons"] + got["notes"]), \
                            f"{key}: no reason contains {fragment!r}: {got['reasons']} {got['notes']}"
                elif field == "reasons_lack":  # no reason or note says this
                    for fragment in value:
                        assert not any(fragment in r for r in got["reasons"] + got["notes"]), \
                            f"{key}: a reason or note contains {fragment!r}: {got['reasons']} {got['notes']}"
                elif field == "documents" and isinstance(value, dict):  # {document id: its confidence}
                    docs = {d["id"]: d["confidence"] for d in got["documents"]}
                    for doc, conf in value.items():
                        assert docs.get(doc) == conf, f"{key}.documents.{doc}: {docs.get(doc)!r} != {conf!r}"
                elif field == "lines":
                    for i, line_want in enumerate(value):
                        for lk, lv in line_want.items():
                            assert got["lines"][i][lk] == lv, f"{key}.lines[{i}].{lk}: {got['lines'][i][lk]} != {lv}"
                else:
                    assert got[field] == value, f"{key}.{field}: {got[field]!r} != {value!r}"

    def repr_failure(self, excinfo, style=None):
        return f"{self.path.name} / {self.name}: {excinfo.value}"

    def reportinfo(self):
        return self.path, 0, f"case: {self.name}"



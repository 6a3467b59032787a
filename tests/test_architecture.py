"""The import rules of ARCHITECTURE.md, checked on the source (every import, also those inside functions):

- ``ohshi_desk/core`` imports neither Qt nor ``ohshi_desk.ui``;
- in ``ohshi_desk/ui`` only ``qt.py`` imports PySide6 (every other module takes Qt from it);
- no module imports another that imports it back (the package's modules form no circle);
- no program id, item id, facility kind or document id is written in Python: they live in ``rules/``
  (the self-test's expected figures are the one exception).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ohshi_desk.core.base.yamlsafe import load_yaml
from ohshi_desk.core.case.model import FIELD_LABELS
from ohshi_desk.core.rules.methods import METHODS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ohshi_desk"
RULES = ROOT / "rules"
ID_EXCEPTIONS = {"ui/selftest.py"}  # the self-test checks known figures of the example case


def modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(name: str, path: Path) -> set[str]:
    """The modules ``name`` imports (absolute names), leaving out imports made only for type checkers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)  # ``from . import qt`` imports a module
    return out


def test_core_imports_no_qt_and_no_ui():
    bad = {name: sorted(i for i in imports(name, path) if i.startswith(("PySide6", "ohshi_desk.ui")))
           for name, path in modules().items() if name.startswith("ohshi_desk.core")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_in_ui_only_the_qt_module_imports_pyside6():
    bad = {name: sorted(i for i in imports(name, path) if i.startswith("PySide6"))
           for name, path in modules().items() if name.startswith("ohshi_desk.ui") and name != "ohshi_desk.ui.qt"}
    assert {k: v for k, v in bad.items() if v} == {}


def test_no_import_circles():
    mods = modules()
    graph = {name: {i for i in imports(name, path) if i in mods and i != name} for name, path in mods.items()}
    circles = set()

    def walk(node, stack):
        for nxt in graph[node]:
            if nxt in stack:
                circle = stack[stack.index(nxt):]
                # a package importing its own submodules (``methods/__init__``) is not a circle
                if not all(m == circle[0] or m.startswith(circle[0] + ".") for m in circle):
                    circles.add(" → ".join([*circle, nxt]))
            elif len(stack) < 12:
                walk(nxt, [*stack, nxt])

    for name in graph:
        walk(name, [name])
    assert sorted(circles) == []


def rule_ids() -> set[str]:
    ids = set()
    for path in (RULES / "programs").glob("*.yaml"):
        ids.add(load_yaml(path.read_text(encoding="utf-8"))["id"])
    ids |= set(load_yaml((RULES / "items.yaml").read_text(encoding="utf-8"))["items"])
    kinds = load_yaml((RULES / "facility_kinds.yaml").read_text(encoding="utf-8"))
    ids |= set(kinds["kinds"]) | set(kinds["groups"])
    ids |= set(load_yaml((RULES / "documents.yaml").read_text(encoding="utf-8"))["documents"])
    # A method's name is the engine's own word and a case file's keys are the case format's (CASE_FORMAT.md), even
    # where a program or an item shares the spelling (``usage_bonus``, ``face_reader``).
    return ids - set(METHODS) - set(FIELD_LABELS)


def test_no_program_item_kind_or_document_id_in_python():
    ids = rule_ids()
    assert {"home_visit", "tablet", "clinic", "receipt_breakdown"} <= ids  # the rules were read
    found = []
    for path in modules().values():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in ID_EXCEPTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids:
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert found == []


# The rooms of ``ohshi_desk/core`` (ARCHITECTURE.md), lowest first: a room imports only the rooms below it.
ROOMS = ["base", "case", "rules", "compute", "workbook", "papers", "cli"]


def test_core_is_rooms_and_each_room_imports_only_rooms_below_it():
    core = PACKAGE / "core"
    assert sorted(p.name for p in core.iterdir() if p.suffix == ".py") == ["__init__.py"]  # no module outside a room
    assert sorted(p.name for p in core.iterdir() if p.is_dir() and any(p.glob("*.py"))) == sorted(ROOMS)
    up = []
    for name, path in modules().items():
        parts = name.split(".")
        if parts[:2] != ["ohshi_desk", "core"] or len(parts) < 4:
            continue
        for i in imports(name, path):
            target = i.split(".")
            if target[:2] == ["ohshi_desk", "core"] and len(target) > 2 and target[2] in ROOMS:
                if ROOMS.index(target[2]) > ROOMS.index(parts[2]):
                    up.append(f"{name} → {i}")
    assert up == []


def test_tests_share_helpers_through_modules_not_through_other_test_files():
    """A test file imports helpers from a helper module (tests/ui/driver.py, tests/vendor_session_helpers.py, ...),
    never from another test file: that ties the two files together (renaming or trimming one breaks the other) and a
    ``test_`` function imported with it is collected and run a second time (issue 24 point 6)."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module] if node.module else []
                names += [f"{node.module or ''}.{a.name}" for a in node.names]  # from . import test_x
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names
                      if n.rsplit(".", 1)[-1].startswith("test_")]
    assert found == []


# The modules that compute, whose every sentence to the user is the rules' (rules/meta.yaml engine_texts, a program's
# own texts): they write no Japanese word of their own (issue 24 point 5, issue 27). Docstrings and comments may.
SAYS_ONLY_THE_RULES = ["core/compute/engine.py", "core/compute/maximum.py"]
JAPANESE_WORD = re.compile(r"[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u4e00-\u9fff]{2,}")  # kana or kanji, not ・


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def japanese_in_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [f"{path.relative_to(PACKAGE).as_posix()}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and JAPANESE_WORD.search(node.value)]


def test_the_engine_writes_no_sentence_of_its_own():
    assert japanese_in_strings(PACKAGE / "core/rules/build.py")  # the check sees Japanese where there is some
    assert [hit for rel in SAYS_ONLY_THE_RULES for hit in japanese_in_strings(PACKAGE / rel)] == []

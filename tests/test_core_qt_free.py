"""ohshi_desk.core must never import PySide6 (it runs in the CLI, in tests and for vendors without Qt)."""

import subprocess
import sys


def test_importing_core_never_imports_pyside6():
    code = (
        "import sys, pkgutil, importlib, ohshi_desk.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module('ohshi_desk.core.' + m.name)\n"
        "from ohshi_desk.core.rules.build import load_rules\n"
        "from ohshi_desk.core.case.model import parse_case\n"
        "from ohshi_desk.core.compute.engine import compute\n"
        "r = load_rules()\n"
        "compute(parse_case({'format': 'ohshi-desk-case/1', 'facility': {'kind': 'clinic'},"
        " 'plans': {'home_visit': {'lines': [{'item': 'tablet', 'unit_price': 1000}]}}}, r), r)\n"
        "from ohshi_desk.core.cli.main import run\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(len(bad), bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("0 []")


def test_cli_compute_does_not_import_pyside6(tmp_path):
    case = tmp_path / "c.ohshi.json"
    case.write_text('{"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}}', encoding="utf-8")
    code = (
        "import sys\n"
        "from ohshi_desk.__main__ import main\n"
        f"rc = main(['compute', {str(case)!r}])\n"
        "assert not [n for n in sys.modules if n.startswith('PySide6')], 'PySide6 imported'\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

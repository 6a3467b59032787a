"""The command line without a window: ``ohshi-desk compute`` (and, later, ``export``).

Contract (shared/CASE_FORMAT.md): the breakdown JSON on stdout and exit 0; a bad case exits 2 with one Japanese
line on stderr naming the field, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys

from .case import CaseError
from .clock import ClockError, today
from .inputs import InputError, parse_date
from .rules import RulesError, load_rules_for_app

EXIT_OK, EXIT_BAD_INPUT, EXIT_RULES = 0, 2, 3

USAGE = """使い方:
  ohshi-desk                                              画面（ウィザード）を開きます
  ohshi-desk compute CASE.json|BOOK.xlsx [--as-of 日付]   補助額の内訳をJSONで表示します
  ohshi-desk export CASE.json -o OUT.xlsx [--as-of 日付]  Excel の管理表を書き出します
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints English and exits 2; keep the exit code, say it in Japanese
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ohshi-desk", add_help=True, description="オンライン資格確認の補助金の見積り")
    sub = parser.add_subparsers(dest="command")
    comp = sub.add_parser("compute", help="補助額の内訳をJSONで表示")
    comp.add_argument("case")
    comp.add_argument("--as-of", dest="as_of")
    exp = sub.add_parser("export", help="Excel の管理表を書き出す")
    exp.add_argument("case")
    exp.add_argument("-o", "--output", required=True)
    exp.add_argument("--as-of", dest="as_of")
    return parser



def _never_unencodable() -> None:
    """No console or redirection encoding can break the output (issue 23 point 2): a character the stream's encoding
    cannot hold (𠮷 in cp932, ② in Shift_JIS, any Japanese under PYTHONIOENCODING=ascii) is written as a ``\\uXXXX``
    escape in messages instead of raising. The JSON is chosen whole, in :func:`_write_json`."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or odd stream: left as it is
                pass


def _write_json(data) -> None:
    """The breakdown as JSON on stdout: with its characters as they are when the stream's encoding holds every one
    of them (UTF-8, and cp932 for most cases), else the whole document with ``ensure_ascii`` (``\\uXXXX`` escapes,
    the same JSON to any reader). Documented in docs/CASE_FORMAT.md ("Command line")."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:  # read back too: cp932 writes some characters (¬, ‖, －) as bytes that read as others
        same = text.encode(encoding).decode(encoding) == text
    except (UnicodeError, LookupError):
        same = False
    if not same:
        text = json.dumps(data, ensure_ascii=True, indent=2) + "\n"
    sys.stdout.write(text)


def _err(message: str) -> None:
    from .guard import one_line

    print(one_line(message), file=sys.stderr)


def run(argv: list[str]) -> int:
    _never_unencodable()
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        _err(f"コマンドの指定が正しくありません（{exc}）。ohshi-desk --help をご覧ください")
        return EXIT_BAD_INPUT
    if args.command is None:
        print(USAGE, end="")
        return EXIT_OK
    try:  # the same rules as the wizard: a valid override, else the bundled rules (warnings say why)
        rules, _folder, warnings = load_rules_for_app()
    except RulesError as exc:
        _err(str(exc))
        return EXIT_RULES
    for warning in warnings:
        _err(warning)
    try:
        as_of = parse_date(args.as_of, "--as-of") if args.as_of is not None else None
    except InputError as exc:
        _err(f"--as-of の日付: {exc.problem}")
        return EXIT_BAD_INPUT
    try:
        today()  # a bad OHSHI_TODAY is told here in one line, not as a traceback later
    except ClockError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    from .xlsx_read import read_any  # loads openpyxl: only once a file is to be read

    try:
        case = read_any(args.case, rules)
    except CaseError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    for notice in case.notices:  # what a vendor's workbook held that was not read as it stands (exit stays 0)
        _err(f"注意: {notice}")
    if args.command == "compute":
        from .engine import compute

        breakdown = compute(case, rules, as_of)
        _write_json(breakdown)
        return EXIT_OK
    if args.command == "export":
        from .xlsx_write import ExportError, export_case

        try:
            export_case(case, rules, args.output, as_of)
        except ExportError as exc:
            _err(str(exc))
            return EXIT_BAD_INPUT
        print(f"書き出しました: {args.output}", file=sys.stderr)
        return EXIT_OK
    return EXIT_BAD_INPUT

"""The command line without a window: ``ohshi-desk compute`` (and, later, ``export``).

Contract (shared/CASE_FORMAT.md): the breakdown JSON on stdout and exit 0; a bad case exits 2 with one Japanese
line on stderr naming the field, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys

from ohshi_desk.core.base.clock import ClockError, today
from ohshi_desk.core.base.inputs import InputError, parse_date
from ohshi_desk.core.case.model import CaseError
from ohshi_desk.core.rules.build import RulesError, load_rules_for_app

EXIT_OK, EXIT_BAD_INPUT, EXIT_RULES = 0, 2, 3

USAGE = """使い方:
  ohshi-desk                                              画面（ウィザード）を開きます
  ohshi-desk CASE.json|BOOK.xlsx                          そのファイルを開いて画面を開きます
  ohshi-desk compute CASE.json|BOOK.xlsx [--as-of 日付]   補助額の内訳をJSONで表示します
  ohshi-desk export CASE.json -o OUT.xlsx [--as-of 日付]  Excel の管理表を書き出します
  ohshi-desk prepare BOOK.xlsx [--scans フォルダ] [-o フォルダ] [--overwrite]
                                                          申請の準備（制度ごとに申請できるか・PDF）
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
    prep = sub.add_parser("prepare", help="申請の準備（制度ごとの判定と申請用のPDF）")
    prep.add_argument("case")
    prep.add_argument("--scans")
    prep.add_argument("-o", "--output")
    prep.add_argument("--overwrite", action="store_true")
    prep.add_argument("--as-of", dest="as_of")
    return parser



def _usage_problem(argv: list[str], english: str) -> str:
    """argparse's complaint in the app's own words (its English wording changes from one Python to the next)."""
    from ohshi_desk.core.base.guard import shown

    if argv and not argv[0].startswith("-") and argv[0] not in ("compute", "export", "prepare"):
        return f"「{shown(argv[0])}」というコマンドはありません"
    if "required" in english:
        return "ファイルの指定が足りません" if "-o" not in english else "-o で書き出し先を指定してください"
    if "unrecognized" in english:
        return "知らない指定があります: " + " ".join(shown(a) for a in argv[1:] if a.startswith("-"))[:120]
    if "expected one argument" in english:
        return "日付やファイル名の指定の後に値がありません"
    return "指定の組み合わせが正しくありません"


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
    from ohshi_desk.core.base.guard import one_line

    print(one_line(message), file=sys.stderr)


def run(argv: list[str], renderer_factory=None) -> int:
    """``renderer_factory``: what draws the pages of ``prepare``'s PDF (the window's Qt, given by ``__main__``)."""
    _never_unencodable()
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        _err(f"コマンドの指定が正しくありません（{_usage_problem(argv, str(exc))}）。ohshi-desk --help をご覧ください")
        print(USAGE, end="", file=sys.stderr)
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
    from ohshi_desk.core.workbook.read import read_any  # loads openpyxl: only once a file is to be read

    try:
        case = read_any(args.case, rules)
    except CaseError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    for notice in case.notices:  # what a vendor's workbook held that was not read as it stands (exit stays 0)
        _err(f"注意: {notice}")
    # the day: --as-of, else the case's as_of, else today (the contract); which one is said in the breakdown
    # (as_of_source) and, when the case's own day is not today, on stderr
    source = "option" if as_of is not None else ("case" if case.as_of is not None else "today")
    if source == "case" and case.as_of != today():
        from ohshi_desk.core.base.formatting import wareki

        _err(f"注意: ケースの as_of（{wareki(case.as_of)}）で計算しました。今日（{wareki(today())}）ではありません"
             f"（今日で計算するには --as-of {today().isoformat()}）")
    if args.command == "compute":
        from ohshi_desk.core.compute.engine import compute

        breakdown = compute(case, rules, as_of)
        breakdown["as_of_source"] = source
        _write_json(breakdown)
        return EXIT_OK
    if args.command == "export":
        from ohshi_desk.core.workbook.write import ExportError, export_case

        try:
            export_case(case, rules, args.output, as_of)
        except ExportError as exc:
            _err(str(exc))
            return EXIT_BAD_INPUT
        print(f"書き出しました: {args.output}", file=sys.stderr)
        return EXIT_OK
    if args.command == "prepare":
        from ohshi_desk.core.cli.prepare import run_prepare

        return run_prepare(args, case, rules, as_of, renderer_factory)
    return EXIT_BAD_INPUT

"""``ohshi-desk prepare BOOK.xlsx [--scans DIR] [-o OUT_DIR] [--overwrite]`` (issue 29): 申請の準備 of every program
on the command line — ready or not with every reason on stdout, and with ``-o`` one PDF (or ZIP) per program.

Exit 0 when every program that is applied for with an upload is ready, 4 when one is not (EXIT_NOT_READY), 2 for
bad input (a scan that cannot be used, a file name that fits no receipt, a file already there): nothing is written
then. Scans are matched to receipts by their file names (core/prepare_files.match_scans; docs/CASE_FORMAT.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_NOT_READY = 4


def _out(text: str) -> None:
    try:
        print(text)
    except BrokenPipeError:  # read by `head`, which stopped reading: the rest is not wanted (and no traceback)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _err(text: str) -> None:
    from ohshi_desk.core.base.guard import one_line

    print(one_line(text), file=sys.stderr)


def run_prepare(args, case, rules, as_of, renderer_factory) -> int:
    from ohshi_desk.core.base.clock import today
    from ohshi_desk.core.base.formatting import yen
    from ohshi_desk.core.base.guard import shown
    from ohshi_desk.core.compute.engine import compute
    from ohshi_desk.core.papers.prepare import prepare
    from ohshi_desk.core.papers.prepare_files import (
        ExistsError,
        ScanError,
        check_scan,
        make_program_file,
        match_scans,
        target_of,
        write_files,
    )
    from ohshi_desk.core.papers.prepare_sheet import verdict_text

    breakdown = compute(case, rules, as_of)
    preps = prepare(case, rules, breakdown)
    scans_by_program, checked = None, {}
    if args.scans is not None:
        folder = Path(args.scans)
        if not folder.is_dir():
            _err(f"--scans のフォルダ「{shown(args.scans, 120)}」がありません")
            return 2
        try:
            files = [f for f in folder.iterdir() if f.is_file()]
            matched = match_scans(files, preps)
            for path in matched.skipped:
                _err(f"注意: 「{shown(path.name, 80)}」は領収書のスキャンではないため読み飛ばしました")
            for pid, per in matched.scans.items():
                checked[pid] = {key: [check_scan(p) for p in paths] for key, paths in per.items()}
        except ScanError as exc:
            _err(str(exc) + "（何も書き出していません）")
            return 2
        except OSError as exc:
            from ohshi_desk.core.base.atomic import read_problem

            _err(f"--scans のフォルダを読めません（{read_problem(exc)}）")
            return 2
        scans_by_program = matched.scans
        preps = prepare(case, rules, breakdown, scans_by_program)
    made: dict = {}
    if args.output is not None:
        out_dir = Path(args.output)
        if not out_dir.is_dir():
            _err(f"-o の書き出し先のフォルダ「{shown(args.output, 120)}」がありません")
            return 2
        wanted = [p for p in preps if p.applies and p.receipts]
        targets = [target_of(out_dir, p, case, checked.get(p.program_id, {})) for p in wanted]
        there = [t for t in targets if t.exists()]
        if there and not args.overwrite:
            _err(f"「{shown(there[0].name, 120)}」は既にあります。上書きするときは --overwrite を付けてください（何も書き出していません）")
            return 2
        try:
            renderer = renderer_factory()
            made = {p.program_id: make_program_file(out_dir, p, case, rules, checked.get(p.program_id, {}), renderer,
                                                    today()) for p in wanted}
            write_files(list(made.values()), overwrite=args.overwrite)
        except ScanError as exc:
            _err(str(exc) + "（何も書き出していません）")
            return 2
        except ExistsError as exc:
            _err(f"「{shown(exc.path.name, 120)}」は既にあります（何も書き出していません）")
            return 2
        except OSError as exc:
            from ohshi_desk.core.base.atomic import write_problem

            _err(f"書き出せませんでした: {write_problem(exc)}")
            return 2
    all_ready = True
    for prep in preps:
        _out(f"{prep.short_name}: {verdict_text(prep)}")
        if not prep.applies:
            _out(f"  {prep.note}")
            continue
        all_ready = all_ready and prep.ready
        _out(f"  {prep.total_label}に {yen(prep.total)} と入力 → {prep.subsidy_label} {yen(prep.subsidy)} と表示されるはずです")
        for paper in prep.papers:
            _out(f"  書類: {paper.label} … {paper.state_text}")
        for reason in prep.reasons:
            _out(f"  ・{reason}")
        f = made.get(prep.program_id)
        if f is not None:
            _out(f"  書き出しました: {f.path}" + (f"（{f.pages}ページ）" if f.kind == "pdf" else "（ZIP）"))
            if f.why_zip:
                _out(f"  注意: {f.why_zip}")
    return 0 if all_ready else EXIT_NOT_READY

"""The subsidy engine: a case + the rules + a date → a breakdown per program, with the reason behind every yen.

No subsidy figure lives here: rates, caps, limits, tables, windows and exclusions all come from ``rules/``.
This module holds what every program shares — which edition is open (windows), whether the facility may use the
program at all (eligibility, applicability), and programs that share one system; the computation itself is the
program's ``method``, one module each in :mod:`.methods`. The result becomes the breakdown in :mod:`.breakdown`.

Money is ``int`` yen; rates are ``Fraction``; there are no floats here.
"""

from __future__ import annotations

import datetime as _dt

from .breakdown import NO_SUBSIDY, breakdown_dict
from .case import Case, Plan
from .clock import today
from .methods import METHODS
from .records import Edition, Program, Rules, Val
from .results import LineResult, Result


def compute(case: Case, rules: Rules, as_of: _dt.date | None = None) -> dict:
    """The breakdown of CASE_FORMAT.md for ``case`` on ``as_of`` (default: the case's as_of, else today)."""
    day = as_of or case.as_of or today()
    results: dict[str, Result] = {}
    for program in rules.programs:
        plan = case.plans.get(program.id)
        if plan is None and not (program.uses_usage and case.usage is not None and case.usage.given()):
            continue
        results[program.id] = _compute_program(program, plan or Plan(program.id), case, rules, day,
                                               suppressed=_done_before(program, plan))
    _apply_shared_systems(results, case, rules, day)
    return breakdown_dict(list(results.values()), rules, case, day)


def _compute_program(program: Program, plan: Plan, case: Case, rules: Rules, day: _dt.date,
                     suppressed: tuple[tuple[str, str], ...]) -> Result:
    edition = program.edition_for(day)
    r = Result(program=program, edition=edition)
    r.lines = [LineResult(line) for line in plan.lines]
    r.use(edition.start)
    r.use(edition.end)
    if day < edition.start_date:
        r.status = "not_yet_open"
    elif day > edition.end_date:
        r.status = "closed"

    blocked = _eligibility(program, edition, plan, case, rules, r)
    if blocked:
        r.subsidy = 0
        for lr in r.lines:
            lr.eligible = 0
            lr.reasons.append(blocked)
        return r

    METHODS[program.method].compute(program, edition, plan, case, rules, r, suppressed)
    for val in r.used:
        if val.note and val.note not in r.notes:
            r.notes.append(val.note)
    return r


def _eligibility(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result) -> str:
    """Sets not_applicable / not_needed and returns the reason, or '' when the facility may use the program."""
    fac = case.facility
    kind_label = rules.kinds[fac.kind]["label"]
    if fac.kind not in edition.kinds:
        r.status = "not_applicable"
        reason = f"{kind_label}は、この補助の対象の施設区分ではありません"
        r.reasons.append(reason)
        return reason
    for flag in edition.flags:
        value = fac.flag(flag)
        if value is not True:
            r.status = "not_applicable"
            label = rules.flags.get(flag, {}).get("label", flag)
            reason = edition.not_eligible_reason
            if value is None:
                reason += f"（「{label}」が未回答のため、対象外として計算しています）"
            r.reasons.append(reason)
            return reason
    excl = program.excluded_when_flag
    if excl and plan.flags.get(excl["flag"]):
        r.status = "not_applicable"
        r.reasons.append(excl["reason"])
        return excl["reason"]
    if program.not_needed_when == "reader_reads_smartphone":
        maker = case.face_reader.maker
        reads = rules.reads_smartphone(maker)
        if reads.value:
            r.use(reads)
            r.status = "not_needed"
            reason = reads.note or "お持ちのカードリーダーで対応できるため不要です"
            r.reasons.append(reason)
            return reason
    return ""


def _done_before(program: Program, plan: Plan | None) -> tuple[tuple[str, str], ...]:
    """A plan flagged ``receipt_system_done_before``: its shared system group is not subsidised again."""
    share = program.shares_system
    if plan is None or not share or not program.done_before_flag or not plan.flags.get(program.done_before_flag):
        return ()
    why = share["done_before_reason"] + share["note"]
    return ((share["group"], why),)


def _apply_shared_systems(results: dict[str, Result], case: Case, rules: Rules, day: _dt.date) -> None:
    """Programs that share one system (P3/P4): the shared group counts in one of them only, where it yields more."""
    done: set[str] = set()
    for pid, res in list(results.items()):
        share = res.program.shares_system
        if not share or pid in done or share["with"] not in results:
            continue
        other_id, group = share["with"], share["group"]
        done.update({pid, other_id})
        a, b = results[pid], results[other_id]
        if {a.status, b.status} & set(NO_SUBSIDY):
            continue
        plan_a, plan_b = case.plans[pid], case.plans[other_id]
        if _done_before(a.program, plan_a) or _done_before(b.program, plan_b):
            continue
        if not (_has_group_lines(a, group) and _has_group_lines(b, group)):
            continue
        why_a = f"{share['note']}（{b.program.name}の側で計上しています）"
        why_b = f"{share['note']}（{a.program.name}の側で計上しています）"
        opt1 = (a, _compute_program(b.program, plan_b, case, rules, day, suppressed=((group, why_b),)))
        opt2 = (_compute_program(a.program, plan_a, case, rules, day, suppressed=((group, why_a),)), b)
        best = opt1 if opt1[0].subsidy + opt1[1].subsidy >= opt2[0].subsidy + opt2[1].subsidy else opt2
        share_val = Val(True, share.get("cite", a.edition.cite), share.get("confidence", a.edition.confidence), "", "")
        for res2 in best:
            res2.notes.append(f"{share['note']}。{share['counted_once_note']}")
            res2.use(share_val)
        results[pid], results[other_id] = best


def _has_group_lines(r: Result, group: str) -> bool:
    items = {it for g in r.edition.groups if g.id == group for it in g.items}
    return any(lr.line.item in items and lr.line.amount > 0 for lr in r.lines)


def applicability(case: Case, rules: Rules, as_of: _dt.date | None = None) -> dict[str, dict]:
    """For each program: can this facility use it at all? ``{id: {status, applicable, reason}}``.

    Used by the wizard to enable or disable goals before anything is bought: the same engine, with empty plans.
    """
    day = as_of or case.as_of or today()
    out = {}
    for program in rules.programs:
        r = _compute_program(program, Plan(program.id), case, rules, day, suppressed=())
        flagged = r.status in NO_SUBSIDY
        out[program.id] = {"status": r.status, "applicable": r.status != "not_applicable",
                           "reason": r.reasons[0] if flagged and r.reasons else ""}
    return out

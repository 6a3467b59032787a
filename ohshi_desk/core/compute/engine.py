"""The subsidy engine: a case + the rules + a date → a breakdown per program, with the reason behind every yen.

No subsidy figure lives here: rates, caps, limits, tables, windows and exclusions all come from ``rules/``.
This module holds what every program shares — which edition is open (windows), whether the facility may use the
program at all (eligibility, applicability), and programs that share one system; the computation itself is the
program's ``method``, one module each in :mod:`.methods`. The result becomes the breakdown in :mod:`.breakdown`.

Money is ``int`` yen; rates are ``Fraction``; there are no floats here.
"""

from __future__ import annotations

import datetime as _dt

from ohshi_desk.core.base.clock import today
from ohshi_desk.core.case.model import Case, Plan
from ohshi_desk.core.compute.breakdown import NO_SUBSIDY, breakdown_dict
from ohshi_desk.core.rules.methods import METHODS
from ohshi_desk.core.rules.records import Edition, Program, Rules, Val
from ohshi_desk.core.rules.results import LineResult, Result


def compute(case: Case, rules: Rules, as_of: _dt.date | None = None) -> dict:
    """The breakdown of CASE_FORMAT.md for ``case`` on ``as_of`` (default: the case's as_of, else today)."""
    day = as_of or case.as_of or today()
    results: dict[str, Result] = {}
    for program in rules.programs:
        plan = case.plans.get(program.id)
        if plan is None and not (program.uses_usage and case.usage is not None and case.usage.given()):
            continue
        results[program.id] = _compute_program(program, plan or Plan(program.id), case, rules, day,
                                               suppressed=_system_done(program, case, rules))
    _apply_shared_systems(results, case, rules, day)
    return breakdown_dict(list(results.values()), rules, case, day)


def _compute_program(program: Program, plan: Plan, case: Case, rules: Rules, day: _dt.date,
                     suppressed: tuple[tuple[str, str], ...]) -> Result:
    edition = program.edition_for(day)
    r = Result(program=program, edition=edition, plan_flags=dict(plan.flags))
    r.lines = [LineResult(line) for line in plan.lines]
    r.start = _start_for(edition, plan, r, rules.engine_texts)
    r.use(r.start)
    r.use(edition.end)
    if day < r.start.value:
        r.status = "not_yet_open"
    elif day > edition.end_date:
        r.status = "closed"

    start_notes = list(r.notes)  # what _start_for said: only worth saying when the program can be used
    blocked = _eligibility(program, edition, plan, case, rules, r)
    if blocked:
        r.notes = [n for n in r.notes if n not in start_notes]
        r.subsidy = 0
        for lr in r.lines:
            lr.eligible = 0
            lr.reasons.append(blocked)
        return r

    early = _before_receipts_from(edition, plan, rules, r)
    METHODS[program.method].compute(program, edition, plan, case, rules, r, suppressed)
    if early:
        r.lines = sorted(r.lines + early, key=lambda lr: lr.line.index)
    for flag, note in edition.extra.get("notes_when", ()):
        if plan.flags.get(flag) and note not in r.notes:
            r.notes.append(note)
    for _gid, _why, *val in suppressed:
        r.use(val[0] if val else None)
    for val in r.used:
        if val.note and val.note not in r.notes:
            r.notes.append(val.note)
    return r


def _before_receipts_from(edition: Edition, plan: Plan, rules: Rules, r: Result) -> list[LineResult]:
    """The lines whose receipt is dated before the edition's ``receipts_from`` (P7: work before FY2024): 0 for each,
    said, and kept out of the method's computation (they are put back, in their place, afterwards)."""
    first = edition.extra.get("receipts_from")
    if first is None:
        return []
    from ohshi_desk.core.base.formatting import wareki, yen

    texts = rules.engine_texts  # the sentences are the rules' (meta.yaml engine_texts; issue 24 point 5)
    early = []
    for lr in r.lines:
        # the notice counts the work (改修を行った) from that day: a line delivered before it, or receipted before
        # it, does not count (the lower figure where the two dates fall on either side)
        dated = [(d, texts[what]) for d, what in ((plan.receipt_date(lr.line), "receipt_date"),
                                                  (lr.line.tracking.get("delivery_date"), "delivery_date"))
                 if d is not None]
        day, what = min(dated, default=(None, ""), key=lambda dw: dw[0])
        if day is not None and day < first.value:
            early.append(lr)
            lr.eligible = 0
            lr.reasons.append(texts["line_before_receipts_from"].format(what=what, day=wareki(day),
                                                                       first=wareki(first.value)))
            r.reasons.append(texts["before_receipts_from"].format(item=rules.items[lr.line.item]["label"],
                                                                  amount=yen(lr.line.amount), what=what,
                                                                  day=wareki(day)))
    if early:
        r.use(first)
        r.lines = [lr for lr in r.lines if lr not in early]
    return early


def _start_for(edition: Edition, plan: Plan, r: Result, texts: dict[str, str]) -> Val:
    """Issue 14 point 2: a program whose parts open on different days (``use_starts``, keyed by a plan question).
    The plan's start is the earliest of the uses it says yes to; none answered → the latest start (lower figure:
    we do not show 受付中 for a part that may not be open yet)."""
    starts: dict[str, Val] = edition.extra.get("use_starts") or {}
    if not starts:
        return edition.start
    chosen = [v for flag, v in starts.items() if plan.flags.get(flag)]
    if not chosen:
        latest = max(starts.values(), key=lambda v: v.value)
        r.notes.append(texts["use_unanswered"])
        return latest
    first = min(chosen, key=lambda v: v.value)
    for v in (v for v in chosen if v.value > first.value):
        mark = "" if v.confidence == "source" else texts["estimate_mark"]
        r.notes.append(texts["use_starts_later"].format(year=v.value.year, month=v.value.month, day=v.value.day,
                                                        mark=mark))
    return first


def _eligibility(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result) -> str:
    """Sets not_applicable / not_needed and returns the reason, or '' when the facility may use the program."""
    fac = case.facility
    kind_label = rules.kinds[fac.kind]["label"]
    if fac.kind not in edition.kinds:
        r.status = "not_applicable"
        reason = rules.engine_texts["kind_not_eligible"].format(kind=kind_label)
        r.reasons.append(reason)
        return reason
    reads = [(flag, None) for flag in edition.flags] + list(edition.extra.get("at_least", {}).items())
    for flag, least in reads:  # a yes/no question must be yes; a number question at least its figure
        value = fac.flag(flag)
        if value is True if least is None else value is not None and value >= least:
            continue
        r.status = "not_applicable"
        label = rules.flags.get(flag, {}).get("label", flag)
        reason = edition.not_eligible_reason
        if value is None:
            reason += rules.engine_texts["question_unanswered"].format(question=label)
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
        # every face reader of the facility must read the smartphone by itself for the program to be not needed
        # (a hospital with readers from two makers; issue 14 point 9)
        others = [m for m in case.face_reader.other_makers if not rules.reads_smartphone(m).value]
        texts = program.not_needed_texts  # the sentences are the rules' (issue 24 point 5)
        if reads.value and not others:
            r.use(reads)
            r.status = "not_needed"
            reason = reads.note or texts["not_needed"]
            r.reasons.append(reason)
            return reason
        if reads.value and others:
            r.use(reads)
            names = "・".join(rules.makers[m]["label"] for m in others)
            r.reasons.append(texts["other_readers"].format(maker=rules.makers[maker]["label"], others=names))
            r.notes.append(texts["buy_for_others"])
    return ""


def _system_done(program: Program, case: Case, rules: Rules) -> tuple[tuple[str, str], ...]:
    """Issue 14 point 1 (seed 001: 「いずれかでシステム改修を行っている場合は追加での改修は不要であり、追加での補助対象と
    なりません」). Programs that share one system (P3/P4): when the system already exists — a flag listed in
    ``shares_system.system_exists_flags`` (or ``done_before_flag``) is set on the plan of EITHER program — the shared
    group is subsidised in NEITHER of them. Returns the suppressed (group, reason) pairs for ``program``.
    The reason is the rules' ``done_before_reason`` with ``{where}`` (which plan) and ``{question}`` filled in."""
    share = program.shares_system
    if not share:
        return ()
    for owner_id in (program.id, share["with"]):
        owner_plan = case.plans.get(owner_id)
        if owner_plan is None:
            continue
        owner = rules.program(owner_id)
        flags = list((owner.shares_system or {}).get("system_exists_flags") or ())
        if owner.done_before_flag and owner.done_before_flag not in flags:
            flags.append(owner.done_before_flag)
        for flag in flags:
            if owner_plan.flags.get(flag):
                where = (rules.engine_texts["this_plan"] if owner_id == program.id
                         else rules.engine_texts["other_plan"].format(program=owner.short_name))
                question = owner.questions.get(flag, {}).get("label") or flag
                # a flag whose meaning is our reading (not the user's fact) has its own reason and confidence
                own = ((owner.shares_system or {}).get("flag_reasons") or {}).get(flag)
                template = own["reason"] if own else share["done_before_reason"]
                why = template.replace("{where}", where).replace("{question}", question)
                if own is None:
                    return ((share["group"], why + share["note"]),)
                val = Val(True, own.get("cite", owner.shares_system.get("cite", owner.editions[0].cite)),
                          own["confidence"], why, f"{owner.file}: shares_system.flag_reasons.{flag}")
                return ((share["group"], why + share["note"], val),)
    return ()


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
        if _system_done(a.program, case, rules):
            continue
        if not (_has_group_lines(a, group) and _has_group_lines(b, group)):
            continue
        elsewhere = rules.engine_texts["counted_in_other"]
        why_a = elsewhere.format(note=share["note"], program=b.program.name)
        why_b = elsewhere.format(note=share["note"], program=a.program.name)
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

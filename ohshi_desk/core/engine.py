"""The subsidy engine: a case + the rules + a date → a breakdown per program, with the reason behind every yen.

No subsidy figure lives here: rates, caps, limits, tables, windows and exclusions all come from ``rules/``.
This module knows the four ways a program can be computed (``method`` in a program file):

- ``capped_rate`` — item groups with their own caps, a project cap, a rate, a limit, a rounding (P2–P7);
- ``coupons``     — per-coupon caps and a number of coupons per facility kind (P1);
- ``usage_bonus`` — the left-aligned lookup tables of the 2024 usage bonus (P8);
- ``unit_table``  — units allowed by free units and peak uses, a limit per number of units (P9).

Money is ``int`` yen; rates are ``Fraction``; there are no floats here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from fractions import Fraction

from .case import Case, Line, Plan
from .clock import today
from .inputs import rate_text, yen
from .rules import CONFIDENCE_ORDER, Edition, Program, Rules, Val

STATUS_LABELS = {
    "open": "受付中",
    "not_yet_open": "受付前",
    "closed": "受付終了",
    "not_applicable": "対象外",
    "not_needed": "不要",
}
ROUNDING_LABELS = {"floor_1000": "千円未満切捨て", "floor_1": "1円未満切捨て"}


def round_amount(amount: Fraction | int, rounding: str) -> int:
    step = 1000 if rounding == "floor_1000" else 1
    whole = int(amount // 1)  # floor, exact for Fraction
    return whole // step * step


@dataclass(eq=False)
class LineResult:
    line: Line
    eligible: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def ineligible(self) -> int:
        return self.line.amount - self.eligible

    def to_dict(self, rules: Rules) -> dict:
        ln = self.line
        return {
            "index": ln.index, "item": ln.item, "item_label": rules.items[ln.item]["label"],
            "description": ln.description, "vendor": ln.vendor, "quantity": ln.quantity,
            "unit_price": ln.unit_price, "amount": ln.amount, "eligible": self.eligible,
            "ineligible": self.ineligible, "reasons": list(self.reasons),
        }


@dataclass(eq=False)
class Result:
    program: Program
    edition: Edition
    status: str = "open"
    eligible_cost: int = 0
    capped_cost: int = 0
    rate: Fraction | None = None
    limit: int | None = None
    rounding: str | None = None
    subsidy: int = 0
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: list[Val] = field(default_factory=list)
    lines: list[LineResult] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def use(self, val: Val | None):
        if val is not None and val not in self.used:
            self.used.append(val)
        return None if val is None else val.value


# ------------------------------------------------------------------------------------------- top level

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

    programs = [_to_dict(r, rules, case, day) for r in results.values()]
    return {
        "as_of": day.isoformat(),
        "rules_version": rules.version,
        "rules_checked": rules.last_checked.isoformat(),
        "facility": {"name": case.facility.name, "kind": case.facility.kind,
                     "kind_label": rules.kinds[case.facility.kind]["label"]},
        "programs": programs,
        "total_subsidy": sum(p["subsidy"] for p in programs),
        "total_subsidy_open": sum(p["subsidy"] for p in programs if p["status"] == "open"),
    }


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

    method = {"capped_rate": _capped_rate, "coupons": _coupons, "usage_bonus": _usage_bonus,
              "unit_table": _unit_table}[program.method]
    method(program, edition, plan, case, rules, r, suppressed)
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


# --------------------------------------------------------------------------------------- capped_rate

def _by_kind(r: Result, table: dict[str, Val], kind: str):
    return r.use(table[kind])


def _capped_rate(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result,
                 suppressed) -> None:
    kind = case.facility.kind
    option = plan.option
    if program.options:
        if option is None:
            option = program.default_option
            r.notes.append(f"改修の内容が未選択のため「{program.options[option]}」として計算しています")
        r.extra["option"] = option
        r.reasons.append(f"改修の内容: {program.options[option]}")

    group_of = {it: g for g in edition.groups for it in g.items}
    group_lines: dict[str, list[LineResult]] = {g.id: [] for g in edition.groups}
    for lr in r.lines:
        item = lr.line.item
        label = rules.items[item]["label"]
        if item in edition.excluded_items:
            lr.reasons.append(r.use(edition.excluded_items[item]))
            r.reasons.append(f"{label}（{yen(lr.line.amount)}）は対象外: {edition.excluded_items[item].value}")
        elif item in edition.review_items:
            lr.reasons.append(r.use(edition.review_items[item]))
            r.reasons.append(f"{label}（{yen(lr.line.amount)}）は個別審査のため見積りでは対象外: "
                             f"{edition.review_items[item].value}")
            r.extra.setdefault("flags", []).append("個別審査")
        elif item not in group_of:
            lr.reasons.append("この補助の対象品目ではありません")
            r.reasons.append(f"{label}（{yen(lr.line.amount)}）はこの補助の対象品目ではないため対象外です")
        else:
            group_lines[group_of[item].id].append(lr)

    active_groups = []
    for g in edition.groups:
        lines = group_lines[g.id]
        why = _group_blocked(g, kind, option, suppressed)
        if why:
            for lr in lines:
                lr.reasons.append(why)
            if lines:
                r.reasons.append(f"{g.label}（{yen(sum(lr.line.amount for lr in lines))}）: {why}")
            continue
        for lr in lines:
            lr.eligible = lr.line.amount
        active_groups.append((g, lines))

    r.eligible_cost = sum(lr.eligible for _g, lines in active_groups for lr in lines)
    project_cap_t, rate_t, limit_t = edition.project_cap, edition.rate, edition.limit
    for var in edition.variants:
        if _variant_applies(var["when"], kind, option, active_groups):
            if kind in var["project_cap"]:
                project_cap_t = var["project_cap"]
            if kind in var["rate"]:
                rate_t = var["rate"]
            if kind in var["limit"]:
                limit_t = var["limit"]
            r.reasons.append(var["note"])
            r.extra["variant"] = var["id"]

    parts = []
    for g, lines in active_groups:
        total = sum(lr.eligible for lr in lines)
        if not lines:
            continue
        if g.cap is not None:
            cap = _by_kind(r, g.cap, kind)
            if total > cap:
                _trim(lines, total - cap, f"{g.label}の事業費の上限{yen(cap)}を超える分")
                r.reasons.append(f"{g.label}の合計 {yen(total)} は事業費の上限 {yen(cap)} を超えるため、{yen(cap)} までが対象です")
                total = cap
            else:
                r.reasons.append(f"{g.label}の合計 {yen(total)}（事業費の上限 {yen(cap)} 以内）")
        else:
            r.reasons.append(f"{g.label}の合計 {yen(total)}")
        parts.append((g, lines, total))

    capped = sum(t for _g, _l, t in parts)
    project_cap = _by_kind(r, project_cap_t, kind)
    if capped > project_cap:
        overflow = capped - project_cap
        for _g, lines, _t in reversed(parts):
            overflow = _trim(lines, overflow, f"事業費の上限{yen(project_cap)}を超える分")
        r.reasons.append(f"対象経費 {yen(capped)} は事業費の上限 {yen(project_cap)} を超えるため、{yen(project_cap)} で計算します")
        capped = project_cap
    elif parts:
        r.reasons.append(f"対象経費 {yen(capped)}（事業費の上限 {yen(project_cap)} 以内）")
    r.capped_cost = capped
    rate = _by_kind(r, rate_t, kind)
    limit = _by_kind(r, limit_t, kind)
    rounding = r.use(edition.rounding)
    _finish(r, capped, rate, limit, rounding)


def _finish(r: Result, capped: int, rate: Fraction, limit: int, rounding: str) -> None:
    r.rate, r.limit, r.rounding = rate, limit, rounding
    raw = capped * rate
    rounded = round_amount(raw, rounding)
    raw_text = f"{int(raw):,}" if raw.denominator == 1 else f"{float(raw):,.2f}".rstrip("0").rstrip(".")
    step = f"{yen(capped)} × {rate_text(rate)} = {raw_text}円"
    if rounded != raw:
        step += f" → {ROUNDING_LABELS[rounding]}で {yen(rounded)}"
    r.reasons.append(step)
    if rounded > limit:
        r.reasons.append(f"補助限度額 {yen(limit)} を超えるため {yen(limit)} です")
        rounded = limit
    r.subsidy = rounded
    r.reasons.append(f"見積額: {yen(r.subsidy)}")


def _trim(lines: list[LineResult], overflow: int, why: str) -> int:
    """Move ``overflow`` yen from eligible to ineligible, from the last line backwards. Returns what is left."""
    for lr in reversed(lines):
        if overflow <= 0:
            break
        cut = min(lr.eligible, overflow)
        if cut:
            lr.eligible -= cut
            overflow -= cut
            lr.reasons.append(f"{why}（{yen(cut)}）は補助対象外")
    return overflow


def _group_blocked(g, kind: str, option: str | None, suppressed) -> str:
    for gid, why in suppressed:
        if gid == g.id:
            return why
    only = g.only_when
    if only:
        if only.get("kinds") and kind not in only["kinds"]:
            return g.not_eligible_reason or "この施設区分では対象外です"
        if only.get("options") and option not in only["options"]:
            return g.not_eligible_reason or "この改修内容では対象外です"
    return ""


def _variant_applies(when: dict, kind: str, option: str | None, active_groups) -> bool:
    if when.get("kinds") and kind not in when["kinds"]:
        return False
    if when.get("options") and option not in when["options"]:
        return False
    if when.get("has_group"):
        return any(g.id == when["has_group"] and sum(lr.eligible for lr in lines) > 0 for g, lines in active_groups)
    return True


def _done_before(program: Program, plan: Plan | None) -> tuple[tuple[str, str], ...]:
    """A plan flagged ``receipt_system_done_before``: its shared system group is not subsidised again."""
    share = program.shares_system
    if plan is None or not share or not program.done_before_flag or not plan.flags.get(program.done_before_flag):
        return ()
    why = ("以前の補助（または他の区分）で既にレセコン改修を行っているため、追加の改修は補助対象になりません。"
           + share["note"])
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
        if {a.status, b.status} & {"not_applicable", "not_needed"}:
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
        share_val = Val(True, share.get("cite", "s001_mhlw"), share.get("confidence", "source"), "", "")
        for res2 in best:
            res2.notes.append(share["note"] + "。両方の計画にレセコン改修があるため、補助額が多くなる方で1回だけ計上しています")
            res2.use(share_val)
        results[pid], results[other_id] = best


def _has_group_lines(r: Result, group: str) -> bool:
    items = {it for g in r.edition.groups if g.id == group for it in g.items}
    return any(lr.line.item in items and lr.line.amount > 0 for lr in r.lines)


# ------------------------------------------------------------------------------------------- coupons

def _coupons(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result, suppressed) -> None:
    kind = case.facility.kind
    c = edition.extra["coupon"]
    cap = r.use(c["project_cap"])
    rate = r.use(c["rate"])
    limit = r.use(c["limit"])
    rounding = r.use(c["rounding"])
    n_allowed = r.use(edition.extra["coupons_per_facility"][kind])
    units: dict[str, list[tuple[int, LineResult]]] = {it: [] for it in c["items"]}
    for lr in r.lines:
        item = lr.line.item
        if item not in units:
            lr.reasons.append("この補助（クーポン）の対象品目ではありません")
            r.reasons.append(f"{rules.items[item]['label']}（{yen(lr.line.amount)}）はクーポンの対象品目ではないため対象外です")
            continue
        units[item].extend((lr.line.unit_price, lr) for _ in range(lr.line.quantity))
    for lst in units.values():
        lst.sort(key=lambda u: -u[0])
    n_required = len(units[c["requires"]])
    n = min(n_allowed, n_required)
    r.reasons.append(f"{rules.kinds[kind]['label']}はクーポン最大{n_allowed}つ（汎用カードリーダー{n_allowed}台分）まで")
    if n_required == 0 and r.lines:
        r.reasons.append(f"{rules.items[c['requires']]['label']}の行がないため、クーポンは使えません")
    total_eligible = total_capped = total_sub = 0
    for k in range(n):
        members = [units[it][k * per + j] for it, per in c["items"].items() for j in range(per)
                   if k * per + j < len(units[it])]
        cost = sum(price for price, _lr in members)
        for price, lr in members:
            lr.eligible += price
        capped = min(cost, cap)
        if cost > cap:
            over = cost - cap
            for price, lr in reversed(members):
                cut = min(price, over)
                lr.eligible -= cut
                over -= cut
                if cut:
                    lr.reasons.append(f"クーポン1つあたりの事業費の上限{yen(cap)}を超える分（{yen(cut)}）は補助対象外")
                if over <= 0:
                    break
        sub = min(round_amount(capped * rate, rounding), limit)
        names = "＋".join(rules.items[lr.line.item]["label"] for _p, lr in members)
        r.reasons.append(f"クーポン{k + 1}: {names} {yen(cost)}"
                         + (f" → 上限 {yen(cap)}" if cost > cap else "")
                         + f" × {rate_text(rate)} → {ROUNDING_LABELS[rounding]}で {yen(sub)}（1つあたり上限 {yen(limit)}）")
        total_eligible += cost
        total_capped += capped
        total_sub += sub
    used_ids = set()
    for k in range(n):
        for it, per in c["items"].items():
            for j in range(per):
                if k * per + j < len(units[it]):
                    used_ids.add((it, k * per + j))
    for it, lst in units.items():
        extra = [u for idx, u in enumerate(lst) if (it, idx) not in used_ids]
        for _price, lr in extra:
            why = (f"クーポンの数（{n_allowed}つ）を超える分" if it == c["requires"]
                   else f"クーポン1つで{rules.items[it]['label']}は{c['items'][it]}点まで（または本体のカードリーダーがない分）")
            if why + "は補助対象外" not in lr.reasons:
                lr.reasons.append(why + "は補助対象外")
        if extra:
            r.reasons.append(f"{rules.items[it]['label']} {len(extra)}点は、クーポンの範囲を超えるため対象外です")
    r.eligible_cost, r.capped_cost = total_eligible, total_capped
    r.rate, r.rounding = rate, rounding
    r.limit = limit * n_allowed
    r.subsidy = total_sub
    r.extra["coupons_used"] = n
    r.extra["coupons_allowed"] = n_allowed
    r.reasons.append(f"見積額: {yen(total_sub)}（クーポン{n}つ分）")


# --------------------------------------------------------------------------------------- usage_bonus

def _band(edition: Edition, pct: Fraction) -> tuple[dict, bool]:
    """The band of a usage rate, and whether the rate lies exactly on the edge between two bands."""
    bands = edition.extra["bands"]
    on_edge = any(pct == b["min"] for b in bands[1:])
    for b in bands:
        hi = b["max"]
        if pct >= b["min"] and (hi is None or pct < hi or (pct == hi and b["max_inclusive"])):
            return b, on_edge
    return bands[-1], on_edge


def table_amount(table: dict, band_id: str, increase: int) -> int | None:
    """The amount of a left-aligned table for a band and an increase; None when the band has no row."""
    row = table["rows"].get(band_id)
    if row is None:
        return None
    amount = 0
    for j, th in enumerate(table["thresholds"]):
        if increase >= th:
            amount = row[min(j, len(row) - 1)]
    return amount


def _usage_bonus(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result,
                 suppressed) -> None:
    kind = case.facility.kind
    u = case.usage
    tables = edition.extra["tables"]
    normal = next(t for t in tables.values() if not t["small_facility"] and kind in t["applies_to"])
    r.limit = edition.extra["published_max"].get(normal["id"])
    missing = [label for key, label in (("oct2023_rate_percent", "2023年10月の利用率"),
                                        ("oct2023_users", "2023年10月の利用人数"),
                                        ("best_month_users_2024", "2024年5〜8月で最も多い月の利用人数"))
               if u is None or getattr(u, key) is None]
    if missing:
        r.reasons.append(f"入力が足りないため計算できません（{'・'.join(missing)}）。0円としています")
        return
    pct = u.oct2023_rate_percent
    increase = max(0, u.best_month_users_2024 - u.oct2023_users)
    band, on_edge = _band(edition, pct)
    r.reasons.append(f"2023年10月の利用率 {_pct(pct)}% → 区分「{band['label']}」")
    if on_edge:
        r.use(edition.extra["band_edge"])
        r.reasons.append(edition.extra["band_edge"].note)
    r.reasons.append(f"増加人数: {u.best_month_users_2024}人 − {u.oct2023_users}人 = {increase}人")
    amount = table_amount(normal, band["id"], increase) or 0
    r.reasons.append(f"「{normal['label']}」の表: {yen(amount)}")
    small = next((t for t in tables.values() if t["small_facility"]), None)
    if small and u.oct2023_receipts is not None and u.oct2023_receipts <= small["receipts_max"]:
        s_amount = table_amount(small, band["id"], increase)
        if s_amount is None:
            r.reasons.append(f"「{small['label']}」の表にこの利用率の行はないため、通常の表で計算します")
        else:
            r.reasons.append(f"「{small['label']}」の表: {yen(s_amount)}（多い方をとります）")
            amount = max(amount, s_amount)
        r.notes.append(small["note"])
    elif small and u.oct2023_receipts is None:
        r.notes.append("2023年10月のレセプト件数が未入力のため、小規模施設の表は使わずに計算しています")
    r.subsidy = amount
    r.reasons.append(f"見積額: {yen(amount)}")


def _pct(p: Fraction) -> str:
    if p.denominator == 1:
        return str(p.numerator)
    from decimal import Decimal

    return format((Decimal(p.numerator) / Decimal(p.denominator)).normalize(), "f")


# ---------------------------------------------------------------------------------------- unit_table

def _unit_table(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result,
                suppressed) -> None:
    kind = case.facility.kind
    ex = edition.extra
    uses = case.usage.peak_monthly_uses if case.usage else None
    free = case.face_reader.free_units
    if free is None and ex["free_units_unknown"] is not None:
        free = r.use(ex["free_units_unknown"])
        r.reasons.append(ex["free_units_unknown"].note)
    max_units = r.use(ex["max_units"][kind])
    limits = r.use(ex["limit_by_units"][kind])
    rate = r.use(edition.rate[kind])
    rounding = r.use(edition.rounding)
    r.rate, r.rounding = rate, rounding
    r.limit = limits[min(max_units, len(limits)) - 1]
    steps = ex["units_by_free_units"].get(free)
    if uses is None:
        r.reasons.append("最も多い月のマイナ保険証の利用件数が未入力のため、増設できる台数が分かりません。0円としています")
        allowed = 0
    elif steps is None:
        r.reasons.append(f"無償提供{free}台の施設の表はないため、増設の補助は見込めません")
        allowed = 0
    else:
        allowed = max((units for min_uses, units in steps if uses >= min_uses), default=0)
        r.reasons.append(f"無償提供{free}台・最も多い月の利用件数{uses:,}件 → 増設できるのは{allowed}台")
        if allowed == 0:
            r.status = "not_applicable"
            r.reasons.append(f"利用件数が{steps[0][0]:,}件に届かないため対象外です")
    if allowed > max_units:
        r.reasons.append(f"{rules.kinds[kind]['label']}は{max_units}台までです")
        allowed = max_units
    group_items = {it for g in edition.groups for it in g.items}
    unit_item = ex["unit_item"]
    bought = 0
    for lr in r.lines:
        item = lr.line.item
        if item not in group_items:
            lr.reasons.append("この補助の対象品目ではありません")
            continue
        if item == unit_item:
            ok = max(0, min(lr.line.quantity, allowed - bought))
            bought += lr.line.quantity
            lr.eligible = ok * lr.line.unit_price
            if ok < lr.line.quantity:
                lr.reasons.append(f"補助の対象になる{allowed}台を超える分は補助対象外")
        else:
            lr.eligible = lr.line.amount if allowed > 0 else 0
            if allowed == 0:
                lr.reasons.append("増設できる台数が0台のため補助対象外")
    units = min(allowed, bought)
    if allowed and not bought:
        r.reasons.append(f"{rules.items[unit_item]['label']}の購入の行がないため、0円としています")
    r.eligible_cost = sum(lr.eligible for lr in r.lines) if units else 0
    if not units:
        for lr in r.lines:
            lr.eligible = 0
        r.subsidy = 0
        return
    limit = limits[units - 1]
    r.capped_cost = r.eligible_cost
    r.reasons.append(f"{units}台分の補助上限 {yen(limit)}")
    _finish(r, r.eligible_cost, rate, limit, rounding)


# ----------------------------------------------------------------------------------------- output

def _to_dict(r: Result, rules: Rules, case: Case, day: _dt.date) -> dict:
    ed = r.edition
    portal_id = ed.portal_for(case.facility.kind)
    portal = rules.portals[portal_id]
    worst = max((v.confidence for v in r.used), key=CONFIDENCE_ORDER.index, default="source")
    cites = []
    for v in r.used:
        text = rules.cite_text(v.cite) if v.cite in rules.sources else ""
        if text and text not in cites:
            cites.append(text)
    caveats = [{"where": v.where, "confidence": v.confidence, "note": v.note, "cite": rules.cite_text(v.cite)}
               for v in r.used if v.confidence != "source"]
    out = {
        "id": r.program.id,
        "name": r.program.name,
        "edition": ed.label,
        "status": r.status,
        "status_label": STATUS_LABELS[r.status],
        "window": {"start": ed.start_date.isoformat(), "end": ed.end_date.isoformat(),
                   "start_confidence": ed.start.confidence, "end_confidence": ed.end.confidence},
        "deadline": ed.end_date.isoformat(),
        "eligible_cost": r.eligible_cost,
        "capped_cost": r.capped_cost,
        "rate": rate_text(r.rate) if r.rate is not None else None,
        "limit": r.limit,
        "rounding": r.rounding,
        "subsidy": r.subsidy if r.status not in ("not_applicable", "not_needed") else 0,
        "documents": [{"id": d, "label": rules.documents[d]["label"]} for d in ed.documents],
        "portal": {"id": portal_id, "label": portal["label"], "url": portal["url"]},
        "reasons": r.reasons,
        "notes": list(ed.notes) + r.notes,
        "confidence": worst,
        "caveats": caveats,
        "citations": cites,
        "lines": [lr.to_dict(rules) for lr in r.lines],
    }
    if r.extra:
        out["details"] = {k: v for k, v in r.extra.items()}
    return out


def applicability(case: Case, rules: Rules, as_of: _dt.date | None = None) -> dict[str, dict]:
    """For each program: can this facility use it at all? ``{id: {status, applicable, reason}}``.

    Used by the wizard to enable or disable goals before anything is bought: the same engine, with empty plans.
    """
    day = as_of or case.as_of or today()
    out = {}
    for program in rules.programs:
        r = _compute_program(program, Plan(program.id), case, rules, day, suppressed=())
        flagged = r.status in ("not_applicable", "not_needed")
        out[program.id] = {"status": r.status, "applicable": r.status != "not_applicable",
                           "reason": r.reasons[0] if flagged and r.reasons else ""}
    return out

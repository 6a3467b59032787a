"""``unit_table`` — units allowed by free units and peak uses, a limit per number of units (P9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ohshi_desk.core.base.formatting import yen
from ohshi_desk.core.rules.results import Result, finish

if TYPE_CHECKING:
    from ohshi_desk.core.case.model import Case, Plan
    from ohshi_desk.core.rules.build import BuildContext
    from ohshi_desk.core.rules.records import Edition, Program, Rules
    from ohshi_desk.core.rules.source import Sense


def parse(ctx: BuildContext, w: str, ed: dict, e: Edition, kinds, item_ok) -> None:
    cite, conf = e.cite, e.confidence
    for key in ("unit_item", "units_by_free_units", "max_units", "limit_by_units", "rate", "rounding", "groups"):
        if key not in ed:
            ctx.fail(w, f"計算方法 unit_table には「{key}」が必要です")
    item_ok(ed["unit_item"], f"{w}.unit_item")
    table = {}
    for free, steps in ed["units_by_free_units"].items():
        mins = [s["min_uses"] for s in steps]
        units = [s["units"] for s in steps]
        if any(b <= a for a, b in zip(mins, mins[1:], strict=False)) or any(
                b <= a for a, b in zip(units, units[1:], strict=False)):
            ctx.fail(f"{w}.units_by_free_units.{free}", "利用件数と台数が小さい順に並んでいません")
        table[int(free)] = [(s["min_uses"], s["units"]) for s in steps]
    unknown = ed.get("free_units_unknown")
    if unknown and int(unknown["assume"]) not in table:
        ctx.fail(f"{w}.free_units_unknown.assume", "units_by_free_units にない台数です")
    max_units = ctx.kind_table(ed["max_units"], f"{w}.max_units", cite, conf)
    limits = {}
    for key, row in ed["limit_by_units"].items():
        if any(b < a for a, b in zip(row, row[1:], strict=False)):
            ctx.fail(f"{w}.limit_by_units.{key}", "台数が多いほど上限が下がっています（矛盾）")
        v = ctx.val({"value": list(row)}, f"{w}.limit_by_units.{key}", cite, conf)
        for k in ctx.kind_list(key, f"{w}.limit_by_units.{key}"):
            limits[k] = v
    for k in kinds:
        if k not in max_units or k not in limits or k not in e.rate:
            ctx.fail(w, f"施設区分「{k}」の台数・上限・補助率がそろっていません")
        if max_units[k].value > len(limits[k].value):
            ctx.fail(f"{w}.limit_by_units", f"「{k}」の最大台数に対応する上限額がありません")
    # Issue 14 point 5 (seed 004): 「500件以上の機関については、顔認証付きカードリーダー１台の増設」 holds for every kind;
    # 「なお、病院については」 the free-units table applies (free_units_table_for), up to 3 units.
    base = ed.get("base_units")
    base_val = ctx.val({"value": (base["min_uses"], base["units"]),
                        **{k: v for k, v in base.items() if k not in ("min_uses", "units")}},
                       f"{w}.base_units", cite, conf) if base else None
    table_for = frozenset(ctx.kind_list(ed["free_units_table_for"], f"{w}.free_units_table_for")) \
        if "free_units_table_for" in ed else frozenset(kinds)
    missing, decides = ed.get("free_units_missing"), ed.get("table_decides")
    e.extra.update(base_units=base_val, free_units_table_for=table_for,
                   free_units_missing=ctx.val({"value": True, **missing}, f"{w}.free_units_missing", cite, conf)
                   if missing else None,
                   # where the table gives fewer units than the base rule, the table decides (its own note says why)
                   table_decides=ctx.val({"value": True, **decides}, f"{w}.table_decides", cite, conf)
                   if decides else None)
    e.extra.update(unit_item=ed["unit_item"], units_by_free_units=table, max_units=max_units,
                   limit_by_units=limits,
                   free_units_unknown=ctx.val({"value": int(unknown["assume"]),
                                               **{k: v for k, v in unknown.items() if k != "assume"}},
                                              f"{w}.free_units_unknown", cite, conf) if unknown else None)


def compute(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result,
                suppressed) -> None:
    kind = case.facility.kind
    ex = edition.extra
    uses = case.usage.peak_monthly_uses if case.usage else None
    free = case.face_reader.free_units
    max_units = r.use(ex["max_units"][kind])
    limits = r.use(ex["limit_by_units"][kind])
    rate = r.use(edition.rate[kind])
    rounding = r.use(edition.rounding)
    r.rate, r.rounding = rate, rounding
    r.limit = limits[min(max_units, len(limits)) - 1]
    base = ex.get("base_units")
    base_min, base_units = base.value if base is not None else (None, 0)
    if uses is None:
        r.reasons.append("最も多い月のマイナ保険証の利用件数が未入力のため、増設できる台数が分かりません。0円としています")
        allowed = 0
    else:
        # the base rule (every kind): ≥ base_min uses → base_units
        allowed = base_units if base is not None and uses >= base_min else 0
        if base is not None:
            r.use(base)
            r.reasons.append(f"最も多い月の利用件数{uses:,}件 → " + (
                f"{base_min:,}件以上のため{base_units}台の増設が対象です" if allowed
                else f"{base_min:,}件に届きません"))
        if kind in ex["free_units_table_for"]:
            # the free-units table (hospitals): more units by free units and uses
            if free is None and ex["free_units_unknown"] is not None:
                free = r.use(ex["free_units_unknown"])
                r.reasons.append(ex["free_units_unknown"].note)
            steps = ex["units_by_free_units"].get(free)
            if steps is None:
                if ex.get("free_units_missing") is not None:
                    r.use(ex["free_units_missing"])
                    r.reasons.append(ex["free_units_missing"].note)
                else:
                    r.reasons.append(f"無償提供{free}台の施設の表はないため、表による増設は見込めません")
            else:
                by_table = max((units for min_uses, units in steps if uses >= min_uses), default=0)
                r.reasons.append(f"無償提供{free}台・最も多い月の利用件数{uses:,}件 → 表では{by_table}台")
                decides = ex.get("table_decides")
                if decides is not None and by_table < allowed:
                    r.use(decides)
                    r.reasons.append(decides.note)
                allowed = by_table if decides is not None else max(allowed, by_table)
        r.reasons.append(f"増設の補助の対象は{allowed}台です")
        if allowed == 0:
            r.status = "not_applicable"
            first = base_min if base is not None else min(s[0][0] for s in ex["units_by_free_units"].values())
            r.reasons.append(f"利用件数が{first:,}件に届かないため対象外です" if uses < first
                             else "増設の補助の対象になる台数がないため対象外です")
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
            lr.eligible = ok * lr.line.unit_cost
            if ok < lr.line.quantity:
                lr.reasons.append(f"補助の対象になる{allowed}台を超える分は補助対象外")
        else:
            lr.eligible = lr.line.claimable if allowed > 0 else 0
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
    finish(r, r.eligible_cost, rate, limit, rounding)


def changes(old: Edition, new: Edition, rules: Rules) -> list[str]:
    """What differs in this method's own keys: the rate, the units by free units and uses, the base rule, the
    units and limits per kind, and how unknown free units are taken."""
    from ohshi_desk.core.rules.diff import diff, kind_names, kind_tables

    names = kind_names(rules)
    a, b = old.extra, new.extra
    steps = {free: {f"{m:,}件以上": u for m, u in s} for free, s in a["units_by_free_units"].items()}
    steps_b = {free: {f"{m:,}件以上": u for m, u in s} for free, s in b["units_by_free_units"].items()}
    return (kind_tables(old, new, rules, ("rate",))
            + diff("増設できる台数（無償提供の台数ごと）", {f"{k}台": v for k, v in steps.items()},
                   {f"{k}台": v for k, v in steps_b.items()})
            + diff("基本の増設（利用件数・台数）", a.get("base_units"), b.get("base_units"))
            + diff("最大台数", a["max_units"], b["max_units"], names)
            + diff("台数ごとの補助上限", a["limit_by_units"], b["limit_by_units"], names, "円")
            + diff("無償提供の表を使う施設区分", a["free_units_table_for"], b["free_units_table_for"], names)
            + diff("無償提供の台数が未回答のとき", a.get("free_units_unknown"), b.get("free_units_unknown"))
            + diff("増設の対象の品目", a["unit_item"], b["unit_item"]))


def sense(s: Sense, e: Edition, w: str) -> None:
    """This method's sense checks: the limits per number of units are money, the units a count, the rate a rate."""
    for k, v in e.extra["limit_by_units"].items():
        for i, amount in enumerate(v.value):
            s.money(amount, f"{w}.limit_by_units.{k}[{i}]")
    for k, v in e.extra["max_units"].items():
        s.count(v, f"{w}.max_units.{k}", "台数")
    for k, v in e.rate.items():
        s.rate(v, f"{w}.rate.{k}")

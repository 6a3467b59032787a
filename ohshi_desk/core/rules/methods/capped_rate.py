"""``capped_rate`` — item groups with their own caps, a project cap, a rate, a limit, a rounding (P2–P7).

The eligible cost of each group is capped, the sum is capped by the project cap, times the rate, rounded, and
limited. A variant (``variants``) may replace the project cap, rate or limit for some kinds or options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ohshi_desk.core.base.formatting import yen
from ohshi_desk.core.rules.results import LineResult, Result, finish, trim

if TYPE_CHECKING:
    from ohshi_desk.core.case.model import Case, Plan
    from ohshi_desk.core.rules.build import BuildContext
    from ohshi_desk.core.rules.records import Edition, Program, Rules, Val
    from ohshi_desk.core.rules.source import Sense


def parse(ctx: BuildContext, w: str, ed: dict, e: Edition, kinds, item_ok) -> None:
    """The checks of a capped_rate edition (its groups, caps, rate and limit are read by the shared builder)."""
    for key in ("groups", "project_cap", "rate", "limit", "rounding"):
        if key not in ed:
            ctx.fail(w, f"計算方法 capped_rate には「{key}」が必要です")
    for key in ("project_cap", "rate", "limit"):
        missing = sorted(k for k in kinds if k not in getattr(e, key))
        if missing:
            ctx.fail(f"{w}.{key}", f"対象の施設区分「{'、'.join(missing)}」の値がありません")
    for k in kinds:
        if e.limit[k].value > e.project_cap[k].value:
            ctx.fail(f"{w}.limit", f"「{k}」の補助限度額が事業費の上限を超えています（矛盾）")


def _by_kind(r: Result, table: dict[str, Val], kind: str):
    return r.use(table[kind])


def compute(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result,
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
            lr.eligible = lr.line.claimable
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
            r.use(var["val"])
            r.extra["variant"] = var["id"]
            if var["not_applicable"]:  # the notices do not cover this kind and option: nothing (lower figure)
                r.status = "not_applicable"
                r.reasons.remove(var["note"])
                r.reasons.insert(0, var["note"])  # the reason shown first: why there is nothing
                for lr in r.lines:
                    lr.eligible = 0
                    lr.reasons.append(var["note"])
                r.eligible_cost = r.subsidy = 0
                return

    parts = []
    for g, lines in active_groups:
        total = sum(lr.eligible for lr in lines)
        if not lines:
            continue
        if g.cap is not None:
            cap = _by_kind(r, g.cap, kind)
            if total > cap:
                trim(lines, total - cap, f"{g.label}の事業費の上限{yen(cap)}を超える分")
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
            overflow = trim(lines, overflow, f"事業費の上限{yen(project_cap)}を超える分")
        r.reasons.append(f"対象経費 {yen(capped)} は事業費の上限 {yen(project_cap)} を超えるため、{yen(project_cap)} で計算します")
        capped = project_cap
    elif parts:
        r.reasons.append(f"対象経費 {yen(capped)}（事業費の上限 {yen(project_cap)} 以内）")
    r.capped_cost = capped
    rate = _by_kind(r, rate_t, kind)
    limit = _by_kind(r, limit_t, kind)
    rounding = r.use(edition.rounding)
    finish(r, capped, rate, limit, rounding)


def _group_blocked(g, kind: str, option: str | None, suppressed) -> str:
    for gid, why, *_val in suppressed:
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


def changes(old: Edition, new: Edition, rules: Rules) -> list[str]:
    """What differs in this method's own keys: the per-kind project cap, rate and limit, and the variants."""
    from ohshi_desk.core.rules.diff import kind_tables, variants

    return kind_tables(old, new, rules) + variants(old, new, rules)


def sense(s: Sense, e: Edition, w: str) -> None:
    """This method's sense checks (:class:`..rules_source.Sense`): money and rates refused when impossible; a limit
    that is not the rounded cap × rate, for each kind and each variant, warned about."""
    for key in ("project_cap", "limit"):
        for k, v in getattr(e, key).items():
            s.money(v, f"{w}.{key}.{k}")
    for k, v in e.rate.items():
        s.rate(v, f"{w}.rate.{k}")
    for var in e.variants:
        for key in ("project_cap", "limit"):
            for k, v in var.get(key, {}).items():
                s.money(v, f"{w}.variants.{var['id']}.{key}.{k}")
        for k, v in var.get("rate", {}).items():
            s.rate(v, f"{w}.variants.{var['id']}.rate.{k}")
    for k in sorted(e.kinds):
        s.limit(e.project_cap.get(k), e.rate.get(k), e.limit.get(k), e.rounding)
    for var in e.variants:
        for k, lim in var["limit"].items():
            s.limit(var["project_cap"].get(k, e.project_cap.get(k)), var["rate"].get(k, e.rate.get(k)), lim, e.rounding)

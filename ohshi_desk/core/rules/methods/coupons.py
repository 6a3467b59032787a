"""``coupons`` — per-coupon caps and a number of coupons per facility kind (P1).

Each coupon takes one unit of the required item and its companions; each is capped, rated and limited alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ohshi_desk.core.base.formatting import rate_text, yen
from ohshi_desk.core.rules.results import ROUNDING_LABELS, LineResult, Result, round_amount

if TYPE_CHECKING:
    from fractions import Fraction

    from ohshi_desk.core.case.model import Case, Plan
    from ohshi_desk.core.rules.build import BuildContext
    from ohshi_desk.core.rules.records import Edition, Program, Rules
    from ohshi_desk.core.rules.source import Sense


def parse(ctx: BuildContext, w: str, ed: dict, e: Edition, kinds, item_ok) -> None:
    cite, conf = e.cite, e.confidence
    if "coupon" not in ed or "coupons_per_facility" not in ed:
        ctx.fail(w, "計算方法 coupons には「coupon」と「coupons_per_facility」が必要です")
    c = ed["coupon"]
    for it in c["items"]:
        item_ok(it, f"{w}.coupon.items")
    if c["requires"] not in c["items"]:
        ctx.fail(f"{w}.coupon.requires", "必須の品目が coupon.items にありません")
    coupon = {
        "requires": c["requires"],
        "items": dict(c["items"]),
        "project_cap": ctx.val(c["project_cap"], f"{w}.coupon.project_cap", cite, conf),
        "rate": ctx.val(c["rate"], f"{w}.coupon.rate", cite, conf, ctx.rate),
        "limit": ctx.val(c["limit"], f"{w}.coupon.limit", cite, conf),
        "rounding": ctx.val(c.get("rounding", "floor_1"), f"{w}.coupon.rounding", cite, conf),
    }
    if coupon["limit"].value > coupon["project_cap"].value:
        ctx.fail(f"{w}.coupon.limit", "補助限度額が事業費の上限を超えています（矛盾）")
    per = ctx.kind_table(ed["coupons_per_facility"], f"{w}.coupons_per_facility", cite, conf)
    missing = sorted(k for k in kinds if k not in per)
    if missing:
        ctx.fail(f"{w}.coupons_per_facility", f"対象の施設区分「{'、'.join(missing)}」の値がありません")
    published = {}
    for key, figs in ed.get("published", {}).items():
        for k in ctx.kind_list(key, f"{w}.published.{key}"):
            published[k] = figs
    # named_items: the items this edition's rules name, for any method (the wizard offers these on the plan's lines)
    e.extra.update(coupon=coupon, coupons_per_facility=per, published=published, named_items=tuple(c["items"]))


def compute(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result, suppressed) -> None:
    kind = case.facility.kind
    c = edition.extra["coupon"]
    cap = r.use(c["project_cap"])
    rate = r.use(c["rate"])
    limit = r.use(c["limit"])
    rounding = r.use(c["rounding"])
    n_allowed = r.use(edition.extra["coupons_per_facility"][kind])
    by_item: dict[str, list[LineResult]] = {it: [] for it in c["items"]}
    for lr in r.lines:
        item = lr.line.item
        if item not in by_item:
            lr.reasons.append("この補助（クーポン）の対象品目ではありません")
            r.reasons.append(f"{rules.items[item]['label']}（{yen(lr.line.amount)}）はクーポンの対象品目ではないため対象外です")
            continue
        by_item[item].append(lr)
    # Units, dearest first, expanded only as far as coupons can use them (at most coupons × per-coupon units per
    # item): 500 lines × quantity 10,000 must not become five million entries. The rest is counted, not listed.
    units: dict[str, list[tuple[int, LineResult]]] = {}
    beyond: dict[str, tuple[int, list[LineResult]]] = {}
    n_required = 0
    for it, lrs in by_item.items():
        need = n_allowed * c["items"][it]
        lst: list[tuple[int, LineResult]] = []
        more, more_lines = 0, []
        for lr in sorted(lrs, key=lambda x: -x.line.unit_cost):
            take = max(0, min(lr.line.quantity, need - len(lst)))
            lst.extend((lr.line.unit_cost, lr) for _ in range(take))
            if lr.line.quantity > take:
                more += lr.line.quantity - take
                more_lines.append(lr)
        units[it], beyond[it] = lst, (more, more_lines)
        if it == c["requires"]:
            n_required = sum(lr.line.quantity for lr in lrs)
    n = min(n_allowed, n_required)
    required_label = rules.items[c["requires"]]["label"]
    r.reasons.append(f"{rules.kinds[kind]['label']}はクーポン最大{n_allowed}つ（{required_label}{n_allowed}台分）まで")
    if n_required == 0 and r.lines:
        r.reasons.append(f"{rules.items[c['requires']]['label']}の行がないため、クーポンは使えません")
    slots = _best_coupon_slots(units, c, n, cap, rate, limit, rounding)
    total_eligible = total_capped = total_sub = 0
    for k in range(n):
        members = [units[it][idx] for it, idx in slots[k]]
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
    if n > 1 and any(it != c["requires"] for k in range(n) for it, _i in slots[k]):
        extras = "・".join(rules.items[it]["label"] for it in c["items"] if it != c["requires"])
        r.reasons.append(f"{extras}は、どの{rules.items[c['requires']]['label']}のクーポンに合わせるかを購入時に選べます。"
                         "補助が最も多くなる組み合わせで計算しています")
    used_ids = {key for k in range(n) for key in slots[k]}
    for it, lst in units.items():
        extra = [lr for idx, (_price, lr) in enumerate(lst) if (it, idx) not in used_ids]
        more, more_lines = beyond[it]
        for lr in [*extra, *more_lines]:
            why = (f"クーポンの数（{n_allowed}つ）を超える分" if it == c["requires"]
                   else f"クーポン1つで{rules.items[it]['label']}は{c['items'][it]}点まで（または本体のカードリーダーがない分）")
            if why + "は補助対象外" not in lr.reasons:
                lr.reasons.append(why + "は補助対象外")
        if extra or more:
            r.reasons.append(f"{rules.items[it]['label']} {len(extra) + more}点は、クーポンの範囲を超えるため対象外です")
    r.eligible_cost, r.capped_cost = total_eligible, total_capped
    r.rate, r.rounding = rate, rounding
    r.limit = limit * n_allowed
    r.subsidy = total_sub
    r.extra["coupons_used"] = n
    r.extra["coupons_allowed"] = n_allowed
    r.reasons.append(f"見積額: {yen(total_sub)}（クーポン{n}つ分）")


def _best_coupon_slots(units: dict, c: dict, n: int, cap: int, rate: Fraction, limit: int,
                       rounding: str) -> list[list[tuple[str, int]]]:
    """Issue 14 point 6: which units go on which coupon. The ``n`` dearest required units (readers) each open a
    coupon; the other items' units (hub, cable) go where the total subsidy is highest — the buyer chooses which
    reader's coupon an accessory joins. A coupon's subsidy never falls when its cost rises, so the dearest
    accessory units are always used, as many as there are places; only WHERE they go is searched (≤ 3! ways per
    item with the published rules). On a tie the first arrangement (dearest with dearest) is kept.
    Returns, per coupon, the (item, index in ``units[item]``) it holds."""
    import itertools

    req = c["requires"]
    base = [[(req, k)] for k in range(n)]
    choices = []
    for it in (it for it in c["items"] if it != req):
        seats = [k for k in range(n) for _ in range(c["items"][it])]
        used = min(len(units[it]), len(seats))
        # unit i (dearest first) goes to coupon arrangement[i]
        arrangements = list(dict.fromkeys(tuple(seats[j] for j in perm)
                                          for perm in itertools.permutations(range(len(seats)), used)))
        choices.append((it, arrangements))
    if n <= 1 or not choices:
        for it, arrangements in choices:
            for i, k in enumerate(arrangements[0]):
                base[k].append((it, i))
        return base

    def value(slots):
        total = 0
        for members in slots:
            cost = sum(units[it][idx][0] for it, idx in members)
            total += min(round_amount(min(cost, cap) * rate, rounding), limit)
        return total

    best, best_value = base, -1
    for combo in itertools.product(*(arr for _it, arr in choices)):
        slots = [list(b) for b in base]
        for (it, _arr), arrangement in zip(choices, combo, strict=True):
            for i, k in enumerate(arrangement):
                slots[k].append((it, i))
        v = value(slots)
        if v > best_value:
            best, best_value = slots, v
    return best


def changes(old: Edition, new: Edition, rules: Rules) -> list[str]:
    """What differs in this method's own keys: the coupon's items and figures, coupons per kind, published figures."""
    from ohshi_desk.core.rules.diff import diff, kind_names

    names = {**kind_names(rules), **{i: d.get("label", i) for i, d in rules.items.items()},
             "project_cap": "事業費の上限", "limit": "補助限度額", "rate": "補助率", "rounding": "端数処理",
             "requires": "必須の品目", "items": "品目ごとの数"}
    a, b = old.extra, new.extra
    money = ("project_cap", "limit")
    ca = {k: v for k, v in a["coupon"].items() if k not in money}
    cb = {k: v for k, v in b["coupon"].items() if k not in money}
    return (diff("クーポン1つあたり", {k: a["coupon"][k] for k in money}, {k: b["coupon"][k] for k in money}, names, "円")
            + diff("クーポン1つあたり", ca, cb, names)
            + diff("クーポンの数", a["coupons_per_facility"], b["coupons_per_facility"], names)
            + diff("公表の金額", a.get("published", {}), b.get("published", {}), names, "円"))


def sense(s: Sense, e: Edition, w: str) -> None:
    """This method's sense checks: the coupon's money, rate and limit (= cap × rate, warned), coupons per kind."""
    c = e.extra["coupon"]
    s.money(c["project_cap"], f"{w}.coupon.project_cap")
    s.money(c["limit"], f"{w}.coupon.limit")
    s.rate(c["rate"], f"{w}.coupon.rate")
    s.limit(c["project_cap"], c["rate"], c["limit"], c["rounding"])
    for k, v in e.extra["coupons_per_facility"].items():
        s.count(v, f"{w}.coupons_per_facility.{k}", "クーポン枚数")

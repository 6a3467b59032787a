"""``usage_bonus`` — the left-aligned lookup tables of the 2024 usage bonus (P8).

A usage-rate band and an increase in users pick an amount from a table; small facilities may use a second table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ohshi_desk.core.base.formatting import percent_text, yen
from ohshi_desk.core.rules.results import Result

if TYPE_CHECKING:
    from fractions import Fraction

    from ohshi_desk.core.case.model import Case, Plan
    from ohshi_desk.core.rules.build import BuildContext
    from ohshi_desk.core.rules.records import Edition, Program, Rules
    from ohshi_desk.core.rules.source import Sense


def parse(ctx: BuildContext, w: str, ed: dict, e: Edition, kinds, item_ok) -> None:
    from decimal import Decimal
    from fractions import Fraction

    bands = []
    prev_max = None
    for i, b in enumerate(ed.get("bands", [])):
        lo = Fraction(Decimal(b["min"]))
        hi = Fraction(Decimal(b["max"])) if "max" in b else None
        if prev_max is not None and lo != prev_max:
            ctx.fail(f"{w}.bands[{i}]", "利用率の区分が連続していません")
        if hi is not None and hi <= lo:
            ctx.fail(f"{w}.bands[{i}]", "区分の上限が下限以下です")
        bands.append({"id": b["id"], "label": b["label"], "min": lo, "max": hi,
                      "max_inclusive": bool(b.get("max_inclusive", False))})
        prev_max = hi
    if not bands or bands[-1]["max"] is not None:
        ctx.fail(f"{w}.bands", "最後の区分は上限なし（〜以上）でなければなりません")
    band_ids = [b["id"] for b in bands]
    tables = {}
    for tid, t in ed.get("tables", {}).items():
        tw = f"{w}.tables.{tid}"
        th = t["thresholds"]
        if any(b <= a for a, b in zip(th, th[1:], strict=False)):
            ctx.fail(f"{tw}.thresholds", "増加人数のしきい値が小さい順に並んでいません")
        rows = {}
        for rid, row in t["rows"].items():
            if rid not in band_ids:
                ctx.fail(f"{tw}.rows.{rid}", "bands にない利用率区分です")
            if len(row) > len(th):
                ctx.fail(f"{tw}.rows.{rid}", "行の金額がしきい値の数より多いです")
            if any(b < a for a, b in zip(row, row[1:], strict=False)):
                ctx.fail(f"{tw}.rows.{rid}", "増加人数が多いほど金額が下がっています（矛盾）")
            rows[rid] = list(row)
        # a higher band never gets less for the same increase (rows are left-aligned)
        ordered = [rows[b] for b in band_ids if b in rows]
        for lower, higher in zip(ordered, ordered[1:], strict=False):
            for j in range(min(len(lower), len(higher))):
                if higher[j] < lower[j]:
                    ctx.fail(f"{tw}.rows", "利用率が高い区分の方が金額が少なくなっています（矛盾）")
        applies = ctx.kind_list(t.get("applies_to", []), f"{tw}.applies_to") if t.get("applies_to") else ()
        basis = t.get("applies_to_basis")  # how sure the kinds a table applies to are, when the notice infers them
        # when a small facility is counted by the normal table (issue 25 point 1): it meets the normal requirements
        # (``meets``), or the normal amount is above the small table's top (``above_top``)
        nw = t.get("normal_when")
        normal_when = None
        if nw is not None:
            meets = [{"min_rate": Fraction(Decimal(m["min_rate"])),
                      "max_rate": Fraction(Decimal(m["max_rate"])) if "max_rate" in m else None,
                      "min_increase": int(m.get("min_increase", 0))} for m in nw["meets"]]
            normal_when = {"meets": meets, "above_top": bool(nw.get("above_top")),
                           "val": ctx.val({"value": True, **{k: v for k, v in nw.items()
                                                              if k in ("cite", "confidence", "note")}},
                                          f"{tw}.normal_when", e.cite, e.confidence)}
        tables[tid] = {"id": tid, "label": t["label"], "thresholds": list(th), "rows": rows, "applies_to": applies,
                       "small_facility": bool(t.get("small_facility")), "receipts_max": t.get("receipts_max"),
                       "note": t.get("note", ""), "normal_when": normal_when,
                       "top": max((a for row in rows.values() for a in row), default=0),
                       "basis": ctx.val({"value": True, **basis}, f"{tw}.applies_to_basis", e.cite, e.confidence)
                       if basis else None}
    normal = [t for t in tables.values() if not t["small_facility"]]
    for k in kinds:
        if sum(k in t["applies_to"] for t in normal) != 1:
            ctx.fail(f"{w}.tables", f"施設区分「{k}」の表がちょうど1つではありません")
    edge = ed.get("band_edge", {})
    e.extra.update(bands=bands, tables=tables, band_edge=ctx.val(
        {"value": True, **edge}, f"{w}.band_edge", e.cite, e.confidence),
        published_max=ed.get("published_max", {}))


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


def compute(program: Program, edition: Edition, plan: Plan, case: Case, rules: Rules, r: Result,
                suppressed) -> None:
    kind = case.facility.kind
    u = case.usage
    tables = edition.extra["tables"]
    normal = next(t for t in tables.values() if not t["small_facility"] and kind in t["applies_to"])
    r.limit = edition.extra["published_max"].get(normal["id"])
    from ohshi_desk.core.case.fields import LABELS

    missing = [LABELS[f"usage.{key}"] for key in ("oct2023_rate_percent", "oct2023_users", "best_month_users_2024")
               if u is None or getattr(u, key) is None]
    if missing:
        r.reasons.append(f"入力が足りないため計算できません（{'・'.join(missing)}）。0円としています")
        return
    pct = u.oct2023_rate_percent
    increase = max(0, u.best_month_users_2024 - u.oct2023_users)
    band, on_edge = _band(edition, pct)
    r.reasons.append(f"2023年10月の利用率 {percent_text(pct)}% → 区分「{band['label']}」")
    if on_edge:
        r.use(edition.extra["band_edge"])
        r.reasons.append(edition.extra["band_edge"].note)
    r.reasons.append(f"増加人数: {u.best_month_users_2024}人 − {u.oct2023_users}人 = {increase}人")
    amount = table_amount(normal, band["id"], increase) or 0
    r.reasons.append(f"「{normal['label']}」の表: {yen(amount)}")
    # the small-facility table applies to the kinds it names (the 診療所・薬局 one; issue 14 point 4)
    small = next((t for t in tables.values() if t["small_facility"] and kind in t["applies_to"]), None)
    if small is None and any(t["small_facility"] for t in tables.values()) and u.oct2023_receipts is not None:
        other = next(t for t in tables.values() if t["small_facility"])
        if u.oct2023_receipts <= other["receipts_max"]:
            if other["basis"] is not None:
                r.use(other["basis"])
            whose = "・".join(rules.kinds[k]["label"] for k in other["applies_to"])
            r.reasons.append(f"「{other['label']}」の表は{whose}のための表のため、{rules.kinds[kind]['label']}は"
                             f"「{normal['label']}」の表だけで計算します")
    if small and u.oct2023_receipts is not None and u.oct2023_receipts <= small["receipts_max"]:
        if small["basis"] is not None:
            r.use(small["basis"])
        amount = _small_facility_amount(small, band, pct, increase, amount, normal, r)
        r.notes.append(small["note"])
    elif small and u.oct2023_receipts is None:
        r.notes.append("2023年10月のレセプト件数が未入力のため、小規模施設の表は使わずに計算しています")
    r.subsidy = amount
    r.reasons.append(f"見積額: {yen(amount)}")


def _small_facility_amount(small: dict, band: dict, pct: Fraction, increase: int, normal_amount: int,
                           normal: dict, r: Result) -> int:
    """A small facility's amount (seed 004): the small table, unless the facility meets the normal requirements
    (``normal_when.meets``) or the normal table's amount is above the small table's top (``above_top``). Without a
    ``normal_when`` the larger of the two is taken."""
    s_amount = table_amount(small, band["id"], increase)
    nw = small["normal_when"]
    if nw is None:
        if s_amount is None:
            r.reasons.append(f"「{small['label']}」の表にこの利用率の行はないため、通常の表で計算します")
            return normal_amount
        r.reasons.append(f"「{small['label']}」の表: {yen(s_amount)}（多い方をとります）")
        return max(normal_amount, s_amount)
    meets = next((m for m in nw["meets"] if pct >= m["min_rate"]
                  and (m["max_rate"] is None or pct < m["max_rate"]) and increase >= m["min_increase"]), None)
    if meets is not None:
        cond = f"利用率{percent_text(meets['min_rate'])}%以上" + (
            f"{percent_text(meets['max_rate'])}%未満" if meets["max_rate"] is not None else "") + (
            f"で{meets['min_increase']}人以上増加" if meets["min_increase"] else "")
        r.reasons.append(f"小規模施設でも{cond}のため通常の要件を満たし、「{normal['label']}」の表で計算します")
        return normal_amount
    s_text = "この利用率の行なし（0円）" if s_amount is None else yen(s_amount)
    r.reasons.append(f"「{small['label']}」の表: {s_text}")
    s_amount = s_amount or 0
    if nw["above_top"] and normal_amount > small["top"]:
        r.use(nw["val"])
        r.reasons.append(f"「{normal['label']}」の表の {yen(normal_amount)} が小規模施設の表の上限 {yen(small['top'])} を"
                         "超えるため、通常の基準で計算します")
        return normal_amount
    if normal_amount > s_amount:
        r.use(nw["val"])
        r.reasons.append(f"「{normal['label']}」の表では {yen(normal_amount)} ですが、小規模施設の表の上限"
                         f" {yen(small['top'])} を超えないため、小規模施設の表の {yen(s_amount)} です")
    return s_amount


def changes(old: Edition, new: Edition, rules: Rules) -> list[str]:
    """What differs in this method's own keys: the usage-rate bands, every table cell and threshold, which kinds a
    table is for, the small-facility rules, the band-edge reading and the published maximum."""
    from ohshi_desk.core.rules.diff import diff, kind_names

    a, b = old.extra, new.extra
    out = diff("利用率の区分", [(x["label"], x["min"], x["max"], x["max_inclusive"]) for x in a["bands"]],
               [(x["label"], x["min"], x["max"], x["max_inclusive"]) for x in b["bands"]])
    bands = {x["id"]: x["label"] for x in b["bands"] + a["bands"]}
    names = {**kind_names(rules), **bands}
    for tid in dict.fromkeys([*a["tables"], *b["tables"]]):
        ta, tb = a["tables"].get(tid), b["tables"].get(tid)
        label = f"「{(tb or ta)['label']}」の表"
        if ta is None or tb is None:
            out.append(label + ("を追加" if ta is None else "がなくなります"))
            continue
        out += diff(f"{label}の増加人数のしきい値", ta["thresholds"], tb["thresholds"])
        for rid in dict.fromkeys([*ta["rows"], *tb["rows"]]):
            ra, rb = ta["rows"].get(rid, []), tb["rows"].get(rid, [])
            th = tb["thresholds"]
            cells_a = {f"{th[j] if j < len(th) else j}人以上": v for j, v in enumerate(ra)}
            cells_b = {f"{th[j] if j < len(th) else j}人以上": v for j, v in enumerate(rb)}
            out += diff(f"{label}・{bands.get(rid, rid)}", cells_a, cells_b, unit="円")
        for key, what in (("applies_to", "対象の施設区分"), ("receipts_max", "レセプト件数の上限"),
                          ("small_facility", "小規模施設の表")):
            out += diff(f"{label}の{what}", ta[key], tb[key], names)
        nwa, nwb = ta.get("normal_when") or {}, tb.get("normal_when") or {}
        out += diff(f"{label}で通常の表を使う条件", {k: v for k, v in nwa.items() if k != "val"},
                    {k: v for k, v in nwb.items() if k != "val"})
    out += diff("境目の利用率の確かさ", a["band_edge"].confidence, b["band_edge"].confidence)
    out += diff("公表の最大額", a.get("published_max", {}), b.get("published_max", {}), names, "円")
    return out


def sense(s: Sense, e: Edition, w: str) -> None:
    """This method's sense checks: every table amount is money (0 allowed: 「0」 cells)."""
    for tid, table in e.extra["tables"].items():
        for rid, row in table["rows"].items():
            for i, amount in enumerate(row):
                s.money(amount, f"{w}.tables.{tid}.rows.{rid}[{i}]", allow_zero=True)

"""What changed since the estimate, once a vendor's workbook is opened again: per program, the estimate's subsidy
and the subsidy now, and each line that changed (price, quantity, a discount, 項目 or 補助制度, a line added or
removed, ① moved to ②). Data only; the window and the print word it from these records."""

from __future__ import annotations

import datetime as _dt

from ohshi_desk.core.base.formatting import yen
from ohshi_desk.core.case.model import Case

BLOCK_LABELS = {"date": "日付", "name": "名称", "address": "所在地", "phone": "電話番号", "amount": "領収書の金額"}


def changes_since_estimate(case: Case, rules, as_of: _dt.date | None = None) -> list[dict]:
    """``[{"program_id", "name", "before", "after", "changes": [{"kind", "line", "text"}]}]`` for each program
    whose lines or subsidy changed; empty when the case was not read from a workbook or nothing changed."""
    from ohshi_desk.core.compute.engine import compute

    if case.estimate is None:
        return []
    before = {p["id"]: p for p in compute(case.estimate, rules, as_of)["programs"]}
    after = {p["id"]: p for p in compute(case, rules, as_of)["programs"]}
    old_lines = {(pid, ln["index"]): ln for pid, p in before.items() for ln in p["lines"]}
    used = set()
    out: dict[str, list] = {}

    def add(pid, kind, label, text):
        out.setdefault(pid, []).append({"kind": kind, "line": label, "text": text})

    for pid, p in after.items():
        for ln in p["lines"]:
            label = ln["description"] or ln["item_label"]
            origin = case.origins.get((pid, ln["index"]))
            old = old_lines.get(origin) if origin else None
            if old is None:
                add(pid, "added", label, f"追加された行: {label}（{yen(ln['amount'])}、うち補助対象 {yen(ln['eligible'])}）")
                continue
            used.add(origin)
            count = len(out.get(pid, []))
            if origin[0] != pid:
                add(pid, "program", label, f"「{rules.program(origin[0]).short_name}」から移された行: {label}")
            if old["item"] != ln["item"]:
                add(pid, "item", label, f"項目: {old['item_label']} → {ln['item_label']}")
            if (old["quantity"], old["unit_price"]) != (ln["quantity"], ln["unit_price"]):
                add(pid, "price", label, f"{old['quantity']}点 × {yen(old['unit_price'])} → "
                                         f"{ln['quantity']}点 × {yen(ln['unit_price'])}")
            line = case.plans[pid].lines[ln["index"]]
            was = case.estimate.plans[origin[0]].lines[origin[1]]
            if (was.vendor, was.receipt) != (line.vendor, line.receipt):  # the line is on another receipt now
                def receipt(ln_):
                    return (ln_.vendor or "購入先未記入") + (f" No {ln_.receipt}" if ln_.receipt else "")
                add(pid, "receipt", label, f"購入先・領収書No: {receipt(was)} → {receipt(line)}")
            if line.amount_override is not None and ln["amount"] != old["amount"]:
                add(pid, "amount", label, f"金額（値引きなど）: {yen(old['amount'])} → {yen(ln['amount'])}")
            est_line = case.estimate.plans[origin[0]].lines[origin[1]]
            prior = est_line.vendor_eligible if est_line.vendor_eligible is not None else old["eligible"]
            if line.vendor_eligible is not None and line.vendor_eligible != prior:
                moved = prior - line.vendor_eligible
                text = (f"①補助対象金額: 見積り {yen(prior)} → 業者の記入 {yen(line.vendor_eligible)}"
                        + (f"（{yen(moved)} を②へ）" if moved > 0 else "（見積りより多い分は計算に入れていません）"))
                add(pid, "moved", label, text)
            elif ln["eligible"] != old["eligible"] and len(out.get(pid, [])) == count:
                add(pid, "eligible", label, f"補助対象: {yen(old['eligible'])} → {yen(ln['eligible'])}")
    for (pid, idx), old in old_lines.items():
        if (pid, idx) not in used:
            label = old["description"] or old["item_label"]
            add(pid, "removed", label, f"なくなった行: {label}（{yen(old['amount'])}）")
    for pid, plan in case.plans.items():  # what a vendor wrote on a 様式2 (日付, 名称, 所在地 …)
        earlier = case.estimate.plans.get(pid)
        was = earlier.receipts if earlier else {}
        for key, block in plan.receipts.items():
            if block != was.get(key):
                shown = key.replace("#", " No ")
                filled = "・".join(BLOCK_LABELS[k] for k in block if k in BLOCK_LABELS and block[k] != (was.get(key) or {}).get(k))
                if filled:
                    add(pid, "form", shown, f"様式2（{shown}）の記入: {filled}")
    for pid, found in list(out.items()):  # lines only reordered (a sort, a moved row): the cap falls on other lines
        if all(c["kind"] == "eligible" for c in found) and pid in before and pid in after and \
                before[pid]["eligible_cost"] == after[pid]["eligible_cost"]:
            del out[pid]
    result = []
    for pid in list(after) + [pid for pid in before if pid not in after]:
        b = before.get(pid, {}).get("subsidy", 0)
        a = after.get(pid, {}).get("subsidy", 0)
        if out.get(pid) or a != b:
            name = (after.get(pid) or before[pid])["name"]
            result.append({"program_id": pid, "name": name, "before": b, "after": a, "changes": out.get(pid, [])})
    return result

"""The breakdown: the one contract the wizard, the workbook, the print and the CLI read (CASE_FORMAT.md,
"breakdown"), and the labels they all share — statuses, rounding, confidence levels — worded once.

The confidence levels are worded in ``rules/meta.yaml`` (``confidence_levels``), read through :func:`confidence_label`.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from ohshi_desk.core.base.formatting import rate_text, wareki, yen
from ohshi_desk.core.rules.records import CONFIDENCE_ORDER

if TYPE_CHECKING:
    from ohshi_desk.core.case.model import Case
    from ohshi_desk.core.rules.records import Rules
    from ohshi_desk.core.rules.results import LineResult, Result

STATUS_LABELS = {
    "open": "受付中",
    "not_yet_open": "受付前",
    "closed": "受付終了",
    "not_applicable": "対象外",
    "not_needed": "不要",
}
NO_SUBSIDY = ("not_applicable", "not_needed")  # statuses whose subsidy is shown as 0
def confidence_label(rules: Rules, level: str) -> str:
    """The wording of a confidence level (``source`` …), from ``meta.yaml``; the id itself if it has none."""
    return rules.confidence_levels.get(level, level)


def window_date(p: dict, which: str) -> str:
    """A window date in 和暦, marked 「（目安）」 when the notice does not state it (issue 14 point 8)."""
    w = p["window"]
    text = wareki(_dt.date.fromisoformat(w[which]))
    return text if w.get(f"{which}_confidence", "source") == "source" else text + "（目安）"


def status_text(p: dict) -> str:
    """A program's status with the date that matters: 受付中（令和8年3月31日まで）. The status may be the program's own
    words (P8: 申請不要・支給期間終了); a date the notice does not state is marked 「（目安）」."""
    if p["status"] in ("open", "closed"):
        return f"{p['status_label']}（{window_date(p, 'end')}まで）"
    if p["status"] == "not_yet_open":
        return f"{p['status_label']}（{window_date(p, 'start')}から）"
    return p["status_label"]


def rules_source(rules: Rules) -> dict:
    """``rules_source``: "bundled", or "override" with the folder the rules came from (CASE_FORMAT)."""
    origin = getattr(rules, "origin", "") or ""
    return {"rules_source": "override", "rules_source_folder": origin} if origin else {"rules_source": "bundled"}


def documents_text(p: dict) -> str:
    """The documents to collect, as every output shows them (one the notice does not name says so)."""
    return "、".join(d.get("text") or d["label"] for d in p["documents"])


def totals_lines(breakdown: dict) -> list[str]:
    """The totals, with programs not open yet and closed programs apart (issue 14 point 8): a closed program's
    figure was paid or never will be, so it is never added to what can be claimed."""
    out = [f"いま申請できる補助の見積り合計: {yen(breakdown['total_subsidy_open'])}"]
    if breakdown.get("total_subsidy_upcoming"):
        out.append(f"受付前の補助（受付が始まってから申請）: {yen(breakdown['total_subsidy_upcoming'])}")
    if breakdown.get("total_subsidy_closed"):
        out.append(f"終了した制度（参考計算・合計に含めません）: {yen(breakdown['total_subsidy_closed'])}")
    return out


def breakdown_dict(results: list[Result], rules: Rules, case: Case, day: _dt.date) -> dict:
    """The breakdown of CASE_FORMAT.md from the engine's results."""
    programs = [program_dict(r, rules, case) for r in results]
    return {
        "as_of": day.isoformat(),
        "rules_version": rules.version,
        **rules_source(rules),
        "rules_checked": rules.last_checked.isoformat(),
        "facility": {"name": case.facility.name, "kind": case.facility.kind,
                     "kind_label": rules.kinds[case.facility.kind]["label"]},
        "programs": programs,
        "total_subsidy": sum(p["subsidy"] for p in programs),
        "total_subsidy_open": sum(p["subsidy"] for p in programs if p["status"] == "open"),
        # (ohshi-desk extension) shown apart, never added to what can be claimed (issue 14 point 8)
        "total_subsidy_upcoming": sum(p["subsidy"] for p in programs if p["status"] == "not_yet_open"),
        "total_subsidy_closed": sum(p["subsidy"] for p in programs if p["status"] == "closed"),
        # (ohshi-desk extension) the one disclaimer every output says, from rules/meta.yaml (issue 24 point 5)
        "disclaimer": rules.disclaimer,
    }


def line_dict(lr: LineResult, rules: Rules) -> dict:
    ln = lr.line
    return {
        "index": ln.index, "item": ln.item, "item_label": rules.items[ln.item]["label"],
        "description": ln.description, "vendor": ln.vendor, "quantity": ln.quantity,
        "unit_price": ln.unit_price, "amount": ln.amount, "eligible": lr.eligible,
        "ineligible": lr.ineligible, "reasons": list(lr.reasons),
    }


def document_dict(doc_id: str, ed, rules: Rules, plan_flags: dict | None = None) -> dict:
    """A document to collect; one the notice does not name says so in its ``text`` (what screen, print and workbook
    show) and carries its confidence (issue 14 point 7). Not among the values used: a document does not make the
    amount less sure."""
    label = rules.documents[doc_id]["label"]
    val = ed.extra.get("document_vals", {}).get(doc_id)
    when = ed.extra.get("document_source_when", {}).get(doc_id)
    if when and (plan_flags or {}).get(when):
        val = None  # the notice states it for the use this plan is for (P4's 機器故障時等; issue 25 point 5)
    out = {"id": doc_id, "label": label, "text": label, "confidence": "source", "note": ""}
    if val is not None:
        out.update(confidence=val.confidence, note=val.note,
                   text=label + (rules.document_not_named if val.confidence in ("secondary", "assumed") else ""))
    return out


def program_dict(r: Result, rules: Rules, case: Case) -> dict:
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
        "status_label": r.program.status_labels.get(r.status) or STATUS_LABELS[r.status],
        "window": {"start": (r.start or ed.start).value.isoformat(), "end": ed.end_date.isoformat(),
                   "start_confidence": (r.start or ed.start).confidence, "end_confidence": ed.end.confidence},
        "deadline": ed.end_date.isoformat(),
        "eligible_cost": r.eligible_cost,
        "capped_cost": r.capped_cost,
        "rate": rate_text(r.rate) if r.rate is not None else None,
        "limit": r.limit,
        "rounding": r.rounding,
        "subsidy": r.subsidy if r.status not in NO_SUBSIDY else 0,
        "documents": [document_dict(d, ed, rules, r.plan_flags) for d in ed.documents],
        "portal": {"id": portal_id, "label": portal["label"], "url": portal["url"]},
        "reasons": r.reasons,
        "notes": list(ed.notes) + r.notes,
        "confidence": worst,
        "caveats": caveats,
        "citations": cites,
        "lines": [line_dict(lr, rules) for lr in r.lines],
    }
    if r.extra:
        out["details"] = {k: v for k, v in r.extra.items()}
    return out

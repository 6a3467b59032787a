"""申請の準備: from the vendor's returned workbook to what the clinic types and uploads, per program (issue 29).

For each program of the case: the figure to type as 総事業費 (the sum of the 内訳書s' ①) and the 補助金申請額 the
portal should then show (the engine's estimate), what to do when the portal shows another; the papers the program
needs (its rules' document list) with their state from 必要書類 (``documents``) and 明細's tracking dates, and from
whom a missing one is awaited; the receipts (one 様式2 each) with the vendor's receipt amount against the 総額; and
ready / not ready with every reason. Every sentence is the portal's ``application`` block in rules/portals.yaml;
this module only fills in the blanks. Qt-free: the CLI, the wizard and the print read the same answer.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from ohshi_desk.core.base.formatting import wareki, yen
from ohshi_desk.core.case.model import TRACKING_DATES, Case, Line

RECEIVED = ("受領済", "提出済")  # 必要書類's 進み具合 that say the paper is in hand
REQUESTED = "依頼済"
NOT_NEEDED = "不要"
STATE_TEXT = {"received": "受領済", "requested": "依頼済（まだ届いていません）", "missing": "まだ届いていません",
              "not_needed": "不要（必要書類 シートで「不要」）"}


@dataclass
class Paper:
    doc_id: str
    label: str  # as the breakdown shows it (with documents.yaml's ``not_named`` where the notice does not name it)
    name: str  # the document's own name
    state: str  # received · requested · missing · not_needed
    awaited_from: str = ""  # who is still to send it (the vendors of the lines without it, else the rules' who)
    date: _dt.date | None = None  # when it came (必要書類's 受領日, else the latest tracking date of its lines)

    @property
    def state_text(self) -> str:
        text = STATE_TEXT[self.state]
        if self.state == "received" and self.date is not None:
            text += f"（{wareki(self.date)}）"
        if self.state in ("missing", "requested") and self.awaited_from:
            text += f"　{self.awaited_from}から"
        return text


@dataclass
class Receipt:
    """One receipt: program × vendor (× 領収書No), its 様式2 and the lines on it."""
    key: str  # plans.<id>.receipts key (vendor, or vendor#no)
    vendor: str
    no: str
    shown: str  # 「A社」, 「A社（領収書No 2）」
    lines: list = field(default_factory=list)  # [(breakdown line, case Line)]
    amount: int | None = None  # the vendor's 領収書の金額（税込）
    date: _dt.date | None = None  # the 様式2's 日付
    block: dict = field(default_factory=dict)  # the vendor block as stored (name, address, phone)

    @property
    def total(self) -> int:
        """The 様式2 総額（①＋②）: every line's 金額."""
        return sum(line.amount for _res, line in self.lines)

    @property
    def first(self) -> int:
        return sum(first_of(res, line) for res, line in self.lines)

    @property
    def second(self) -> int:
        return self.total - self.first


@dataclass
class ProgramPrep:
    program_id: str
    name: str
    short_name: str
    status: str
    status_label: str
    portal: str
    applies: bool  # the portal takes an upload (its rules have an ``application`` block)
    total: int = 0  # 総事業費 to type
    subsidy: int = 0  # the 補助金申請額 the portal should show
    total_label: str = ""
    subsidy_label: str = ""
    total_help: str = ""
    if_other: str = ""
    upload: str = ""
    portal_rules: tuple[str, ...] = ()
    papers: list[Paper] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    note: str = ""  # said instead of the rest when the portal takes no upload
    cite: str = ""
    confidence: str = ""

    @property
    def ready(self) -> bool:
        return self.applies and not self.reasons


def first_of(res: dict, line: Line) -> int:
    """The line's ①補助対象金額 as its 様式2 shows it: the vendor's split, else the estimate's."""
    return line.vendor_eligible if line.vendor_eligible is not None else res["eligible"]


def receipt_shown(vendor: str, no: str) -> str:
    from ohshi_desk.core.workbook.form2 import NO_VENDOR

    return (vendor or NO_VENDOR) + (f"（領収書No {no}）" if no else "")


def _line_label(res: dict, line: Line) -> str:
    return line.description or res["item_label"]


def prepare(case: Case, rules, breakdown: dict, scans: dict | None = None) -> list[ProgramPrep]:
    """申請の準備 of every program the case has a plan for, in the breakdown's order. ``scans``: {program id:
    {receipt key: [files]}} when the clinic has picked her scans (a receipt without one is then a reason)."""
    out = []
    for p in breakdown["programs"]:
        if p["id"] in case.plans:
            out.append(_program(case, rules, breakdown, p, None if scans is None else scans.get(p["id"], {})))
    return out


def _program(case: Case, rules, breakdown: dict, p: dict, scans: dict | None) -> ProgramPrep:
    from ohshi_desk.core.case.model import receipt_key
    from ohshi_desk.core.workbook.form2 import receipts

    program = rules.program(p["id"])
    portal = rules.portals[p["portal"]["id"]]
    app = portal.get("application")
    prep = ProgramPrep(p["id"], p["name"], program.short_name, p["status"], p["status_label"], portal["label"],
                       applies=app is not None)
    if app is None:
        prep.note = rules.no_application.format(portal=portal["label"])
        return prep
    checks = app["checks"]
    prep.total_label, prep.subsidy_label, prep.total_help = app["total_label"], app["subsidy_label"], app["total_help"]
    prep.upload, prep.portal_rules, prep.cite, prep.confidence = (app["upload"], tuple(app["rules"]), app["cite"],
                                                                  app["confidence"])
    plan = case.plans[p["id"]]
    for _pid, vendor, no, lines in receipts(case, {"programs": [p]}, rules):
        key = receipt_key(vendor, no)
        stored = plan.receipts.get(key) or {}
        raw = ((case.raw.get("plans", {}).get(p["id"], {}) or {}).get("receipts") or {}).get(key)
        prep.receipts.append(Receipt(key, vendor, no, receipt_shown(vendor, no), lines, stored.get("amount"),
                                     stored.get("date"), raw if isinstance(raw, dict) else {}))
    prep.total = sum(r.first for r in prep.receipts)
    prep.subsidy = p["subsidy"]
    prep.if_other = app["if_other"].format(subsidy=yen(prep.subsidy), total=yen(prep.total),
                                           call_center=rules.call_center)
    reasons = prep.reasons
    if p["status"] != "open":
        reasons.append(checks["not_open"].format(status=p["status_label"]))
    if not prep.receipts:
        reasons.append(checks["nothing_to_apply"])
    prep.papers = _papers(case, rules, p, plan)
    for paper in prep.papers:
        if paper.state in ("missing", "requested"):
            text = checks["missing_document" if paper.state == "missing" else "document_awaited"]
            reasons.append(text.format(document=paper.name, who=paper.awaited_from))
    edition = program.edition_for(_dt.date.fromisoformat(breakdown["as_of"]))
    first_day = edition.extra.get("receipts_from")
    first_day = first_day.value if first_day is not None else None
    last_day = _dt.date.fromisoformat(p["window"]["end"]) if p.get("window", {}).get("end") else None
    period = "〜".join([wareki(first_day) if first_day else "", wareki(last_day) if last_day else ""])
    for r in prep.receipts:
        if r.date is None:
            reasons.append(checks["no_breakdown"].format(receipt=r.shown))
        if r.amount is None:
            reasons.append(checks["amount_missing"].format(receipt=r.shown))
        elif r.amount != r.total:
            reasons.append(checks["amount_differs"].format(receipt=r.shown, receipt_amount=yen(r.amount),
                                                           breakdown_total=yen(r.total),
                                                           difference=yen(abs(r.amount - r.total))))
        if scans is not None and not scans.get(r.key):
            reasons.append(checks["no_scan"].format(receipt=r.shown))
        for res, line in r.lines:
            second = line.amount - first_of(res, line)
            if second < 0:
                reasons.append(checks["negative_second"].format(receipt=r.shown, line=_line_label(res, line),
                                                                second=f"{second:,}円"))
            dated = [(plan.receipt_date(line), "領収書の日付"), (line.tracking.get("delivery_date"), TRACKING_DATES["delivery_date"])]
            for day, label in dated:
                if day is not None and ((first_day and day < first_day) or (last_day and day > last_day)):
                    reasons.append(checks["outside_window"].format(receipt=r.shown, line=_line_label(res, line),
                                                                   date_label=label, date=wareki(day), period=period))
        reasons.extend(_estimate_dates(checks, r, plan))
    prep.reasons = list(dict.fromkeys(reasons))  # one line of the same receipt said once
    return prep


def _estimate_dates(checks: dict, r: Receipt, plan) -> list[str]:
    """A receipt dated on or before its lines' 見積日, or before their 発注日: an estimate's date where the receipt's
    is expected (見積書 is not a receipt)."""
    out = []
    for _res, line in r.lines:
        day = plan.receipt_date(line)
        if day is None:
            continue
        estimate, order = line.tracking.get("estimate_date"), line.tracking.get("order_date")
        if estimate is not None and day <= estimate:
            out.append(checks["estimate_date"].format(
                receipt=r.shown, date=wareki(day), other_label=TRACKING_DATES["estimate_date"],
                other_date=wareki(estimate), relation="と同じ日" if day == estimate else "より前"))
        elif order is not None and day < order:
            out.append(checks["estimate_date"].format(receipt=r.shown, date=wareki(day),
                                                      other_label=TRACKING_DATES["order_date"],
                                                      other_date=wareki(order), relation="より前"))
    return out


def _papers(case: Case, rules, p: dict, plan) -> list[Paper]:
    """The program's papers (not its conditions) with their state: 必要書類's 進み具合 and 受領日 first, else the
    tracking date of the document on every line (the paper is in hand when every line's copy has come)."""
    docs = case.raw.get("documents") if isinstance(case.raw.get("documents"), dict) else {}
    entries = docs.get(p["id"]) if isinstance(docs.get(p["id"]), dict) else {}
    out = []
    for d in p.get("documents", ()):
        spec = rules.documents.get(d["id"], {})
        if spec.get("condition"):
            continue
        entry = entries.get(d["id"]) if isinstance(entries.get(d["id"]), dict) else {}
        progress = str(entry.get("progress") or "")
        received = _iso(entry.get("received_date"))
        tracked = spec.get("tracked_by")
        lines = plan.lines
        dates = [ln.tracking.get(tracked) for ln in lines] if tracked else []
        lacking = [ln for ln, day in zip(lines, dates, strict=True) if day is None]
        if progress in RECEIVED or received is not None:
            state, date = "received", received
        elif tracked and lines and not lacking:
            state, date = "received", max(dates)
        elif progress == NOT_NEEDED:
            state, date = "not_needed", None
        else:
            state, date = ("requested" if progress == REQUESTED else "missing"), None
        from ohshi_desk.core.workbook.form2 import NO_VENDOR

        vendors = list(dict.fromkeys((ln.vendor or NO_VENDOR) for ln in (lacking if tracked else lines)))
        who = "・".join(vendors) if vendors and spec.get("who") != "施設" else spec.get("who", "")
        out.append(Paper(d["id"], d.get("text") or d["label"], d["label"], state, who if state != "received" else "", date))
    return out


def _iso(value) -> _dt.date | None:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None

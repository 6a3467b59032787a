"""How the breakdown is put in front of a receptionist, shared by the wizard and the print (Qt-free).

Claimable now first: open programs with the days left, then those not open yet with their start, then those the
facility does not need or cannot use, and closed ones last, each folded to one line, shown as reference only and
never added to a total that reads as claimable.
"""

from __future__ import annotations

import datetime as _dt

from .breakdown import STATUS_LABELS
from .formatting import wareki, yen

SECTIONS = (
    ("open", "いま申請できる制度"),
    ("not_yet_open", "これから受付が始まる制度（いまは申請できません）"),
    ("not_needed", "購入が不要な制度"),
    ("not_applicable", "この施設は対象外の制度"),
    ("closed", "受付が終了した制度（参考。合計には入りません）"),
)


def _day(s: str) -> _dt.date:
    return _dt.date.fromisoformat(s)


def days_left(p: dict, day: _dt.date) -> int:
    return (_day(p["window"]["end"]) - day).days


def when_text(p: dict, day: _dt.date) -> str:
    """The status with its date, for a goal's checkbox or a card: 「受付中・令和8年1月15日締切（あと53日）」."""
    from .breakdown import window_date  # a date the notice does not state says 「（目安）」 (issue 14 point 8)

    w = p["window"]
    if p["status"] == "closed":  # the program's own words when it has them (P8: 申請不要・支給期間終了)
        return f"{p['status_label']}・{window_date(p, 'end')}で締切"
    if p["status"] == "not_yet_open":
        return f"{p['status_label']}・{window_date(p, 'start')}から受付"
    n = days_left(p, day)
    left = "本日締切" if n == 0 else f"あと{n}日"
    # not_needed / not_applicable outside the window: whether it has closed or not opened yet, as for the others
    if n < 0:
        return f"{STATUS_LABELS['closed']}・{window_date(p, 'end')}で締切"
    if day < _day(w["start"]):
        return f"{STATUS_LABELS['not_yet_open']}・{window_date(p, 'start')}から受付"
    return f"{p['status_label']}・{window_date(p, 'end')}締切（{left}）"


def closed_line(p: dict) -> str:
    """One line for a closed program: 「令和8年1月15日で締切。現在は申請できません（参考額 411,000円）」."""
    end = wareki(_day(p["window"]["end"]))
    label = p.get("status_label")
    if label and label != STATUS_LABELS["closed"]:  # e.g. P8, paid without application: no 締切 to speak of
        return f"{label}（{end}まで）。現在は受け取れません（参考額 {yen(p['subsidy'])}）"
    return f"{end}で締切。現在は申請できません（参考額 {yen(p['subsidy'])}）"


def sections(breakdown: dict, chosen=None) -> list[tuple[str, str, list[dict]]]:
    """The programs grouped claimable-now first: ``[(status, title, programs)]``, empty groups left out.
    ``chosen``: only these program ids (the goals the receptionist ticked)."""
    progs = [p for p in breakdown["programs"] if chosen is None or p["id"] in chosen]
    out = []
    for status, title in SECTIONS:
        group = [p for p in progs if p["status"] == status]
        if group:
            out.append((status, title, group))
    return out


def claimable_total(breakdown: dict, chosen=None) -> int:
    """The total of open programs only: what can be applied for now."""
    return sum(p["subsidy"] for p in breakdown["programs"]
               if p["status"] == "open" and (chosen is None or p["id"] in chosen))


def upcoming_total(breakdown: dict, chosen=None) -> int:
    return sum(p["subsidy"] for p in breakdown["programs"]
               if p["status"] == "not_yet_open" and (chosen is None or p["id"] in chosen))


def source_titles(p: dict, rules) -> list[str]:
    """The notices a program's figures cite, by title and date in 和暦 (not by file name)."""
    out = []
    for sid, src in rules.sources.items():
        if rules.cite_text(sid) in p.get("citations", ()):
            date = f"・{wareki(_day(src['date']))}" if src.get("date") else ""
            label = f"「{src['title']}」（{src['notice']}{date}）" if src.get("title") else src["notice"]
            if label not in out:
                out.append(label)
    return out


def documents_and_conditions(p: dict, rules) -> tuple[list[str], list[str]]:
    """The program's papers to collect, and apart from them the things the facility must do (``condition``)."""
    docs, conds = [], []
    for d in p.get("documents", ()):
        (conds if rules.documents.get(d["id"], {}).get("condition") else docs).append(d.get("text") or d["label"])
    return docs, conds


def next_steps(p: dict, rules) -> list[str]:
    """次にやること for an open program, from its portal's ``steps`` in the rules data: the blanks are filled from
    the breakdown, and a step whose blank has nothing to fill is left out."""
    import string

    portal = rules.portals.get(p["portal"]["id"], {})
    vendor = [rules.documents[d["id"]]["label"] for d in p.get("documents", ())
              if rules.documents.get(d["id"], {}).get("who") == "ベンダー"]
    values = {"portal": p["portal"]["label"], "deadline": wareki(_day(p["window"]["end"])),
              "vendor_documents": "、".join(f"「{v}」" for v in vendor), "call_center": rules.call_center}
    out = []
    for step in portal.get("steps", ()):
        names = {f for _t, f, _s, _c in string.Formatter().parse(step) if f}
        if all(values.get(n) for n in names):
            out.append(step.format(**values))
    return out


def participation_text(rules, prefecture: str | None, municipality: str | None) -> str:
    """Whether the facility's prefecture and municipality are on the notice's list of 医療費助成 participants, as a
    line shown with the goals the list concerns (``shown_with`` in rules/municipalities.yaml); information only."""
    if not prefecture:
        return ""
    st = rules.municipality_status(prefecture, municipality)
    listed = "です" if st["prefecture_listed"] else "の一覧にありません"
    out = f"{prefecture}は医療費助成のオンライン資格確認に参加予定の都道府県{listed}。"
    if municipality:
        out += f"{municipality}は参加予定の市区町村の一覧に{'あります' if st['municipality_listed'] else 'ありません'}。"
    return out + f"（{st['as_of_label']}。補助の条件ではなく参考情報です）"

"""How the breakdown is put in front of a receptionist, shared by the wizard and the print (Qt-free).

Claimable now first: open programs with the days left, then those not open yet with their start, then those the
facility does not need or cannot use, and closed ones last, each folded to one line, shown as reference only and
never added to a total that reads as claimable.
"""

from __future__ import annotations

import datetime as _dt

from ohshi_desk.core.base.formatting import wareki, yen
from ohshi_desk.core.compute.breakdown import STATUS_LABELS

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
    from ohshi_desk.core.compute.breakdown import (  # a date the notice does not state says 「（目安）」 (issue 14 point 8)
        window_date,
    )

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


CLOSED_MARK = "（受付終了・参考）"  # beside every amount of a closed program, in every output (issue 22)


def closed_mark(p: dict) -> str:
    """The mark beside a closed program's amounts: 「（受付終了・参考）」, or in the program's own word for its
    closed state when the rules give one (P8, paid without application: 「（申請不要・支給期間終了・参考）」)."""
    label = p.get("status_label") if p.get("status") == "closed" else None
    return f"（{label}・参考）" if label else CLOSED_MARK


def closed_line(p: dict) -> str:
    """One line for a closed program: 「令和8年1月15日で締切。現在は申請できません。参考額 411,000円（受付終了・参考）」."""
    end = wareki(_day(p["window"]["end"]))
    label = p.get("status_label")
    amount = f"参考額 {yen(p['subsidy'])}{closed_mark(p)}"
    if label and label != STATUS_LABELS["closed"]:  # e.g. P8, paid without application: no 締切 to speak of
        return f"{label}（{end}まで）。現在は受け取れません。{amount}"
    return f"{end}で締切。現在は申請できません。{amount}"


def closed_steps(p: dict, rules) -> list[str]:
    """What she can still do once a program has closed, from the rules: the program's own ``when_closed`` (whether
    the thing is required at all), then its portal's ``closed_steps`` (the window ended that day; where news of a
    new round appears; 「ルールを更新…」; whom to ask)."""
    program = rules.program(p["id"]) if p["id"] in rules.program_ids else None
    said = [w["text"] for w in (program.when_closed if program else ())]
    portal = rules.portals.get(p["portal"]["id"], {})
    return said + _filled(portal.get("closed_steps", ()), p, rules)


def one_more_answer(case, rules, day: _dt.date) -> list[dict]:
    """Programs open on ``day`` that this facility could use with one more answer: a facility question (a rules
    ``flags`` entry with ``if_yes``) left unanswered is what keeps an open program 対象外. Each
    ``{"program": id, "flag": question id, "text": 「…を実施していれば、「…」は令和9年2月1日まで申請できます」}``."""
    import copy

    from ohshi_desk.core.compute.engine import applicability

    now = applicability(case, rules, day)
    out = []
    for program in rules.programs:
        if now[program.id]["applicable"]:
            continue
        edition = program.edition_for(day)
        for fid in edition.flags:
            flag = rules.flags.get(fid, {})
            if case.facility.flag(fid) is not None or not flag.get("if_yes"):  # answered: not one more answer
                continue
            other = copy.copy(case)
            other.facility = case.facility.with_flag(fid, True)
            then = applicability(other, rules, day)[program.id]
            if then["applicable"] and then["status"] == "open":
                out.append({"program": program.id, "flag": fid, "flag_label": flag["label"],
                            "text": flag["if_yes"].format(program=program.name, deadline=wareki(edition.end_date))})
    return out


def other_day_banner(day: _dt.date) -> str:
    """The banner of every page and output computed for a day that is not the app's today; '' on today."""
    from ohshi_desk.core.base.clock import today

    return "" if day == today() else f"{wareki(day)}時点の計算です（今日ではありません）"


def made_on_banner(made_on: _dt.date | None, now_total: int | None, then_total: int | None) -> str:
    """An estimate made on another day, computed again today: then against now, said once (without the figures
    when they cannot be worked out)."""
    from ohshi_desk.core.base.clock import today

    if made_on is None or made_on == today():
        return ""
    head = f"この見積りは{wareki(made_on)}に作ったものです。今日（{wareki(today())}）で計算し直しました"
    if now_total is None or then_total is None:
        return head
    return f"{head}: いま申請できる額は{yen(now_total)}です（当時は{yen(then_total)}）"


def kept_day_banner(as_of: _dt.date | None) -> str:
    """A file that keeps a day of its own (``as_of``, saved on purpose): the window computes for today all the
    same, and says so — the command line computes that file for its day."""
    from ohshi_desk.core.base.clock import today

    if as_of is None or as_of == today():
        return ""
    return (f"このファイルには計算の基準日（{wareki(as_of)}）が保存されています。画面・印刷・Excel は今日"
            f"（{wareki(today())}）で計算しています。その日で計算するときは、結果のページの「別の日で計算…」を"
            "使ってください（コマンドラインでは、保存された日で計算されます）")


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
    return _filled(rules.portals.get(p["portal"]["id"], {}).get("steps", ()), p, rules)


def checklist(breakdown: dict, rules, chosen=None) -> list[dict]:
    """次にやること of every open program as one checklist (issue 27 point 9), shown once at the top of the result
    page and of the print: each step once, with the short names of the programs it is for
    (``[{"text", "programs", "line"}]``; ``line`` names them, 【…】 first, when the step is not for every program).
    Each program's own order is kept (a step shared by all, such as whom to ask, stays last); otherwise a step
    comes where it first appears, the programs taken in the claimable-now order of :func:`sections`."""
    names, order, after = [], {}, {}
    by_step: dict[str, list[str]] = {}
    for status, _title, progs in sections(breakdown, chosen):
        if status != "open":
            continue
        for p in progs:
            name = rules.program(p["id"]).short_name
            names.append(name)
            steps = list(dict.fromkeys(next_steps(p, rules)))
            for i, step in enumerate(steps):
                order.setdefault(step, (len(names), i))
                by_step.setdefault(step, []).append(name)
                after.setdefault(step, set()).update(steps[:i])  # what comes before it in this program
    out, done = [], set()
    waiting = dict(after)
    while waiting:  # each step once every step it follows is out; a circle is broken at the earliest step
        ready = [(order[s], s) for s, before in waiting.items() if before <= done]
        step = min(ready or [(order[s], s) for s in waiting])[1]
        del waiting[step]
        done.add(step)
        shared = by_step[step]
        out.append({"text": step, "programs": shared,
                    "line": step if len(shared) == len(names) else f"【{'・'.join(shared)}】{step}"})
    return out


def _filled(steps, p: dict, rules) -> list[str]:
    import string

    vendor = [rules.documents[d["id"]]["label"] for d in p.get("documents", ())
              if rules.documents.get(d["id"], {}).get("who") == "ベンダー"]
    values = {"portal": p["portal"]["label"], "deadline": wareki(_day(p["window"]["end"])),
              "vendor_documents": "、".join(f"「{v}」" for v in vendor), "call_center": rules.call_center}
    out = []
    for step in steps:
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

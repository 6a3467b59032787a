"""The printed estimate, to hand to the director (Qt-free HTML; the wizard prints it and shows its preview).

次にやること of the programs open now (one checklist, at the top), what was entered, the purchase lines with their
vendors, the programs open now, those not open yet, and the closed ones as reference only (never in the claimable
total). Every date in 和暦.
"""

from __future__ import annotations

import datetime as _dt
from html import escape

from ohshi_desk.core.base.formatting import wareki, yen
from ohshi_desk.core.compute.presenting import (
    checklist,
    claimable_total,
    closed_line,
    closed_mark,
    closed_steps,
    documents_and_conditions,
    other_day_banner,
    sections,
    source_titles,
    upcoming_total,
    when_text,
)

_YES_NO = {True: "はい", False: "いいえ", None: "未回答"}


def _rows(pairs) -> str:
    return "".join(f"<tr><th align='left' width='35%'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in pairs)


def inputs_html(case_data: dict, rules) -> str:
    fac = case_data.get("facility", {})
    fr = case_data.get("face_reader", {})
    kind = rules.kinds.get(fac.get("kind"), {}).get("label", fac.get("kind") or "")
    # a facility never asked its 医療機関コード (Rules.asks_institution_code) does not have it printed as 未入力
    asked_code = fac.get("institution_code") or rules.asks_institution_code(fac.get("kind"))
    pairs = [("施設名", fac.get("name") or "（未入力）"), ("施設の種類", kind),
             *([("保険医療機関等コード", fac.get("institution_code") or "（未入力）")] if asked_code else []),
             ("所在地", (fac.get("prefecture") or "") + (fac.get("municipality") or "") or "（未入力）")]
    for key, flag in rules.flags.items():
        pairs.append((flag["label"], _YES_NO.get(fac.get(key))))
    maker = rules.makers.get(fr.get("maker") or "unknown", {}).get("label", "")
    pairs += [("顔認証付きカードリーダー", maker + (f"（型番 {fr['model']}）" if fr.get("model") else "")),
              ("設置台数", f"{fr['units']}台" if fr.get("units") is not None else "（未入力）")]
    goals = [rules.program(pid).goal for pid in case_data.get("plans", {})]
    pairs.append(("やりたいこと", "、".join(goals) or "（なし）"))
    return "<h3>入力内容</h3><table border='1' cellspacing='0' cellpadding='3' width='100%'>" + _rows(pairs) + "</table>"


def lines_html(p: dict) -> str:
    if not p.get("lines"):
        return "<p>購入予定: （金額の入力なし）</p>"
    closed = p["status"] == "closed"  # its amounts are reference only, and say so in their own column
    mark = closed_mark(p) if closed else ""
    out = ["<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr><th>品目</th><th>内訳（品名・型番）</th>"
           f"<th>数量</th><th>単価（税込）</th><th>金額</th><th>購入先</th><th>補助の対象{mark}</th></tr>"]
    for ln in p["lines"]:
        out.append(f"<tr><td>{escape(ln['item_label'])}</td><td>{escape(ln.get('description') or '')}</td>"
                   f"<td align='right'>{ln['quantity']}</td><td align='right'>{yen(ln['unit_price'])}</td>"
                   f"<td align='right'>{yen(ln['amount'])}</td><td>{escape(ln.get('vendor') or '')}</td>"
                   f"<td align='right'>{yen(ln['eligible'])}{mark}</td></tr>")
    out.append("</table>")
    return "".join(out)


BANNER_STYLE = "background:#fff3e0; border:2px solid #e65100; color:#bf360c; padding:6px; font-weight:bold"


def banner_html(text: str) -> str:
    """A coloured box at the top of the page (a day that is not today; an estimate made on another day)."""
    return (f"<table width='100%' cellpadding='6' cellspacing='0' style='{BANNER_STYLE}'><tr>"
            f"<td bgcolor='#fff3e0' style='color:#bf360c'><b>⚠ {escape(text)}</b></td></tr></table>")


def case_sheet_html(case_data: dict, breakdown: dict, rules, *, printed_on: _dt.date, maximums=None,
                    banners=(), suggestions=()) -> str:
    """The whole printout. ``maximums``: {program id: yen} for chosen programs with no prices yet; ``banners``: lines
    said in a coloured box at the top (a day that is not today is always said, whoever asks); ``suggestions``: the
    programs open that one more answer would make usable (presenting.one_more_answer)."""
    maximums = maximums or {}
    day = _dt.date.fromisoformat(breakdown["as_of"])
    chosen = set(case_data.get("plans", {}))
    name = case_data.get("facility", {}).get("name") or ""
    banners = [b for b in dict.fromkeys([other_day_banner(day), *banners]) if b]
    out = ["<html><head><meta charset='utf-8'></head><body style='font-family: sans-serif;'>",
           f"<h2>オンライン資格確認の補助金 見積り{('（' + escape(name) + '）') if name else ''}</h2>",
           *(banner_html(b) for b in banners),
           f"<p>作成日: {wareki(printed_on)}　計算の基準日: {wareki(day)}　ルール版: {escape(rules.version)}"
           f"（{wareki(rules.last_checked)}に確認）</p>",
           f"<p style='font-size: large'><b>いま申請できる補助の見積り合計: {yen(claimable_total(breakdown, chosen))}</b></p>"]
    upcoming = upcoming_total(breakdown, chosen)
    if upcoming:
        out.append(f"<p>受付前の制度の見込み {yen(upcoming)}（上の合計には含みません）</p>")
    todo = checklist(breakdown, rules, chosen)  # every open program's steps, once (issue 27 point 9)
    if todo:
        out.append("<h3>次にやること</h3><ol>" + "".join(f"<li>{escape(t['line'])}</li>" for t in todo) + "</ol>")
    if suggestions:
        out.append("<h3>答えによっては申請できる制度</h3><ul>" + "".join(f"<li>{escape(t)}</li>" for t in suggestions)
                   + "</ul>")
    out.append(inputs_html(case_data, rules))
    bought = [p for p in breakdown["programs"] if p["id"] in chosen and p.get("lines")]
    if bought:
        out.append("<h3>購入・改修の予定</h3>")
        for p in bought:
            out.append(f"<p><b>{escape(p['name'])}</b></p>" + lines_html(p))
    for status, title, progs in sections(breakdown, chosen):
        out.append(f"<h3>{escape(title)}</h3>")
        if status == "closed":  # each with what she can still do (rules data: when_closed, closed_steps)
            out.append("<ul>" + "".join(
                f"<li>{escape(p['name'])}: {escape(closed_line(p))}"
                + ("<br>いまできること:<ol>" + "".join(f"<li>{escape(t)}</li>" for t in steps) + "</ol>"
                   if (steps := closed_steps(p, rules)) else "")
                + "</li>" for p in progs) + "</ul>")
            continue
        for p in progs:
            out.append(f"<h4>{escape(p['name'])}</h4>")
            if status in ("not_needed", "not_applicable"):
                out.append(f"<p>{escape(p['status_label'])}: {escape(p['reasons'][0] if p['reasons'] else '')}</p>")
                continue
            amount = (f"最大 {yen(maximums[p['id']])}（購入金額が未入力）" if not p["lines"] and maximums.get(p["id"])
                      else f"見積額 {yen(p['subsidy'])}")
            out.append(f"<p>{escape(when_text(p, day))}　<b>{amount}</b></p>")
            docs, conds = documents_and_conditions(p, rules)
            if docs:
                out.append("<p>集める書類: " + "、".join(escape(d) for d in docs) + "</p>")
            if conds:
                out.append("<p>条件（施設で行うこと）: " + "、".join(escape(c) for c in conds) + "</p>")
            out.append(f"<p>申請先: {escape(p['portal']['label'])}</p>")
            out.append("<p><b>なぜこの金額か</b></p><ul>" + "".join(f"<li>{escape(r)}</li>" for r in p["reasons"])
                       + "</ul>")
            sources = source_titles(p, rules)
            if sources:
                out.append("<p style='color:#555'>出典: " + "／".join(escape(s) for s in sources) + "</p>")
    out.append(f"<p>{escape(rules.disclaimer)}問い合わせ: {escape(rules.call_center)}</p></body></html>")
    return "".join(out)

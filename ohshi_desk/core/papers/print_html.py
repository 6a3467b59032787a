"""The breakdown as plain HTML (for the result page's 印刷 and PDF). Qt-free: any HTML viewer can show it."""

from __future__ import annotations

import datetime as _dt
from html import escape

from ohshi_desk.core.base.formatting import wareki, yen
from ohshi_desk.core.compute.breakdown import documents_text, status_text, totals_lines

STATUS_COLOURS = {"open": "#1b5e20", "not_yet_open": "#0d47a1", "closed": "#616161", "not_applicable": "#b71c1c",
                  "not_needed": "#4e342e"}


def _source_note(breakdown: dict) -> str:
    from ohshi_desk.core.rules.source import source_note

    return source_note(breakdown)


def breakdown_html(breakdown: dict, facility_name: str = "", rules_checked_label: str = "") -> str:
    day = _dt.date.fromisoformat(breakdown["as_of"])
    out = ["<html><head><meta charset='utf-8'></head><body style='font-family: sans-serif;'>",
           f"<h2>補助金の見積り{('（' + escape(facility_name) + '）') if facility_name else ''}</h2>",
           f"<p>計算の基準日: {wareki(day)}　ルール版: {escape(breakdown['rules_version'])}"
           f"（{escape(rules_checked_label or breakdown.get('rules_checked', ''))} 確認）</p>",
           *([f"<p style='color:#b00000'>{escape(_source_note(breakdown))}</p>"] if _source_note(breakdown) else []),
           "<p><b>" + "</b><br>".join(escape(s) for s in totals_lines(breakdown)[:1])
           + "</b>" + "".join("<br>" + escape(s) for s in totals_lines(breakdown)[1:]) + "</p>",
           "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
           "<tr><th>補助制度</th><th>状況</th><th>対象経費</th><th>見積額</th></tr>"]
    for p in breakdown["programs"]:
        colour = STATUS_COLOURS.get(p["status"], "#000")
        out.append(f"<tr><td>{escape(p['name'])}</td><td style='color:{colour}'>{escape(status_text(p))}</td>"
                   f"<td align='right'>{yen(p['eligible_cost'])}</td><td align='right'><b>{yen(p['subsidy'])}</b></td></tr>")
    out.append("</table>")
    for p in breakdown["programs"]:
        out.append(f"<h3>{escape(p['name'])}</h3><p>{escape(status_text(p))}　見積額 <b>{yen(p['subsidy'])}</b></p>")
        out.append("<p><b>なぜこの金額か</b></p><ul>" + "".join(f"<li>{escape(r)}</li>" for r in p["reasons"]) + "</ul>")
        if p["notes"]:
            out.append("<p><b>注意</b></p><ul>" + "".join(f"<li>{escape(n)}</li>" for n in p["notes"]) + "</ul>")
        if p["documents"]:
            out.append("<p>必要な書類: " + escape(documents_text(p)) + "</p>")
        out.append(f"<p>申請先: {escape(p['portal']['label'])}</p>")
        out.append("<p style='color:#555'>出典: " + "／".join(escape(c) for c in p["citations"]) + "</p>")
    out.append(f"<p>{escape(breakdown['disclaimer'])}</p></body></html>")
    return "".join(out)

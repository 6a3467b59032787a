"""The pages the app draws itself for 申請の準備 (Qt-free HTML; the window or the command line renders it to A4 PDF):
the cover of a program's file (what is inside, the figures to type, ready or not with the reasons), its 領収書内訳書
(別紙様式2) pages from the values now in the workbook — no spreadsheet program needed — and the 申請の準備 section
of the wizard's print."""

from __future__ import annotations

import datetime as _dt
from html import escape

from ohshi_desk.core.base.formatting import wareki, yen
from ohshi_desk.core.papers.prepare import ProgramPrep, Receipt, first_of

PAGE_BREAK = "<div style='page-break-before: always'></div>"
TABLE_SMALL = "<table border='1' cellspacing='0' cellpadding='3' width='100%' style='border-collapse: collapse'>"
TABLE = "<table border='1' cellspacing='0' cellpadding='4' width='100%' style='border-collapse: collapse'>"


def form_page_count(receipt: Receipt) -> int:
    from ohshi_desk.core.workbook.form2 import FORM_LINES

    return max(1, -(-len(receipt.lines) // FORM_LINES))


def _seireki(day: _dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def verdict_text(prep: ProgramPrep) -> str:
    if not prep.applies:
        return "申請の準備は不要"
    return "申請の準備ができています" if prep.ready else "まだ申請できません"


def cover_html(prep: ProgramPrep, case, *, made_on: _dt.date, scans: dict, cover_pages: int = 1,
               form_pages: dict | None = None) -> str:
    """The first page: the facility and program, the figures to type, what is inside page by page, and ready / not
    ready with every reason. ``scans``: {receipt key: [(file name, pages)]}; ``form_pages``: {receipt key: pages of
    its 内訳書 as drawn} (else one page per 15 lines)."""
    form_pages = form_pages or {}
    fac = case.facility
    out = ["<html><head><meta charset='utf-8'></head><body style=\"font-size: 9pt\">",
           "<h2 align='center'>領収書（写）・領収書内訳書（写）</h2>",
           f"<p>{escape(fac.name or '（施設名未入力）')}　保険医療機関等コード {escape(fac.institution_code or '（未入力）')}</p>",
           f"<p><b>{escape(prep.name)}</b><br>申請先: {escape(prep.portal)}</p>"]
    color = "#1b5e20" if prep.ready else "#b71c1c"
    out.append(f"<p style='color:{color}; font-size: large'><b>{escape(verdict_text(prep))}</b></p>")
    if prep.reasons:
        out.append("<p>理由（直してから申請してください）:</p><ul>"
                   + "".join(f"<li>{escape(r)}</li>" for r in prep.reasons) + "</ul>")
    out.append(TABLE + f"<tr><th align='left' width='40%'>{escape(prep.total_label)}（入力する額）</th>"
               f"<td align='right'><b>{yen(prep.total)}</b></td></tr>"
               f"<tr><th align='left'>{escape(prep.subsidy_label)}（表示されるはずの額）</th>"
               f"<td align='right'><b>{yen(prep.subsidy)}</b></td></tr></table>")
    out.append(f"<p style='font-size: small'>{escape(prep.total_help)}。{escape(prep.if_other)}</p>")
    out.append("<h3>このファイルの中身</h3>" + TABLE + "<tr><th>ページ</th><th>書類</th><th>購入先</th><th>日付</th>"
               "<th>領収書の金額</th><th>内訳書の総額</th></tr>")
    out.append(f"<tr><td align='center'>{_pages(1, cover_pages)}</td><td>表紙（この紙）</td><td></td><td></td><td></td>"
               "<td></td></tr>")
    page = 1 + cover_pages
    for r in prep.receipts:
        n = form_pages.get(r.key) or form_page_count(r)
        out.append(f"<tr><td align='center'>{_pages(page, n)}</td><td>領収書内訳書（別紙様式2）</td>"
                   f"<td>{escape(r.shown)}</td><td>{escape(_seireki(r.date))}</td>"
                   f"<td align='right'>{yen(r.amount) if r.amount is not None else '（未記入）'}</td>"
                   f"<td align='right'>{yen(r.total)}</td></tr>")
        page += n
    for r in prep.receipts:
        for name, n in scans.get(r.key, []):
            out.append(f"<tr><td align='center'>{_pages(page, n)}</td><td>領収書（写）{escape(name)}</td>"
                       f"<td>{escape(r.shown)}</td><td></td><td></td><td></td></tr>")
            page += n
        if not scans.get(r.key):
            out.append(f"<tr><td align='center'>—</td><td>領収書（写）（スキャンなし）</td><td>{escape(r.shown)}</td>"
                       "<td></td><td></td><td></td></tr>")
    out.append("</table>")
    out.append("<h3>書類</h3>" + TABLE + "".join(
        f"<tr><td width='50%'>{escape(p.label)}</td><td>{escape(p.state_text)}</td></tr>" for p in prep.papers)
        + "</table>")
    out.append("<h3>アップロードの前に</h3><ul>" + "".join(f"<li>{escape(t)}</li>" for t in prep.portal_rules)
               + f"</ul><p style='font-size: small'>{escape(prep.upload)}。作成日: {wareki(made_on)}（ohshi-desk）</p>")
    out.append("</body></html>")
    return "".join(out)


def _pages(first: int, n: int) -> str:
    return str(first) if n == 1 else f"{first}〜{first + n - 1}"


def form_html(prep: ProgramPrep, case, rules, *, only: str | None = None) -> str:
    """The 領収書内訳書（別紙様式2）pages of every receipt of the program, one A4 page per 15 lines, as the workbook's
    様式2 sheets hold them now (the clinic's codes, the vendor's block, the lines of 明細)."""
    from ohshi_desk.core.workbook.form2 import FORM_LINES, NO_VENDOR, facility_cells, line_text

    cells = facility_cells(case, rules)
    out = ["<html><head><meta charset='utf-8'></head><body style=\"font-size: 9pt\">"]
    first_page = True
    for r in (r for r in prep.receipts if only is None or r.key == only):
        chunks = [r.lines[i:i + FORM_LINES] for i in range(0, len(r.lines), FORM_LINES)] or [[]]
        for n, chunk in enumerate(chunks):
            if not first_page:
                out.append(PAGE_BREAK)
            first_page = False
            out.append(_form_page(prep, r, chunk, n, len(chunks), cells, FORM_LINES, NO_VENDOR, line_text))
    out.append("</body></html>")
    return "".join(out)


def _form_page(prep, r: Receipt, chunk, n, pages, cells, form_lines, no_vendor, line_text) -> str:
    th = "style='background:#eeeeee'"
    left = [("日付（西暦）", _seireki(r.date)), tuple(cells["B5"]), tuple(cells["B6"])]
    right = [tuple(cells["D4"]), tuple(cells["D5"]), ("総額（①＋②）", yen(r.total))]
    block = [("開発事業者等名称", r.block.get("name") if isinstance(r.block.get("name"), str) else r.vendor or no_vendor),
             ("所在地", r.block.get("address") if isinstance(r.block.get("address"), str) else ""),
             ("電話番号", r.block.get("phone") if isinstance(r.block.get("phone"), str) else "")]
    out = ["<p align='right'>（別紙様式2）</p>",
           f"<h2 align='center'>領収書内訳書{f'（続紙 {n}）' if n else ''}</h2>",
           f"<p>補助制度: {escape(prep.name)}　／　購入先: {escape(r.shown)}"
           + (f"　／　{n + 1}枚目（全{pages}枚）" if pages > 1 else "") + "</p>",
           TABLE_SMALL + "".join(
               f"<tr><th align='left' width='20%' {th}>{escape(a)}</th><td width='24%'>{escape(str(b))}</td>"
               f"<th align='left' width='24%' {th}>{escape(c)}</th><td>{escape(str(d))}</td></tr>"
               for (a, b), (c, d) in zip(left, right, strict=True)) + "</table><br>",
           TABLE_SMALL + "".join(f"<tr><th align='left' width='20%' {th}>{escape(k)}</th><td>{escape(str(v or ''))}</td></tr>"
                                 for k, v in block) + "</table><br>",
           TABLE_SMALL + f"<tr><th width='5%' {th}>No</th><th width='18%' {th}>項目</th><th {th}>内訳</th>"
           f"<th width='15%' {th}>①補助対象金額</th><th width='15%' {th}>②補助対象外金額</th></tr>"]
    firsts = seconds = 0
    for i in range(form_lines):
        no = n * form_lines + i + 1
        if i < len(chunk):
            res, line = chunk[i]
            first = first_of(res, line)
            second = line.amount - first
            firsts, seconds = firsts + first, seconds + second
            color = " style='color:#c00000'" if second < 0 else ""
            out.append(f"<tr><td align='center'>{no}</td><td>{escape(res['item_label'])}</td>"
                       f"<td>{escape(line_text(res, line))}</td><td align='right'>{yen(first)}</td>"
                       f"<td align='right'{color}>{yen(second)}</td></tr>")
        else:
            out.append(f"<tr><td align='center'>{no}</td><td></td><td></td><td></td><td></td></tr>")
    out.append(f"<tr><th colspan='3' {th}>小計</th><td align='right'><b>{yen(firsts)}</b></td>"
               f"<td align='right'><b>{yen(seconds)}</b></td></tr></table>")
    out.append("<p style='font-size: small'>金額はすべて税込です。ohshi-desk が管理表（Excel）の値から作りました。</p>")
    return "".join(out)


def prepare_print_html(preps: list[ProgramPrep]) -> str:
    """The 申請の準備 section of the wizard's print: per program ready or not with the reasons, the figures to type
    and the papers' state."""
    out = ["<h3>申請の準備</h3>"]
    for prep in preps:
        out.append(f"<h4>{escape(prep.name)}: {escape(verdict_text(prep))}</h4>")
        if not prep.applies:
            out.append(f"<p>{escape(prep.note)}</p>")
            continue
        out.append(f"<p>{escape(prep.total_label)}に {yen(prep.total)} と入力すると、{escape(prep.subsidy_label)}は "
                   f"{yen(prep.subsidy)} と表示されるはずです。{escape(prep.if_other)}</p>")
        if prep.reasons:
            out.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in prep.reasons) + "</ul>")
        out.append("<p>書類: " + "、".join(f"{escape(p.label)} {escape(p.state_text)}" for p in prep.papers) + "</p>")
    return "".join(out)

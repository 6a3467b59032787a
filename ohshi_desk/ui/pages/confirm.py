"""⑤ 入力内容の確認: everything entered, on one page, before the result (as e-Tax does before it computes)."""

from __future__ import annotations

from .base import LazyPage, headed


class ConfirmPage(LazyPage):
    STEP = 4  # in the step bar

    def _build(self):
        from ..qt import QTextBrowser

        outer = headed(self, "入力内容の確認",
                       "入力した内容です。よければ「次へ」で結果を表示します。直すときは「戻る」で前の画面に戻れます。")
        self.view = QTextBrowser()
        self.view.setAccessibleName("入力内容")
        self.view.setOpenLinks(False)
        from ..qt import Qt

        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # tables wrap to the width
        outer.addWidget(self.view, 1)

    def on_enter(self):
        from html import escape

        from ...core.case import CaseError
        from ...core.clock import today
        from ...core.print_sheet import inputs_html, lines_html

        data = self.w.case_data()
        parts = [inputs_html(data, self.w.rules)]
        try:
            bd = self.w.compute(self.w.as_of or today())
        except CaseError as exc:  # the pages let nothing unreadable through; said rather than hidden if so
            parts.append(f"<p style='color:#c62828'>{escape(str(exc))}</p>")  # it may quote the case
            bd = {"programs": []}
        chosen = set(self.w.goals())
        for p in bd["programs"]:
            if p["id"] in chosen and self.w.rules.program(p["id"]).purchases:
                parts.append(f"<h3>購入・改修の予定: {escape(p['name'])}</h3>" + lines_html(p))
        usage = data.get("usage") or {}
        if usage:
            rows = "".join(f"<tr><th align='left'>{escape(f.label)}</th>"
                           f"<td>{escape(str(usage.get(f.key, '（未入力）')))}{escape(f.unit)}</td></tr>"
                           for f in self.w.usage_page.FIELDS)
            parts.append(f"<h3>利用状況</h3><table border='1' cellspacing='0' cellpadding='3'>{rows}</table>")
        self.view.setHtml("".join(parts))
        self.html = "".join(parts)

"""⑤ 入力内容の確認: everything entered, on one page, before the result (as e-Tax does before it computes).

Every answer any program reads is listed, as shown on its page (issue 27 point 7): the facility's fields and its
questions from the rules, the reader (the other makers' readers included), the goals, each program's 改修の内容 and
plan questions (rules data), its lines, and the usage figures; each row has a 「訂正」 link back to its page."""

from __future__ import annotations

from .base import LazyPage, headed

_YES_NO = {True: "はい", False: "いいえ", None: "未回答"}


def shown(w, kind: str) -> str:
    """A field's answer as its page shows it (the words of the choice, not the id in the case)."""
    if kind in ("combo", "combo_list"):
        return "（未選択）" if w.currentText() in ("", "選択してください") else w.currentText()
    if kind == "edit_combo":
        return w.currentText().strip() or "（未入力）"
    if hasattr(w, "shown"):  # a question of the rules, of any type (widgets.QuestionWidget)
        return w.shown()
    if kind == "choice":
        value = w.value()
        if isinstance(value, bool) or value is None:
            return _YES_NO[value]
        return w.buttons[value].text()  # a radio choice (the reader's maker)
    return w.text().strip() or "（未入力）"


def _line_texts(p: dict | None) -> list[str]:
    """Each purchase line in one sentence: 「・品目（内訳） 数量 × 単価 = 金額　購入先: …　補助の対象: …」."""
    from ohshi_desk.core.base.formatting import yen
    from ohshi_desk.core.compute.presenting import closed_mark

    if not p or not p.get("lines"):
        return ["（金額の入力なし）"]
    mark = closed_mark(p) if p["status"] == "closed" else ""  # its amounts are reference only, and say so
    out = []
    for ln in p["lines"]:
        desc = f"（{ln['description']}）" if ln.get("description") else ""
        vendor = f"　購入先: {ln['vendor']}" if ln.get("vendor") else ""
        out.append(f"・{ln['item_label']}{desc}　{ln['quantity']} × {yen(ln['unit_price'])} = {yen(ln['amount'])}"
                   f"{vendor}　補助の対象: {yen(ln['eligible'])}{mark}")
    return out


def _listing():
    """The page's text view. Qt lays a long text out a screenful at first and the rest in small steps on a 10 ms
    timer; with a hospital's 400 lines the last steps were still owed when 次へ was pressed, and they landed in
    確認 → 結果 (a third of its instructions; issue 28). Here, once the view has been drawn, the rest is laid out in
    one go in the next idle moment, while the user reads."""
    from ..qt import QTextBrowser, QTimer

    class Listing(QTextBrowser):
        owed = False  # a text set and not yet drawn: its layout is finished after the first paint

        def paintEvent(self, event):  # noqa: N802 — Qt's name
            super().paintEvent(event)
            if self.owed:
                self.owed = False
                QTimer.singleShot(0, self, self.finish_layout)

        def finish_layout(self) -> None:
            self.document().size()  # the size of the whole text: Qt lays out every part not laid out yet

    return Listing()


class ConfirmPage(LazyPage):
    STEP = 4  # in the step bar

    def _build(self):
        outer = headed(self, "入力内容の確認",
                       "入力した内容です。よければ「次へ」で結果を表示します。直すときは、その行の「訂正」を押します。")
        self.view = _listing()
        self.view.setAccessibleName("入力内容")
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._fix)
        from ..qt import Qt

        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # tables wrap to the width
        outer.addWidget(self.view, 1)

    def sections(self) -> list[tuple[str, int, list[tuple[str, str]], str | None]]:
        """(heading, page id, [(question, answer as shown)], program id whose lines follow or None) for every answer
        a program reads, in page order."""
        w = self.w
        ids = {id(w.page(i)): i for i in w.pageIds()}  # each page's id in the wizard (no import of pages/__init__)
        FACILITY, READER, GOALS, PLANS, USAGE = (ids[id(p)] for p in (  # noqa: N806 — the page ids' names
            w.facility_page, w.reader_page, w.goals_page, w.plans_page, w.usage_page))
        out = []
        fp = w.facility_page
        flags = w.rules.flags  # a facility question in its words from the rules
        out.append(("① 施設", FACILITY, [(flags.get(f.key, {}).get("label", f.label), shown(fp.widget(f), f.kind))
                                         for f in fp.FIELDS
                                         if f.key != "institution_code" or fp.code_row.isVisibleTo(fp)], None))
        rp = w.reader_page
        rp.ensure_built()
        rows = []
        for f in rp.FIELDS:
            value = shown(rp.widget(f), f.kind)
            rows.append((f.label, value + ("台" if f.kind == "parsed" and value != "（未入力）" else "")))
        out.append(("② カードリーダー", READER, rows, None))
        goals = w.goals()
        rules = w.rules
        out.append(("③ やりたいこと", GOALS,
                    [("選んだこと", "、".join(rules.program(pid).goal for pid in goals) or "（なし）")], None))
        pp = w.plans_page
        for pid in goals:
            program = rules.program(pid)
            if not program.purchases or pid not in pp.editors:
                continue
            rows = []
            if pid in pp.options:
                rows.append(("改修の内容", pp.options[pid].currentText()))
            for qid, q in program.questions.items():  # the plan's questions are rules data
                box = pp.flags[pid].get(qid)
                if box is not None:
                    rows.append((q["label"], "はい" if box.isChecked() else "いいえ"))
            out.append((f"④ 購入・改修の予定: {program.short_name}", PLANS, rows, pid))
        if w._needs_usage():
            up = w.usage_page
            up.ensure_built()
            rows = []
            for f in up.FIELDS:
                value = shown(up.widget(f), f.kind)
                rows.append((f.label, value + (f.unit if value != "（未入力）" else "")))
            out.append(("利用状況", USAGE, rows, None))
        return out

    def on_enter(self):
        from html import escape

        from ohshi_desk.core.base.clock import today
        from ohshi_desk.core.case.model import CaseError

        try:
            programs = {p["id"]: p for p in self.w.compute(self.w.as_of or today())["programs"]}
            problem = ""
        except CaseError as exc:  # the pages let nothing unreadable through; said rather than hidden if so
            programs, problem = {}, f"<p style='color:#c62828'>{escape(str(exc))}</p>"
        # Paragraphs, not tables: Qt lays a table out cell by cell, and a hospital's 200 lines in a table within a
        # table took ~130 ms to show (issue 28: every click ≤ 30 ms); a paragraph per row is laid out in a few ms.
        out = [problem]
        for heading, page, rows, pid in self.sections():
            fix = f"　<a href='fix:{page}'>訂正</a>"
            out.append(f"<p style='background-color:#e3f2fd; margin-top:10px'><b>{escape(heading)}</b></p>")
            for question, answer in rows:
                out.append(f"<p style='margin-left:12px'>{escape(question)}：<b>{escape(answer)}</b>{fix}</p>")
            if pid is not None:
                out.append(f"<p style='margin-left:12px'>購入する品目{fix}</p>")
                out.extend(f"<p style='margin-left:28px'>{escape(text)}</p>" for text in _line_texts(programs.get(pid)))
        self.html = "".join(out)
        self.view.setHtml(self.html)
        self.view.owed = True

    def _fix(self, url) -> None:
        """「訂正」: back to the page the answer is on (through 戻る, so nothing typed since is lost)."""
        target = int(url.toString().removeprefix("fix:"))
        w = self.w
        if target not in w.visitedIds():
            return
        for _ in range(10):
            if w.currentId() == target:
                break
            w.back()

"""⑥ 結果: the breakdown, claimable-now first. Shows what the core computed; computes nothing."""

from __future__ import annotations

import datetime as _dt

from ohshi_desk.core.base.clock import today

from ..plain import label as plain_label
from ..plain import tip as plain_tip
from ..qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from ..widgets import qt, wrap_label
from .base import LazyPage, day_banner_label, headed, heading_font


class MeasuredLabel(QLabel):
    """A wrapped label that measures its text once per width. Qt asks a wrapped label its height for each width a
    layout tries, and again whenever a layout above it is worked out (the scroll area of the cards tries a scroll
    bar's width of widths, one pixel apart); laying out the 200 characters of a closed program's steps each time was
    most of 確認 → 結果 for a hospital (issue 28). The heights are kept by width, text and margins, and forgotten
    when the font, the style or anything else of the label changes."""

    def heightForWidth(self, width: int) -> int:  # noqa: N802 — Qt's name
        m = self.contentsMargins()
        key = (width, self.text(), m.left(), m.top(), m.right(), m.bottom())
        heights = self.__dict__.setdefault("heights", {})
        height = heights.get(key)
        if height is None:
            if len(heights) >= 64:  # the widths of older texts are not kept for ever
                heights.clear()
            height = heights[key] = super().heightForWidth(width)
        return height

    def changeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        self.heights = {}
        super().changeEvent(event)


def _wrapped(text: str = "", **kw) -> MeasuredLabel:
    """A wrapped label of the result page (widgets.wrap_label, measured once per width)."""
    return wrap_label(text, cls=MeasuredLabel, **kw)


class ResultPage(LazyPage):
    STEP = 5  # in the step bar
    breakdown: dict | None = None
    breakdown_day: _dt.date | None = None  # the day ``breakdown`` was computed for
    DAY_CHECK_MS = 60_000  # how often an open result page asks the clock whether the day has changed

    def _build(self):
        wizard = self.w
        outer = headed(self, "結果: 補助の見積り",
                       "制度ごとの見積りです。「なぜこの金額か」を開くと、計算の理由と出典が見られます。")
        # an estimate made on another day, opened again: then against now (issue 22)
        self.made_on_banner = day_banner_label("以前に作った見積りの注意")
        outer.addWidget(self.made_on_banner)
        top = QHBoxLayout()
        # the day is shown, never typed here: another day is a deliberate act through a dialog (issue 22)
        self.day_label = plain_label("")
        self.day_label.setAccessibleName("いつ時点の計算か")
        top.addWidget(self.day_label)
        self.other_day_button = QPushButton("別の日で計算(&D)…")
        self.other_day_button.setToolTip(plain_tip("サポート担当者が、別の日に見えていた結果を確かめるときに使います"))
        self.other_day_button.clicked.connect(self.ask_other_day)
        top.addWidget(self.other_day_button)
        top.addStretch(1)
        self.total = plain_label()
        heading_font(self.total, 1.3)
        self.total.setAccessibleName("いま申請できる補助の見積り合計")
        top.addWidget(self.total)
        outer.addLayout(top)
        self.upcoming = _wrapped(muted=True)
        self.upcoming.setAlignment(qt().AlignmentFlag.AlignRight)
        self.upcoming.hide()
        outer.addWidget(self.upcoming)
        area = QScrollArea()
        area.setWidgetResizable(True)
        scrolled_part = QWidget()  # the cards, then the notes under them (scrolled with them: room at 150 %)
        col = QVBoxLayout(scrolled_part)
        col.setContentsMargins(0, 0, 0, 0)
        # 次にやること of every open program, once, above the cards (issue 27 point 9): core's checklist
        self.todo = QFrame()
        self.todo.setObjectName("todo")
        self.todo.setStyleSheet("QFrame#todo { border: 1px solid #1565c0; border-left: 6px solid #1565c0;"
                                " border-radius: 4px; background: #e3f2fd; }")
        todo_lay = QVBoxLayout(self.todo)
        todo_head = plain_label("次にやること")
        heading_font(todo_head, 1.15)
        todo_lay.addWidget(todo_head)
        self.todo_steps = _wrapped()
        self.todo_steps.setAccessibleName("次にやること")
        todo_lay.addWidget(self.todo_steps)
        self.todo.hide()
        self.cards_host = QWidget()
        self.cards = QVBoxLayout(self.cards_host)
        todo_row = QVBoxLayout()  # in line with the cards under it
        m = self.cards.contentsMargins()
        todo_row.setContentsMargins(m.left(), m.top(), m.right(), 0)
        todo_row.addWidget(self.todo)
        col.addLayout(todo_row)
        col.addWidget(self.cards_host, 1)
        self.footer = _wrapped(muted=True)
        self.footer.setContentsMargins(9, 0, 9, 9)
        col.addWidget(self.footer)
        area.setWidget(scrolled_part)
        outer.addWidget(area, 1)
        buttons = QHBoxLayout()
        self.print_button = QPushButton("印刷・PDF(&P)…")
        self.export_button = QPushButton("Excel に書き出す(&E)…")
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        self.prepare_button = QPushButton("申請の準備(&A)…")  # after a vendor's workbook is opened (issue 29)
        self.prepare_button.clicked.connect(self.open_prepare)
        buttons.addWidget(self.prepare_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.print_button.clicked.connect(wizard.print_breakdown)
        self.export_button.clicked.connect(wizard.export_dialog)
        # A window left open past midnight (or past a deadline) shows, prints and exports the new day's figures:
        # the page asks the clock again when the app becomes active and once a minute while it is shown.
        from ..qt import QApplication, QTimer

        self.day_timer = QTimer(self)
        self.day_timer.setInterval(self.DAY_CHECK_MS)
        self.day_timer.timeout.connect(self._check_day)
        self.day_timer.start()
        QApplication.instance().applicationStateChanged.connect(self._check_day)

    @property
    def first_field(self):
        """Where the focus goes when the page opens: it has no field to type in, so the focus stays where the wizard
        put it (its 完了 button), named here rather than found by walking the window's focus chain, which with a
        hospital's lines on the plans page is some 4,000 widgets long and met nothing to stop at (issue 28)."""
        return self.w.focusWidget()

    def _check_day(self, *_a) -> None:
        if self.w.isVisible() and self.w.currentPage() is self:  # the page on screen; print/export ask themselves
            self.refresh_if_stale()

    def open_prepare(self):
        from ..prepare_view import open_prepare

        return open_prepare(self.w)

    def on_enter(self):
        from ..prepare_view import offered

        self.prepare_button.setVisible(offered(self.w))
        self.recompute()

    def is_stale(self) -> bool:
        """The breakdown shown was computed for another day than the one the pages compute for now (the clock
        moved on past midnight, with no day chosen on purpose)."""
        return self.breakdown_day is not None and self.breakdown_day != self.as_of()

    def refresh_if_stale(self, *_a) -> None:
        """Compute again when the day has changed since the figures on screen were made (then the banner of an
        estimate made on another day is worked out against the new day too)."""
        if getattr(self, "_built", False) and self.is_stale():
            self.w.work_out_made_on()
            self.recompute()

    def fresh_breakdown(self) -> dict | None:
        """The breakdown for the day the pages compute for now (computed again if the day changed); None when
        the page was not built or the case is refused."""
        self.refresh_if_stale()
        return self.breakdown

    def as_of(self) -> _dt.date:
        return self.w.day()

    def ask_other_day(self, *_a) -> None:
        """「別の日で計算…」: a small dialog; nothing changes unless she presses its button."""
        answer = OtherDayDialog.ask(self, self.w.day(), self.w.file_as_of is not None)
        if answer is not None:
            self.w.set_other_day(*answer)

    def recompute(self):
        from ohshi_desk.core.base.formatting import wareki, yen
        from ohshi_desk.core.case.model import CaseError
        from ohshi_desk.core.compute.presenting import checklist, claimable_total, sections, upcoming_total

        expanded = {c.program["id"] for c in self.cards_host.children()
                    if isinstance(c, ProgramCard) and c.toggle.isChecked()}
        self.breakdown_day = self.as_of()
        try:
            data = self.w.case_data()  # the pages read once: the cards' maxima ask the same case
            self.breakdown = self.w.compute(self.breakdown_day, data)
        except CaseError as exc:  # a value the case refuses (text too long, a control character): say which
            self.breakdown = None
            self._clear_cards()
            self.todo.hide()
            self.total.setText("計算できません")
            self.upcoming.setVisible(False)
            self.footer.setText(f"{str(exc).removeprefix('ケースファイルの ')}。前のページに戻って直してください。")
            return
        kept = self._shown_by_key()  # what the page shows now, by key: used again where nothing changed
        chosen = set(self.w.goals())
        day = self.breakdown_day
        self.day_label.setText(f"{wareki(day)}時点の計算" + ("（今日）" if day == today() else "（今日ではありません）"))
        self.checklist = checklist(self.breakdown, self.w.rules, chosen)
        self.todo_steps.setText("\n".join(f"{i}. {item['line']}" for i, item in enumerate(self.checklist, 1)))
        self.todo.setVisible(bool(self.checklist))
        shown = self._suggestions(kept)
        for status, title, progs in sections(self.breakdown, chosen):
            shown.append(self._heading(kept, title))
            for p in progs:
                maximum = None if status == "closed" else self.w.program_maximum(p, day, data)
                key = (_shown_of(p), day, maximum, id(self.w.rules))
                card = kept.pop(key, None)
                if card is None:
                    card = ClosedLine(p, self.w.rules) if status == "closed" else ProgramCard(p, day, self.w.rules,
                                                                                              maximum)
                    card.card_key = key
                if status != "closed":
                    card.toggle.setChecked(p["id"] in expanded)
                shown.append(card)
        self._place(shown)
        total = claimable_total(self.breakdown, chosen)
        self.total.setText(f"いま申請できる見積り合計: {yen(total)}")
        upcoming = upcoming_total(self.breakdown, chosen)
        self.upcoming.setText(f"受付前の制度の見込み {yen(upcoming)} は含みません" if upcoming else "")
        self.upcoming.setVisible(bool(upcoming))
        r = self.w.rules
        from ohshi_desk.core.rules.source import source_note

        note = source_note(self.breakdown)
        self.footer.setText(
            (f"{note}。" if note else "") +
            f"ルール版 {r.version}（{wareki(r.last_checked)}に確認）。{r.disclaimer}問い合わせ: {r.call_center}")

    def _suggestions(self, kept: dict) -> list:
        """Programs open today that one more facility answer would make usable (not a bare 対象外): their heading
        and cards, to be shown first (those of ``kept`` used again when unchanged)."""
        import json

        from ohshi_desk.core.base.formats import CASE_FORMAT
        from ohshi_desk.core.compute.presenting import one_more_answer

        from ..recovery import parse_leniently

        data = {"format": CASE_FORMAT, "facility": self.w.facility_page.to_data(),
                "face_reader": self.w.reader_page.to_data()}
        found = one_more_answer(parse_leniently(data, self.w.rules), self.w.rules, self.as_of())
        self.suggestions = found
        if not found:
            return []
        out = [self._heading(kept, "答えによっては申請できる制度")]
        for s in found:
            key = ("suggestion", json.dumps(s, sort_keys=True, ensure_ascii=False, default=str))
            card = kept.pop(key, None)
            if card is None:
                card = Suggestion(self.w, s)
                card.card_key = key
            out.append(card)
        return out

    @staticmethod
    def _heading(kept: dict, title: str):
        """A section's heading (the one shown already when there is one)."""
        head = kept.pop(("heading", title), None)
        if head is None:
            head = plain_label(title)
            heading_font(head, 1.15)
            head.card_key = ("heading", title)
        return head

    def _shown_by_key(self) -> dict:
        """The headings and cards on the page now, by their key (a program card's: its figures, the day, its maximum,
        the rules)."""
        out = {}
        for i in range(self.cards.count()):
            widget = self.cards.itemAt(i).widget()
            if widget is not None:
                out[widget.card_key] = widget
        return out

    def _place(self, widgets: list) -> None:
        """Show ``widgets`` in this order, under one stretch, touching only what changed: a heading or card already
        in its place stays in the layout as it is, with the sizes Qt measured for it (emptying the layout and filling
        it again had Qt measure every wrapped text of the page again: most of 確認 → 結果 for a hospital; issue 28).
        What is no longer shown leaves at once: nothing stale can be found or clicked."""
        lay = self.cards
        wanted = {id(w) for w in widgets}
        for i in reversed(range(lay.count())):
            old = lay.itemAt(i).widget()
            if old is not None and id(old) not in wanted:
                lay.takeAt(i)
                self._drop(old)
        for i, widget in enumerate(widgets):
            item = lay.itemAt(i)
            if item is None or item.widget() is not widget:
                if lay.indexOf(widget) >= 0:  # further down (a card moved): taken out first
                    lay.removeWidget(widget)
                lay.insertWidget(i, widget)
                widget.show()  # at once, not on Qt's queued show: what the page shows is what can be found
        if lay.count() == len(widgets):  # the stretch under the cards (the first time, or after 計算できません)
            lay.addStretch(1)

    def _clear_cards(self) -> None:
        """Every card and heading out of the page at once: nothing stale can be found or clicked."""
        while self.cards.count():
            old = self.cards.takeAt(0).widget()
            if old is not None:
                self._drop(old)

    @staticmethod
    def _drop(widget) -> None:
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()


def _shown_of(p: dict) -> str:
    """What a program's card or closed line shows of its breakdown, as a key: every figure, reason and note, but of its
    lines only whether there are any (a card never lists them; the confirm page does). Writing out a hospital's 200
    lines per card was the largest part of the keys (issue 28)."""
    import json

    shown = {k: v for k, v in p.items() if k != "lines"}
    shown["lines"] = bool(p["lines"])
    return json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)


class Suggestion(QFrame):
    """A program open today that one more answer would make usable, with the way back to that question."""

    def __init__(self, wizard, s: dict):
        super().__init__()
        self.suggestion = s
        self.setObjectName("suggestion")
        self.setStyleSheet("QFrame#suggestion { border: 1px solid #2e7d32; border-left: 6px solid #2e7d32;"
                           " border-radius: 4px; background: #f1f8e9; }")
        lay = QHBoxLayout(self)
        self.text = _wrapped(s["text"])
        self.text.setTextFormat(qt().TextFormat.PlainText)
        lay.addWidget(self.text, 1)
        self.button = QPushButton(f"「{s['flag_label']}」の質問に戻る")
        self.button.clicked.connect(lambda *_a, f=s["flag"]: wizard.go_to_question(f))
        lay.addWidget(self.button)


class OtherDayDialog:
    """「別の日で計算…」: the day typed in a line (2025/11/1, 令和7年11月1日), checked, and used only on 「この日で計算」;
    「今日で計算」 goes back. Whether the day is kept as the file's day is asked, off unless ticked."""

    @staticmethod
    def build(parent, current: _dt.date, keep: bool):
        from ohshi_desk.core.base.formatting import wareki

        from ..qt import QCheckBox, QDialog, QDialogButtonBox, QLineEdit

        dialog = QDialog(parent)
        dialog.setWindowTitle("別の日で計算")
        lay = QVBoxLayout(dialog)
        # lines broken by hand: a word-wrapped label in a dialog is cut off at large text sizes
        lay.addWidget(plain_label(f"今日は{wareki(today())}です。\n別の日で計算すると、すべてのページ・印刷・Excel に\n"
                             "「…時点の計算です（今日ではありません）」と表示されます。"))
        dialog.field = QLineEdit(current.strftime("%Y/%m/%d").replace("/0", "/"))
        dialog.field.setAccessibleName("計算する日")
        lay.addWidget(plain_label("計算する日（例: 2025/11/1、令和7年11月1日）:"))
        lay.addWidget(dialog.field)
        dialog.keep = QCheckBox("この日をファイルに保存する（開いたときは、いつも今日で計算されます）")
        dialog.keep.setChecked(keep)
        lay.addWidget(dialog.keep)
        dialog.problem = wrap_label()
        dialog.problem.setStyleSheet("color: #c62828;")
        dialog.problem.hide()
        lay.addWidget(dialog.problem)
        box = QDialogButtonBox()
        dialog.use_button = box.addButton("この日で計算", QDialogButtonBox.ButtonRole.AcceptRole)
        dialog.today_button = box.addButton("今日で計算", QDialogButtonBox.ButtonRole.ResetRole)
        box.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        lay.addWidget(box)
        dialog.answer = None

        def use(*_a):
            from ohshi_desk.core.base.inputs import InputError, parse_date

            try:
                day = parse_date(dialog.field.text(), "計算する日")
            except InputError as exc:
                dialog.problem.setText(exc.problem)
                dialog.problem.show()
                return
            dialog.answer = (day, dialog.keep.isChecked())
            dialog.accept()

        def back_to_today(*_a):
            dialog.answer = (None, False)
            dialog.accept()

        dialog.use_button.clicked.connect(use)
        dialog.today_button.clicked.connect(back_to_today)
        box.rejected.connect(dialog.reject)
        return dialog

    @classmethod
    def ask(cls, parent, current: _dt.date, keep: bool):
        dialog = cls.build(parent, current, keep)
        dialog.exec()
        return dialog.answer


class ClosedLine(QFrame):
    """A closed program: one line shown as reference, never counted as claimable, and under it what she can
    still do (rules data: the program's when_closed, its portal's closed_steps)."""

    def __init__(self, p: dict, rules=None):
        from ohshi_desk.core.compute.presenting import closed_line, closed_steps

        super().__init__()
        self.program = p
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 2, 8, 4)
        lay = QHBoxLayout()
        self.status = plain_label("受付終了")
        self.status.setStyleSheet("color: white; background: #616161; padding: 1px 6px; border-radius: 3px;")
        lay.addWidget(self.status)
        self.text = _wrapped(f"{p['name']}: {closed_line(p)}", muted=True)
        lay.addWidget(self.text, 1)
        outer.addLayout(lay)
        steps = closed_steps(p, rules) if rules is not None else []
        self.steps = _wrapped("いまできること:\n" + "\n".join(f"・{t}" for t in steps))
        self.steps.setContentsMargins(12, 0, 0, 0)
        self.steps.setVisible(bool(steps))
        outer.addWidget(self.steps)
        self.setAccessibleName(self.text.text())


class ProgramCard(QFrame):
    def __init__(self, p: dict, day: _dt.date, rules, maximum: int | None = None):
        from ohshi_desk.core.base.formatting import yen
        from ohshi_desk.core.compute.breakdown import status_text
        from ohshi_desk.core.compute.presenting import documents_and_conditions, source_titles, when_text
        from ohshi_desk.core.papers.print_html import STATUS_COLOURS

        super().__init__()
        self.program = p
        self.setObjectName(f"card_{p['id']}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        colour = STATUS_COLOURS.get(p["status"], "#000")
        self.setStyleSheet(f"QFrame#card_{p['id']} {{ border: 1px solid #bbb; border-left: 6px solid {colour};"
                           " border-radius: 4px; background: #fff; }")
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        title = _wrapped(p["name"])
        heading_font(title, 1.1)
        head.addWidget(title, 1)
        self.status = plain_label(status_text(p))
        self.status.setStyleSheet(f"color: white; background: {colour}; padding: 2px 8px; border-radius: 3px;")
        head.addWidget(self.status)
        lay.addLayout(head)
        active = p["status"] not in ("not_applicable", "not_needed")
        if active:
            self.when = _wrapped(when_text(p, day))
            lay.addWidget(self.when)
        if active and not p["lines"] and maximum:
            amount = plain_label(f"最大 {yen(maximum)}。購入金額を入れると計算します")
        else:
            amount = plain_label(f"見積額 {yen(p['subsidy'])}")
        heading_font(amount, 1.2)
        self.amount = amount
        lay.addWidget(amount)
        if not active and p["reasons"]:
            lay.addWidget(_wrapped(p["reasons"][0]))
        docs, conds = documents_and_conditions(p, rules)
        if active and docs:
            lay.addWidget(_wrapped("集める書類: " + "、".join(docs) + f"　申請先: {p['portal']['label']}", muted=True))
        if active and conds:
            lay.addWidget(_wrapped("条件（施設で行うこと）: " + "、".join(conds), muted=True))
        from ..qt import QToolButton  # made on first use: the first page need not pay for the class

        self.toggle = QToolButton()
        self.toggle.setText("▸ なぜこの金額か")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName(f"{p['name']}: なぜこの金額か")
        self.toggle.setToolButtonStyle(qt().ToolButtonStyle.ToolButtonTextOnly)
        lay.addWidget(self.toggle)
        text = "\n".join("・" + r for r in p["reasons"])
        sources = source_titles(p, rules)
        if sources:
            text += "\n\n出典: " + "／".join(sources)
        # advice stays with the reasons; how a figure was derived (the caveats) goes to the staff section
        derived = list(dict.fromkeys(c["note"] for c in p.get("caveats", []) if c.get("note")))
        advice = [n for n in p["notes"] if n not in derived]
        if advice:
            text += "\n\n注意:\n" + "\n".join("・" + n for n in advice)
        if derived:
            text += "\n\nこの金額の計算のしかた（くわしく）:\n" + "\n".join("・" + n for n in derived)
        self.details = _wrapped(text, selectable=True)
        self.details.hide()
        lay.addWidget(self.details)
        self.toggle.toggled.connect(self._toggle)

    def _toggle(self, on: bool):
        self.details.setVisible(on)
        self.toggle.setText(("▾" if on else "▸") + " なぜこの金額か")

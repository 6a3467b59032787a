"""⑥ 結果: the breakdown, claimable-now first. Shows what the core computed; computes nothing."""

from __future__ import annotations

import datetime as _dt

from ...core.clock import today
from ..plain import label as plain_label
from ..qt import (
    QDate,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from ..widgets import qt, wrap_label
from .base import LazyPage, headed, heading_font


class ResultPage(LazyPage):
    STEP = 5  # in the step bar
    breakdown: dict | None = None

    def _build(self):
        wizard = self.w
        outer = headed(self, "結果: 補助の見積り",
                       "制度ごとの見積りです。「なぜこの金額か」を開くと、計算の理由と出典が見られます。")
        top = QHBoxLayout()
        top.addWidget(plain_label("いつ時点で計算するか(&D):"))
        from ..qt import QDateEdit  # here: making the class costs ~3 ms the first page need not pay

        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy年M月d日")
        self.date.setAccessibleName("いつ時点で計算するか")
        top.itemAt(0).widget().setBuddy(self.date)
        top.addWidget(self.date)
        top.addStretch(1)
        self.total = plain_label()
        heading_font(self.total, 1.3)
        self.total.setAccessibleName("いま申請できる補助の見積り合計")
        top.addWidget(self.total)
        outer.addLayout(top)
        self.upcoming = wrap_label(muted=True)
        self.upcoming.setAlignment(qt().AlignmentFlag.AlignRight)
        self.upcoming.hide()
        outer.addWidget(self.upcoming)
        area = QScrollArea()
        area.setWidgetResizable(True)
        scrolled_part = QWidget()  # the cards, then the notes under them (scrolled with them: room at 150 %)
        col = QVBoxLayout(scrolled_part)
        col.setContentsMargins(0, 0, 0, 0)
        self.cards_host = QWidget()
        self.cards = QVBoxLayout(self.cards_host)
        col.addWidget(self.cards_host, 1)
        self.footer = wrap_label(muted=True)
        self.footer.setContentsMargins(9, 0, 9, 9)
        col.addWidget(self.footer)
        area.setWidget(scrolled_part)
        outer.addWidget(area, 1)
        buttons = QHBoxLayout()
        self.print_button = QPushButton("印刷・PDF(&P)…")
        self.export_button = QPushButton("Excel に書き出す(&E)…")
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.date.dateChanged.connect(self._date_changed)
        self.print_button.clicked.connect(wizard.print_breakdown)
        self.export_button.clicked.connect(wizard.export_dialog)

    def on_enter(self):
        day = self.w.as_of or today()
        self.date.blockSignals(True)
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.date.blockSignals(False)
        self.recompute()

    def _date_changed(self, *_a) -> None:
        self.recompute()

    def as_of(self) -> _dt.date:
        d = self.date.date()
        return _dt.date(d.year(), d.month(), d.day())

    def recompute(self):
        from ...core.case import CaseError
        from ...core.formatting import wareki, yen
        from ...core.presenting import claimable_total, sections, upcoming_total

        self.w.as_of = self.as_of()
        expanded = {c.program["id"] for c in self.cards_host.children()
                    if isinstance(c, ProgramCard) and c.toggle.isChecked()}
        try:
            self.breakdown = self.w.compute(self.as_of())
        except CaseError as exc:  # a value the case refuses (text too long, a control character): say which
            self.breakdown = None
            self._clear_cards()
            self.total.setText("計算できません")
            self.upcoming.setVisible(False)
            self.footer.setText(f"{str(exc).removeprefix('ケースファイルの ')}。前のページに戻って直してください。")
            return
        self._clear_cards()
        chosen = set(self.w.goals())
        day = self.as_of()
        for status, title, progs in sections(self.breakdown, chosen):
            head = plain_label(title)
            heading_font(head, 1.15)
            self.cards.addWidget(head)
            head.show()
            for p in progs:
                if status == "closed":
                    card = ClosedLine(p)
                else:
                    card = ProgramCard(p, day, self.w.rules, self.w.program_maximum(p, day))
                    card.toggle.setChecked(p["id"] in expanded)
                self.cards.addWidget(card)
                card.show()  # at once, not on Qt's queued show: what the page shows is what can be found
        self.cards.addStretch(1)
        total = claimable_total(self.breakdown, chosen)
        self.total.setText(f"いま申請できる見積り合計: {yen(total)}")
        upcoming = upcoming_total(self.breakdown, chosen)
        self.upcoming.setText(f"受付前の制度の見込み {yen(upcoming)} は含みません" if upcoming else "")
        self.upcoming.setVisible(bool(upcoming))
        r = self.w.rules
        from ...core.rules_source import source_note

        note = source_note(self.breakdown)
        self.footer.setText(
            (f"{note}。" if note else "") +
            f"ルール版 {r.version}（{wareki(r.last_checked)}に確認）。これは見積りです。通知に書かれていない点は少なめに見積もっています。"
            f"購入・申請の前に、必ず各制度の申請先のポータルサイトで最新の情報を確認してください。問い合わせ: {r.call_center}")

    def _clear_cards(self) -> None:
        while self.cards.count():  # old cards leave the page at once: nothing stale can be found or clicked
            old = self.cards.takeAt(0).widget()
            if old is not None:
                old.hide()
                old.setParent(None)
                old.deleteLater()


class ClosedLine(QFrame):
    """A closed program folded to one line: shown as reference, never counted as claimable."""

    def __init__(self, p: dict):
        from ...core.presenting import closed_line

        super().__init__()
        self.program = p
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 2)
        self.status = plain_label("受付終了")
        self.status.setStyleSheet("color: white; background: #616161; padding: 1px 6px; border-radius: 3px;")
        lay.addWidget(self.status)
        self.text = wrap_label(f"{p['name']}: {closed_line(p)}", muted=True)
        lay.addWidget(self.text, 1)
        self.setAccessibleName(self.text.text())


class ProgramCard(QFrame):
    def __init__(self, p: dict, day: _dt.date, rules, maximum: int | None = None):
        from ...core.breakdown import status_text
        from ...core.formatting import yen
        from ...core.presenting import documents_and_conditions, next_steps, source_titles, when_text
        from ...core.print_html import STATUS_COLOURS

        super().__init__()
        self.program = p
        self.setObjectName(f"card_{p['id']}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        colour = STATUS_COLOURS.get(p["status"], "#000")
        self.setStyleSheet(f"QFrame#card_{p['id']} {{ border: 1px solid #bbb; border-left: 6px solid {colour};"
                           " border-radius: 4px; background: #fff; }")
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        title = wrap_label(p["name"])
        heading_font(title, 1.1)
        head.addWidget(title, 1)
        self.status = plain_label(status_text(p))
        self.status.setStyleSheet(f"color: white; background: {colour}; padding: 2px 8px; border-radius: 3px;")
        head.addWidget(self.status)
        lay.addLayout(head)
        active = p["status"] not in ("not_applicable", "not_needed")
        if active:
            self.when = wrap_label(when_text(p, day))
            lay.addWidget(self.when)
        if active and not p["lines"] and maximum:
            amount = plain_label(f"最大 {yen(maximum)}。購入金額を入れると計算します")
        else:
            amount = plain_label(f"見積額 {yen(p['subsidy'])}")
        heading_font(amount, 1.2)
        self.amount = amount
        lay.addWidget(amount)
        if not active and p["reasons"]:
            lay.addWidget(wrap_label(p["reasons"][0]))
        if p["status"] == "open":
            steps = next_steps(p, rules)
            if steps:
                self.steps = wrap_label("次にやること:\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)))
                lay.addWidget(self.steps)
        docs, conds = documents_and_conditions(p, rules)
        if active and docs:
            lay.addWidget(wrap_label("集める書類: " + "、".join(docs) + f"　申請先: {p['portal']['label']}", muted=True))
        if active and conds:
            lay.addWidget(wrap_label("条件（施設で行うこと）: " + "、".join(conds), muted=True))
        from ..qt import QToolButton  # made on first use, as QDateEdit above

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
            text += "\n\n担当者向けの詳しい根拠:\n" + "\n".join("・" + n for n in derived)
        self.details = wrap_label(text, selectable=True)
        self.details.hide()
        lay.addWidget(self.details)
        self.toggle.toggled.connect(self._toggle)

    def _toggle(self, on: bool):
        self.details.setVisible(on)
        self.toggle.setText(("▾" if on else "▸") + " なぜこの金額か")

"""③ やりたいこと: the programs the facility wants to use, with whether each is open now."""

from __future__ import annotations

from ..plain import label as plain_label
from ..qt import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from ..widgets import MUTED, checkbox, qt, tab_chain, tint, wrap_label
from .base import LazyPage, day_banner_label, scrolled


class GoalsPage(LazyPage):
    STEP = 2  # in the step bar
    def _build(self):
        wizard = self.w
        lay = scrolled(self, "やりたいこと",
                       "これから行いたいことを選んでください（いくつでも）。施設に当てはまらないものは選べません。")
        # an estimate made on another day, opened again: then against now (issue 22)
        self.made_on_banner = day_banner_label("以前に作った見積りの注意")
        lay.addWidget(self.made_on_banner)
        self.boxes = {}
        self.reasons = {}
        self.whens = {}
        self.infos = {}
        # what was dropped when the facility or reader changed: said, with 元に戻す
        self.dropped_box = QFrame()
        self.dropped_box.setStyleSheet("QFrame { background: #fff8e1; border: 1px solid #ffb300; }")
        dlay = QHBoxLayout(self.dropped_box)
        self.dropped_text = wrap_label()
        self.dropped_text.setStyleSheet("border: none;")
        dlay.addWidget(self.dropped_text, 1)
        self.undo_button = QPushButton("元に戻す(&Z)")
        self.undo_button.clicked.connect(self._undo)
        dlay.addWidget(self.undo_button)
        self.dropped_box.hide()
        lay.addWidget(self.dropped_box)
        self._undo_state = None
        self._last_inputs = None
        # the goals this facility can have first; the others folded under one line (issue 27 point 4: at 150 % a
        # 健診センター's only goal was below the fold, under eight it cannot have)
        self.open_box = QWidget()
        self.open_lay = QVBoxLayout(self.open_box)
        self.open_lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.open_box)
        self.fold_button = QPushButton()
        self.fold_button.setCheckable(True)
        self.fold_button.setFlat(True)
        self.fold_button.setStyleSheet("QPushButton { text-align: left; padding: 4px; }")
        self.fold_button.toggled.connect(self._fold_toggled)
        lay.addWidget(self.fold_button)
        self.folded_box = QWidget()
        self.folded_lay = QVBoxLayout(self.folded_box)
        self.folded_lay.setContentsMargins(0, 0, 0, 0)
        self.folded_box.hide()
        lay.addWidget(self.folded_box)
        self.folded_count = 0
        self._fold_toggled(False)
        self.rows = {}
        for p in wizard.rules.programs:
            row_widget = QWidget()
            col = QVBoxLayout(row_widget)
            col.setContentsMargins(0, 0, 0, 0)
            box = checkbox(p.goal)
            box.toggled.connect(self._changed)
            row = QHBoxLayout()
            row.addWidget(box, 1)
            when = plain_label()
            row.addWidget(when)
            self.whens[p.id] = when
            col.addLayout(row)
            help_ = wrap_label(p.goal_help, muted=True)
            help_.setContentsMargins(24, 0, 0, 0)
            col.addWidget(help_)
            info = wrap_label(muted=True)  # information that concerns this goal (the 医療費助成 participants)
            info.setTextFormat(qt().TextFormat.PlainText)  # it quotes the typed 市区町村
            info.setContentsMargins(24, 0, 0, 0)
            info.hide()
            col.addWidget(info)
            self.infos[p.id] = info
            reason = wrap_label()
            reason.setContentsMargins(24, 0, 0, 6)
            tint(reason, "#8d6e63")
            reason.hide()
            col.addWidget(reason)
            self.boxes[p.id] = box
            self.reasons[p.id] = reason
            self.rows[p.id] = row_widget
            self.open_lay.addWidget(row_widget)
        lay.addStretch(1)
        # each goal's 受付中・締切 is of the day it was worked out for: asked again when the app becomes active or
        # a minute has passed and the day is another (a window left open past midnight or a deadline; issue 22)
        from ..qt import QApplication, QTimer

        self.day_timer = QTimer(self)
        self.day_timer.setInterval(60_000)
        self.day_timer.timeout.connect(self._check_day)
        self.day_timer.start()
        QApplication.instance().applicationStateChanged.connect(self._check_day)

    shown_day = None  # the day the statuses on the page were worked out for

    def _check_day(self, *_a) -> None:
        if self.w.isVisible() and self.w.currentPage() is self and self.shown_day != self.w.day():
            self.refresh()

    def on_enter(self):
        self.refresh()

    def refresh(self):
        from ohshi_desk.core.papers.print_html import STATUS_COLOURS

        self.ensure_built()
        self.shown_day = self.w.day()
        info = self.w.applicability()
        inputs = (self.w.facility_page.to_data(), self.w.reader_page.to_data())
        dropped = []
        for pid, box in self.boxes.items():
            a = info[pid]
            box.setEnabled(a["applicable"])
            if not a["applicable"] and box.isChecked():
                dropped.append(pid)
                box.setChecked(False)
            text = a["reason"]
            if a["status"] == "not_needed":
                text = "不要: " + text
            elif not a["applicable"]:
                text = "対象外: " + text
                if a.get("suggestion"):  # open today with one more answer: said, with the way back to it
                    text += "\n→ " + a["suggestion"] + "（「戻る」で施設の質問に答えられます）"
            self.reasons[pid].setText(text)
            self.reasons[pid].setVisible(bool(text))
            self.infos[pid].setText(a.get("info", ""))
            self.infos[pid].setVisible(bool(a.get("info")) and a["applicable"])
            when = a.get("when", "")
            self.whens[pid].setText(when)
            tint(self.whens[pid], STATUS_COLOURS.get(a.get("window_status"), MUTED))
            box.setAccessibleDescription("　".join(t for t in (when, text) if t))
        self._place_rows(info)
        if dropped and self._last_inputs is not None:
            names = "、".join(f"「{self.w.rules.program(pid).goal}」" for pid in dropped)
            self.dropped_text.setText(f"施設またはカードリーダーの答えが変わったため、{names}を外しました（この施設では選べません）。")
            self._undo_state = (self._last_inputs, dropped)
            self.dropped_box.show()
        elif not dropped:
            self.dropped_box.hide()
        self._last_inputs = inputs

    def _place_rows(self, info: dict) -> None:
        """The goals this facility can have (or could, with one more answer) in the list; the others under the
        folded line 「この施設が対象外の制度（n件）」, opened when nothing can be chosen."""
        folded = [pid for pid in self.boxes if not info[pid]["applicable"] and not info[pid].get("suggestion")]
        for row in self.rows.values():
            self.open_lay.removeWidget(row)
            self.folded_lay.removeWidget(row)
        for pid, row in self.rows.items():
            (self.folded_lay if pid in folded else self.open_lay).addWidget(row)  # in the rules' order
        # Tab in reading order: 元に戻す, the goals in the list, the folded line, the goals under it
        tab_chain([self.undo_button, *(self.boxes[p] for p in self.boxes if p not in folded), self.fold_button,
                   *(self.boxes[p] for p in folded)])
        self.folded_count = len(folded)
        self.fold_button.setVisible(bool(folded))
        if not any(info[pid]["applicable"] for pid in self.boxes):
            self.fold_button.setChecked(True)  # nothing to choose: every reason shown
        self._fold_toggled(self.fold_button.isChecked())

    def _fold_toggled(self, opened: bool) -> None:
        n = self.folded_count
        self.fold_button.setText(f"{'▼' if opened else '▶'} この施設が対象外の制度（{n}件）")
        self.fold_button.setAccessibleName(f"この施設が対象外の制度（{n}件）を{'閉じる' if opened else '開く'}")
        self.folded_box.setVisible(opened and n > 0)

    def _undo(self, *_a) -> None:
        """Put back the facility and reader answers from before, and the goals dropped by the change."""
        if not self._undo_state:
            return
        (fac, reader), dropped = self._undo_state
        self._undo_state = None
        self.w.facility_page.load(fac)
        self.w.reader_page.load(reader)
        self.refresh()
        for pid in dropped:
            if self.boxes[pid].isEnabled():
                self.boxes[pid].setChecked(True)
        self.dropped_box.hide()
        self.w.mark_changed()

    def blockers(self) -> list[str]:
        if self._built and not any(b.isEnabled() for b in self.boxes.values()):
            return ["選べる項目がありません。「戻る」で施設の質問（未回答のもの）に答えてください"]
        return [] if self.chosen() else ["やりたいことを1つ以上選んでください"]

    def _changed(self, *_a):
        self.recheck()
        self.w.mark_changed()

    def chosen(self) -> list[str]:
        self.ensure_built()
        return [pid for pid, b in self.boxes.items() if b.isChecked() and b.isEnabled()]

    def complete(self) -> bool:
        return bool(self.chosen())

    def set_chosen(self, goals) -> None:
        self.ensure_built()
        self._last_inputs = None  # a file or an autosave put back: nothing was dropped by the receptionist
        self._undo_state = None
        self.dropped_box.hide()
        self.refresh()
        for pid, box in self.boxes.items():
            box.setChecked(pid in goals and box.isEnabled())



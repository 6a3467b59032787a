"""② カードリーダー: the face-authentication reader at the counter."""

from __future__ import annotations

from ..qt import (
    QButtonGroup,
    QGroupBox,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
)
from ..widgets import Choice, Form, count_edit, wrap_label
from .base import Field, FieldTable, LazyPage, RadioChoice, scrolled


class ReaderPage(FieldTable, LazyPage):
    STEP = 1  # in the step bar
    FIELDS = (
        Field("maker", "maker_choice", "choice", "メーカー"),
        Field("model", "model", "text", "型番"),
        Field("units", "units", "parsed", "設置している台数"),
        Field("free_units", "free_units", "combo", "無償提供を受けた台数"),
        Field("other_makers", "other_maker", "combo_list", "ほかのメーカーのカードリーダー"),
    )

    def _build(self):
        wizard = self.w
        rules = wizard.rules
        lay = scrolled(self, "顔認証付きカードリーダー",
                       "受付にある顔認証付きカードリーダーについて教えてください。")
        box = QGroupBox("メーカー")
        blay = QVBoxLayout(box)
        self.group = QButtonGroup(self)
        self.buttons = {}
        for mid, m in rules.makers.items():
            b = QRadioButton(m["label"])
            b.setAccessibleName(f"メーカー: {m['label']}")
            self.group.addButton(b)
            self.buttons[mid] = b
            blay.addWidget(b)
            b.toggled.connect(self._maker_changed)
        self.maker_choice = RadioChoice(self.group, self.buttons)
        blay.addWidget(wrap_label(f"メーカー名の見つけ方: {rules.reader_hint}", muted=True))
        lay.addWidget(box)
        self.canon_info = wrap_label()
        self.canon_info.setStyleSheet("background: #e8f5e9; border: 1px solid #66bb6a; padding: 8px;")
        self.canon_info.hide()
        lay.addWidget(self.canon_info)
        # 「持っていない」: the questions about the reader at the counter do not apply (greyed, what was typed kept)
        self.none_note = wrap_label("カードリーダーを持っていないので、下の型番・台数・無償提供・ほかのメーカーは答えなくてかまいません")
        self.none_note.hide()
        lay.addWidget(self.none_note)
        form = Form()
        self.model = QLineEdit()
        self.model.setAccessibleName("型番")
        self.model.setPlaceholderText("分からなければ空欄")
        form.addRow("型番(&M)", self.model)
        self.units = count_edit("設置している台数", minimum=0, maximum=100, placeholder="例: 1")
        form.addRow("設置している台数(&U)", self.units)
        self.free_units = Choice()
        self.free_units.setAccessibleName("無償提供を受けた台数")
        self.free_units.addItem("わからない", None)
        free = rules.free_units  # the choices and what they are for are the rules' (readers.yaml free_units)
        for n in free["choices"]:
            self.free_units.addItem(f"{n}台", n)
        form.addRow("そのうち無償提供を受けた台数(&F)", self.free_units)
        form.addRow("", wrap_label(free["help"], muted=True))
        # a second reader from another maker (e.g. one that cannot read smartphones next to one that can)
        self.other_maker = Choice()
        self.other_maker.setAccessibleName("ほかのメーカーの顔認証付きカードリーダー")
        self.other_maker.addItem("ない", None)
        for mid, m in rules.makers.items():
            if not m.get("no_reader"):  # 「持っていない」 is an answer to the first question only
                self.other_maker.addItem(m["label"], mid)
        form.addRow("ほかのメーカーの顔認証付きカードリーダーもありますか(&T)", self.other_maker)
        lay.addLayout(form)
        lay.addStretch(1)
        self.units.validityChanged.connect(self._complete_changed)
        for sig in (self.model.textChanged, self.units.textChanged, self.free_units.currentIndexChanged,
                    self.other_maker.currentIndexChanged):
            sig.connect(wizard.mark_changed)
        self.other_maker.currentIndexChanged.connect(self._maker_changed)

    def maker(self) -> str | None:
        self.ensure_built()
        return self.maker_choice.value()

    def no_reader(self) -> bool:
        """「持っていない」 chosen (the rules' maker marked no_reader)."""
        mid = self.maker()
        return bool(mid and self.w.rules.makers.get(mid, {}).get("no_reader"))

    def _maker_changed(self, *_a):
        mid = self.maker()
        none = self.no_reader()
        for widget in (self.model, self.units, self.free_units, self.other_maker):
            widget.setEnabled(not none)
        self.none_note.setVisible(none)
        self._complete_changed()
        val = self.w.rules.reads_smartphone(mid) if mid else None
        # the green 「…買う必要はありません」 only while the engine finds no reader program needed: not with a
        # second reader that cannot read the smartphone (キヤノン + 富士通Japan; issue 27 point 9)
        if mid and val.value and any(a["status"] == "not_needed" for a in self.w.applicability().values()):
            self.canon_info.setText(f"✔ {val.note}。{self.w.rules.reader_advice}。")
            self.canon_info.show()
        elif mid and val.confidence == "assumed" and val.note:  # わからない: how to find out, which maker needs nothing
            rules = self.w.rules
            readers = [m for m in rules.makers.values() if m["reads_smartphone"].value]
            tip = "".join(f"{m['label']}なら、{m['reads_smartphone'].note}。" for m in readers)
            self.canon_info.setText(f"{val.note}。{rules.reader_hint}。{tip}")
            self.canon_info.show()
        else:
            self.canon_info.hide()
        self.w.mark_changed()

    def complete(self) -> bool:
        return self.no_reader() or self.units.is_ok()

    def blockers(self) -> list[str]:
        return [self.units.error()] if self.units.error() and not self.no_reader() else []

    def load(self, fr: dict) -> None:
        self.ensure_built()
        self.fields_load(fr)
        self._maker_changed()

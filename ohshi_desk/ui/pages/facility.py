"""① 施設: the facility's kind, code, place and its questions (every one from the rules, of any type)."""

from __future__ import annotations

from ..plain import label as plain_label
from ..qt import (
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
    QWizardPage,
)
from ..widgets import ERROR_RED, Choice, Form, question_widget, tint, wrap_label
from .base import Field, FieldTable, nfkc, required_label, scrolled, show_blockers, with_help


class FacilityPage(FieldTable, QWizardPage):
    STEP = 0  # in the step bar
    FIELDS = (
        Field("name", "name", "text", "施設名"),
        Field("kind", "kind", "combo", "施設の種類", required=True),
        Field("institution_code", "code", "code", "保険医療機関等コード"),
        Field("prefecture", "prefecture", "combo", "都道府県"),
        Field("municipality", "municipality", "edit_combo", "市区町村"),
    )

    def __init__(self, wizard):
        super().__init__()
        self.w = wizard
        rules = wizard.rules
        lay = scrolled(self, "施設について",
                       "補助の対象かどうかは施設の種類で決まります。分かるところから入力してください。")
        form = Form()
        lay.addLayout(form)
        self.name = QLineEdit()
        self.name.setAccessibleName("施設名")
        self.name.setPlaceholderText("例: やまだ内科クリニック")
        self.first_field = self.name  # where the focus starts
        form.addRow(self._label("施設名(&A)", self.name), self.name)

        self.kind = Choice()
        self.kind.setAccessibleName("施設の種類")
        self.kind.addItem("選択してください", None)
        for kid, k in rules.kinds.items():
            self.kind.addItem(k["label"], kid)
        kind_row, _h = with_help(self.kind, "保険医療機関・薬局は、その種類を選びます。健診センターなど保険医療機関でない施設は"
                                              "「その他」です。歯科診療所は補助の区分では診療所として扱われます。", "施設の種類")
        form.addRow(required_label("施設の種類(&K)", self.kind), kind_row)
        self.kind_note = wrap_label(muted=True)
        form.addRow("", self.kind_note)

        self.code = QLineEdit()
        self.code.setAccessibleName("保険医療機関等コード（7桁）")
        self.code.setPlaceholderText("7桁の数字（分からなければ空欄）")
        self.code.setMaxLength(12)
        self.code_label = self._label("保険医療機関等コード(&C)", self.code)
        self.code_row, _h = with_help(
            self.code, "レセプト（診療報酬明細書）や、地方厚生（支）局からの保険医療機関の指定の通知に書かれている7桁の番号"
                       "です。Excel の管理表に載せるためのもので、補助の計算には使いません。分からなければ空欄でかまいません。",
            "保険医療機関等コード")
        form.addRow(self.code_label, self.code_row)
        self.code_error = wrap_label()
        tint(self.code_error, ERROR_RED)
        form.addRow("", self.code_error)
        self.code_error.hide()
        self.kind_note.hide()

        self.prefecture = Choice()
        # The field spans the window, so the list need not be measured to size it: measuring 47 names loads their
        # glyphs from the CJK font (~1.5 MiB and ~1 ms at start); they load when the list is first opened instead.
        self.prefecture.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.prefecture.setMinimumContentsLength(8)
        self.prefecture.setAccessibleName("都道府県")
        self.prefecture.addItem("選択してください", "")
        for p in rules.prefectures:
            self.prefecture.addItem(p["name"], p["name"])
        form.addRow(self._label("都道府県(&P)", self.prefecture), self.prefecture)
        # 都道府県 first, as on most Japanese forms: until one is chosen the 市区町村 list is empty, and the field
        # becomes an editable list (pick or type) then. An editable list with its completer costs ~5 ms at start.
        self.municipality = Choice()
        self.municipality.setAccessibleName("市区町村")
        self.municipality.setPlaceholderText("先に都道府県を選んでください")
        self.municipality.setEnabled(False)
        form.addRow(self._label("市区町村(&M)", self.municipality), self.municipality)
        self.place_note = wrap_label(self.PLACE_NOTE, muted=True)
        form.addRow("", self.place_note)

        # every facility question is declared in the rules (facility_kinds.yaml flags): built from its data only
        extra = []
        self.questions = {}
        for fid, q in rules.flags.items():
            qw = question_widget(dict(q, id=fid))
            attr = f"question_{fid}"
            setattr(self, attr, qw)
            self.questions[fid] = qw
            yes_no = q.get("type", "yes_no") == "yes_no"  # a number or a choice is asked by its label alone
            form.addRow(wrap_label(f"{q['label']}ですか" if yes_no else q["label"]), qw)
            qw.layout().removeWidget(qw.help)  # its help on a row of its own, under the answer, as the page's others
            form.addRow("", qw.help)
            extra.append(Field(fid, attr, "choice" if yes_no else "parsed", q["label"]))
        self.FIELDS = FacilityPage.FIELDS + tuple(extra)  # this page's fields: the fixed ones and the rules' questions
        lay.addStretch(1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.code.textChanged.connect(self._code_changed)
        self.prefecture.currentIndexChanged.connect(self._prefecture_changed)
        self.municipality.currentTextChanged.connect(wizard.mark_changed)
        for sig in (self.name.textChanged, *(qw.changed for qw in self.questions.values())):
            sig.connect(wizard.mark_changed)
        for qw in self.questions.values():  # a number typed wrong keeps 次へ grey, and says why
            qw.changed.connect(self.completeChanged.emit)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = plain_label(text)
        label.setBuddy(buddy)
        return label

    def question_widget(self, flag: str):
        """The answer of the facility question ``flag`` (its 「はい」 when it is a yes/no), or None."""
        attr = next((f.attr for f in self.FIELDS if f.key == flag), None)
        widget = getattr(self, attr, None) if attr else None
        return getattr(widget, "yes", widget)

    def _kind_changed(self, _i):
        kid = self.kind.currentData()
        has_code = self.w.rules.asks_institution_code(kid) or bool(self.code.text().strip())  # a typed code stays
        self.code_label.setVisible(has_code)
        self.code_row.setVisible(has_code)
        self.kind_note.setText(self.w.rules.kinds[kid].get("note", "") if kid else "")
        self.kind_note.setVisible(bool(self.kind_note.text()))
        self.completeChanged.emit()
        self.w.mark_changed()

    def _code_changed(self, text: str):
        t = nfkc(text).strip()
        ok = t == "" or (t.isdigit() and len(t) == 7)
        self.code_error.setText("" if ok else "「保険医療機関等コード」: 7桁の数字で入力してください")
        self.code_error.setVisible(not ok)
        self.code.setStyleSheet("" if ok else f"QLineEdit {{ border: 2px solid {ERROR_RED}; }}")
        self.completeChanged.emit()
        self.w.mark_changed()

    PLACE_NOTE = "所在地は印刷と Excel に載ります。分からなければ空欄でかまいません"

    def _prefecture_changed(self, _i):
        pref = self.prefecture.currentData()
        # the list holds only some towns of a prefecture (大分県: 別府市 alone): any other is typed (issue 27 point 9)
        self.place_note.setText(("一覧にない市区町村は、そのまま入力してください。" if pref else "") + self.PLACE_NOTE)
        current = self.municipality.currentText()
        if pref:
            self._municipality_editable()
        self.municipality.blockSignals(True)
        self.municipality.clear()
        self.municipality.addItems(list(self.w.rules.municipalities["by_prefecture"].get(pref, ())))
        self.municipality.setEditText(current if pref else "")
        self.municipality.blockSignals(False)
        self.w.mark_changed()

    def _municipality_editable(self) -> None:
        if not self.municipality.isEditable():
            self.municipality.setEditable(True)
            self.municipality.lineEdit().setPlaceholderText("一覧から選ぶか、市区町村名を入力")
            self.municipality.setEnabled(True)

    def blockers(self) -> list[str]:
        return (self.missing() + ([self.code_error.text()] if self.code_error.text() else [])
                + [e for qw in self.questions.values() if (e := qw.error())])

    def isComplete(self) -> bool:
        reasons = self.blockers()
        show_blockers(self, reasons)
        return not reasons

    def to_data(self) -> dict:
        return {"name": "", "kind": None, **self.fields_data()}

    def load(self, fac: dict) -> None:
        if fac.get("municipality"):
            self._municipality_editable()
        self.fields_load(fac)

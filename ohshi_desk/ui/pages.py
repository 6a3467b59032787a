"""The wizard's pages. Each page reads and writes its part of the case; none of them computes a subsidy."""

from __future__ import annotations

import datetime as _dt

from ..core.clock import today
from .qt import (
    QButtonGroup,
    QComboBox,
    QDate,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)
from .widgets import ERROR_RED, Form, LinesEditor, YesNo, checkbox, count_edit, percent_edit, qt, tint, wrap_label

FACILITY, READER, GOALS, PLANS, USAGE, RESULT = range(6)


def headed(page: QWizardPage, title: str, subtitle: str, *, to_the_edges: bool = False) -> QVBoxLayout:
    """Put the page's heading on it — its title, larger, and a line saying what to do, over a rule — and return
    the page's layout, for the rest to go under (with no margins of its own when ``to_the_edges``).

    The pages draw their own heading rather than using QWizard's titles: those look different on each system
    (Windows draws its 'Aero' heading, Linux a bold one), and the bold one needs a second CJK font file loaded
    (with the title machinery, ~3 MiB of the memory at start). ``page.heading`` is the title."""
    page.heading = title
    outer = QVBoxLayout(page)
    head = QVBoxLayout()
    if to_the_edges:  # the heading keeps the usual margins; what goes under reaches the page's edges
        m = outer.contentsMargins()
        outer.setContentsMargins(0, 0, 0, 0)
        head.setContentsMargins(m.left(), m.top(), m.right(), 0)
    title_label = QLabel(title)
    heading_font(title_label, 1.4, bold=False)
    head.addWidget(title_label)
    head.addWidget(wrap_label(subtitle))
    rule = QFrame()
    rule.setFrameShape(QFrame.Shape.HLine)
    rule.setFrameShadow(QFrame.Shadow.Sunken)
    head.addWidget(rule)
    outer.addLayout(head)
    return outer


def scrolled(page: QWizardPage, title: str, subtitle: str) -> QVBoxLayout:
    """Give a page its heading and a scroll area under it (its bar at the page's right edge), so that it fits
    1366×768 whatever the system font size; returns the layout inside the scroll area."""
    outer = headed(page, title, subtitle, to_the_edges=True)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    inner = QWidget()
    area.setWidget(inner)
    outer.addWidget(area)
    lay = QVBoxLayout(inner)
    return lay


def heading_font(widget: QWidget, scale: float = 1.25, bold: bool = True):
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


class LazyPage(QWizardPage):
    """A page whose widgets are made the first time it is needed (shown, filled from a file or read), so that
    the window opens as fast as a bare wizard."""

    heading = ""  # the page's title, once built (see headed)

    def __init__(self, wizard):
        super().__init__()
        self.w = wizard
        self._built = False

    def ensure_built(self) -> None:
        if not self._built:
            self._built = True
            self._build()
            self.completeChanged.emit()

    def _build(self) -> None:
        raise NotImplementedError

    def initializePage(self):
        self.ensure_built()
        self.on_enter()

    def on_enter(self) -> None:
        pass

    def isComplete(self) -> bool:
        return self._built and self.complete()

    def complete(self) -> bool:
        return True

    def _complete_changed(self, *_a) -> None:  # a slot, not a signal-to-signal link: slots must return None
        self.completeChanged.emit()


# ------------------------------------------------------------------------------------------------ 施設

class FacilityPage(QWizardPage):
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
        form.addRow(self._label("施設名(&N)", self.name), self.name)

        self.kind = QComboBox()
        self.kind.setAccessibleName("施設の種類")
        self.kind.addItem("選択してください", None)
        for kid, k in rules.kinds.items():
            self.kind.addItem(k["label"], kid)
        form.addRow(self._label("施設の種類(&K)", self.kind), self.kind)
        self.kind_note = wrap_label(muted=True)
        form.addRow("", self.kind_note)

        self.code = QLineEdit()
        self.code.setAccessibleName("保険医療機関等コード（7桁）")
        self.code.setPlaceholderText("7桁の数字（分からなければ空欄）")
        self.code.setMaxLength(12)
        form.addRow(self._label("保険医療機関等コード(&C)", self.code), self.code)
        self.code_error = wrap_label()
        tint(self.code_error, ERROR_RED)
        form.addRow("", self.code_error)
        self.code_error.hide()
        self.kind_note.hide()

        self.prefecture = QComboBox()
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
        self.municipality = QComboBox()
        self.municipality.setAccessibleName("市区町村")
        self.municipality.setPlaceholderText("先に都道府県を選んでください")
        self.municipality.setEnabled(False)
        form.addRow(self._label("市区町村(&M)", self.municipality), self.municipality)
        self.muni_status = wrap_label(muted=True)
        form.addRow("", self.muni_status)

        flags = rules.flags
        self.exempt = YesNo(flags["obligation_exempt"]["label"])
        form.addRow(wrap_label(f"{flags['obligation_exempt']['label']}ですか"), self.exempt)
        form.addRow("", wrap_label(flags["obligation_exempt"]["help"], muted=True))
        self.checkup = YesNo(flags["checkup_provider"]["label"])
        form.addRow(wrap_label(f"{flags['checkup_provider']['label']}ですか"), self.checkup)
        form.addRow("", wrap_label(flags["checkup_provider"]["help"], muted=True))
        lay.addStretch(1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.code.textChanged.connect(self._code_changed)
        self.prefecture.currentIndexChanged.connect(self._prefecture_changed)
        self.municipality.currentTextChanged.connect(self._update_muni_status)
        for sig in (self.name.textChanged, self.exempt.changed, self.checkup.changed):
            sig.connect(wizard.mark_changed)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _kind_changed(self, _i):
        kid = self.kind.currentData()
        self.kind_note.setText(self.w.rules.kinds[kid].get("note", "") if kid else "")
        self.kind_note.setVisible(bool(self.kind_note.text()))
        self.completeChanged.emit()
        self.w.mark_changed()

    def _code_changed(self, text: str):
        import unicodedata

        t = unicodedata.normalize("NFKC", text).strip()
        ok = t == "" or (t.isdigit() and len(t) == 7)
        self.code_error.setText("" if ok else "「保険医療機関等コード」: 7桁の数字で入力してください")
        self.code_error.setVisible(not ok)
        self.code.setStyleSheet("" if ok else f"QLineEdit {{ border: 2px solid {ERROR_RED}; }}")
        self.completeChanged.emit()
        self.w.mark_changed()

    def code_value(self) -> str:
        import unicodedata

        return unicodedata.normalize("NFKC", self.code.text()).strip()

    def _prefecture_changed(self, _i):
        pref = self.prefecture.currentData()
        current = self.municipality.currentText()
        if pref:
            self._municipality_editable()
        self.municipality.blockSignals(True)
        self.municipality.clear()
        self.municipality.addItems(list(self.w.rules.municipalities["by_prefecture"].get(pref, ())))
        self.municipality.setEditText(current if pref else "")
        self.municipality.blockSignals(False)
        self._update_muni_status()

    def _municipality_editable(self) -> None:
        if not self.municipality.isEditable():
            self.municipality.setEditable(True)
            self.municipality.lineEdit().setPlaceholderText("一覧から選ぶか入力")
            self.municipality.setEnabled(True)

    def _update_muni_status(self, *_a):
        pref, muni = self.prefecture.currentData(), self.municipality.currentText().strip()
        if not pref:
            self.muni_status.setText("")
        else:
            st = self.w.rules.municipality_status(pref, muni)
            label = st["as_of_label"]
            parts = []
            parts.append(f"{pref}は医療費助成のオンライン資格確認に参加予定の都道府県{'です' if st['prefecture_listed'] else 'の一覧にありません'}。")
            if muni:
                parts.append(f"{muni}は参加予定の市区町村の一覧に{'あります' if st['municipality_listed'] else 'ありません'}。")
            parts.append(f"（{label}。補助の条件ではなく参考情報です）")
            self.muni_status.setText("".join(parts))
        self.w.mark_changed()

    def isComplete(self) -> bool:
        return self.kind.currentData() is not None and not self.code_error.text()

    def to_data(self) -> dict:
        fac = {"name": self.name.text().strip(), "kind": self.kind.currentData()}
        if self.code_value():
            fac["institution_code"] = self.code_value()
        if self.prefecture.currentData():
            fac["prefecture"] = self.prefecture.currentData()
        if self.municipality.currentText().strip():
            fac["municipality"] = self.municipality.currentText().strip()
        for key, w in (("obligation_exempt", self.exempt), ("checkup_provider", self.checkup)):
            if w.value() is not None:
                fac[key] = w.value()
        return fac

    def raw_data(self) -> dict:
        """What is on the page as typed (for the autosave), in the keys load() reads."""
        return {"name": self.name.text(), "kind": self.kind.currentData(), "institution_code": self.code.text(),
                "prefecture": self.prefecture.currentData(), "municipality": self.municipality.currentText(),
                "obligation_exempt": self.exempt.value(), "checkup_provider": self.checkup.value()}

    def load(self, fac: dict) -> None:
        self.name.setText(fac.get("name", ""))
        self.kind.setCurrentIndex(max(0, self.kind.findData(fac.get("kind"))))
        self.code.setText(fac.get("institution_code", ""))
        self.prefecture.setCurrentIndex(max(0, self.prefecture.findData(fac.get("prefecture") or "")))
        if fac.get("municipality"):
            self._municipality_editable()
        self.municipality.setEditText(fac.get("municipality", ""))
        self.exempt.set_value(fac.get("obligation_exempt"))
        self.checkup.set_value(fac.get("checkup_provider"))


# ------------------------------------------------------------------------------------- カードリーダー

class ReaderPage(LazyPage):
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
        blay.addWidget(wrap_label(f"メーカー名の見つけ方: {rules.reader_hint}", muted=True))
        lay.addWidget(box)
        self.canon_info = wrap_label()
        self.canon_info.setStyleSheet("background: #e8f5e9; border: 1px solid #66bb6a; padding: 8px;")
        self.canon_info.hide()
        lay.addWidget(self.canon_info)
        form = Form()
        self.model = QLineEdit()
        self.model.setAccessibleName("型番")
        self.model.setPlaceholderText("分からなければ空欄")
        form.addRow("型番(&M)", self.model)
        self.units = count_edit("設置している台数", minimum=0, maximum=100, placeholder="例: 1")
        form.addRow("設置している台数(&U)", self.units)
        self.free_units = QComboBox()
        self.free_units.setAccessibleName("無償提供を受けた台数")
        self.free_units.addItem("わからない", None)
        for n in range(0, 4):
            self.free_units.addItem(f"{n}台", n)
        form.addRow("そのうち無償提供を受けた台数(&F)", self.free_units)
        form.addRow("", wrap_label("2019〜2023年に国の事業で無償提供されたカードリーダーの台数です（2024年の増設支援の計算に使います）",
                                   muted=True))
        lay.addLayout(form)
        lay.addStretch(1)
        self.units.validityChanged.connect(self._complete_changed)
        for sig in (self.model.textChanged, self.units.textChanged, self.free_units.currentIndexChanged):
            sig.connect(wizard.mark_changed)

    def maker(self) -> str | None:
        self.ensure_built()
        for mid, b in self.buttons.items():
            if b.isChecked():
                return mid
        return None

    def _maker_changed(self, *_a):
        mid = self.maker()
        val = self.w.rules.reads_smartphone(mid) if mid else None
        if mid and val.value:
            self.canon_info.setText("✔ " + val.note + "。スマホのマイナ保険証のために追加のカードリーダーを買う必要はありません。")
            self.canon_info.show()
        else:
            self.canon_info.hide()
        self.w.mark_changed()

    def complete(self) -> bool:
        return self.units.is_ok()

    def to_data(self) -> dict:
        self.ensure_built()
        data = {}
        if self.maker():
            data["maker"] = self.maker()
        if self.model.text().strip():
            data["model"] = self.model.text().strip()
        if self.units.value() is not None:
            data["units"] = self.units.value()
        if self.free_units.currentData() is not None:
            data["free_units"] = self.free_units.currentData()
        return data

    def raw_data(self) -> dict:
        self.ensure_built()
        return {"maker": self.maker(), "model": self.model.text(), "units": self.units.text(),
                "free_units": self.free_units.currentData()}

    def load(self, fr: dict) -> None:
        self.ensure_built()
        maker = fr.get("maker")
        self.group.setExclusive(False)
        for mid, b in self.buttons.items():
            b.setChecked(mid == maker)
        self.group.setExclusive(True)
        self.model.setText(fr.get("model", ""))
        self.units.set_value(fr.get("units"))
        self.free_units.setCurrentIndex(max(0, self.free_units.findData(fr.get("free_units"))))
        self._maker_changed()


# ---------------------------------------------------------------------------------------- やりたいこと

class GoalsPage(LazyPage):
    def _build(self):
        wizard = self.w
        lay = scrolled(self, "やりたいこと",
                       "これから行いたいことを選んでください（いくつでも）。施設に当てはまらないものは選べません。")
        self.boxes = {}
        self.reasons = {}
        for p in wizard.rules.programs:
            box = checkbox(p.goal)
            box.toggled.connect(self._changed)
            lay.addWidget(box)
            help_ = wrap_label(p.goal_help, muted=True)
            help_.setContentsMargins(24, 0, 0, 0)
            lay.addWidget(help_)
            reason = wrap_label()
            reason.setContentsMargins(24, 0, 0, 6)
            tint(reason, "#8d6e63")
            reason.hide()
            lay.addWidget(reason)
            self.boxes[p.id] = box
            self.reasons[p.id] = reason
        lay.addStretch(1)

    def on_enter(self):
        self.refresh()

    def refresh(self):
        self.ensure_built()
        info = self.w.applicability()
        for pid, box in self.boxes.items():
            a = info[pid]
            box.setEnabled(a["applicable"])
            if not a["applicable"]:
                box.setChecked(False)
            text = a["reason"]
            if a["status"] == "not_needed":
                text = "不要: " + text
            elif not a["applicable"]:
                text = "対象外: " + text
            self.reasons[pid].setText(text)
            self.reasons[pid].setVisible(bool(text))
            box.setAccessibleDescription(text)

    def _changed(self, *_a):
        self.completeChanged.emit()
        self.w.mark_changed()

    def chosen(self) -> list[str]:
        self.ensure_built()
        return [pid for pid, b in self.boxes.items() if b.isChecked() and b.isEnabled()]

    def complete(self) -> bool:
        return bool(self.chosen())

    def set_chosen(self, goals) -> None:
        self.refresh()
        for pid, box in self.boxes.items():
            box.setChecked(pid in goals and box.isEnabled())


# ------------------------------------------------------------------------------------ 購入・改修の予定

class PlansPage(LazyPage):
    def _build(self):
        wizard = self.w
        rules = wizard.rules
        lay = scrolled(self, "購入・改修の予定",
                       "買う予定の機器や、ベンダーに頼む改修を入力してください。金額は税込です（4,980 や 4.2万 と入力できます）。")
        self.groups, self.editors, self.options, self.flags, self.not_needed = {}, {}, {}, {}, {}
        for p in rules.programs:
            if not p.purchases:
                continue
            box = QGroupBox(p.goal)
            blay = QVBoxLayout(box)
            note = wrap_label()
            note.setStyleSheet("background: #e8f5e9; border: 1px solid #66bb6a; padding: 8px;")
            note.hide()
            blay.addWidget(note)
            self.not_needed[p.id] = note
            if p.options:
                combo = QComboBox()
                combo.setAccessibleName("改修の内容")
                for oid, label in p.options.items():
                    combo.addItem(label, oid)
                combo.currentIndexChanged.connect(wizard.mark_changed)
                row = QHBoxLayout()
                row.addWidget(QLabel("改修の内容:"))
                row.addWidget(combo, 1)
                blay.addLayout(row)
                self.options[p.id] = combo
            flags = {}
            if p.excluded_when_flag:
                flags[p.excluded_when_flag["flag"]] = checkbox(
                    "既に「通常とは異なる動線」の補助を受けたことがある", "以前に同じ用途の補助を受けた")
            if p.done_before_flag:
                flags[p.done_before_flag] = checkbox("以前にオンライン診療等・外来診療等の補助でレセコン改修を済ませている",
                                                     "以前にレセコン改修を済ませている")
            for box_ in flags.values():
                box_.toggled.connect(wizard.mark_changed)
                blay.addWidget(box_)
            self.flags[p.id] = flags
            editor = LinesEditor(rules.items, p.suggested_items)
            editor.changed.connect(self._changed)
            blay.addWidget(editor)
            self.editors[p.id] = editor
            self.groups[p.id] = box
            lay.addWidget(box)
        self.summary = wrap_label()
        tint(self.summary, ERROR_RED)
        lay.addWidget(self.summary)
        lay.addStretch(1)

    def on_enter(self):
        chosen = set(self.w.goals())
        info = self.w.applicability()
        for pid, box in self.groups.items():
            box.setVisible(pid in chosen)
            needed = info[pid]["status"] != "not_needed"
            note = self.not_needed[pid]
            if not needed:
                note.setText("不要: " + info[pid]["reason"] + "。購入の入力はいりません。")
                self.editors[pid].clear()
            note.setVisible(not needed)
            self.editors[pid].setVisible(needed)
        self._changed()

    def _changed(self):
        errors = [e for pid in self.w.goals() if pid in self.editors for e in self.editors[pid].errors()]
        self.summary.setText("入力を確認してください: " + " / ".join(errors) if errors else "")
        self.completeChanged.emit()
        self.w.mark_changed()

    def complete(self) -> bool:
        return all(self.editors[pid].is_ok() for pid in self.w.goals() if pid in self.editors)

    def plan_data(self, pid: str) -> dict:
        self.ensure_built()
        plan = {"lines": self.editors[pid].lines()}
        if pid in self.options:
            plan["option"] = self.options[pid].currentData()
        for flag, box in self.flags[pid].items():
            if box.isChecked():
                plan[flag] = True
        return plan

    def raw_plan(self, pid: str) -> dict:
        """The plan as typed (a price that does not parse yet included), in the shape load_plan() reads."""
        self.ensure_built()
        plan = {"lines": [r.raw_line() for r in self.editors[pid].rows]}
        if pid in self.options:
            plan["option"] = self.options[pid].currentData()
        plan.update({flag: box.isChecked() for flag, box in self.flags[pid].items()})
        return plan

    def load_plan(self, pid: str, plan: dict) -> None:
        self.ensure_built()
        if pid not in self.editors:
            return
        ed = self.editors[pid]
        ed.clear()
        for line in plan.get("lines", []):
            ed.add_row(line)
        if pid in self.options and plan.get("option"):
            self.options[pid].setCurrentIndex(max(0, self.options[pid].findData(plan["option"])))
        for flag, box in self.flags[pid].items():
            box.setChecked(bool(plan.get(flag)))


# ------------------------------------------------------------------------------------------ 利用状況

USAGE_FIELDS = (
    ("oct2023_receipts", "2023年10月のレセプト件数", "count", "件"),
    ("oct2023_rate_percent", "2023年10月のマイナ保険証利用率", "percent", "%"),
    ("oct2023_users", "2023年10月のマイナ保険証利用人数", "count", "人"),
    ("best_month_users_2024", "2024年5〜8月で最も多い月の利用人数", "count", "人"),
    ("peak_monthly_uses", "2023年10月〜2024年8月で最も多い月の利用件数", "count", "件"),
)


class UsagePage(LazyPage):
    def _build(self):
        wizard = self.w
        lay = scrolled(self, "利用状況（2024年の制度）",
                       "医療機関等向け総合ポータルサイトのプロフィールで確認できる数字です。分からない欄は空欄でかまいません。")
        form = Form()
        self.edits = {}
        for key, label, kind, unit in USAGE_FIELDS:
            edit = percent_edit(label) if kind == "percent" else count_edit(label, minimum=0)
            edit.validityChanged.connect(self._complete_changed)
            edit.textChanged.connect(wizard.mark_changed)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(QLabel(unit))
            form.addRow(wrap_label(label), row)
            self.edits[key] = edit
        lay.addLayout(form)
        self.errors = wrap_label()
        tint(self.errors, ERROR_RED)
        lay.addWidget(self.errors)
        lay.addStretch(1)

    def complete(self) -> bool:
        errs = [e.error() for e in self.edits.values() if e.error()]
        self.errors.setText(" / ".join(errs))
        return not errs

    def to_data(self) -> dict:
        self.ensure_built()
        out = {}
        for key, e in self.edits.items():
            v = e.value()
            if v is not None:
                out[key] = float(v) if key == "oct2023_rate_percent" and v.denominator != 1 else int(v)
        return out

    def raw_data(self) -> dict:
        self.ensure_built()
        return {k: e.text() for k, e in self.edits.items()}

    def load(self, usage: dict) -> None:
        self.ensure_built()
        for key, e in self.edits.items():
            v = usage.get(key)
            e.setText("" if v is None else str(v))


# --------------------------------------------------------------------------------------------- 結果

class ResultPage(LazyPage):
    breakdown: dict | None = None

    def _build(self):
        wizard = self.w
        outer = headed(self, "結果: 補助の見積り",
                       "制度ごとの見積りです。「なぜこの金額か」を開くと、計算の理由と出典が見られます。")
        top = QHBoxLayout()
        top.addWidget(QLabel("いつ時点で計算するか(&D):"))
        from .qt import QDateEdit  # here: making the class costs ~3 ms the first page need not pay

        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy年M月d日")
        self.date.setAccessibleName("いつ時点で計算するか")
        top.itemAt(0).widget().setBuddy(self.date)
        top.addWidget(self.date)
        top.addStretch(1)
        self.total = QLabel()
        heading_font(self.total, 1.3)
        self.total.setAccessibleName("いま申請できる補助の見積り合計")
        top.addWidget(self.total)
        outer.addLayout(top)
        area = QScrollArea()
        area.setWidgetResizable(True)
        self.cards_host = QWidget()
        self.cards = QVBoxLayout(self.cards_host)
        area.setWidget(self.cards_host)
        outer.addWidget(area, 1)
        self.footer = wrap_label(muted=True)
        outer.addWidget(self.footer)
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
        from ..core.case import CaseError

        self.w.as_of = self.as_of()
        try:
            self.breakdown = self.w.compute(self.as_of())
        except CaseError as exc:  # a value the case refuses (text too long, a control character): say which
            self.breakdown = None
            self._clear_cards()
            self.total.setText("計算できません")
            self.footer.setText(f"{str(exc).removeprefix('ケースファイルの ')}。前のページに戻って直してください。")
            return
        self._clear_cards()
        self._show_breakdown()

    def _clear_cards(self) -> None:
        while self.cards.count():  # old cards leave the page at once: nothing stale can be found or clicked
            old = self.cards.takeAt(0).widget()
            if old is not None:
                old.hide()
                old.setParent(None)
                old.deleteLater()

    def _show_breakdown(self) -> None:
        from ..core.formatting import wareki, yen

        for p in self.breakdown["programs"]:
            card = ProgramCard(p)
            self.cards.addWidget(card)
            card.show()  # at once, not on Qt's queued show: what the page shows is what can be found
        self.cards.addStretch(1)
        self.total.setText(f"いま申請できる見積り合計: {yen(self.breakdown['total_subsidy_open'])}")
        r = self.w.rules
        from ..core.rules_source import source_note

        note = source_note(self.breakdown)
        self.footer.setText(
            (f"{note}。" if note else "") +
            f"ルール版 {r.version}（{wareki(r.last_checked)}に確認）。これは見積りです。通知に書かれていない点は少なめに見積もっています。"
            f"購入・申請の前に、必ず医療機関等向け総合ポータルサイトで最新の情報を確認してください。問い合わせ: {r.call_center}")


class ProgramCard(QFrame):
    def __init__(self, p: dict):
        from ..core.breakdown import status_text
        from ..core.formatting import yen
        from ..core.print_html import STATUS_COLOURS

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
        self.status = QLabel(status_text(p))
        self.status.setStyleSheet(f"color: white; background: {colour}; padding: 2px 8px; border-radius: 3px;")
        head.addWidget(self.status)
        lay.addLayout(head)
        amount = QLabel(f"見積額 {yen(p['subsidy'])}")
        heading_font(amount, 1.2)
        self.amount = amount
        lay.addWidget(amount)
        if p["status"] in ("not_applicable", "not_needed") and p["reasons"]:
            lay.addWidget(wrap_label(p["reasons"][0]))
        if p["documents"] and p["status"] not in ("not_applicable", "not_needed"):
            lay.addWidget(wrap_label("集める書類: " + "、".join(d["label"] for d in p["documents"])
                                     + f"　申請先: {p['portal']['label']}", muted=True))
        from .qt import QToolButton  # made on first use, as QDateEdit above

        self.toggle = QToolButton()
        self.toggle.setText("▸ なぜこの金額か")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName(f"{p['name']}: なぜこの金額か")
        self.toggle.setToolButtonStyle(qt().ToolButtonStyle.ToolButtonTextOnly)
        lay.addWidget(self.toggle)
        text = "\n".join("・" + r for r in p["reasons"])
        if p["notes"]:
            text += "\n\n注意:\n" + "\n".join("・" + n for n in p["notes"])
        if p["citations"]:
            text += "\n\n出典: " + "／".join(p["citations"])
        self.details = wrap_label(text, selectable=True)
        self.details.hide()
        lay.addWidget(self.details)
        self.toggle.toggled.connect(self._toggle)

    def _toggle(self, on: bool):
        self.details.setVisible(on)
        self.toggle.setText(("▾" if on else "▸") + " なぜこの金額か")

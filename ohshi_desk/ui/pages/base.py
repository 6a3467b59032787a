"""What every wizard page shares: the heading, the scroll area, lazy building and the field table."""

from __future__ import annotations

from ..plain import label as plain_label
from ..plain import own_rich_label
from ..qt import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)
from ..widgets import ERROR_RED, guard_wheels, tint, wrap_label


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
    step = getattr(page, "STEP", None)
    if step is not None:
        page.step_bar = step_bar(step, getattr(page, "STEP_NAME", ""))
        head.addWidget(page.step_bar)
    title_label = plain_label(title)
    heading_font(title_label, 1.4, bold=False)
    head.addWidget(title_label)
    head.addWidget(wrap_label(subtitle))
    # 「令和7年11月1日時点の計算です（今日ではありません）」 while another day is chosen on purpose (issue 22)
    page.day_banner = day_banner_label("計算の基準日の注意")
    head.addWidget(page.day_banner)
    rule = QFrame()
    rule.setFrameShape(QFrame.Shape.HLine)
    rule.setFrameShadow(QFrame.Shadow.Sunken)
    head.addWidget(rule)
    outer.addLayout(head)
    return outer


STEPS = ("①施設", "②カードリーダー", "③やりたいこと", "④購入予定", "⑤確認", "⑥結果")


def step_bar(current: int, current_name: str = "") -> QLabel:
    """Where the receptionist is: the steps done in grey, the current one bold and blue, the rest plain.
    ``current_name``: the current step's own name where a page shares a step's place (利用状況 after 購入予定)."""
    steps = list(STEPS)
    if current_name:
        steps[current] = current_name
    parts = []
    for i, name in enumerate(steps):
        if i < current:
            parts.append(f"<span style='color:#757575'>{name} ✓</span>")
        elif i == current:
            parts.append(f"<b style='color:#0d47a1'>{name}</b>")
        else:
            parts.append(name)
    bar = own_rich_label("　›　".join(parts))  # the step names only: the app's own words
    bar.setAccessibleName(f"手順 {current + 1}/{len(STEPS)}: {steps[current][1:]}")
    return bar


def scrolled(page: QWizardPage, title: str, subtitle: str) -> QVBoxLayout:
    """Give a page its heading and a scroll area under it (its bar at the page's right edge), so that it fits
    1366×768 whatever the system font size; returns the layout inside the scroll area."""
    outer = headed(page, title, subtitle, to_the_edges=True)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    inner = QWidget()
    area.setWidget(inner)
    outer.addWidget(area, 1)
    # the line above the buttons saying what keeps 次へ grey (see show_blockers)
    page.missing_line = plain_label()
    page.missing_line.setWordWrap(True)
    page.missing_line.setAccessibleName("次へ進めない理由")
    m = 9  # the usual layout margin (asking the style for it builds Qt's enums at start, ~20 ms)
    page.missing_line.setContentsMargins(m, 4, m, 0)
    tint(page.missing_line, ERROR_RED)
    page.missing_line.hide()
    outer.addWidget(page.missing_line)
    lay = QVBoxLayout(inner)
    page.scroll_area = area
    # out of Tab's way (Qt.NoFocus, by number: no enum at start). As a focus proxy to the first field, it made Tab
    # skip a button between it and that field (issue 27 point 5)
    area.setProperty("focusPolicy", 0)
    return lay


def show_blockers(page, reasons: list[str]) -> None:
    """Say, above the buttons, why 次へ cannot be pressed yet (nothing when it can)."""
    line = getattr(page, "missing_line", None)
    if line is not None:
        if len(reasons) > 1:  # one a line: messages that run together are not read
            line.setText("次へ進むには:\n" + "\n".join("・" + r for r in reasons))
        else:
            line.setText("次へ進むには: " + reasons[0] if reasons else "")
        line.setVisible(bool(reasons))


def nfkc(text: str) -> str:
    import unicodedata  # when a code is read, not when the first page is built

    return unicodedata.normalize("NFKC", text)


def paint_badge(label: QLabel, text: str, background: str) -> None:
    """Colour a label's text and background through its palette: a style sheet would bring Qt's whole style sheet
    engine to the first page (see widgets.tint)."""
    from ..qt import QColor, QPalette

    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    palette.setColor(QPalette.ColorRole.Window, QColor(background))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setContentsMargins(4, 0, 4, 0)


def day_banner_label(name: str) -> QLabel:
    """A coloured line about the day the page is computed for, hidden until there is something to say (our own
    words and dates only; no Qt enum here: the first page builds one at start)."""
    label = wrap_label()
    paint_badge(label, "#bf360c", "#ffe0b2")
    label.setContentsMargins(8, 4, 8, 4)
    heading_font(label, 1.05)
    label.setAccessibleName(name)
    label.hide()
    return label


def required_label(text: str, buddy: QWidget) -> QWidget:
    """A field's label with a 必須 mark after it; the label's mnemonic moves the focus to ``buddy``."""
    box = QWidget()
    col = QVBoxLayout(box)  # the label and its mark at the top, the rest empty: an opened 「？」 under the field
    row = QHBoxLayout()  # makes the row taller, and stretched the 必須 mark with it (issue 27 point 9)
    label = plain_label(text)
    label.setBuddy(buddy)
    row.addWidget(label)
    mark = plain_label("必須")
    paint_badge(mark, "#ffffff", ERROR_RED)
    mark.setAccessibleName("必須の項目")
    row.addWidget(mark)
    row.addStretch(1)
    col.addLayout(row)
    col.addStretch(1)
    # level with the field's middle, as the other labels of the form are
    col.setContentsMargins(0, max(0, (buddy.sizeHint().height() - label.sizeHint().height()) // 2), 0, 0)
    box.badge = mark
    return box


def heading_font(widget: QWidget, scale: float = 1.25, bold: bool = True):
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


def one_default(page: QWidget) -> None:
    """A button on a page never becomes the window's default when it gets the focus (QDialog's autoDefault): Enter
    stays 次へ, and only the control with the focus is drawn with a ring (issue 27 point 5: several buttons glowed
    at once)."""
    from ..qt import QPushButton

    for button in page.findChildren(QPushButton):
        button.setAutoDefault(False)


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
            guard_wheels(self)  # every combo box, spin box and date field it made (see widgets.guard_wheel)
            one_default(self)
            self.completeChanged.emit()

    def _build(self) -> None:
        raise NotImplementedError

    def initializePage(self):
        self.ensure_built()
        self.on_enter()

    def on_enter(self) -> None:
        pass

    _said = None  # what isComplete last told QWizard

    def isComplete(self) -> bool:
        if not self._built:
            return False
        self._said = self._check()
        return self._said

    def _check(self) -> bool:
        """Whether 次へ may be pressed; the line above the buttons says why not."""
        reasons = self.blockers()
        ok = self.complete() and not reasons
        if not ok and not reasons:
            reasons = ["入力を確認してください"]
        show_blockers(self, [] if ok else reasons)
        return ok

    def recheck(self) -> None:
        """Something on the page changed: the line above the buttons follows at once, and QWizard is told only
        when 次へ's state changes. Each completeChanged makes QWizard hide and show again every widget of its pages
        (qwizard.cpp, disableUpdates / enableUpdates: 20 ms for each price typed on a page of 200 lines; issue 28)."""
        if not self._built:
            self.completeChanged.emit()
        elif self.wizard() is None or self.wizard().currentPage() is not self:
            self._check()  # QWizard asks the page it shows (and asks again when it shows another)
            self._said = None
        elif self._check() != self._said:
            self.completeChanged.emit()

    def blockers(self) -> list[str]:
        """What keeps 次へ grey, as sentences for the line above the buttons."""
        return []

    def complete(self) -> bool:
        return True

    def _complete_changed(self, *_a) -> None:  # a slot, not a signal-to-signal link: slots must return None
        self.recheck()




# ------------------------------------------------------------------------------------------ field table

class Field:
    """One question on a page: the case key it fills, the page attribute holding its widget, how the widget is
    read and written (``kind``: text | code | combo | edit_combo | choice | parsed | count | percent, see ADAPTERS),
    the label shown (for 必須 and the line above the buttons), whether 次へ needs it, and its unit.

    A plain class, not a dataclass: importing ``dataclasses`` at start costs a few milliseconds."""

    __slots__ = ("key", "attr", "kind", "label", "required", "unit")

    def __init__(self, key: str, attr: str, kind: str, label: str, required: bool = False, unit: str = ""):
        self.key, self.attr, self.kind, self.label, self.required, self.unit = key, attr, kind, label, required, unit


def _text(w) -> str:
    return w.currentText() if isinstance(w, QComboBox) else w.text()


def _percent_value(v):
    return None if v is None else (float(v) if v.denominator != 1 else int(v))


# kind → (value for the case (None = leave out), value as typed for the autosave, put a value back)
ADAPTERS = {
    "text": (lambda w: w.text().strip() or None, lambda w: w.text(), lambda w, v: w.setText(v or "")),
    "code": (lambda w: nfkc(w.text()).strip() or None, lambda w: w.text(),
             lambda w, v: w.setText(v or "")),
    "combo": (lambda w: None if w.currentData() in (None, "") else w.currentData(), lambda w: w.currentData(),
              lambda w, v: w.setCurrentIndex(max(0, w.findData(v if v is not None else w.itemData(0))))),
    "edit_combo": (lambda w: w.currentText().strip() or None, lambda w: w.currentText(),
                   lambda w, v: w.setEditText(v or "")),
    "choice": (lambda w: w.value(), lambda w: w.value(), lambda w, v: w.set_value(v)),  # YesNo, RadioChoice
    "parsed": (lambda w: w.value(), lambda w: w.text(), lambda w, v: w.set_value(v)),
    # a list of at most one id chosen in a combo whose first item (data None) means none: [id] or left out
    "combo_list": (lambda w: None if w.currentData() in (None, "") else [w.currentData()],
                   lambda w: [] if w.currentData() in (None, "") else [w.currentData()],
                   lambda w, v: w.setCurrentIndex(max(0, w.findData(v[0])) if isinstance(v, (list, tuple)) and v
                                                  else 0)),
    "count": (lambda w: None if w.value() is None else int(w.value()), lambda w: w.text(),
              lambda w, v: w.setText("" if v is None else str(v))),
    "percent": (lambda w: _percent_value(w.value()), lambda w: w.text(),
                lambda w, v: w.setText("" if v is None else str(v))),
}


class FieldTable:
    """Build, load, save and check a page from its ``FIELDS``: one list, not three kept by hand."""

    FIELDS: tuple[Field, ...] = ()

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.key for f in cls.FIELDS)

    def widget(self, f: Field):
        return getattr(self, f.attr)

    def fields_data(self) -> dict:
        out = {}
        for f in self.FIELDS:
            v = ADAPTERS[f.kind][0](self.widget(f))
            if v is not None:
                out[f.key] = v
        return out

    def fields_raw(self) -> dict:
        return {f.key: ADAPTERS[f.kind][1](self.widget(f)) for f in self.FIELDS}

    def to_data(self) -> dict:
        """The page's answers in the case format (a lazy page is built first)."""
        getattr(self, "ensure_built", lambda: None)()
        return self.fields_data()

    def raw_data(self) -> dict:
        """What is on the page as typed (for the autosave), in the keys load() reads."""
        getattr(self, "ensure_built", lambda: None)()
        return self.fields_raw()

    def fields_load(self, data: dict) -> None:
        for f in self.FIELDS:
            ADAPTERS[f.kind][2](self.widget(f), data.get(f.key))

    def missing(self) -> list[str]:
        """The required fields not answered yet, in reading order, as sentences."""
        return [f"「{f.label}」を{'選んで' if f.kind in ('combo', 'choice') else '入力して'}ください"
                for f in self.FIELDS if f.required and ADAPTERS[f.kind][0](self.widget(f)) is None]


class RadioChoice:
    """Radio buttons keyed by id, read and set as one value (None: none chosen), like YesNo."""

    def __init__(self, group, buttons: dict):
        self.group, self.buttons = group, buttons

    def value(self):
        return next((k for k, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value) -> None:
        self.group.setExclusive(False)
        for k, b in self.buttons.items():
            b.setChecked(k == value)
        self.group.setExclusive(True)


def with_help(field: QWidget, text: str, name: str):
    """A field with a 「？」 button after it; the button shows or hides ``text`` under the field (on the page, not
    in a tooltip). Returns (the row to put in the form, the help label)."""
    from ..qt import QPushButton  # a push button (its class is made anyway), not a QToolButton (~2 ms more at start)

    box = QWidget()
    col = QVBoxLayout(box)
    col.setContentsMargins(0, 0, 0, 0)
    row = QHBoxLayout()
    row.addWidget(field, 1)
    button = QPushButton("？")
    button.setFixedWidth(button.sizeHint().height() + 4)
    button.setCheckable(True)
    button.setAccessibleName(f"{name}の説明")
    button.setAutoDefault(False)  # see one_default
    row.addWidget(button)
    col.addLayout(row)
    label = wrap_label(text)
    paint_badge(label, "#000000", "#e3f2fd")
    label.setContentsMargins(6, 6, 6, 6)
    label.hide()
    col.addWidget(label)
    button.toggled.connect(label.setVisible)
    box.help_button, box.help_label = button, label
    return box, label

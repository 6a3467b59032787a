"""Small input widgets of the wizard. They parse with ``core.inputs`` and show the Japanese message at the field."""

from __future__ import annotations

from .plain import label as plain_label
from .plain import tip as plain_tip
from .qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    Signal,
)


def qt():
    """The ``Qt`` namespace, imported on first use: building its enums costs about 20 ms, which the first page
    does not need to pay."""
    from .qt import Qt

    return Qt


MUTED = "#555555"  # explanations under a field
ERROR_RED = "#c62828"  # messages about what was typed, and the outline of the field it is about
ERROR_STYLE = f"QLineEdit {{ border: 2px solid {ERROR_RED}; background: #fff3f3; }}"


def tint(widget: QWidget, colour: str) -> None:
    """Colour a label's text through its palette. A style sheet would do the same with Qt's whole style sheet
    engine behind it (~0.5 MiB and a proxy style per label); borders and backgrounds still use style sheets."""
    from .qt import QColor, QPalette

    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    widget.setPalette(palette)


def wheel_to_page(widget: QWidget, event) -> bool:
    """The one rule for the mouse wheel over a combo box, spin box or date field (issue 27 point 1): it changes
    the answer only while the field has the keyboard focus; otherwise the turn scrolls the page under it (handed
    to the scroll area around the field). True when the turn went to the page."""
    from .qt import QAbstractScrollArea, QApplication

    focus = QApplication.focusWidget()
    if focus is not None and (focus is widget or widget.isAncestorOf(focus)):
        return False  # chosen with the keyboard or a click first: the wheel may change it
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    if area is not None:
        QApplication.sendEvent(area.viewport(), event)
    event.accept()
    return True


def no_wheel_focus(widget: QWidget) -> None:
    """Qt gives these fields the focus on a wheel turn (WheelFocus) before the turn itself, which would make every
    turn count: they take the focus from Tab and clicks only (Qt.StrongFocus, set by number through its property:
    the Qt enums cost ~40 ms the first page need not pay)."""
    widget.setProperty("focusPolicy", 11)


class Choice(QComboBox):
    """The wizard's combo box: the wheel changes it only while it has the focus (see wheel_to_page)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        no_wheel_focus(self)

    def wheelEvent(self, event):  # noqa: N802 — Qt's name
        if not wheel_to_page(self, event):
            super().wheelEvent(event)


class _Guard:
    guard = None  # the event filter of guard_wheels, made on first use (a QObject needs the application)


def guard_wheels(root: QWidget) -> None:
    """The same rule for a combo box, spin box or date field under ``root`` that is not a :class:`Choice` (a date
    field made elsewhere): an event filter applies wheel_to_page. Called on every page once it is built."""
    from .qt import QAbstractSpinBox, QComboBox

    for w in [*root.findChildren(QComboBox), *root.findChildren(QAbstractSpinBox)]:
        if not isinstance(w, Choice):
            if _Guard.guard is None:
                _Guard.guard = _make_guard()
            no_wheel_focus(w)
            w.installEventFilter(_Guard.guard)


def _make_guard():
    from .qt import QObject, QWheelEvent

    class WheelGuard(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 — Qt's name
            return isinstance(event, QWheelEvent) and wheel_to_page(obj, event)

    return WheelGuard()


class ParsedEdit(QLineEdit):
    """A line edit whose text is parsed as it is typed; ``value()`` is the parsed value or None.

    ``error()`` is the Japanese message while the text cannot be used; the widget is outlined in red and the
    message is its tooltip. ``validityChanged`` tells the page to re-check whether Next may be pressed.
    """

    validityChanged = Signal()

    def __init__(self, field: str, parser, *, required: bool = False, placeholder: str = "", parent=None, **kw):
        super().__init__(parent)
        self.field, self._parser, self._kw, self.required = field, parser, kw, required
        self._error = ""
        self._shown = ""  # the error the outline, tooltip and description show (set again only when it changes)
        self._value = None
        self.setAccessibleName(field)
        if placeholder:
            self.setPlaceholderText(placeholder)
        self.textChanged.connect(self._check)
        self._check(self.text())

    def _check(self, text: str) -> None:
        from ohshi_desk.core.base.inputs import InputError

        try:
            self._value = self._parser(text, self.field, allow_empty=not self.required, **self._kw)
            self._error = ""
        except InputError as exc:
            self._value, self._error = None, str(exc)
        if not text.strip() and self.required:
            self._error = ""  # an empty required field blocks Next without a red mark until typed in
        if self._error != self._shown:  # a style sheet set again repolishes the field: only when the message changes
            self._shown = self._error
            self.setStyleSheet(ERROR_STYLE if self._error else "")
            self.setToolTip(plain_tip(self._error))
            self.setAccessibleDescription(self._error)
        self.validityChanged.emit()

    def value(self):
        return self._value

    def error(self) -> str:
        return self._error

    def is_ok(self) -> bool:
        return not self._error and (self._value is not None or not self.required)

    def set_value(self, value) -> None:
        self.setText("" if value is None else (f"{value:,}" if isinstance(value, int) else str(value)))


def parse_yen_asking(text, field: str = "金額", *, allow_empty: bool = False):
    """As core's parse_yen, but an amount written with dots as thousands marks (「10.000」: 10円 or 10,000円?)
    is asked about rather than read as 10円."""
    import re
    import unicodedata

    from ohshi_desk.core.base.inputs import InputError, parse_yen

    plain = unicodedata.normalize("NFKC", str(text)).strip().rstrip("円").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", plain):
        whole = int(plain.replace(".", ""))
        raise InputError(field, f"「{text}」は {whole:,}円 ですか。そうなら {whole} と、"
                                f"小数なら円単位の整数で入力してください")
    return parse_yen(text, field, allow_empty=allow_empty)


def money_edit(field: str, **kw) -> ParsedEdit:
    # short enough to show whole in the price column at 150 % (issue 27 point 9: 「例: 4,980 または 4.2万」 was cut;
    # the page's subtitle says 4.2万 may be typed)
    edit = ParsedEdit(field, parse_yen_asking, placeholder="例: 4,980", **kw)
    edit.setAlignment(qt().AlignmentFlag.AlignRight | qt().AlignmentFlag.AlignVCenter)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 24)
    edit.editingFinished.connect(lambda: reformat_yen(edit))
    return edit


def reformat_yen(edit: ParsedEdit) -> None:
    """On leaving an amount (Tab, Enter, a click elsewhere): 「6万8千円」 or 「６８０００」 becomes 「68,000」, so the field
    shows what will be used. A text that cannot be read, or is being asked about, stays as typed."""
    value = edit.value()
    if isinstance(value, int) and not edit.error() and edit.text() != f"{value:,}":
        edit.setText(f"{value:,}")


def count_edit(field: str, *, minimum: int = 0, maximum: int = 10_000_000, placeholder: str = "", **kw) -> ParsedEdit:
    from ohshi_desk.core.base.inputs import parse_count

    edit = ParsedEdit(field, parse_count, minimum=minimum, maximum=maximum, placeholder=placeholder, **kw)
    edit.setAlignment(qt().AlignmentFlag.AlignRight | qt().AlignmentFlag.AlignVCenter)
    fit_width(edit, f"{maximum:,}")
    return edit


def tab_chain(widgets) -> None:
    """Tab goes through ``widgets`` in the order given (Qt's setTabOrder takes them two at a time)."""
    widgets = list(widgets)
    for one, after in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(one, after)


def fit_width(edit: QLineEdit, longest: str) -> None:
    """As wide as the longest answer (or the placeholder) and a little more, not the whole form's width (issue 27
    point 9: 設置している台数 was 625 px wide at 150 %); Form puts such a field at the left of its column."""
    fm = edit.fontMetrics()
    edit.setMaximumWidth(max(fm.horizontalAdvance(longest + "00"), fm.horizontalAdvance(edit.placeholderText())) + 24)


def percent_edit(field: str) -> ParsedEdit:
    from ohshi_desk.core.base.inputs import parse_percent

    edit = ParsedEdit(field, parse_percent, placeholder="例: 4.5")
    edit.setAlignment(qt().AlignmentFlag.AlignRight | qt().AlignmentFlag.AlignVCenter)
    fit_width(edit, "100.000")
    return edit


class Form(QGridLayout):
    """Rows of label and field, as QFormLayout lays them out, on a grid.

    A grid gives a word-wrapped label just the height its text needs at its real width; QFormLayout reserves the
    height the text would need at a much narrower width, which left gaps under every explanation line. Working
    round that with a resize handler on each label cost a relayout per label and ~3 ms at start."""

    def __init__(self):
        super().__init__()
        self.setColumnStretch(1, 1)
        self._rows = 0

    def addRow(self, label: QWidget | str, field: QWidget | QLayout) -> None:  # noqa: N802 — QFormLayout's name
        row, self._rows = self._rows, self._rows + 1
        if isinstance(label, str):
            text, label = label, None
            if text:  # as QFormLayout does: the label's mnemonic (&M) moves the focus to the field
                label = plain_label(text)
                if isinstance(field, QWidget):
                    label.setBuddy(field)
        if label is not None:
            self.addWidget(label, row, 0)
        if isinstance(field, QLayout):
            self.addLayout(field, row, 1)
        elif field.maximumWidth() < 10_000:  # a narrow field (a count): at the left, not centred in the column
            self.addWidget(field, row, 1, qt().AlignmentFlag.AlignLeft)
        else:
            self.addWidget(field, row, 1)


def wrap_label(text: str = "", *, muted: bool = False, selectable: bool = False, cls=None) -> QLabel:
    label = plain_label(text, cls=cls)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(qt().TextInteractionFlag.TextSelectableByMouse)
    if muted:
        tint(label, MUTED)
    return label


class YesNo(QWidget):
    """はい / いいえ with nothing chosen at first: an unanswered question is not a 'no'."""

    changed = Signal()

    def __init__(self, question: str, parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.yes = QRadioButton("はい")
        self.no = QRadioButton("いいえ")
        self.group = QButtonGroup(self)
        for b in (self.yes, self.no):
            b.setAccessibleName(f"{question}: {b.text()}")
            self.group.addButton(b)
            lay.addWidget(b)
            b.toggled.connect(self._emit_changed)
        lay.addStretch(1)

    def _emit_changed(self, *_a) -> None:
        self.changed.emit()

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: bool | None) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(value is True)
        self.no.setChecked(value is False)
        self.group.setExclusive(True)


def checkbox(text: str, accessible: str = "") -> QCheckBox:
    box = QCheckBox(text)
    box.setAccessibleName(accessible or text.replace("&", ""))
    return box


class QuestionWidget(QWidget):
    """A question that comes from the rules (issue 14 point 10, issue 24 point 1): a facility question
    (facility_kinds.yaml ``flags``) or a plan question (a program's ``questions``). Built from the question's data
    only — type, label, unit, limits, help, and the programs that read it — so a question added to the rules needs
    no Python, whatever its type.

    A yes/no question (``type: yes_no``, the default): ``style="yesno"`` はい / いいえ, unanswered is ``None`` (facility
    questions: not answered is not a no); ``style="check"`` one check box, unchecked is ``None``. A number (count,
    yen, percent) or a date: a field parsed as typed, with its unit; a choice: a list. ``value()`` is the answer as
    the case file keeps it, ``set_value()`` puts one back, ``text()`` is what was typed (the autosave), ``shown()``
    the answer as the confirm page lists it; ``changed`` fires on every change."""

    changed = Signal()

    def __init__(self, question: dict, style: str = "yesno", read_by: str = "", parent=None):
        super().__init__(parent)
        self.question = question
        self.style = style
        self.type = question.get("type", "yes_no")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        label = question["label"]
        self.box = self.answer = self.edit = None
        if self.type != "yes_no":
            self.edit = _answer_edit(question)
            self.edit.changed.connect(self._emit_changed)
            lay.addWidget(self.edit)
        elif style == "check":
            self.box = checkbox(label)
            self.box.toggled.connect(self._emit_changed)
            lay.addWidget(self.box)
        else:
            self.answer = YesNo(label)
            self.answer.changed.connect(self._emit_changed)
            lay.addWidget(self.answer)
        help_text = question.get("help", "")
        if read_by:
            help_text += f"（{read_by}の判定に使います）"
        self.help = wrap_label(help_text, muted=True)
        lay.addWidget(self.help)

    @property
    def yes(self):
        """The 「はい」 button of a yes/no question (where the focus goes), else the field itself."""
        return self.answer.yes if self.answer is not None else (self.box or self.edit.field)

    def _emit_changed(self, *_a) -> None:
        self.changed.emit()

    def value(self):
        if self.edit is not None:
            return self.edit.value()
        if self.box is not None:
            return True if self.box.isChecked() else None
        return self.answer.value()

    def set_value(self, value) -> None:
        if self.edit is not None:
            self.edit.set_value(value)
        elif self.box is not None:
            self.box.setChecked(value is True)
        else:
            self.answer.set_value(value)

    def text(self) -> str:
        return self.edit.text() if self.edit is not None else ""

    def error(self) -> str:
        return self.edit.error() if self.edit is not None else ""

    def shown(self) -> str:
        if self.edit is not None:
            return self.edit.shown()
        value = self.value()
        return {True: "はい", False: "いいえ", None: "未回答"}[value]


class _AnswerEdit(QWidget):
    """The field of a question that is not a yes/no: a parsed line edit (count, yen, percent, date, text) with its
    unit after it, or a list of the question's choices."""

    changed = Signal()

    def __init__(self, question: dict):
        super().__init__()
        from ohshi_desk.core.case.fields import answer_json

        self._json = answer_json
        self.question = question
        self.type = question.get("type")
        self.unit = question.get("unit", "")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        label = question["label"]
        if self.type == "choice":
            self.field = Choice()
            self.field.setAccessibleName(label)
            self.field.addItem("選択してください", None)
            for cid, text in question["choices"].items():
                self.field.addItem(text, cid)
            self.field.currentIndexChanged.connect(self._emit)
        else:
            from ohshi_desk.core.case.fields import parse_answer

            def parse(text, field, *, allow_empty=True):
                return parse_answer(question, text if text.strip() else None, field)

            self.field = ParsedEdit(label, parse)
            if self.type in ("count", "yen", "percent"):
                self.field.setAlignment(qt().AlignmentFlag.AlignRight | qt().AlignmentFlag.AlignVCenter)
            self.field.textChanged.connect(self._emit)
        lay.addWidget(self.field, 1)
        if self.unit:
            lay.addWidget(plain_label(self.unit))

    def _emit(self, *_a) -> None:
        self.changed.emit()

    def value(self):
        if self.type == "choice":
            return self.field.currentData()
        return self._json(self.question, self.field.value())

    def set_value(self, value) -> None:
        if self.type == "choice":
            self.field.setCurrentIndex(max(0, self.field.findData(value)) if value is not None else 0)
        else:
            value = self._json(self.question, value)
            self.field.setText("" if value is None else str(value))

    def text(self) -> str:
        return self.field.currentText() if self.type == "choice" else self.field.text()

    def error(self) -> str:
        return "" if self.type == "choice" else self.field.error()

    def shown(self) -> str:
        if self.type == "choice":
            return self.field.currentText() if self.field.currentData() is not None else "（未選択）"
        text = self.field.text().strip()
        return f"{text}{self.unit}" if text else "（未入力）"


def _answer_edit(question: dict) -> _AnswerEdit:
    return _AnswerEdit(question)


def question_widget(question: dict, style: str = "yesno", read_by: str = "") -> QuestionWidget:
    """The one call the pages make for a question from the rules (see QuestionWidget)."""
    return QuestionWidget(question, style, read_by)

"""The purchase lines of one program on the plans page: a row per line (品目, 内訳, 数量, 単価, 購入先) and the editor
with 行を追加, subtotals and the amounts echoed as understood. The small input widgets are in ``widgets.py``."""

from __future__ import annotations

from ohshi_desk.core.case.fields import BY_KEY

from .plain import label as plain_label
from .qt import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget, Signal
from .widgets import ERROR_RED, MUTED, Choice, count_edit, money_edit, qt, tab_chain, tint


class LineRow(QWidget):
    """One purchase line: 品目, 内訳（品名・型番）, 数量, 単価（税込）, 購入先."""

    changed = Signal()
    removeRequested = Signal(object)

    QUANTITY_WIDTH = 70

    @classmethod
    def set_columns(cls, grid, item_width: int, remove_width: int) -> None:
        """The columns every row and the header share."""
        grid.setColumnMinimumWidth(0, item_width)
        grid.setColumnMinimumWidth(2, cls.QUANTITY_WIDTH)
        grid.setColumnMinimumWidth(5, remove_width)
        for col, stretch in ((1, 3), (3, 2), (4, 2)):
            grid.setColumnStretch(col, stretch)

    def __init__(self, items: dict[str, dict], order: list[str], number: int, parent=None, *, item_width: int = 0,
                 remove_width: int = 0):
        super().__init__(parent)
        policy = self.sizePolicy()  # a row folded away (see RowReveal) keeps its place: the page's height and its
        policy.setRetainSizeWhenHidden(True)  # scroll bar are those of every line from the first moment
        self.setSizePolicy(policy)
        self.extra: dict = {}
        self.loaded: tuple = ()  # item, quantity, price as loaded (a vendor's discount and split hold while unchanged)
        self._items = items
        self._order = order
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.item = Choice()
        for it in order:
            self.item.addItem(items[it]["label"], it)
        self.description = QLineEdit()
        self.description.setPlaceholderText("品名・型番（わかれば）")
        qty = BY_KEY["quantity"]  # the line's fields: label and limits declared once (core/case/fields.py)
        self.quantity = count_edit(qty.label, minimum=qty.minimum, maximum=qty.maximum, required=True)
        self.quantity.setText("1")
        self.quantity.setFixedWidth(self.QUANTITY_WIDTH)
        self.price = money_edit(BY_KEY["unit_price"].label)  # an empty price: the row is not counted (a suggestion not taken)
        self.vendor = QLineEdit()
        self.vendor.setPlaceholderText("購入先・ベンダー")
        self.remove = QPushButton("削除")
        self.remove.setAutoDefault(False)  # Enter stays 次へ; one ring at a time (see pages.base.one_default)
        grid.addWidget(self.item, 0, 0)
        grid.addWidget(self.description, 0, 1)
        grid.addWidget(self.quantity, 0, 2)
        grid.addWidget(self.price, 0, 3)
        grid.addWidget(self.vendor, 0, 4)
        grid.addWidget(self.remove, 0, 5)
        if item_width:
            # its width is fixed: Qt need not measure every item's label for each row's size (200 rows shown at
            # once measured 200 × the item list; issue 28)
            self.item.setSizeAdjustPolicy(self.item.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            self.item.setFixedWidth(item_width)
            self.remove.setFixedWidth(remove_width)
            self.set_columns(grid, item_width, remove_width)
        # the amount as understood, under the price: 「＝42,000円」, with the line's subtotal when 数量 > 1
        self.echo = plain_label()
        tint(self.echo, "#1b5e20")
        self.echo.setAlignment(qt().AlignmentFlag.AlignRight)
        self.set_number(number)  # the fields' accessible names, 「3行目の単価（税込）」
        grid.addWidget(self.echo, 1, 2, 1, 2)
        self._grid = grid
        # the line's message (row 2) and why it is not paid (row 3): made when first needed (a file's 200 lines
        # would otherwise make 400 hidden labels; issue 28)
        self._error_label = self._note_label = None
        for w in (self.quantity, self.price):
            w.validityChanged.connect(self._update_error)
            w.validityChanged.connect(self._update_echo)
        # the line as to_line() reads it, kept until any of its fields changes (a hospital's 400 lines were read
        # again, 2 ms, each time a page asked for the case; issue 28)
        self._line: dict | None = None
        for signal in (self.item.currentIndexChanged, self.description.textChanged, self.quantity.textChanged,
                       self.price.textChanged, self.vendor.textChanged):
            signal.connect(self._stale)
        self.item.currentIndexChanged.connect(self._emit_changed)
        self.description.textChanged.connect(self._emit_changed)
        self.vendor.textChanged.connect(self._emit_changed)
        self.remove.clicked.connect(self._request_remove)

    # Slots return None: PySide6 6.12 on Python 3.11 drops a reference to whatever a slot returns, and a slot
    # returning True (as Signal.emit() does) ends in "Fatal Python error: bool_dealloc".
    def _emit_changed(self, *_a) -> None:
        self.changed.emit()

    def _stale(self, *_a) -> None:
        self._line = None

    def _request_remove(self, *_a) -> None:
        self.removeRequested.emit(self)

    def _message_label(self, row: int, colour: str):
        lab = plain_label()
        tint(lab, colour)
        lab.setWordWrap(True)
        lab.hide()
        self._grid.addWidget(lab, row, 0, 1, 6)
        return lab

    @property
    def error(self):
        """The line's message about what was typed (under the line, hidden while there is none)."""
        if self._error_label is None:
            self._error_label = self._message_label(2, ERROR_RED)
        return self._error_label

    @property
    def note(self):
        """Why this line is not paid (an item the program excludes or sends to 個別審査), in the rules' words: from
        the engine's line reasons, shown as the item is chosen (see PlansPage.update_estimate)."""
        if self._note_label is None:
            self._note_label = self._message_label(3, "#8a4b00")
        return self._note_label

    def set_number(self, n: int) -> None:
        self.number = n
        for w, name in ((self.item, "品目"), (self.description, "内訳（品名・型番）"), (self.quantity, "数量"),
                        (self.price, "単価（税込）"), (self.vendor, "購入先"), (self.remove, "削除"),
                        (self.echo, "金額（読み取った値）")):
            w.setAccessibleName(f"{n}行目の{name}")

    def set_note(self, reasons: list[str]) -> None:
        """Say beside the line why it is not (wholly) paid; nothing when it is."""
        text = "⚠ " + " / ".join(reasons) if reasons else ""
        if text != (self._note_label.text() if self._note_label is not None else ""):
            self.note.setText(text)
            self.note.setVisible(bool(text))
            self.item.setAccessibleDescription(text)

    def _update_error(self) -> None:
        msgs = [w.error() for w in (self.quantity, self.price) if w.error()]
        if msgs or self._error_label is not None:
            self.error.setText(f"{self.number}行目 " + " / ".join(msgs) if msgs else "")
            self.error.setVisible(bool(msgs))
        self.changed.emit()

    def _update_echo(self) -> None:
        price, qty = self.price.value(), self.quantity.value()
        if price is None:
            self.echo.setText("")
        elif qty and qty > 1:
            self.echo.setText(f"＝{price:,}円 × {qty} ＝ {price * qty:,}円")
        else:
            self.echo.setText(f"＝{price:,}円")

    def typed(self) -> bool:
        """Anything typed on this line (a price, a description or a vendor): never dropped without a word."""
        return any(w.text().strip() for w in (self.price, self.description, self.vendor))

    def subtotal(self) -> int:
        price = self.price.value()
        return 0 if price is None else price * (self.quantity.value() or 1)

    def is_ok(self) -> bool:
        return self.quantity.is_ok() and self.price.is_ok()

    def _priced(self) -> tuple:
        """(品目, 数量, 単価) as they stand: what a vendor's 金額 and ① split were written for."""
        return (self.item.currentData(), self.quantity.value() or 1,
                self.price.value() if self.price.value() is not None else 0)

    def _vendor_extra(self) -> dict:
        """The line's other keys; a vendor's 金額 (discount) and ① split only while 品目, 数量 and 単価 are as
        loaded: edited here, they no longer hold."""
        if self._priced() == self.loaded:
            return dict(self.extra)
        return {k: v for k, v in self.extra.items() if k not in ("amount", "vendor_eligible")}

    def to_line(self) -> dict:
        """The line for the case (a new dict each time; its nested values are the row's own)."""
        if self._line is None:
            item, quantity, price = self._priced()
            line = {**self._vendor_extra(), "item": item, "quantity": quantity, "unit_price": price}
            for key, w in (("description", self.description), ("vendor", self.vendor)):
                if w.text().strip():
                    line[key] = w.text().strip()
                else:
                    line.pop(key, None)
            self._line = line
        return dict(self._line)

    def raw_line(self) -> dict:
        """The line as typed, in the shape load() reads. A vendor's 金額 and ① split go with it only while the line
        is as it was loaded (as in to_line), so a restore cannot bring a discount back onto an edited line."""
        return {**self._vendor_extra(), "item": self.item.currentData(), "description": self.description.text(),
                "quantity": self.quantity.text(), "unit_price": self.price.text(), "vendor": self.vendor.text()}

    def reuse(self, line: dict) -> None:
        """This row, made for another line, filled with ``line`` (an opened file over one with lines: the rows are
        kept and filled again rather than 1,600 widgets deleted and made again; issue 28). What the last line left
        goes: an item it added to the list, its note; its message follows the new values."""
        while self.item.count() > len(self._order):
            self.item.removeItem(self.item.count() - 1)
        self.item.setCurrentIndex(0)  # as a new row stands, for a line that names no item
        self.set_note([])
        self.load(line)
        if self.isHidden():  # folded while its page was away (see RowReveal)
            self.show()

    def load(self, line: dict) -> None:
        self.extra = {k: v for k, v in line.items() if k not in ("item", "quantity", "unit_price", "description",
                                                                    "vendor")}
        idx = self.item.findData(line.get("item"))
        if idx < 0 and line.get("item") in self._items:  # an item not offered for this program: kept, not swapped
            self.item.addItem(self._items[line["item"]]["label"], line["item"])
            idx = self.item.count() - 1
        if idx < 0 and line.get("item") not in (None, ""):  # not in these rules: the caller says so
            raise ValueError(f"item {line.get('item')!r}")
        if idx >= 0:
            self.item.setCurrentIndex(idx)
        self.description.setText(str(line.get("description", "")))
        self.quantity.setText(str(line.get("quantity", 1)))
        price = line.get("unit_price")
        self.price.setText(f"{price:,}" if isinstance(price, int) else str(price or ""))
        self.vendor.setText(str(line.get("vendor", "")))
        self.loaded = self._priced()
        self._line = None  # its extra keys and what was loaded are new, whether or not a field's text changed


class IdleRows:
    """One idle worker for all the editors of a page: each turn of the event loop it makes a few rows of the first
    editor with lines pending, or else lets a few rows no longer needed go (one worker, not one per editor: eight
    editors' turns would add up to one long one)."""

    ROWS = 8  # rows made a turn (~6 ms on the project's machine)
    DELETED = 24  # rows deleted a turn (~8 ms: 200 rows at once were a 68 ms turn after opening a file; issue 28)

    def __init__(self, parent, editors):
        from .qt import QTimer

        self.editors = editors  # program id → LinesEditor, the page's dict
        self.timer = QTimer(parent)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._turn)

    def start(self) -> None:
        self.timer.start()

    def _turn(self) -> None:
        ed = next((e for e in self.editors.values() if e.pending()), None)
        if ed is not None:
            ed.make_some(self.ROWS)
            return
        ed = next((e for e in self.editors.values() if e.dying()), None)
        if ed is None:
            self.timer.stop()
        else:
            ed.delete_some(self.DELETED)


class RowReveal:
    """Rows out of sight are shown after the page (issue 28: showing a page of 200 rows asked Qt to show, lay out
    and paint 1,600 widgets within the click, 50 ms, each time the page was entered).

    Before the page shows, only the first ``FIRST`` rows in page order stay shown (more than a screen holds); the
    others are hidden but keep their place (LineRow's size policy), so the page is as tall and scrolls as far as
    it will. Once the page is on screen they are shown a few at a time while the window is idle, in order, so that
    within a moment every line is there for Tab, a screen reader and a scroll. One worker for the page's editors,
    as IdleRows."""

    FIRST = 24  # rows shown with the page: more than 1366×768 holds at 100 % (about 14)
    ROWS = 24  # rows a turn afterwards

    def __init__(self, parent, editors):
        from .qt import QTimer

        self.editors = editors  # program id → LinesEditor, the page's dict (in page order)
        self.timer = QTimer(parent)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._turn)

    def fold(self, shown) -> None:
        """Rows beyond the first ``FIRST`` of the editors ``shown`` (in page order) hidden: before the page shows,
        and again when it has gone (an editor on screen has them shown again at once, a few a turn)."""
        budget = self.FIRST
        for ed in self.editors.values():
            if ed in shown:
                budget -= ed.fold(budget)
        self.start()

    def _waiting(self):
        """The first editor on screen with rows to show."""
        return next((e for e in self.editors.values() if e.folded() and e.isVisible()), None)

    def start(self) -> None:
        if not self.timer.isActive() and self._waiting() is not None:
            self.timer.start()

    def _turn(self) -> None:
        ed = self._waiting()  # rows of a page that has gone wait for it to be shown again (see showEvent)
        if ed is None:
            self.timer.stop()
        else:
            ed.reveal_some(self.ROWS)


class LinesEditor(QWidget):
    """The purchase lines of one program, with 行を追加."""

    changed = Signal()

    def __init__(self, items: dict[str, dict], suggested: tuple[str, ...], parent=None, offered=None):
        super().__init__(parent)
        self.items = items
        offered = set(offered or items) | set(suggested)
        self.order = list(suggested) + [it for it in items if it not in suggested and it in offered]
        self._rows: list[LineRow] = []
        # lines of an opened file not yet made into rows (issue 28: a hospital's 200 lines made 2,000 widgets while
        # the file opened): made a few at a time while the window is idle, and all at once the moment anything asks
        # for the rows or the editor is shown; until then lines(), total() and is_ok() read them as they are
        self._pending: list[dict] = []
        self.idle: IdleRows | None = None  # the page's one idle worker (without one, lines wait until asked for)
        self.reveal: RowReveal | None = None  # the page's worker showing folded rows after the page (see RowReveal)
        self._folded: list[LineRow] = []  # rows hidden until the page is on screen, in order
        # rows of the lines before a file was opened, filled again with its lines as they become rows (see _add_row)
        self._spare: list[LineRow] = []
        self._dying: list[LineRow] = []  # rows no longer needed: out of the page, deleted a few a turn (see IdleRows)
        self._notes: list[list[str]] = []  # each line's reasons from the last estimate (see set_notes)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        # the column headers on a grid of the same columns as the rows (fixed widths for 品目, 数量 and 削除, the same
        # stretch for the rest), so each header stands over its field
        fm = self.fontMetrics()
        self.item_width = max(fm.horizontalAdvance(items[it]["label"]) for it in self.order) + 48
        self.remove_width = fm.horizontalAdvance("削除") + 40
        head = QGridLayout()
        head.setContentsMargins(0, 0, 0, 0)
        for col, text in enumerate(("品目", "内訳（品名・型番）", "数量", "単価（税込・円）", "購入先", "")):
            label = plain_label(text)
            tint(label, MUTED)
            head.addWidget(label, 0, col)
        LineRow.set_columns(head, self.item_width, self.remove_width)
        lay.addLayout(head)
        self.rows_host = QWidget()  # the rows live in it
        self.rows_box = QVBoxLayout(self.rows_host)
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.rows_host)
        foot = QHBoxLayout()
        hint = plain_label("単価が空の行は計算に入りません。")
        tint(hint, MUTED)
        foot.addWidget(hint, 1)
        self.total_label = plain_label()
        self.total_label.setAccessibleName("購入合計")
        foot.addWidget(self.total_label)
        lay.addLayout(foot)
        self.add_button = None
        for it in suggested:  # made before 「＋ 行を追加」, so that Tab reaches them first (reparenting the editor
            row = self.add_row()  # puts its focus chain back in the order its widgets were made)
            row.item.setCurrentIndex(row.item.findData(it))
        self.add_button = QPushButton("＋ 行を追加")
        self.add_button.setAccessibleName("行を追加")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add_clicked)
        lay.addWidget(self.add_button, alignment=qt().AlignmentFlag.AlignLeft)

    def _emit_changed(self, *_a) -> None:
        self.total_label.setText(f"購入合計（税込）: {self.total():,}円")
        self.changed.emit()

    @property
    def rows(self) -> list[LineRow]:
        """Every line as a row (those still pending are made now)."""
        if self._pending:
            self._make_pending(len(self._pending))
        return self._rows

    def pending(self) -> int:
        """How many lines are not yet rows."""
        return len(self._pending)

    def showEvent(self, event):  # noqa: N802 — Qt's name
        if self._pending:  # shown: every line is on screen
            self._make_pending(len(self._pending))
        super().showEvent(event)
        if self._folded and self.reveal is not None:
            self.reveal.start()
        elif self._folded:  # no page worker: every row now
            self.reveal_some(len(self._folded))

    def fold(self, keep: int) -> int:
        """Rows after the first ``keep`` hidden until revealed (see RowReveal); how many rows stay shown."""
        keep = max(keep, 0)
        for row in self._rows[keep:]:
            if not row.isHidden():
                row.hide()
                self._folded.append(row)
        return min(keep, len(self._rows))

    def folded(self) -> int:
        """How many rows wait to be shown again."""
        return len(self._folded)

    def dying(self) -> int:
        """How many rows no longer needed wait to be deleted."""
        return len(self._dying)

    def delete_some(self, n: int) -> None:
        take, self._dying = self._dying[:n], self._dying[n:]
        for row in take:
            row.deleteLater()

    def _retire(self, rows: list[LineRow]) -> None:
        """Rows out of the page now (hidden, out of the layout and the Tab order) and deleted while the window is
        idle, a few a turn (at once without a page worker)."""
        for row in rows:
            row.hide()
            self.rows_box.removeWidget(row)
        if self.idle is None:
            for row in rows:
                row.deleteLater()
        elif rows:
            self._dying.extend(rows)
            self.idle.start()

    def reveal_some(self, n: int) -> None:
        take, self._folded = self._folded[:n], self._folded[n:]
        for row in take:
            row.show()

    def _make_pending(self, n: int) -> None:
        take, self._pending = self._pending[:n], self._pending[n:]
        for line in take:
            self._add_row(line)

    def make_some(self, n: int) -> None:
        """While idle: ``n`` more rows (see IdleRows), polished now (their style and sizes worked out while the
        user reads, not when 次へ first shows 200 of them; issue 28)."""
        made = len(self._rows)
        self._make_pending(n)
        for row in self._rows[made:]:
            row.ensurePolished()
            row.sizeHint()

    @staticmethod
    def _plain_line(line) -> bool:
        """A line as an opened file holds it (whole numbers, short one-line texts): it can wait as it is, and
        reads as the row made from it would."""
        if not isinstance(line, dict) or not isinstance(line.get("unit_price"), int) or isinstance(
                line.get("unit_price"), bool) or line["unit_price"] < 0:
            return False
        qty = line.get("quantity", 1)
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= BY_KEY["quantity"].maximum:
            return False
        return all(isinstance(line.get(k, ""), str) and len(line.get(k, "")) <= 1000
                   and not any(c < " " for c in line.get(k, "")) for k in ("description", "vendor"))

    @staticmethod
    def _line_of(line: dict) -> dict:
        """What LineRow.to_line() gives for a row loaded from this plain line (as loaded: its extra keys hold)."""
        out = {k: v for k, v in line.items() if k not in ("item", "quantity", "unit_price", "description", "vendor")}
        out.update(item=line["item"], quantity=line.get("quantity", 1), unit_price=line["unit_price"])
        for key in ("description", "vendor"):
            if str(line.get(key, "")).strip():
                out[key] = str(line[key]).strip()
        return out

    def total(self) -> int:
        return sum(r.subtotal() for r in self._rows) + sum(
            ln["unit_price"] * ln.get("quantity", 1) for ln in self._pending)

    def _add_clicked(self, *_a) -> None:
        self.add_row()

    def add_row(self, line: dict | None = None, *, emit: bool = True) -> LineRow:
        """A row at the end (filled from ``line``); ``emit=False`` leaves the total and the changed signal to the
        caller, which adds many rows and says so once (a file's 200 lines: one update, not 200 of 200 rows)."""
        if self._pending:
            self._make_pending(len(self._pending))
        row = self._add_row(line)
        if emit:
            self._emit_changed()
        return row

    def _add_row(self, line: dict | None) -> LineRow:
        if line and self._spare:  # a row of the lines before, in its place and its Tab order: filled again
            row = self._spare.pop(0)
            row.blockSignals(True)  # one update for all the lines (load_rows), not one per field of each row
            try:
                row.reuse(line)
            except Exception:  # a line that cannot be a row: this one leaves the page with the others left over
                self._retire([row])
                raise
            finally:
                row.blockSignals(False)
            self._rows.append(row)
            if row.number != len(self._rows):
                row.set_number(len(self._rows))
        else:
            row = LineRow(self.items, self.order, len(self._rows) + 1, item_width=self.item_width,
                          remove_width=self.remove_width)
            if line:
                row.load(line)
            row.changed.connect(self._emit_changed)
            row.removeRequested.connect(self.remove_row)
            # Tab in reading order: the new line after the last one (or what comes before the lines), then 「＋ 行を追加」
            last = self._rows[-1].remove if self._rows else None
            self._rows.append(row)
            self.rows_box.addWidget(row)  # in the editor's window first: Tab order is kept within one window
            if self.add_button is not None:
                tab_chain([*([last] if last is not None else []), row.item, row.description, row.quantity,
                           row.price, row.vendor, row.remove, self.add_button])
        if line and len(self._rows) <= len(self._notes):
            row.set_note(self._notes[len(self._rows) - 1])
        return row

    def load_rows(self, lines: list[dict]) -> None:
        """Every row replaced by ``lines``, with one update at the end. While the editor is not on screen, plain
        lines (an opened file's) wait and become rows while the window is idle (see ``_pending``)."""
        changed = bool(self._rows or self._pending or lines)
        for line in lines:  # an item these rules lack is refused now, as a row would refuse it
            if isinstance(line, dict) and line.get("item") not in self.items and line.get("item") not in (None, ""):
                raise ValueError(f"item {line.get('item')!r}")
        # the rows there are stay, in their places, to be filled with the new lines (see _add_row); those left over go
        self._rows, self._spare, self._pending, self._folded = [], self._rows + self._spare, [], []
        self._notes = []  # the last estimate's reasons were for the lines before (the next estimate gives these)
        if not self.isVisible() and lines and all(self._plain_line(ln) and ln.get("item") in self.items
                                                  for ln in lines):
            self._pending = [dict(ln) for ln in lines]
            self._retire(self._spare[len(lines):])
            del self._spare[len(lines):]
            if self.idle is not None:
                self.idle.start()
        else:
            try:
                for line in lines:
                    self._add_row(line)
            finally:
                self._retire(self._spare)
                self._spare = []
        if changed:
            self._emit_changed()

    def remove_row(self, row: LineRow, *, emit: bool = True) -> None:
        if self._pending:
            self._make_pending(len(self._pending))
        self._rows.remove(row)
        if row in self._folded:
            self._folded.remove(row)
        row.setParent(None)  # out of the page at once (a deferred delete waits for the event loop)
        row.deleteLater()
        if emit:
            for i, r in enumerate(self._rows, 1):
                r.set_number(i)
            self._emit_changed()

    def clear(self, *, emit: bool = True) -> None:
        self._pending, self._folded = [], []
        self._retire(self._rows + self._spare)
        self._rows, self._spare = [], []
        if emit:
            self._emit_changed()

    def is_ok(self) -> bool:
        return all(r.is_ok() for r in self._rows)  # a pending line is a plain one: nothing wrong in it

    def blockers(self) -> list[str]:
        """Each row's problem as a sentence: its message, or the 数量 left empty (which has no message)."""
        out = []
        for r in self._rows:
            wrong = [f"「{name}」" for w, name in ((r.quantity, "数量"), (r.price, "単価（税込）")) if w.error()]
            if wrong:  # where, not the message again: that is under the line
                out.append(f"{r.number}行目の{'と'.join(wrong)}を確かめてください（その行の下に説明があります）")
            elif not r.quantity.is_ok():
                out.append(f"{r.number}行目の「数量」を入力してください（1以上）")
        return out

    def lines(self) -> list[dict]:
        return [r.to_line() for r in self._rows if r.price.value() is not None] + [
            self._line_of(ln) for ln in self._pending]

    def lines_at_zero(self) -> list[dict]:
        """Every line, one without a price at 0円 (what the engine says of an item as soon as it is chosen)."""
        return [r.to_line() for r in self._rows] + [self._line_of(ln) for ln in self._pending]

    def raw_lines(self) -> list[dict]:
        """Every line as typed, in the shape load_rows() reads (a pending line as it came)."""
        return [r.raw_line() for r in self._rows] + [dict(ln) for ln in self._pending]

    def unpriced(self) -> bool:
        """Some row without a price (a suggestion not taken, or a line being typed)."""
        return any(r.price.value() is None for r in self._rows)

    def set_notes(self, reasons: list[list[str]]) -> None:
        """Each line's reasons beside it (a line still pending gets its reasons when it becomes a row)."""
        self._notes = reasons
        for row, why in zip(self._rows, reasons, strict=False):
            row.set_note(why)

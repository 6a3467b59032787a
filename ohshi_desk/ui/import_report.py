"""取り込み結果: shown after a vendor's workbook is opened — what changed since the estimate (per program) and what
could not be read as it stands (sheet, row, column, what was done). Every word and figure comes from core."""

from __future__ import annotations

from ohshi_desk.core.base.formatting import yen

from . import plain, qt
from .plain import label as plain_label


class ImportReport(qt.QDialog):
    """Headed by what each part holds: the changes read into the estimate (読み取った変更), what was read in a way the
    notice says (読み方を決めて読んだところ) and what was left out (読まなかった記入). Sized to the screen's free area
    (150 % on 1366×768 included): 閉じる is always on screen."""

    def __init__(self, changes: list[dict], notices: list, parent=None):
        from ohshi_desk.core.workbook.read_cells import NOTICE_HEADINGS

        super().__init__(parent)
        self.setWindowTitle("取り込み結果")
        lay = qt.QVBoxLayout(self)
        head = plain_label("業者から戻ったファイルを読み込みました。読み取った変更と、読まなかった記入を確かめてください。")
        head.setWordWrap(True)
        lay.addWidget(head)
        read = NOTICE_HEADINGS["read"]
        lay.addWidget(plain_label(f"{read}: 見積りからの変更（{len(changes)}件の補助制度）" if changes
                                  else f"{read}: 見積りからの変更はありません"))
        self.changes = qt.QTreeWidget()
        self.changes.setHeaderLabels(["補助制度・行", "見積り → いま"])
        self.changes.setAccessibleName(f"{read}（見積りからの変更）")
        for c in changes:
            top = qt.QTreeWidgetItem([c["name"], f"{yen(c['before'])} → {yen(c['after'])}"])
            top.setToolTip(0, plain.tip(c["name"]))
            for ch in c["changes"]:
                child = qt.QTreeWidgetItem([ch["line"], ch["text"]])
                child.setToolTip(1, plain.tip(ch["text"]))
                top.addChild(child)
            self.changes.addTopLevelItem(top)
            top.setExpanded(True)
        self.changes.setColumnWidth(0, 320)
        lay.addWidget(self.changes, 3)
        self.notices = self._notice_list(lay, NOTICE_HEADINGS["unread"], [n for n in notices if n.unread])
        self.noted = self._notice_list(lay, NOTICE_HEADINGS["noted"], [n for n in notices if not n.unread])
        buttons = qt.QDialogButtonBox(qt.QDialogButtonBox.StandardButton.Close)
        buttons.button(qt.QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._fit(980, 600)

    def _notice_list(self, lay, heading: str, notices: list):
        lay.addWidget(plain_label(f"{heading}（{len(notices)}件）" if notices else f"{heading}: ありません"))
        box = qt.QListWidget()  # one wrapped entry each: where, what, and what was done
        box.setAccessibleName(heading)
        box.setWordWrap(True)
        box.setResizeMode(qt.QListView.ResizeMode.Adjust)
        box.setAlternatingRowColors(True)
        for n in notices:
            box.addItem(f"{n.place()}\n　{n.problem}\n　→ {n.action}")
        if not notices:
            box.setMaximumHeight(box.fontMetrics().height() * 2)
        lay.addWidget(box, 2)
        return box

    def texts(self) -> list[str]:
        """Every notice shown, 読まなかった記入 first."""
        return [box.item(i).text() for box in (self.notices, self.noted) for i in range(box.count())]

    def _fit(self, width: int, height: int) -> None:
        """The wished size, clamped to the free area of the screen (less a title bar and borders)."""
        screen = (self.parent().screen() if self.parent() is not None else None) or qt.QApplication.primaryScreen()
        if screen is None:
            self.resize(width, height)
            return
        avail = screen.availableGeometry()
        self.setMinimumSize(0, 0)
        self.resize(min(width, avail.width() - 24), min(height, avail.height() - 48))


def show_import_report(parent, case, rules, as_of) -> ImportReport | None:
    """Open the report (window-modal, not blocking) when a workbook brought changes or notices; None otherwise."""
    from ohshi_desk.core.compute.changes import changes_since_estimate

    if case.estimate is None and not case.notices:
        return None
    changes = changes_since_estimate(case, rules, as_of)
    if not changes and not case.notices:
        return None
    dialog = ImportReport(changes, case.notices, parent)
    dialog.open()
    return dialog

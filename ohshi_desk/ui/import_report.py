"""取り込み結果: shown after a vendor's workbook is opened — what changed since the estimate (per program) and what
could not be read as it stands (sheet, row, column, what was done). Every word and figure comes from core."""

from __future__ import annotations

from ..core.formatting import yen
from . import plain, qt
from .plain import label as plain_label


class ImportReport(qt.QDialog):
    def __init__(self, changes: list[dict], notices: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("取り込み結果")
        self.resize(980, 600)
        lay = qt.QVBoxLayout(self)
        head = plain_label("業者から戻ったファイルを読み込みました。見積りからの変更と、読み取れなかったところを確かめてください。")
        head.setWordWrap(True)
        lay.addWidget(head)
        lay.addWidget(plain_label(f"見積りからの変更（{len(changes)}件の補助制度）" if changes else "見積りからの変更: ありません"))
        self.changes = qt.QTreeWidget()
        self.changes.setHeaderLabels(["補助制度・行", "見積り → いま"])
        self.changes.setAccessibleName("見積りからの変更")
        for c in changes:
            top = qt.QTreeWidgetItem([c["name"], f"{yen(c['before'])} → {yen(c['after'])}"])
            top.setToolTip(0, plain.tip(c["name"]))
            for ch in c["changes"]:
                child = qt.QTreeWidgetItem([ch["line"], ch["text"]])
                child.setToolTip(1, plain.tip(ch["text"]))
                top.addChild(child)
            self.changes.addTopLevelItem(top)
            top.setExpanded(True)
        self.changes.setColumnWidth(0, 420)
        lay.addWidget(self.changes, 3)
        lay.addWidget(plain_label(f"読み取れなかったところ（{len(notices)}件）" if notices else "読み取れなかったところ: ありません"))
        self.notices = qt.QListWidget()  # one wrapped entry each: where, what, and what was done
        self.notices.setAccessibleName("読み取れなかったところ")
        self.notices.setWordWrap(True)
        self.notices.setResizeMode(qt.QListView.ResizeMode.Adjust)
        self.notices.setAlternatingRowColors(True)
        for n in notices:
            self.notices.addItem(f"{n.place()}\n　{n.problem}\n　→ {n.action}")
        lay.addWidget(self.notices, 2)
        buttons = qt.QDialogButtonBox(qt.QDialogButtonBox.StandardButton.Close)
        buttons.button(qt.QDialogButtonBox.StandardButton.Close).setText("閉じる")
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def show_import_report(parent, case, rules, as_of) -> ImportReport | None:
    """Open the report (window-modal, not blocking) when a workbook brought changes or notices; None otherwise."""
    from ..core.changes import changes_since_estimate

    if case.estimate is None and not case.notices:
        return None
    changes = changes_since_estimate(case, rules, as_of)
    if not changes and not case.notices:
        return None
    dialog = ImportReport(changes, case.notices, parent)
    dialog.open()
    return dialog

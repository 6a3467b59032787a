"""利用状況: the usage figures the 2024 programs need."""

from __future__ import annotations

from ohshi_desk.core.case.fields import section

from ..plain import label as plain_label
from ..qt import (
    QHBoxLayout,
)
from ..widgets import ERROR_RED, Form, count_edit, percent_edit, tint, wrap_label
from .base import Field, FieldTable, LazyPage, scrolled

# the usage inputs as declared in core/fields.py (label, unit, type): one list for the case, the page and the methods
USAGE_FIELDS = tuple(Field(f.name, f.name, f.type, f.label, unit=f.unit) for f in section("usage"))


class UsagePage(FieldTable, LazyPage):
    STEP = 3  # in the step bar: the place of 購入予定, named as this page
    STEP_NAME = "④利用状況"
    FIELDS = USAGE_FIELDS

    def _build(self):
        wizard = self.w
        lay = scrolled(self, "利用状況（2024年の制度）",
                       "医療機関等向け総合ポータルサイトのプロフィールで確認できる数字です。分からない欄は空欄でかまいません。")
        form = Form()
        self.edits = {}
        for f in self.FIELDS:
            edit = percent_edit(f.label) if f.kind == "percent" else count_edit(f.label, minimum=0)
            edit.validityChanged.connect(self._complete_changed)
            edit.textChanged.connect(wizard.mark_changed)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(plain_label(f.unit))
            # one line each: a wrapped label broke 利用件数 inside its word (利/用件数) at 150 %; the longest label
            # fits on one line beside its field at 150 % on a 1366-wide screen
            form.addRow(plain_label(f.label), row)
            self.edits[f.key] = edit
            setattr(self, f.attr, edit)
        lay.addLayout(form)
        self.errors = wrap_label()
        tint(self.errors, ERROR_RED)
        lay.addWidget(self.errors)
        lay.addStretch(1)

    def blockers(self) -> list[str]:
        return [e.error() for e in self.edits.values() if e.error()]

    def complete(self) -> bool:
        errs = [e.error() for e in self.edits.values() if e.error()]
        self.errors.setText("\n".join(errs))  # one message a line
        return not errs

    def load(self, usage: dict) -> None:
        self.ensure_built()
        self.fields_load(usage)

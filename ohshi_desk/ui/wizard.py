"""The reception wizard: 施設 → カードリーダー → やりたいこと → 購入・改修の予定 → (利用状況) → 結果.

It gathers the case, hands it to ``core.engine.compute`` and shows what comes back. No subsidy logic here.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWizard

from ..core.clock import today
from .pages import (
    FACILITY,
    GOALS,
    PLANS,
    READER,
    RESULT,
    USAGE,
    FacilityPage,
    GoalsPage,
    PlansPage,
    ReaderPage,
    ResultPage,
    UsagePage,
)

FORMAT = "ohshi-desk-case/1"  # as core.case.FORMAT; the case module itself is loaded when first needed
FACILITY_KEYS = ("name", "kind", "institution_code", "prefecture", "municipality", "obligation_exempt",
                 "checkup_provider")
READER_KEYS = ("maker", "model", "units", "free_units")
AUTOSAVE_FORMAT = "ohshi-desk-autosave/1"
AUTOSAVE_DELAY_MS = 400


class OhshiWizard(QWizard):
    def __init__(self, rules, parent=None):
        super().__init__(parent)
        self.rules = rules
        self.as_of: _dt.date | None = None
        self.raw: dict = {}  # the case as last opened: unknown keys survive a save
        self.dirty = False
        self.path: Path | None = None
        self.settings = QSettings("ohshi-desk", "ohshi-desk")
        self.setWindowTitle("ohshi-desk — オンライン資格確認の補助金 見積り")
        # The same look on every system: left to itself, QWizard takes Windows' 'Aero' look there (its Back button
        # up in the title bar, fixed white colours), unlike the screens shown in the manual and tested here.
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        opt = QWizard.WizardOption  # all at once: each setOption lays the buttons out again
        self.setOptions(self.options() | opt.NoBackButtonOnStartPage | opt.HaveCustomButton1 | opt.HaveCustomButton2)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "開く(&O)…")
        self.setButtonText(QWizard.WizardButton.CustomButton2, "保存(&S)…")
        self.setButtonLayout([QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2,
                              QWizard.WizardButton.Stretch, QWizard.WizardButton.BackButton,
                              QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
                              QWizard.WizardButton.CancelButton])
        self.customButtonClicked.connect(self._custom_button)
        from PySide6.QtCore import QTimer

        self.autosave_enabled = False  # switched on by the app once a recovery question has been answered
        self.ask_before_close = True  # tests that close windows by the dozen switch this off
        self.remember_size = True  # the window's size is kept for the next start (not by --smoke or tools)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._autosave_tick)
        self.currentIdChanged.connect(self.mark_changed)
        self.facility_page = FacilityPage(self)
        self.reader_page = ReaderPage(self)
        self.goals_page = GoalsPage(self)
        self.plans_page = PlansPage(self)
        self.usage_page = UsagePage(self)
        self.result_page = ResultPage(self)
        for pid, page in ((FACILITY, self.facility_page), (READER, self.reader_page), (GOALS, self.goals_page),
                          (PLANS, self.plans_page), (USAGE, self.usage_page), (RESULT, self.result_page)):
            self.setPage(pid, page)
        self.setStartId(FACILITY)
        self.resize(self.settings.value("window/size", None) or self._default_size())
        self.dirty = False

    def _default_size(self):
        from PySide6.QtCore import QSize

        return QSize(1000, 700)

    # ------------------------------------------------------------------ flow
    def goals(self) -> list[str]:
        return self.goals_page.chosen()

    def _needs_usage(self) -> bool:
        return any(self.rules.program(pid).uses_usage for pid in self.goals())

    def _needs_plans(self) -> bool:
        return any(self.rules.program(pid).purchases for pid in self.goals())

    def nextId(self) -> int:
        cur = self.currentId()
        if cur == GOALS:
            return PLANS if self._needs_plans() else (USAGE if self._needs_usage() else RESULT)
        if cur == PLANS:
            return USAGE if self._needs_usage() else RESULT
        if cur == USAGE:
            return RESULT
        if cur == RESULT:
            return -1
        return super().nextId()

    def mark_changed(self, *_a) -> None:
        self.dirty = True
        if self.autosave_enabled:
            self._autosave_timer.start()

    # ------------------------------------------------------------------ autosave
    def snapshot(self) -> dict:
        """Everything on screen, as typed (even a price that does not parse yet), and the page shown."""
        snap = {"format": AUTOSAVE_FORMAT, "page": self.currentId(), "raw": self.raw,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "path": str(self.path) if self.path else None,
                "facility": self.facility_page.raw_data()}
        if self.reader_page._built:
            snap["reader"] = self.reader_page.raw_data()
        if self.goals_page._built:
            snap["goals"] = self.goals_page.chosen()
        if self.plans_page._built:
            snap["plans"] = {pid: self.plans_page.raw_plan(pid) for pid in self.plans_page.editors}
        if self.usage_page._built:
            snap["usage"] = self.usage_page.raw_data()
        return snap

    def restore(self, snap: dict) -> None:
        """Put a snapshot back on screen, page included."""
        if snap.get("format") != AUTOSAVE_FORMAT:
            raise ValueError("not an autosave")
        self.raw = snap.get("raw") or {}
        self.as_of = _dt.date.fromisoformat(snap["as_of"]) if snap.get("as_of") else None
        self.path = Path(snap["path"]) if snap.get("path") else None
        self.facility_page.load(snap["facility"])
        if "reader" in snap:
            self.reader_page.load(snap["reader"])
        if "goals" in snap:
            self.goals_page.set_chosen(snap["goals"])
        for pid, plan in (snap.get("plans") or {}).items():
            self.plans_page.load_plan(pid, plan)
        if "usage" in snap:
            self.usage_page.load(snap["usage"])
        self.restart()
        target = snap.get("page", 0)
        while self.currentId() != target and self.currentId() != -1:
            before = self.currentId()
            if not self.currentPage().isComplete():
                break
            self.next()
            if self.currentId() == before:
                break
        self.dirty = True

    def _autosave_tick(self) -> None:  # a slot must return None (see widgets.LineRow)
        self.autosave_now()

    def autosave_now(self) -> bool:
        """Write the snapshot atomically to the app-data folder. Never raises: autosave must not break the app."""
        import json
        import logging

        from ..core.atomic import atomic_write_bytes
        from ..core.paths import autosave_path

        self._autosave_timer.stop()
        try:
            data = json.dumps(self.snapshot(), ensure_ascii=False).encode("utf-8")
            atomic_write_bytes(autosave_path(), data)
            return True
        except Exception:  # noqa: BLE001 - a full disk or a bad path must not take the user's work down with it
            logging.getLogger(__name__).exception("autosave failed")
            return False

    def discard_autosave(self) -> None:
        from ..core.paths import autosave_path

        self._autosave_timer.stop()
        try:
            autosave_path().unlink()
        except OSError:
            pass

    def _confirm_close(self) -> bool:
        """Closing with work not saved to a file asks first. True when the window may close."""
        if self.dirty and self.ask_before_close:
            from PySide6.QtWidgets import QMessageBox

            answer = QMessageBox.question(
                self, "終了の確認", "入力した内容はまだファイルに保存されていません。\n保存してから終了しますか。",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save:
                self.save_dialog()
                if self.dirty:
                    return False  # not saved after all: stay open
        self.discard_autosave()
        return True

    def reject(self) -> None:  # Cancel, Esc and the window's × all come here
        if self._confirm_close():
            super().reject()

    def accept(self) -> None:  # 完了
        if self._confirm_close():
            super().accept()

    # ------------------------------------------------------------------ the case
    def case_data(self) -> dict:
        """The case in the CASE_FORMAT shape, from what the pages hold. Skipped pages do not feed it."""
        import copy

        data = copy.deepcopy(self.raw)
        data["format"] = FORMAT
        data.pop("as_of", None)
        if self.as_of:
            data["as_of"] = self.as_of.isoformat()
        fac = {k: v for k, v in data.get("facility", {}).items() if k not in FACILITY_KEYS}
        fac.update(self.facility_page.to_data())
        data["facility"] = fac
        fr = {k: v for k, v in data.get("face_reader", {}).items() if k not in READER_KEYS}
        fr.update(self.reader_page.to_data())
        data["face_reader"] = fr
        goals = self.goals()
        if self._needs_usage():
            usage = {k: v for k, v in data.get("usage", {}).items() if k not in dict.fromkeys(
                ("oct2023_receipts", "oct2023_rate_percent", "oct2023_users", "best_month_users_2024",
                 "peak_monthly_uses"))}
            usage.update(self.usage_page.to_data())
            data["usage"] = usage
        else:
            data.pop("usage", None)
        old_plans = data.get("plans", {})
        plans = {}
        for pid in goals:
            program = self.rules.program(pid)
            plan = {k: v for k, v in old_plans.get(pid, {}).items()
                    if k not in ("lines", "option", "prior_subsidy", "receipt_system_done_before")}
            if program.purchases:
                plan.update(self.plans_page.plan_data(pid))
            plans[pid] = plan
        data["plans"] = plans
        return data

    def case(self):
        from ..core.case import parse_case

        return parse_case(self.case_data(), self.rules)

    def applicability(self) -> dict:
        data = {"format": FORMAT, "facility": self.facility_page.to_data(), "face_reader": self.reader_page.to_data()}
        if data["facility"].get("kind") is None:
            data["facility"]["kind"] = self.rules.assumed_kind or next(iter(self.rules.kinds))
        from ..core.case import parse_case
        from ..core.engine import applicability

        return applicability(parse_case(data, self.rules), self.rules, self.as_of)

    def compute(self, day: _dt.date) -> dict:
        from ..core.engine import compute

        return compute(self.case(), self.rules, day)

    def load_case_data(self, data: dict) -> None:
        """Fill the pages from a checked case (the dict of a case file)."""
        from ..core.case import parse_case

        parse_case(data, self.rules)  # raises CaseError before anything on screen changes
        import copy

        self.raw = copy.deepcopy(data)
        self.as_of = _dt.date.fromisoformat(data["as_of"]) if data.get("as_of") else None
        self.facility_page.load(data.get("facility", {}))
        self.reader_page.load(data.get("face_reader", {}))
        self.usage_page.load(data.get("usage", {}) or {})
        plans = data.get("plans", {})
        goals = set(plans)
        if data.get("usage") and not any(self.rules.program(pid).uses_usage for pid in goals):
            goals |= {p.id for p in self.rules.programs if p.uses_usage and not p.purchases}
        self.goals_page.set_chosen(goals)
        for pid, plan in plans.items():
            self.plans_page.load_plan(pid, plan)
        self.restart()
        self.dirty = False

    # ------------------------------------------------------------------ files
    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.open_dialog()
        elif which == QWizard.WizardButton.CustomButton2.value:
            self.save_dialog()

    def _last_dir(self) -> str:
        return str(self.settings.value("files/last_dir", str(Path.home())))

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _f = QFileDialog.getOpenFileName(self, "ケースを開く", self._last_dir(),
                                               "ohshi-desk のファイル (*.ohshi.json *.json *.xlsx);;すべてのファイル (*)")
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from ..core.case import CaseError
        from ..core.xlsx_read import read_any

        try:
            case = read_any(path, self.rules)
            self.load_case_data(case.raw)
        except CaseError as exc:
            QMessageBox.warning(self, "開けませんでした", f"{exc}\n\nいま入力中の内容はそのまま残っています。")
            return False
        self.path = Path(path)
        self.settings.setValue("files/last_dir", str(self.path.parent))
        return True

    def save_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        if self.facility_page.kind.currentData() is None:
            QMessageBox.information(self, "保存", "施設の種類を選んでから保存してください。")
            return
        name = self.facility_page.name.text().strip() or "ケース"
        suggested = str(Path(self._last_dir()) / f"{name}.ohshi.json")
        path, _f = QFileDialog.getSaveFileName(self, "ケースを保存", suggested, "ohshi-desk ケース (*.ohshi.json)")
        if path:
            self.save_path(path)

    def save_path(self, path) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from ..core.case import CaseError, save_case

        try:
            case = self.case()
            save_case(case, path)
        except (CaseError, OSError) as exc:
            QMessageBox.warning(self, "保存できませんでした",
                                f"{exc}\n\n別の名前か別のフォルダを選んでください。入力した内容はそのまま残っています。")
            return False
        self.path = Path(path)
        self.settings.setValue("files/last_dir", str(self.path.parent))
        self.dirty = False
        return True

    # ------------------------------------------------------------------ Excel
    def export_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        name = self.facility_page.name.text().strip() or "補助金"
        suggested = str(Path(self._last_dir()) / f"{name}_補助金管理表.xlsx")
        path, _f = QFileDialog.getSaveFileName(self, "Excel に書き出す", suggested, "Excel ブック (*.xlsx)")
        if path:
            self.export_path(path)

    def export_path(self, path, *, ask=True) -> Path | None:
        """Write the workbook; when the file is open elsewhere or the folder is read-only, say so and offer another
        name. Returns the path written, or None."""
        from PySide6.QtWidgets import QMessageBox

        from ..core.case import CaseError
        from ..core.xlsx_write import ExportError, export_case

        path = Path(path)
        while True:
            try:
                export_case(self.case(), self.rules, path, self.as_of)
            except ExportError as exc:
                if not ask or exc.suggestion is None:
                    QMessageBox.warning(self, "書き出せませんでした", f"{exc}\n\n入力した内容はそのまま残っています。")
                    return None
                answer = QMessageBox.question(
                    self, "書き出せませんでした",
                    f"{exc}\n\n代わりに「{exc.suggestion}」に書き出しますか。")
                if answer != QMessageBox.StandardButton.Yes:
                    return None
                path = exc.suggestion
                continue
            except CaseError as exc:
                QMessageBox.warning(self, "書き出せませんでした", str(exc))
                return None
            self.settings.setValue("files/last_dir", str(path.parent))
            return path

    # ------------------------------------------------------------------ printing
    def breakdown_html(self) -> str:
        from ..core.print_html import breakdown_html

        bd = self.result_page.breakdown or self.compute(self.as_of or today())
        return breakdown_html(bd, self.facility_page.name.text().strip())

    def print_breakdown(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMenu

        menu = QMenu(self)
        act_print = menu.addAction("印刷…")
        act_pdf = menu.addAction("PDF に保存…")
        chosen = menu.exec(self.result_page.print_button.mapToGlobal(self.result_page.print_button.rect().bottomLeft()))
        if chosen is act_pdf:
            name = self.facility_page.name.text().strip() or "見積り"
            path, _f = QFileDialog.getSaveFileName(self, "PDF に保存", str(Path(self._last_dir()) / f"{name}_見積り.pdf"),
                                                   "PDF (*.pdf)")
            if path:
                self.print_to_pdf(path)
        elif chosen is act_print:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter

            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            self._setup_a4(printer)
            if QPrintDialog(printer, self).exec():
                self._document().print_(printer)

    def _setup_a4(self, printer) -> None:
        from PySide6.QtGui import QPageSize

        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))

    def _document(self):
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setHtml(self.breakdown_html())
        return doc

    def print_to_pdf(self, path) -> None:
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        self._setup_a4(printer)
        self._document().print_(printer)

    def done(self, result: int) -> None:
        if self.remember_size:
            self.settings.setValue("window/size", self.size())
        super().done(result)

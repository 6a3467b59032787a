"""What the wizard does with files: open, save, export to Excel, print and PDF — and the settings it remembers.

Each settings key is declared once below (:class:`Setting`: key, type, default) and read and written only
through it. :class:`FileActions` is mixed into the wizard; it needs ``settings``, ``rules``, ``as_of``, ``path``,
``dirty``, the pages, ``case()``, ``compute()`` and ``load_case_data()``.
"""

from __future__ import annotations

from pathlib import Path

from . import qt


class Setting:
    """One QSettings key: its name, the type its value must have (a Python type, or the name of a Qt class in
    :mod:`.qt`), and a function giving the default. A stored value of another type reads as the default."""

    def __init__(self, key: str, kind: type | str, default):
        self.key, self.kind, self.default = key, kind, default

    def get(self, settings):
        value = settings.value(self.key, None)
        kind = getattr(qt, self.kind) if isinstance(self.kind, str) else self.kind
        return value if isinstance(value, kind) else self.default()

    def set(self, settings, value) -> None:
        settings.setValue(self.key, value)


WINDOW_SIZE = Setting("window/size", "QSize", lambda: qt.QSize(1000, 700))
LAST_DIR = Setting("files/last_dir", str, lambda: str(Path.home()))


class FileActions:
    """Open / save / export / print, with the dialogs and the Japanese messages when something goes wrong."""

    def _last_dir(self) -> str:
        return LAST_DIR.get(self.settings)

    def _remember_dir(self, path: Path) -> None:
        LAST_DIR.set(self.settings, str(path.parent))

    # ------------------------------------------------------------------ case files
    def open_dialog(self) -> None:
        path, _f = qt.QFileDialog.getOpenFileName(
            self, "ケースを開く", self._last_dir(),
            "ohshi-desk のファイル (*.ohshi.json *.json *.xlsx);;すべてのファイル (*)")
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        from ..core.case import CaseError
        from ..core.xlsx_read import read_any

        try:
            case = read_any(path, self.rules)
            data = case.raw
            if "usage" in case.withheld and self.raw.get("usage"):  # the clinic's own figures stay with it
                data = {**data, "usage": self.raw["usage"]}
            self.load_case_data(data)
        except CaseError as exc:
            qt.QMessageBox.warning(self, "開けませんでした", f"{exc}\n\nいま入力中の内容はそのまま残っています。")
            return False
        self.path = Path(path)
        self._remember_dir(self.path)
        from .import_report import show_import_report  # 取り込み結果, after a vendor's workbook

        self.import_report = show_import_report(self, case, self.rules, self.as_of)
        return True

    def save_dialog(self) -> None:
        if self.facility_page.kind.currentData() is None:
            qt.QMessageBox.information(self, "保存", "施設の種類を選んでから保存してください。")
            return
        name = self.facility_page.name.text().strip() or "ケース"
        suggested = str(Path(self._last_dir()) / f"{name}.ohshi.json")
        path, _f = qt.QFileDialog.getSaveFileName(self, "ケースを保存", suggested, "ohshi-desk ケース (*.ohshi.json)")
        if path:
            self.save_path(path)

    def save_path(self, path) -> bool:
        from ..core.case import CaseError, save_case

        try:
            case = self.case()
            save_case(case, path)
        except (CaseError, OSError) as exc:
            qt.QMessageBox.warning(self, "保存できませんでした",
                                   f"{exc}\n\n別の名前か別のフォルダを選んでください。入力した内容はそのまま残っています。")
            return False
        self.path = Path(path)
        self._remember_dir(self.path)
        self.dirty = False
        return True

    # ------------------------------------------------------------------ Excel
    def export_dialog(self) -> None:
        name = self.facility_page.name.text().strip() or "補助金"
        suggested = str(Path(self._last_dir()) / f"{name}_補助金管理表.xlsx")
        path, _f = qt.QFileDialog.getSaveFileName(self, "Excel に書き出す", suggested, "Excel ブック (*.xlsx)")
        if path:
            self.export_path(path)

    def export_path(self, path, *, ask=True) -> Path | None:
        """Write the workbook; when the file is open elsewhere or the folder is read-only, say so and offer another
        name. Returns the path written, or None."""
        from ..core.case import CaseError
        from ..core.xlsx_write import ExportError, export_case

        path = Path(path)
        while True:
            try:
                export_case(self.case(), self.rules, path, self.as_of)
            except ExportError as exc:
                if not ask or exc.suggestion is None:
                    qt.QMessageBox.warning(self, "書き出せませんでした", f"{exc}\n\n入力した内容はそのまま残っています。")
                    return None
                answer = qt.QMessageBox.question(
                    self, "書き出せませんでした",
                    f"{exc}\n\n代わりに「{exc.suggestion}」に書き出しますか。")
                if answer != qt.QMessageBox.StandardButton.Yes:
                    return None
                path = exc.suggestion
                continue
            except CaseError as exc:
                qt.QMessageBox.warning(self, "書き出せませんでした", str(exc))
                return None
            self._remember_dir(path)
            return path

    # ------------------------------------------------------------------ printing
    def breakdown_html(self) -> str:
        from ..core.clock import today
        from ..core.print_html import breakdown_html

        bd = self.result_page.breakdown or self.compute(self.as_of or today())
        return breakdown_html(bd, self.facility_page.name.text().strip())

    def print_breakdown(self) -> None:
        menu = qt.QMenu(self)
        act_print = menu.addAction("印刷…")
        act_pdf = menu.addAction("PDF に保存…")
        button = self.result_page.print_button
        chosen = menu.exec(button.mapToGlobal(button.rect().bottomLeft()))
        if chosen is act_pdf:
            name = self.facility_page.name.text().strip() or "見積り"
            path, _f = qt.QFileDialog.getSaveFileName(self, "PDF に保存", str(Path(self._last_dir()) / f"{name}_見積り.pdf"),
                                                      "PDF (*.pdf)")
            if path:
                self.print_to_pdf(path)
        elif chosen is act_print:
            printer = qt.QPrinter(qt.QPrinter.PrinterMode.HighResolution)
            self._setup_a4(printer)
            if qt.QPrintDialog(printer, self).exec():
                self._document().print_(printer)

    def _setup_a4(self, printer) -> None:
        printer.setPageSize(qt.QPageSize(qt.QPageSize.PageSizeId.A4))

    def _document(self):
        doc = qt.QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setHtml(self.breakdown_html())
        return doc

    def print_to_pdf(self, path) -> None:
        printer = qt.QPrinter(qt.QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(qt.QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        self._setup_a4(printer)
        self._document().print_(printer)

"""What the wizard does with files: open, save, export to Excel, print and PDF — and the settings it remembers.

Each settings key is declared once below (:class:`Setting`: key, type, default) and read and written only
through it. :class:`FileActions` is mixed into the wizard; it needs ``settings``, ``rules``, ``as_of``, ``path``,
``dirty``, the pages, ``case()``, ``compute()`` and ``load_case_data()``.
"""

from __future__ import annotations

from pathlib import Path

from . import plain, qt


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
# the same size in the screen's own pixels: a window kept at 150 % text is as large on the screen at 100 %, not
# two thirds of it (issue 27 point 9: 895×473 came back at 100 % and the first page scrolled)
WINDOW_PIXELS = Setting("window/pixels", "QSize", lambda: None)


def remembered_size(settings, ratio: float):
    """The window's size for the next start at ``ratio`` (the screen's device pixel ratio, 1.5 at 150 %)."""
    pixels = WINDOW_PIXELS.get(settings)
    if pixels is not None and pixels.isValid() and ratio > 0:
        return qt.QSize(round(pixels.width() / ratio), round(pixels.height() / ratio))
    return WINDOW_SIZE.get(settings)


def remember_size(settings, size, ratio: float) -> None:
    WINDOW_SIZE.set(settings, size)
    WINDOW_PIXELS.set(settings, qt.QSize(round(size.width() * ratio), round(size.height() * ratio)))


def documents_dir() -> str:
    """The user's ドキュメント folder (the home folder when the system names none)."""
    return qt.QStandardPaths.writableLocation(qt.QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


LAST_DIR = Setting("files/last_dir", str, documents_dir)  # first start: ドキュメント


class FileActions:
    """Open / save / export / print, with the dialogs and the Japanese messages when something goes wrong."""

    def _last_dir(self) -> str:
        return LAST_DIR.get(self.settings)

    def _remember_dir(self, path: Path) -> None:
        LAST_DIR.set(self.settings, str(path.parent))

    def _on_screen(self) -> dict:
        """The facility as on screen, with the 利用実績 of the case last opened (what a returned workbook lacks)."""
        try:
            facility = self.case_data().get("facility") or {}
        except Exception:  # noqa: BLE001 - a page not built yet: the case as opened
            facility = self.raw.get("facility") or {}
        return {"facility": facility, "usage": self.raw.get("usage")}

    def _file_stem(self, fallback: str) -> str:
        """The start of a suggested file name: the facility name, made safe for a file name (CON, 「/」, 200 characters)."""
        from ohshi_desk.core.base.paths import safe_file_stem

        return safe_file_stem(self.facility_page.name.text(), fallback)

    def _confirm_discard(self) -> bool:
        """Before 開く replaces what is on screen (issue 27 point 6). A window with nothing typed in it opens the file
        at once; otherwise 保存 / 保存しない / やめる, and whichever is chosen the open happens or is called off.
        True: go on."""
        if not self.dirty or not self.has_input():
            return True
        QMessageBox = qt.QMessageBox
        can_save = self.facility_page.kind.currentData() is not None
        text = ("いま入力中の内容はまだファイルに保存されていません。\n"
                "ほかのファイルを開くと、入力中の内容は置き換わります。先に保存しますか。")
        if not can_save:
            text += "\n\n（保存するには、先に「施設の種類」を選んでください。「やめる」で入力に戻れます）"
        box = plain.message("Question", "開く前に", text, self)
        save = box.addButton("保存してから開く(&S)", QMessageBox.ButtonRole.AcceptRole)
        save.setEnabled(can_save)
        discard = box.addButton("保存しないで開く(&D)", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("やめる", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save if can_save else cancel)
        box.setEscapeButton(cancel)
        box.exec()
        if box.clickedButton() is save:
            self.save_dialog()
            if self.dirty:  # the save was called off or failed: so is the open, and it says so
                plain.inform(self, "開くのをやめました", "保存しなかったため、ほかのファイルは開いていません。\n"
                             "入力中の内容はそのまま残っています。")
                return False
            return True
        return box.clickedButton() is discard

    def tell_written(self, path: Path, done: str, *, open_label: str = "") -> None:
        """Say where a file went, with buttons to open its folder (and the file itself)."""
        QMessageBox = qt.QMessageBox
        box = plain.message("Information", done, f"{done}。\n\n保存先: {path}", self)
        folder = box.addButton("フォルダを開く(&F)", QMessageBox.ButtonRole.ActionRole)
        opener = box.addButton(open_label, QMessageBox.ButtonRole.ActionRole) if open_label else None
        close = box.addButton("閉じる", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(close)  # Enter closes the message; opening a folder is a choice (issue 27 point 9)
        self.tell_default = close.text()
        self.last_told = box.text()
        if not self.confirm_files:
            return
        box.exec()
        if box.clickedButton() is folder:
            qt.QDesktopServices.openUrl(qt.QUrl.fromLocalFile(str(path.parent)))
        elif opener is not None and box.clickedButton() is opener:
            qt.QDesktopServices.openUrl(qt.QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------------ case files
    def open_dialog(self) -> None:
        if not self._confirm_discard():
            return
        path, _f = qt.QFileDialog.getOpenFileName(
            self, "ケースを開く", self._last_dir(),
            "ohshi-desk のファイル (*.ohshi.json *.json *.xlsx);;すべてのファイル (*)")
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        from ohshi_desk.core.case.model import CaseError
        from ohshi_desk.core.workbook.read import read_any, with_usage_on_screen

        from .recovery import read_autosave

        snap = read_autosave(path) if str(path).endswith(".json") else None
        if snap is not None:  # an autosave kept aside after a crash: opened like a restore, every field it can
            problems = self.restore(snap)
            if problems:
                plain.inform(self, "自動保存を開きました", "次の項目は復元できなかったため、入力されていた値を示します:\n"
                            + "\n".join(f"・{p}" for p in problems[:20]))
            return True
        try:
            case = read_any(path, self.rules)
            data = with_usage_on_screen(case, self._on_screen())  # the clinic's usage stays with it, and only it
            self.load_case_data(data)
        except CaseError as exc:
            plain.warn(self, "開けませんでした", f"{exc}\n\nいま入力中の内容はそのまま残っています。")
            return False
        except Exception:  # noqa: BLE001 - the screen has been put back; say so rather than crash
            import logging

            logging.getLogger(__name__).exception("open failed")
            plain.warn(self, "開けませんでした", "このファイルを画面に読み込めませんでした。\n\n"
                       "いま入力中の内容はそのまま残っています。")
            return False
        self.path = Path(path)
        self._remember_dir(self.path)
        from .import_report import show_import_report  # 取り込み結果, after a vendor's workbook

        self.import_report = show_import_report(self, case, self.rules, self.as_of)
        self.returned_workbook = self.path.suffix.lower() == ".xlsx"  # 申請の準備 is offered (issue 29)
        return True

    def save_dialog(self) -> None:
        if self.facility_page.kind.currentData() is None:
            plain.inform(self, "保存", "施設の種類を選んでから保存してください。")
            return
        name = self._file_stem("ケース")
        suggested = str(self.path if self.path and self.path.suffix == ".json"
                        else Path(self._last_dir()) / f"{name}.ohshi.json")
        path, _f = qt.QFileDialog.getSaveFileName(self, "ケースを保存", suggested, "ohshi-desk ケース (*.ohshi.json)")
        if path and self.save_path(path):
            self.tell_written(self.path, "保存しました")

    def save_path(self, path) -> bool:
        from ohshi_desk.core.case.model import CaseError, save_case

        try:
            case = self.case()
            save_case(case, path)
        except (CaseError, OSError) as exc:
            from ohshi_desk.core.base.atomic import write_problem

            why = write_problem(exc) if isinstance(exc, OSError) else str(exc)  # a full disk: said in Japanese
            plain.warn(self, "保存できませんでした",
                       f"{why}\n\n別の名前か別のフォルダを選んでください。入力した内容はそのまま残っています。")
            return False
        self.path = Path(path)
        self._remember_dir(self.path)
        self.dirty = False
        return True

    # ------------------------------------------------------------------ Excel
    def export_dialog(self) -> None:
        self.result_page.refresh_if_stale()  # the screen shows the figures the workbook will hold
        name = self._file_stem("補助金")
        suggested = self.free_name(Path(self._last_dir()) / f"{name}_補助金管理表.xlsx")  # never an old one
        path, _f = qt.QFileDialog.getSaveFileName(self, "Excel に書き出す", str(suggested), "Excel ブック (*.xlsx)",
                                                  "", qt.QFileDialog.Option.DontConfirmOverwrite)
        if path and Path(path).exists():
            path = self.ask_over_workbook(Path(path))
        written = self.export_path(path) if path else None
        if written:
            self.tell_written(written, "Excel に書き出しました", open_label="Excel で開く(&O)")

    @staticmethod
    def pick(box):
        """Show a question box; the button pressed (tests answer in its place)."""
        box.exec()
        return box.clickedButton()

    @staticmethod
    def free_name(path: Path) -> Path:
        """``path``, or ``<stem>_2.xlsx``, ``_3`` … when it exists."""
        n, out = 1, path
        while out.exists():
            n += 1
            out = path.with_name(f"{path.stem}_{n}{path.suffix}")
        return out

    def ask_over_workbook(self, path: Path) -> Path | None:
        """A workbook is already there — perhaps the one sent back by a vendor, with their entries: say what would
        be lost; the default is a new name beside it. Returns the path to write, or None (やめる)."""
        QMessageBox = qt.QMessageBox
        other = self.free_name(path)
        box = plain.message("Warning", "同じ名前のファイルがあります",
                            f"「{path.name}」は既にあります。業者が記入して返送した管理表かもしれません。\n"
                            "置き換えると、そのファイルに記入された内容（日付・金額・購入先など）は消えます。\n\n"
                            f"別の名前（「{other.name}」）で書き出しますか。", self)
        new = box.addButton("別の名前で書き出す(&N)", QMessageBox.ButtonRole.AcceptRole)
        replace = box.addButton("置き換える(&R)", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("やめる", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(new)
        self.last_told = box.text()
        answer = self.pick(box)
        if answer is new:
            return other
        return path if answer is replace else None

    def export_path(self, path, *, ask=True) -> Path | None:
        """Write the workbook; when the file is open elsewhere or the folder is read-only, say so and offer another
        name. Returns the path written, or None."""
        from ohshi_desk.core.case.model import CaseError
        from ohshi_desk.core.workbook.write import ExportError, export_case

        path = Path(path)
        while True:
            try:
                export_case(self.case(), self.rules, path, self.as_of, banners=self.output_banners())
            except ExportError as exc:
                if not ask or exc.suggestion is None:
                    plain.warn(self, "書き出せませんでした", f"{exc}\n\n入力した内容はそのまま残っています。")
                    return None
                if not plain.ask(self, "書き出せませんでした", f"{exc}\n\n代わりに「{exc.suggestion}」に書き出しますか。"):
                    return None
                path = exc.suggestion
                continue
            except CaseError as exc:
                plain.warn(self, "書き出せませんでした", str(exc))
                return None
            self._remember_dir(path)
            return path

    # ------------------------------------------------------------------ printing
    def breakdown_html(self) -> str:
        """The printout: inputs, purchase lines, open programs with 次にやること, closed ones as reference."""
        from ohshi_desk.core.base.clock import today
        from ohshi_desk.core.papers.print_sheet import case_sheet_html

        day = self.as_of
        data = self.case_data()  # the pages read once: the breakdown and the maxima ask the same case
        bd = self.result_page.fresh_breakdown() or self.compute(day, data)  # never a breakdown of an earlier day
        maximums = {p["id"]: self.program_maximum(p, day, data) for p in bd["programs"] if not p["lines"]}
        from .prepare_view import prepare_print_section  # 申請の準備, when a returned workbook is open

        return case_sheet_html(data, bd, self.rules, printed_on=today(), maximums=maximums,
                               banners=self.output_banners(),
                               suggestions=[x["text"] for x in getattr(self.result_page, "suggestions", ())]
                               ).replace("</body>", prepare_print_section(self) + "</body>", 1)

    def print_breakdown(self) -> None:
        if self.result_page.fresh_breakdown() is None:  # the case was refused: the page already says which field
            plain.warn(self, "印刷できません", self.result_page.footer.text())
            return
        menu = qt.QMenu(self)
        act_preview = menu.addAction("印刷プレビュー(&V)…")
        act_print = menu.addAction("印刷…")
        act_pdf = menu.addAction("PDF に保存…")
        button = self.result_page.print_button
        chosen = menu.exec(button.mapToGlobal(button.rect().bottomLeft()))
        if chosen is act_pdf:
            self.pdf_dialog()
        elif chosen is act_preview:
            self.print_preview().exec()
        elif chosen is act_print:
            self.print_dialog()

    def pdf_dialog(self, parent=None) -> None:
        """「PDF に保存…」: asks where, writes the printout there and says so."""
        name = self._file_stem("見積り")
        path, _f = qt.QFileDialog.getSaveFileName(parent or self, "PDF に保存",
                                                  str(Path(self._last_dir()) / f"{name}_見積り.pdf"), "PDF (*.pdf)")
        if path:
            self.print_to_pdf(path)
            self.tell_written(Path(path), "PDF に保存しました", open_label="PDF を開く(&O)")

    def print_dialog(self, parent=None) -> None:
        """「印刷…」: the system's print dialog, then the printout (A4)."""
        printer = qt.QPrinter(qt.QPrinter.PrinterMode.HighResolution)
        self._setup_a4(printer)
        if qt.QPrintDialog(printer, parent or self).exec():
            self._document().print_(printer)

    def print_preview(self):
        """The print preview (A4), returned unopened: as large as the window, the page fitted to its width, with
        「印刷…」, 「PDF に保存…」 and 「閉じる」 as labelled buttons under it (issue 27 point 8: at 150 % Qt's own
        print button was hidden behind 「››」 and the page showed at 24 %)."""
        printer = qt.QPrinter(qt.QPrinter.PrinterMode.HighResolution)
        self._setup_a4(printer)
        dialog = qt.QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle("印刷プレビュー")
        dialog._ohshi_printer = printer  # the dialog does not own its printer: kept alive with it
        dialog.paintRequested.connect(self._paint_preview)
        view = dialog.findChild(qt.QPrintPreviewWidget)
        view.setZoomMode(qt.QPrintPreviewWidget.ZoomMode.FitToWidth)
        dialog.preview_view = view
        row = qt.QHBoxLayout()
        for text, name, slot in (("印刷(&P)…", "print_button", lambda: self.print_dialog(dialog)),
                                 ("PDF に保存(&D)…", "pdf_button", lambda: self.pdf_dialog(dialog))):
            button = qt.QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            row.addWidget(button)
            setattr(dialog, name, button)
        row.addStretch(1)
        close = qt.QPushButton("閉じる")
        close.setAutoDefault(False)
        close.clicked.connect(dialog.reject)
        row.addWidget(close)
        dialog.layout().addLayout(row)
        dialog.resize(self.size().expandedTo(qt.QSize(640, 480)))  # fitted to the screen like the window
        return dialog

    def _paint_preview(self, printer) -> None:
        self.preview_pages = getattr(self, "preview_pages", 0) + 1
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

"""申請の準備 (issue 29): after a vendor's workbook is opened — per program ready or not with every reason, the
総事業費 to type and the 補助金申請額 the portal should show, the papers and their state, the scans picked per
receipt, and one PDF per program written. Every word and figure comes from core (core/prepare.py and the rules);
this window only shows them and asks for files."""

from __future__ import annotations

from pathlib import Path

from ohshi_desk.core.base.formatting import yen

from . import plain, qt
from .plain import label as plain_label

SCAN_FILTER = "領収書のスキャン (*.pdf *.jpg *.jpeg *.png *.PDF *.JPG *.JPEG *.PNG);;すべてのファイル (*)"


def _wrapped(text: str, *, color: str | None = None, bold: bool = False):
    lab = plain_label(text)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(qt.Qt.TextInteractionFlag.TextSelectableByMouse)
    if color:
        pal = lab.palette()
        pal.setColor(qt.QPalette.ColorRole.WindowText, qt.QColor(color))
        lab.setPalette(pal)
    if bold:
        font = lab.font()
        font.setBold(True)
        lab.setFont(font)
    return lab


class PrepareDialog(qt.QDialog):
    """The 申請の準備 window: opened from the result page (or right after a returned workbook is read)."""

    def __init__(self, wizard, parent=None):
        super().__init__(parent or wizard)
        self.w = wizard
        self.setWindowTitle("申請の準備")
        self.scans: dict[str, dict[str, list]] = {}  # {program id: {receipt key: [Scan]}}
        self.last_written: list = []
        screen = (parent or wizard).screen().availableGeometry() if (parent or wizard).screen() else None
        width, height = (min(1000, screen.width() - 40), min(700, screen.height() - 60)) if screen else (1000, 700)
        self.resize(width, height)
        lay = qt.QVBoxLayout(self)
        head = _wrapped("業者から戻った管理表をもとに、制度ごとに申請できるかを確かめます。領収書のスキャン（PDF・JPEG・PNG）を"
                        "選ぶと、ポータルサイトにアップロードする1つのPDFを制度ごとに作ります。")
        lay.addWidget(head)
        self.area = qt.QScrollArea()
        self.area.setWidgetResizable(True)
        lay.addWidget(self.area, 1)
        buttons = qt.QHBoxLayout()
        self.write_button = qt.QPushButton("申請用のPDFを書き出す(&W)…")
        self.write_button.clicked.connect(self.write_dialog)
        buttons.addWidget(self.write_button)
        buttons.addStretch(1)
        close = qt.QPushButton("閉じる")
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.refresh()

    # ------------------------------------------------------------------ the verdict
    def compute(self):
        from ohshi_desk.core.papers.prepare import prepare

        case = self.w.case()
        breakdown = self.w.compute(self.w.day())
        scans = {pid: {k: [s.path for s in v] for k, v in per.items()} for pid, per in self.scans.items()}
        return case, prepare(case, self.w.rules, breakdown, scans)

    def refresh(self) -> None:
        from ohshi_desk.core.case.model import CaseError
        from ohshi_desk.core.papers.prepare_sheet import verdict_text

        body = qt.QWidget()
        col = qt.QVBoxLayout(body)
        self.boxes = {}
        try:
            self.case_now, self.preps = self.compute()
        except CaseError as exc:
            self.case_now, self.preps = None, []
            col.addWidget(_wrapped(f"入力に直すところがあるため、申請の準備を確かめられません: {exc}", color="#b71c1c"))
        for prep in self.preps:
            box = qt.QGroupBox(f"{prep.name}")
            box.setAccessibleName(f"申請の準備: {prep.short_name}")
            inner = qt.QVBoxLayout(box)
            ok = prep.ready
            verdict = _wrapped(("✔ " if ok else "✖ " if prep.applies else "") + verdict_text(prep),
                               color="#1b5e20" if ok else "#b71c1c" if prep.applies else None, bold=True)
            verdict.setAccessibleName(f"{prep.short_name}の判定")
            inner.addWidget(verdict)
            self.boxes[prep.program_id] = box
            box.verdict = verdict
            if not prep.applies:
                inner.addWidget(_wrapped(prep.note))
                col.addWidget(box)
                continue
            figures = _wrapped(f"{prep.total_label}に {yen(prep.total)} と入力すると、{prep.subsidy_label}は "
                               f"{yen(prep.subsidy)} と表示されるはずです", bold=True)
            figures.setAccessibleName(f"{prep.short_name}の総事業費と補助金申請額")
            inner.addWidget(figures)
            inner.addWidget(_wrapped(prep.if_other, color="#555555"))
            if prep.reasons:
                reasons = _wrapped("\n".join(f"・{r}" for r in prep.reasons), color="#b71c1c")
                reasons.setAccessibleName(f"{prep.short_name}の申請できない理由")
                inner.addWidget(reasons)
                box.reasons = reasons
            papers = qt.QTreeWidget()
            papers.setHeaderLabels(["書類", "いまの状態"])
            papers.setRootIsDecorated(False)
            papers.setAccessibleName(f"{prep.short_name}の書類")
            for paper in prep.papers:
                item = qt.QTreeWidgetItem([paper.label, paper.state_text])
                item.setToolTip(0, plain.tip(paper.label))
                papers.addTopLevelItem(item)
            papers.setColumnWidth(0, 360)
            papers.setMinimumHeight(papers.sizeHintForRow(0) * (len(prep.papers) + 1) + 12 if prep.papers else 40)
            papers.setMaximumHeight(papers.minimumHeight() + 8)
            inner.addWidget(papers)
            for r in prep.receipts:
                row = qt.QHBoxLayout()
                picked = self.scans.get(prep.program_id, {}).get(r.key, [])
                amount = yen(r.amount) if r.amount is not None else "未記入"
                text = (f"{r.shown}: 領収書の金額 {amount}・内訳書の総額 {yen(r.total)}　スキャン: "
                        + ("、".join(s.path.name for s in picked) if picked else "まだ選んでいません"))
                row.addWidget(_wrapped(text), 1)
                pick = qt.QPushButton("スキャンを選ぶ…")
                pick.setAccessibleName(f"{r.shown}の領収書のスキャンを選ぶ")
                pick.clicked.connect(lambda _c=False, p=prep.program_id, k=r.key, s=r.shown: self.pick_scans(p, k, s))
                row.addWidget(pick)
                inner.addLayout(row)
            col.addWidget(box)
        col.addStretch(1)
        self.area.setWidget(body)
        self.write_button.setEnabled(any(p.applies and p.receipts for p in self.preps))

    # ------------------------------------------------------------------ scans
    def pick_scans(self, program_id: str, key: str, shown: str) -> None:
        paths, _f = qt.QFileDialog.getOpenFileNames(self, f"{shown}の領収書のスキャンを選ぶ", self.w._last_dir(),
                                                   SCAN_FILTER)
        if paths:
            self.set_scans(program_id, key, paths)

    def set_scans(self, program_id: str, key: str, paths) -> bool:
        """Check every file picked for one receipt; one that cannot be used is said (naming it) and none is taken."""
        from ohshi_desk.core.papers.prepare_files import ScanError, check_scan

        try:
            checked = [check_scan(p) for p in paths]
        except ScanError as exc:
            plain.warn(self, "このファイルは使えません", f"{exc}\n\nほかのファイルはそのままです。")
            return False
        self.scans.setdefault(program_id, {})[key] = checked
        self.refresh()
        return True

    # ------------------------------------------------------------------ the file
    def write_dialog(self) -> None:
        folder = qt.QFileDialog.getExistingDirectory(self, "申請用のPDFを書き出すフォルダ", self.w._last_dir())
        if folder:
            self.write_to(Path(folder))

    def write_to(self, folder: Path, *, ask=True) -> list:
        """Make every program's file in memory, ask before replacing one, then write them (each atomically)."""
        from ohshi_desk.core.base.clock import today
        from ohshi_desk.core.papers.prepare_files import ScanError, existing, make_program_file, target_of, write_files

        from .pdf_render import QtRenderer

        if self.case_now is None:
            return []
        wanted = [p for p in self.preps if p.applies and p.receipts]
        targets = [target_of(folder, p, self.case_now, self.scans.get(p.program_id, {})) for p in wanted]
        there = existing(targets)
        if there and not (ask and plain.ask(self, "上書きしますか", "次のファイルは既にあります。上書きしますか。\n\n"
                                            + "\n".join(t.name for t in there))):
            return []
        not_ready = [p.short_name for p in wanted if not p.ready]
        try:
            renderer = QtRenderer()
            made = [make_program_file(folder, p, self.case_now, self.w.rules, self.scans.get(p.program_id, {}),
                                      renderer, today()) for p in wanted]
            write_files(made, overwrite=True)
        except ScanError as exc:
            plain.warn(self, "書き出せませんでした", f"{exc}\n\n何も書き出していません。")
            return []
        except OSError as exc:
            from ohshi_desk.core.base.atomic import write_problem

            plain.warn(self, "書き出せませんでした", f"{write_problem(exc)}\n\n何も書き出していません。")
            return []
        self.last_written = made
        lines = [f"・{f.path.name}" + (f"（{f.pages}ページ）" if f.kind == "pdf" else "（ZIP）") for f in made]
        lines += [f"注意: {f.why_zip}" for f in made if f.why_zip]
        if not_ready:
            lines.append("「（準備中）」のファイルは、まだ申請に使わないでください（理由は表紙にあります）: " + "、".join(not_ready))
        self.told = "\n".join(lines)
        if ask:
            plain.inform(self, "書き出しました", f"{folder} に書き出しました。\n\n{self.told}")
        return made


def open_prepare(wizard) -> PrepareDialog:
    """Open the 申請の準備 window (window-modal, not blocking)."""
    dialog = PrepareDialog(wizard)
    wizard.prepare_view = dialog
    dialog.open()
    return dialog


def offered(wizard) -> bool:
    """申請の準備 is offered once a vendor's workbook has been opened — or the case holds what one brought back
    (a 様式2 vendor block or 必要書類's entries: a saved or autosaved case of it)."""
    if getattr(wizard, "returned_workbook", False):
        return True
    raw = getattr(wizard, "raw", None) or {}
    plans = raw.get("plans") if isinstance(raw.get("plans"), dict) else {}
    return bool(raw.get("documents")) or any(isinstance(p, dict) and p.get("receipts") for p in plans.values())


def prepare_print_section(wizard) -> str:
    """The 申請の準備 part of the print, when a returned workbook is open; "" otherwise."""
    from ohshi_desk.core.case.model import CaseError
    from ohshi_desk.core.papers.prepare import prepare
    from ohshi_desk.core.papers.prepare_sheet import prepare_print_html

    if not offered(wizard):
        return ""
    try:
        preps = prepare(wizard.case(), wizard.rules, wizard.compute(wizard.day()))
    except CaseError:
        return ""
    return prepare_print_html(preps)

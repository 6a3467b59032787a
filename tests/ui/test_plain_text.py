"""Text the app did not write is shown as plain text, never as Qt rich text (issue 23 point 1, the blocker).

Markup is fed through every way text reaches the screen — a case file, the autosave's 「前回の入力」 question, a
vendor's workbook (its sheets and the hidden sheet ``ohshi-desk-workbook``), a rules pack's labels and help texts,
and file names — and then every QLabel, message box, tooltip and rich-text view is walked: none may show that text
in rich-text mode. The proof that nothing was fetched: the ``<img>`` points at a real file watched with inotify
(Qt opens files in C++, where no Python audit hook sees it) and an audit hook records every Python ``open`` of it
and every socket; the start-up replay runs under strace with a FIFO, the way the attack froze the app.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QTextEdit, QTreeWidget

from ohshi_desk.core.base.paths import autosave_path
from ohshi_desk.ui import plain
from ohshi_desk.ui.autosave import offer_recovery
from ohshi_desk.ui.wizard import OhshiWizard

from ..conftest import SUITE_DAY
from ..rules_edit import copy_rules, edit
from .windows import open_wizard

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json"
MARK = "振込先が変わりました"  # a vendor's own notice, inside the app's box
UNC = "//203.0.113.9/share/x.png"  # on Windows: fetched over SMB


def hostile(bait: Path) -> str:
    """The attack text; the <img> is relative (the tests run in the bait's folder) so that it fits any field."""
    return f'9<img src="{Path(bait).name}"><b>{MARK}</b><img src="{UNC}">'


def short(bait: Path) -> str:
    """The same in 40 characters (市区町村, and the name as the 「前回の入力」 question cuts it)."""
    return f'<img src="{Path(bait).name}"><b>{MARK}</b>'


class Watch:
    """Every open of ``bait``: by Qt (inotify IN_OPEN, the kernel's word) and by Python (an audit hook); and every
    socket the process makes (audit hook)."""

    IN_OPEN, IN_ACCESS = 0x20, 0x01

    def __init__(self, bait: Path):
        self.bait = str(bait)
        self.py_opens: list[str] = []
        self.sockets: list[str] = []
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK)
        assert self.fd >= 0
        assert libc.inotify_add_watch(self.fd, self.bait.encode(), self.IN_OPEN | self.IN_ACCESS) >= 0
        self.active = True
        sys.addaudithook(self._hook)  # hooks cannot be removed: ``active`` switches it off

    def _hook(self, event, args):
        if not self.active:
            return
        if event == "open" and args and str(args[0]) == self.bait:
            self.py_opens.append(event)
        if event.startswith("socket."):
            self.sockets.append(event)

    def kernel_opens(self) -> int:
        try:
            return len(os.read(self.fd, 65536))
        except BlockingIOError:
            return 0

    def close(self) -> None:
        self.active = False
        os.close(self.fd)


def _rich(text: str, fmt) -> bool:
    from PySide6.QtGui import Qt as GuiQt

    return fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))


def walk(where: str) -> list[str]:
    """Every shown text holding MARK, with a failure for each one in rich-text mode. Returns the places seen."""
    seen, bad = [], []
    for w in QApplication.allWidgets():
        if isinstance(w, QLabel) and MARK in w.text():
            seen.append(f"QLabel {w.objectName()}")
            if _rich(w.text(), w.textFormat()):
                bad.append(f"{where}: QLabel in rich text: {w.text()[:80]!r}")
        tip = w.toolTip()
        if MARK in tip:
            seen.append("tooltip")
            if "<img" in tip or f"<b>{MARK}" in tip:
                bad.append(f"{where}: tooltip with live markup: {tip[:80]!r}")
        if isinstance(w, QTextEdit) and MARK in w.toPlainText():
            seen.append(f"QTextEdit {type(w).__name__}")
            if f"<b>{MARK}</b>" not in w.toPlainText() or "<img" in w.toHtml():
                bad.append(f"{where}: {type(w).__name__} rendered the markup")
        if isinstance(w, QTreeWidget):
            stack = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
            while stack:
                item = stack.pop()
                stack += [item.child(i) for i in range(item.childCount())]
                for col in range(w.columnCount()):
                    if MARK in item.toolTip(col):
                        seen.append("item tooltip")
                        if "<img" in item.toolTip(col):
                            bad.append(f"{where}: item tooltip with live markup")
    assert bad == [], bad
    return seen


@pytest.fixture
def watch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bait = tmp_path / "bait.png"
    bait.write_bytes(b"\x89PNG\r\n\x1a\n")
    w = Watch(bait)
    yield w
    w.close()


@pytest.fixture
def boxes(monkeypatch):
    """Every message box the app shows: shown, laid out and painted (where Qt would load an <img>), walked, closed."""
    seen = []

    def exec_(box):
        box.show()
        box.repaint()
        QApplication.processEvents()
        seen.append((box.text(), walk("message box")))
        box.hide()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return seen


def _visit_all_pages(w, qtbot):
    """Through every page to the result, walking each."""
    seen = walk(f"page {w.currentId()}")
    for _ in range(8):
        if w.currentId() == w.pageIds()[-1]:
            break
        w.next()
        QApplication.processEvents()
        seen += walk(f"page {w.currentId()}")
    return seen


def test_a_case_file_with_markup_is_shown_as_text(wizard, tmp_path, watch, boxes, qtbot):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    h = hostile(watch.bait)
    data["facility"]["name"] = h
    data["facility"]["municipality"] = short(watch.bait)
    for plan in data["plans"].values():
        for line in plan.get("lines", []):
            line["description"] = h
            line["vendor"] = h
    case = tmp_path / "case.ohshi.json"
    case.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert wizard.open_path(case)
    seen = _visit_all_pages(wizard, qtbot)
    assert any(s.startswith("QTextEdit") for s in seen), seen  # the 確認 page showed the name, as text
    assert seen and watch.kernel_opens() == 0 and watch.py_opens == [] and watch.sockets == []


def test_the_autosave_question_shows_the_facility_name_as_text(qtbot, rules, tmp_path, watch, boxes):
    from ohshi_desk.ui.app import make_application

    make_application([])
    snap = {"format": "ohshi-desk-autosave/1", "page": 0, "raw": {}, "as_of": None, "path": None,
            "facility": {"name": short(watch.bait)}}
    autosave_path().parent.mkdir(parents=True, exist_ok=True)
    autosave_path().write_text(json.dumps(snap, ensure_ascii=False), encoding="utf-8")
    w = OhshiWizard(rules)
    w.ask_before_close = False
    qtbot.addWidget(w)
    w.show()
    assert offer_recovery(w) == "declined"  # the box was closed without はい
    assert len(boxes) == 1 and "前回の入力" in boxes[0][0] and boxes[0][1], boxes
    assert watch.kernel_opens() == 0 and watch.py_opens == [] and watch.sockets == []


def _workbook(tmp_path, rules, edit_book):
    from openpyxl import load_workbook

    from ohshi_desk.core.case.model import read_case_file
    from ohshi_desk.core.workbook.write import export_case

    book = tmp_path / "book.xlsx"
    export_case(read_case_file(EXAMPLE, rules), rules, book)
    wb = load_workbook(book)
    edit_book(wb)
    wb.save(book)
    return book


def test_a_vendor_workbook_with_markup_is_shown_as_text(wizard, tmp_path, rules, watch, boxes, qtbot):
    h = hostile(watch.bait)

    def vendor(wb):
        ws = wb["明細"]
        header = next(r[0].row for r in ws.iter_rows() if r[0].value == "ID")  # the lines start below the headers
        for row in ws.iter_rows(min_row=header + 1):
            for cell in row:
                if isinstance(cell.value, str) and cell.value and cell.column > 2:
                    cell.value = h  # descriptions, vendors, notes: and what cannot be read comes back quoted
    book = _workbook(tmp_path, rules, vendor)
    assert wizard.open_path(book)
    QApplication.processEvents()
    seen = walk("取り込み結果") + _visit_all_pages(wizard, qtbot)
    assert seen, "the markup reached no widget: the test did not replay the attack"
    assert watch.kernel_opens() == 0 and watch.py_opens == [] and watch.sockets == []


def test_the_hidden_sheet_marker_in_the_error_box_is_text(wizard, tmp_path, rules, watch, boxes):
    from ohshi_desk.core.workbook.layout import DATA_SHEET

    def marker(wb):
        wb[DATA_SHEET]["A1"] = f"ohshi-desk-workbook/{hostile(watch.bait)}"
    book = _workbook(tmp_path, rules, marker)
    assert wizard.open_path(book) is False
    assert len(boxes) == 1 and MARK in boxes[0][0] and boxes[0][1]  # 「開けませんでした」, the marker as text
    assert watch.kernel_opens() == 0 and watch.py_opens == [] and watch.sockets == []


def test_a_file_name_with_markup_is_shown_as_text(wizard, tmp_path, watch, boxes):
    from openpyxl import Workbook

    bad = tmp_path / f'<img src="bait.png"><b>{MARK}.xlsx'  # a name holds no "/": no </b>
    Workbook().save(bad)  # a workbook, but not ohshi-desk's: the message names the file
    assert wizard.open_path(bad) is False
    assert len(boxes) == 1 and MARK in boxes[0][0] and boxes[0][1]
    assert watch.kernel_opens() == 0 and watch.py_opens == [] and watch.sockets == []


def _hostile_rules(folder: Path, h: str) -> Path:
    copy_rules(folder)
    quoted = h.replace("'", "''")
    edit(folder, "facility_kinds.yaml", "help: 紙レセプトで請求しているなど、オンライン資格確認の導入義務がない施設です",
         f"help: '{quoted}'")
    edit(folder, "facility_kinds.yaml", "label: 特定健診・特定保健指導の実施機関", f"label: '{quoted}'")
    return folder


def test_a_rules_pack_with_markup_is_shown_as_text(qtbot, tmp_path, watch, boxes):
    from ohshi_desk.core.rules.build import load_rules

    folder = _hostile_rules(tmp_path / "pack", hostile(watch.bait))
    try:
        rules = load_rules(folder, cache_dir=False)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the hostile pack must load (text is only text): {exc}")
    open_wizard(qtbot, rules)  # kept alive by qtbot
    seen = walk("first page")
    assert len(seen) >= 2, seen  # the help and the label
    assert watch.kernel_opens() == 0 and watch.py_opens == [] and watch.sockets == []


@pytest.mark.skipif(not shutil.which("strace"), reason="strace is needed: packaging/setup-linux.sh --test installs it")
def test_a_rules_pack_with_an_img_of_a_fifo_does_not_hang_the_start(tmp_path):
    """The attack as it was: an installed pack whose help text holds <img src=FIFO> froze every start (blocked in
    openat), so 「同梱のルールに戻す」 could not be reached. Now the app starts, opens neither path and no socket."""
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    data = tmp_path / "data"
    data.mkdir()
    h = f'9<img src="{fifo}"><b>{MARK}</b><img src="{UNC}">'
    _hostile_rules(data / "rules", h)
    trace = tmp_path / "strace.log"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "OHSHI_DATA_DIR": str(data), "OHSHI_CACHE_DIR": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "OHSHI_TODAY": SUITE_DAY.isoformat(),
           "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect,open,openat,stat,statx,newfstatat",
                               "-o", str(trace), sys.executable, "-m", "ohshi_desk", "--smoke"],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the app hung at start on a rules pack whose help text holds <img src=FIFO>")
    assert proc.returncode == 0 and "first page shown" in proc.stdout, proc.stderr[-2000:]
    calls = trace.read_text().splitlines()
    assert [c for c in calls if str(fifo) in c] == []
    assert [c for c in calls if "203.0.113.9" in c] == []
    assert [c for c in calls if " socket(" in c or "connect(" in c or c.startswith("socket(")] == []


def test_only_the_helper_makes_labels_and_message_boxes():
    """The structure that keeps it so: no module but ui/plain.py makes a QLabel or calls QMessageBox's static
    functions (which show AutoText), and every setToolTip goes through plain.tip."""
    import re

    offenders = []
    for path in (ROOT / "ohshi_desk" / "ui").rglob("*.py"):
        if path.name in ("plain.py", "qt.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"(?<![\w.])QLabel\(", r"qt\.QLabel\(", r"QMessageBox\((?!\))",
                        r"QMessageBox\.(question|information|warning|critical|about)\(",
                        r"setToolTip\((?!plain[._]tip\()(?!\d+, plain\.tip\()"):
            for m in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert offenders == []
    assert plain.tip("<img src='x'>") .count("<img") == 0


def test_the_watch_sees_qt_open_an_img(qtbot, watch):
    """The proof can fail: a label in Qt's rich text with the same <img> opens the bait, and the watch sees it."""
    from PySide6.QtWidgets import QLabel as RawLabel

    lab = RawLabel()
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setText(hostile(watch.bait))
    qtbot.addWidget(lab)
    lab.show()
    lab.repaint()
    QApplication.processEvents()
    assert watch.kernel_opens() > 0
    with pytest.raises(AssertionError):
        walk("a rich label")


@pytest.mark.parametrize("name, stem", [("CON", "CON＿"), ('医院/本院\\:*?"<>|', "医院＿本院＿＿＿＿＿＿＿＿"),
                                        ("医" * 200, "医" * 60)])
def test_the_names_the_dialogs_offer_are_safe_file_names(wizard, monkeypatch, name, stem):
    from PySide6.QtWidgets import QFileDialog

    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: offered.append(Path(a[2]).name) or ("", ""))
    wizard.facility_page.name.setText(name)
    wizard.facility_page.kind.setCurrentIndex(1)
    wizard.save_dialog()
    wizard.export_dialog()
    assert offered == [f"{stem}.ohshi.json", f"{stem}_補助金管理表.xlsx"]

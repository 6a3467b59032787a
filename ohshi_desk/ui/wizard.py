"""The reception wizard: 施設 → カードリーダー → やりたいこと → 購入・改修の予定 → (利用状況) → 結果.

The flow of the pages, and the case they make: it gathers the case, hands it to ``core.engine.compute`` and shows
what comes back. No subsidy logic here. Files, Excel and printing are :mod:`.actions`; the autosave and the
recovery are :mod:`.autosave`; each page is in :mod:`.pages`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from ohshi_desk.core.base.formats import CASE_FORMAT as FORMAT  # the case module itself is loaded when first needed

from . import qt
from .actions import FileActions, remember_size, remembered_size
from .autosave import Autosave
from .pages import CONFIRM, FACILITY, GOALS, PLANS, READER, RESULT, USAGE
from .pages.facility import FacilityPage
from .qt import QSettings, QWizard
from .widgets import tab_chain

FACILITY_KEYS = FacilityPage.keys()  # the keys the pages own; any other key in an opened file is kept as it was


def _later_page(attr: str) -> property:
    """A page after the first one: added to the window after its first paint (:meth:`OhshiWizard.add_later_pages`),
    or at once when something asks for it before then."""

    def get(self):
        if attr not in vars(self):
            self.add_later_pages()
        return vars(self)[attr]

    return property(get)


def _as_dict(value) -> dict:
    """A section of the case as last opened; null (which compute takes as empty) is an empty section."""
    return value if isinstance(value, dict) else {}


class OhshiWizard(Autosave, FileActions, QWizard):
    _dirty = False
    reader_page = _later_page("reader_page")
    goals_page = _later_page("goals_page")
    plans_page = _later_page("plans_page")
    usage_page = _later_page("usage_page")
    result_page = _later_page("result_page")
    confirm_page = _later_page("confirm_page")
    _path: Path | None = None

    # The title bar names the file (「やまだ内科.ohshi.json* — ohshi-desk …」, * while not saved)
    @property
    def dirty(self) -> bool:
        return self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        if value != self._dirty:
            self._dirty = value
            self.setWindowModified(value)

    @property
    def path(self) -> Path | None:
        return self._path

    @path.setter
    def path(self, value) -> None:
        self._path = Path(value) if value else None
        name = f"{self._path.name}[*] — " if self._path else "[*]"
        rules = getattr(self, "rules", None)
        other = f"（差し替えルール 版 {rules.version} を使用中）" if getattr(rules, "origin", "") else ""
        self.setWindowTitle(f"{name}ohshi-desk — オンライン資格確認の補助金 見積り{other}")

    # The day (issue 22). Every page computes as of the app's clock, whatever day a file was saved on; another day
    # is only ever a deliberate act (「別の日で計算…」), said by a banner on every page and in every output.
    other_day: _dt.date | None = None  # the day chosen on purpose, for this session; None: today
    file_as_of: _dt.date | None = None  # saved as the file's ``as_of`` only because the user said so
    made_on: _dt.date | None = None  # the day the opened estimate was made (its ``made_on``; an older file's as_of)
    made_on_text = ""  # then against now for that estimate, worked out once when it is opened

    @property
    def as_of(self) -> _dt.date:
        """The day every page computes for: the day chosen on purpose, else today (core/clock.py)."""
        return self.day()

    def day(self) -> _dt.date:
        from ohshi_desk.core.base.clock import today

        return self.other_day or today()

    def __init__(self, rules, parent=None):
        super().__init__(parent)
        self.rules = rules
        self.raw: dict = {}  # the case as last opened: unknown keys survive a save
        self.dirty = False
        self.path: Path | None = None
        self.settings = QSettings("ohshi-desk", "ohshi-desk")
        self.path = None  # the title
        # The same look on every system: left to itself, QWizard takes Windows' 'Aero' look there (its Back button
        # up in the title bar, fixed white colours), unlike the screens shown in the manual and tested here.
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        opt = QWizard.WizardOption  # all at once: each setOption lays the buttons out again
        self.setOptions(self.options() | opt.NoBackButtonOnStartPage | opt.HaveCustomButton1 | opt.HaveCustomButton2
                        | opt.HaveHelpButton)
        self.setButtonText(QWizard.WizardButton.HelpButton, "ルールを更新…")
        self.helpRequested.connect(self.update_rules)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "開く(&O)…")
        self.setButtonText(QWizard.WizardButton.CustomButton2, "保存(&S)…")
        self.autosave_problem = ""
        self.lay_out_buttons(autosave_problem=False)
        self.customButtonClicked.connect(self._custom_button)
        self._init_autosave()
        self.ask_before_close = True  # tests that close windows by the dozen switch this off
        self.remember_size = True  # the window's size is kept for the next start (not by --smoke or tools)
        self.confirm_files = True  # 保存しました / 書き出しました with the path (tools switch it off)
        self.last_told = ""
        self.currentIdChanged.connect(self.mark_changed)
        self.facility_page = FacilityPage(self)
        self.setPage(FACILITY, self.facility_page)
        # The other pages (and their modules) are added after the first paint (ui/app.py), or when first asked for:
        # until then 次へ is offered by nextId, which names the next page without needing it (issue 28)
        self.setStartId(FACILITY)
        self.resize(remembered_size(self.settings, self._pixel_ratio()))
        # Fitted here, before the first show, rather than in a showEvent override: wrapping Qt's show event for
        # Python builds QEvent's enums (~4 ms at start).
        self.fit_to_screen()
        qt.QApplication.instance().focusChanged.connect(self._focus_ring)
        self.button_tab_order()  # again: adding the pages put the buttons back in QWizard's order
        self.facility_page.first_field.setFocus()
        self.dirty = False

    _later_added = False

    def add_later_pages(self) -> None:
        """Every page after the first, made (each builds its contents when first shown) and added in the wizard's
        order; once. Their modules are imported here, not when the window's module is."""
        if self._later_added:
            return
        self._later_added = True
        from .pages.confirm import ConfirmPage
        from .pages.goals import GoalsPage
        from .pages.plans import PlansPage
        from .pages.reader import ReaderPage
        from .pages.result import ResultPage
        from .pages.usage import UsagePage

        made = vars(self)
        made["reader_page"] = ReaderPage(self)
        made["goals_page"] = GoalsPage(self)
        made["plans_page"] = PlansPage(self)
        made["usage_page"] = UsagePage(self)
        made["result_page"] = ResultPage(self)
        made["confirm_page"] = ConfirmPage(self)
        for pid, attr in ((READER, "reader_page"), (GOALS, "goals_page"), (PLANS, "plans_page"),
                          (USAGE, "usage_page"), (CONFIRM, "confirm_page"), (RESULT, "result_page")):
            self.setPage(pid, made[attr])
        self.button_tab_order()  # adding pages puts the buttons back in QWizard's order

    def validateCurrentPage(self) -> bool:  # noqa: N802 — Qt's name; asked by 次へ before it moves on
        self.add_later_pages()
        return super().validateCurrentPage()

    def initializePage(self, page_id: int) -> None:  # noqa: N802 — Qt's name; 次へ
        super().initializePage(page_id)
        self.sync_day_banners()
        self._focus_soon()

    def cleanupPage(self, page_id: int) -> None:  # noqa: N802 — Qt's name; 戻る
        super().cleanupPage(page_id)
        self._focus_soon()

    def _focus_soon(self) -> None:
        """Once the new page is shown. A timer tied to the window (not a signal to a method): nothing runs when the
        window is being taken down, which a currentIdChanged connection did during garbage collection."""
        qt.QTimer.singleShot(0, self, self._focus_first_field)

    def _focus_first_field(self, *_a) -> None:
        """Each page starts with the focus on its first field (not on the scroll area around it)."""
        page = self.currentPage()
        if page is None:
            return
        target = getattr(page, "first_field", None)  # a page may name it (the first page does: no search at start)
        if target is None or not (target.isVisible() and target.isEnabled()):
            target = None
            # the first visible, enabled input in Tab order; found by class, not by asking each widget its focus
            # policy (Qt's enums cost ~20 ms the first time)
            inputs = (qt.QLineEdit, qt.QComboBox, qt.QCheckBox, qt.QRadioButton, qt.QTextBrowser)
            w = page.nextInFocusChain()
            for _ in range(500):
                if w is None or w is page:
                    break
                if isinstance(w, inputs) and page.isAncestorOf(w) and w.isVisible() and w.isEnabled():
                    target = w
                    break
                w = w.nextInFocusChain()
        if target is None:
            return
        target.setFocus()

    _ring_on = None  # the control drawn with the ring

    def _focus_ring(self, old, new) -> None:
        """A clear blue ring around the control with the focus (the system's own is faint on some screens): a
        glow drawn around that one widget, so no style sheet is needed."""
        from shiboken6 import isValid

        QColor, QGraphicsDropShadowEffect = qt.QColor, qt.QGraphicsDropShadowEffect
        if not isValid(self) or (new is not None and not isValid(new)):
            return  # the window is being taken down
        # one ring at a time (issue 27 point 5): the one drawn last is taken off, whatever the focus did since
        for before in {id(x): x for x in (old, self._ring_on) if x is not None}.values():
            try:
                if isValid(before) and getattr(before, "_ohshi_ring", False) and before is not new:
                    before.setGraphicsEffect(None)
                    before._ohshi_ring = False
            except RuntimeError:  # the widget is gone already
                pass
        self._ring_on = None
        if new is None or not self.isAncestorOf(new):
            return
        # the field Tab or a click moved to is scrolled into view (issue 27 point 4). The page's own scroll area,
        # not a walk up the parents: that meets Qt's viewport, made in C++, and wrapping it for Python has PySide
        # look up its type among every class of QtWidgets (~55 M instructions at start; issue 28)
        area = getattr(self.currentPage(), "scroll_area", None)
        if area is not None and area.widget() is not None and area.widget().isAncestorOf(new):
            area.ensureWidgetVisible(new)
        self._ring_on = new
        if getattr(new, "_ohshi_ring", False):
            return
        ring = QGraphicsDropShadowEffect(new)  # owned by the widget (Qt deletes it when it is replaced)
        ring.setColor(QColor("#1565c0"))
        ring.setOffset(0, 0)
        ring.setBlurRadius(10)
        new.setGraphicsEffect(ring)
        new._ohshi_ring = True

    def _pixel_ratio(self) -> float:
        screen = self.screen() or qt.QApplication.primaryScreen()
        return screen.devicePixelRatio() if screen is not None else 1.0

    def fit_to_screen(self) -> None:
        """Keep the whole window, buttons included, on the screen's free area (without the taskbar) at any text
        scale: the size is clamped to it, and the window is maximised when even its smallest size does not fit."""
        QSize = qt.QSize
        screen = self.screen() or qt.QApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()
        if frame.height() <= 0:  # not shown yet: allow for a usual title bar and borders
            frame = QSize(16, 39)
        room = QSize(avail.width() - frame.width(), avail.height() - frame.height())
        need = self.minimumSizeHint().expandedTo(self.minimumSize())
        if need.width() > room.width() or need.height() > room.height():
            self.setMinimumSize(0, 0)
            self.resize(room)
            self.setWindowState(qt.Qt.WindowState.WindowMaximized)  # takes effect when shown
            return
        self.resize(self.size().boundedTo(room))
        geo = self.frameGeometry()
        x = min(max(geo.x(), avail.x()), avail.right() - self.width() - frame.width() + 1)
        y = min(max(geo.y(), avail.y()), avail.bottom() - self.height() - frame.height() + 1)
        self.move(max(avail.x(), x), max(avail.y(), y))

    # ------------------------------------------------------------------ flow
    def goals(self) -> list[str]:
        return self.goals_page.chosen()

    def _needs_usage(self) -> bool:
        return any(self.rules.program(pid).uses_usage for pid in self.goals())

    def _needs_plans(self) -> bool:
        return any(self.rules.program(pid).purchases for pid in self.goals())

    def nextId(self) -> int:
        cur = self.currentId()
        if cur == FACILITY:  # said without the next page, which may not be added yet (add_later_pages)
            return READER
        if cur == READER:
            return GOALS
        if cur == GOALS:
            return PLANS if self._needs_plans() else (USAGE if self._needs_usage() else CONFIRM)
        if cur == PLANS:
            return USAGE if self._needs_usage() else CONFIRM
        if cur == USAGE:
            return CONFIRM
        if cur == CONFIRM:
            return RESULT
        if cur == RESULT:
            return -1
        return super().nextId()

    def mark_changed(self, *_a) -> None:
        self.dirty = True
        self.schedule_autosave()

    def _confirm_close(self) -> bool:
        """Closing with work not saved to a file asks first. True when the window may close."""
        if self.dirty and self.ask_before_close:
            QMessageBox = qt.QMessageBox
            from . import plain

            answer = plain.choose(
                self, "終了の確認", "入力した内容はまだファイルに保存されていません。\n保存してから終了しますか。\n\n"
                "保存しないで終了すると、入力した内容も自動保存も消え、次に起動しても戻せません。",
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

    def has_input(self) -> bool:
        """Anything typed or chosen on any page, or a file opened: a window with none of it may be replaced without
        asking (moving between pages alone changes nothing)."""
        if self.raw or self.path is not None:
            return True
        data = self.case_data()
        facility = {k: v for k, v in data["facility"].items() if v not in ("", None)}
        return bool(facility or data["face_reader"] or data["plans"] or data.get("usage"))

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

        # a copy of what was opened, but not of its plans: they are made again below from the plans page, and
        # copying a hospital's hundreds of lines only to drop them was most of each call's cost (issue 28)
        data = {k: copy.deepcopy(v) for k, v in self.raw.items() if k != "plans"}
        data["format"] = FORMAT
        from ohshi_desk.core.base.clock import today

        # made_on: the day this estimate is made (ohshi-desk extension); as_of only when the user chose to keep a day
        data.pop("as_of", None)
        data["made_on"] = today().isoformat()
        if self.file_as_of:
            data["as_of"] = self.file_as_of.isoformat()
        owned = FACILITY_KEYS + tuple(self.facility_page.questions)
        fac = {k: v for k, v in _as_dict(data.get("facility")).items() if k not in owned}
        fac.update(self.facility_page.to_data())
        data["facility"] = fac
        reader_keys = self.reader_page.keys()
        fr = {k: v for k, v in _as_dict(data.get("face_reader")).items() if k not in reader_keys}
        fr.update(self.reader_page.to_data())
        data["face_reader"] = fr
        goals = self.goals()
        if self._needs_usage():
            usage_keys = self.usage_page.keys()
            usage = {k: v for k, v in _as_dict(data.get("usage")).items() if k not in usage_keys}
            usage.update(self.usage_page.to_data())
            data["usage"] = usage
        else:
            data.pop("usage", None)
        from .pages.plans import plan_keys

        old_plans = _as_dict(self.raw.get("plans"))
        plans = {}
        for pid in goals:
            program = self.rules.program(pid)
            plan = {k: copy.deepcopy(v) for k, v in _as_dict(old_plans.get(pid)).items() if k not in plan_keys(program)}
            if program.purchases:
                plan.update(self.plans_page.plan_data(pid))
            plans[pid] = plan
        data["plans"] = plans
        return data

    def case(self):
        from ohshi_desk.core.case.model import parse_case

        return parse_case(self.case_data(), self.rules)

    _applicable: tuple | None = None  # (the facility and reader answers, day, rules) → the last answer

    def applicability(self) -> dict:
        """Per program: whether this facility can have it, its window and status, its participants line and the
        one-more-answer offer — asked once per change of the facility or reader answers (the goals and plans
        pages share it). Callers only read it."""
        import json

        data = {"format": FORMAT, "facility": self.facility_page.to_data(), "face_reader": self.reader_page.to_data()}
        if data["facility"].get("kind") is None:
            data["facility"]["kind"] = self.rules.assumed_kind or next(iter(self.rules.kinds))
        day = self.day()
        key = (json.dumps(data, sort_keys=True, ensure_ascii=False, default=str), day)
        if self._applicable is None or self._applicable[0] != key or self._applicable[2] is not self.rules:
            self._applicable = (key, self._work_out_applicability(data, day), self.rules)
        return self._applicable[1]

    def _work_out_applicability(self, data: dict, day: _dt.date) -> dict:
        from ohshi_desk.core.compute.engine import applicability, compute
        from ohshi_desk.core.compute.presenting import participation_text, when_text

        from .recovery import parse_leniently

        # a half-typed field elsewhere on the page (a code "017") must not stop the goals from being offered
        info = applicability(parse_leniently(data, self.rules), self.rules, day)
        # each program's window, for the status and deadline beside its goal: the breakdown of empty plans
        data["plans"] = {p.id: {} for p in self.rules.programs}
        for p in compute(parse_leniently(data, self.rules), self.rules, day)["programs"]:
            info[p["id"]]["when"] = when_text(p, day) if info[p["id"]]["applicable"] else ""
            info[p["id"]]["window_status"] = p["status"]
        fac = data["facility"]
        for pid in self.rules.municipalities.get("shown_with", ()):  # the 医療費助成 participants, with their goal
            info[pid]["info"] = participation_text(self.rules, fac.get("prefecture"), fac.get("municipality"))
        from ohshi_desk.core.compute.presenting import one_more_answer

        for s in one_more_answer(parse_leniently(data, self.rules), self.rules, day):  # open with one more answer
            info[s["program"]]["suggestion"] = s["text"]
        return info

    # ------------------------------------------------------------------ the day
    def set_other_day(self, day: _dt.date | None, keep: bool = False) -> None:
        """Compute as of ``day`` on purpose (None or today: back to today); ``keep``: save it as the file's as_of.
        Every page then carries the banner, and the page shown is computed again."""
        from ohshi_desk.core.base.clock import today

        self.other_day = None if day is None or day == today() else day
        self.file_as_of = day if keep and day is not None else None
        self.work_out_made_on()  # its banners follow (a kept day said or not), then every page's
        page = self.currentPage()
        if getattr(page, "_built", False) and page is not self.facility_page:
            page.on_enter()
        self.mark_changed()

    def output_banners(self) -> list[str]:
        """What the print and the workbook say at the top besides a day that is not today (which they always say):
        an estimate made on another day, then against now."""
        return [self.made_on_text] if self.made_on_text and not self.other_day else []

    def day_banner_text(self) -> str:
        if self.other_day is None:  # today: no banner (said here, so that showing the first page does not import
            return ""  # the presenting module and the formatting it needs; issue 28)
        from ohshi_desk.core.compute.presenting import other_day_banner

        return other_day_banner(self.day())

    def sync_day_banners(self) -> None:
        """The coloured 「…時点の計算です（今日ではありません）」 line on every page built so far."""
        text = self.day_banner_text()
        for pid in self.pageIds():
            label = getattr(self.page(pid), "day_banner", None)
            if label is not None:
                label.setText(text)
                label.setVisible(bool(text))
        for page in (vars(self).get("goals_page"), vars(self).get("result_page")):  # those made (add_later_pages)
            label = getattr(page, "made_on_banner", None)
            if label is not None:
                label.setText(self.made_on_text)
                label.setVisible(bool(self.made_on_text) and not self.other_day)

    def work_out_made_on(self) -> None:
        """An estimate made on another day, opened again: what could be applied for then, and now (said once)."""
        from ohshi_desk.core.case.model import CaseError
        from ohshi_desk.core.compute.presenting import claimable_total, kept_day_banner, made_on_banner

        self.made_on_text = ""
        if self.made_on is not None:
            try:
                chosen = set(self.goals())
                now = claimable_total(self.compute(self.day()), chosen)
                then = claimable_total(self.compute(self.made_on), chosen)
                self.made_on_text = made_on_banner(self.made_on, now, then)
            except CaseError:
                self.made_on_text = made_on_banner(self.made_on, None, None)
        kept = kept_day_banner(self.file_as_of) if self.other_day is None else ""
        self.made_on_text = "\n".join(t for t in (self.made_on_text, kept) if t)
        self.sync_day_banners()

    def go_to_question(self, flag: str) -> None:
        """Back to the facility question ``flag`` (from a 「もう一つ答えると」 suggestion), its answer in focus."""
        for _ in range(len(self.pageIds())):
            if self.currentId() == FACILITY:
                break
            self.back()
        widget = self.facility_page.question_widget(flag)
        if widget is not None:
            widget.setFocus()

    def program_maximum(self, p: dict, day: _dt.date, data: dict | None = None) -> int | None:
        """The most the program could pay this facility (for a chosen program with no prices yet). ``data``: the
        pages' case when the caller has just made it (``case_data``), so that a page of cards reads the pages once."""
        if not self.rules.program(p["id"]).purchases:
            return None
        import json

        from ohshi_desk.core.compute.maximum import maximum_of_probe, probe_case

        pid = p["id"]
        data = self.case_data() if data is None else data
        # what the maximum depends on: the case the engine is asked (core/compute/maximum.probe_case), but the day
        # the estimate is made, which changes nothing in it
        probe = probe_case(data, self.rules, pid)
        key = (json.dumps({k: v for k, v in probe.items() if k != "made_on"}, sort_keys=True, ensure_ascii=False,
                          default=str), day, pid)
        if self._maximums_rules is not self.rules:  # a rules switch never meets a stale answer
            self._maximums, self._maximums_rules = {}, self.rules
        if key not in self._maximums:
            if len(self._maximums) > 64:  # the answers of older inputs are not kept for ever
                self._maximums.clear()
            self._maximums[key] = maximum_of_probe(probe, self.rules, day, pid)
        return self._maximums[key]

    _maximums: dict = {}  # (the case without its lines, day, program) → its maximum; asked once per input change
    _maximums_rules = None


    _computed: tuple | None = None  # (the case's content, day, rules) → the breakdown of the last compute

    def compute(self, day: _dt.date, data: dict | None = None) -> dict:
        """The breakdown of the case on the pages, as of ``day``: one engine call per change of input — the running
        estimate, the result page, its banner, the print and the export ask this and get the same answer while
        nothing has changed (cached by the case's content, the day and the rules; issue 28 point 1). Callers only
        read it. ``data``: the pages' case when the caller has just made it (``case_data``; never changed here)."""
        import json

        from ohshi_desk.core.case.model import parse_case
        from ohshi_desk.core.compute.engine import compute

        data = self.case_data() if data is None else data
        key = (json.dumps(data, sort_keys=True, ensure_ascii=False, default=str), day)
        if self._computed is not None and self._computed[0] == key and self._computed[2] is self.rules:
            return self._computed[1]
        bd = compute(parse_case(data, self.rules), self.rules, day)
        self._computed = (key, bd, self.rules)  # the rules held, so a rules switch never meets a stale answer
        return bd

    def load_case_data(self, data: dict) -> None:
        """Fill the pages from a case (the dict of a case file): exactly what ``compute`` accepts, and all or
        nothing — the case is checked first (CaseError before anything on screen changes), the pages are filled
        from the checked values, and if filling fails half-way the screen is put back as it was."""
        from ohshi_desk.core.case.model import parse_case

        case = parse_case(data, self.rules)
        before = self.snapshot()
        dirty = self.dirty
        try:
            self._fill_from_case(data, case)
        except Exception:
            self.restore(before)
            self.dirty = dirty
            raise
        self.dirty = False

    def _fill_from_case(self, data: dict, case) -> None:
        import copy

        self.raw = copy.deepcopy(data)
        # the day is today (issue 22): a file's day is kept apart — an older file's as_of was the day it was made;
        # a file with made_on has an as_of only because someone chose to keep it
        self.other_day = None
        self.made_on = case.made_on or case.as_of
        self.file_as_of = case.as_of if case.made_on is not None else None
        f, r = case.facility, case.face_reader
        self.facility_page.load({"name": f.name, "kind": f.kind, "institution_code": f.institution_code,
                                 "prefecture": f.prefecture, "municipality": f.municipality,
                                 **f.answers})
        self.reader_page.load({"maker": r.maker, "model": r.model, "units": r.units, "free_units": r.free_units,
                               "other_makers": list(r.other_makers)})
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        self.usage_page.load({k: v for k, v in usage.items() if v is not None and not isinstance(v, (dict, list))})
        goals = set(case.plans)
        if case.usage is not None and case.usage.given() and not any(self.rules.program(pid).uses_usage
                                                                     for pid in goals):
            goals |= {p.id for p in self.rules.programs if p.uses_usage and not p.purchases}
        self.goals_page.set_chosen(goals)
        raw_plans = data.get("plans") if isinstance(data.get("plans"), dict) else {}
        for pid, plan in case.plans.items():
            raw_plan = raw_plans.get(pid) if isinstance(raw_plans.get(pid), dict) else {}
            raw_lines = raw_plan.get("lines") if isinstance(raw_plan.get("lines"), list) else []
            lines = []
            for ln, raw_line in zip(plan.lines, raw_lines, strict=False):
                extra = {k: v for k, v in raw_line.items() if k not in ("item", "quantity", "unit_price",
                                                                        "description", "vendor")}
                lines.append({**extra, "item": ln.item, "quantity": ln.quantity, "unit_price": ln.unit_price,
                              "description": ln.description, "vendor": ln.vendor})
            self.plans_page.load_plan(pid, {"lines": lines, "option": plan.option, **plan.flags})
        self.restart()
        self.work_out_made_on()

    # ------------------------------------------------------------------ buttons
    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.open_dialog()
        elif which == QWizard.WizardButton.CustomButton2.value:
            self.save_dialog()
        elif which == QWizard.WizardButton.CustomButton3.value:
            self._explain_autosave_problem()

    def lay_out_buttons(self, *, autosave_problem: bool) -> None:
        """The button row; the 「⚠ 自動保存できません」 button is in it only while autosave cannot write (a button
        in the layout is shown whatever its option says)."""
        b = QWizard.WizardButton
        self.setButtonLayout([b.CustomButton1, b.CustomButton2, b.HelpButton,
                              *([b.CustomButton3] if autosave_problem else []), b.Stretch, b.BackButton,
                              b.NextButton, b.FinishButton, b.CancelButton])
        self._autosave_button_shown = autosave_problem
        self.button_tab_order()

    def button_tab_order(self) -> None:
        """Tab goes along the button row from the left, as it is read (issue 27 point 5)."""
        b = QWizard.WizardButton
        tab_chain(self.button(x) for x in (b.CustomButton1, b.CustomButton2, b.HelpButton,
                                           *([b.CustomButton3] if self._autosave_button_shown else []),
                                           b.BackButton, b.NextButton, b.FinishButton, b.CancelButton))

    def update_rules(self) -> None:
        """「ルールを更新…」 (its own module: ui/rules_update.py)."""
        from .rules_update import run

        run(self)

    def done(self, result: int) -> None:
        if self.remember_size:
            remember_size(self.settings, self.size(), self._pixel_ratio())
        super().done(result)

"""④ 購入予定: the purchase lines per chosen program."""

from __future__ import annotations

from ..lines import IdleRows, LinesEditor, RowReveal
from ..plain import label as plain_label
from ..qt import (
    QGroupBox,
    QHBoxLayout,
    QVBoxLayout,
)
from ..widgets import Choice, checkbox, wrap_label
from .base import LazyPage, heading_font, scrolled


def plan_keys(program) -> set[str]:
    """The plan keys this page owns for a program (its flags are named by the rules data); other keys in an
    opened file are kept as they were."""
    keys = {"lines", "option"}
    if program.excluded_when_flag:
        keys.add(program.excluded_when_flag["flag"])
    if program.done_before_flag:
        keys.add(program.done_before_flag)
    keys.update(program.questions)  # the plan's yes/no questions are rules data (issue 14 point 10)
    return keys


def offered_items(program, items: dict) -> set[str]:
    """The items worth offering for a program: those its rules name (groups, exclusions, reviews); all items when
    its rules name fewer than two. Excluded ones stay on offer so that the estimate can say why they are not paid."""
    named = set(program.suggested_items)
    for ed in program.editions:
        for g in ed.groups:
            named.update(g.items)
        named.update(ed.excluded_items)
        named.update(ed.review_items)
        named.update(ed.extra.get("named_items", ()))  # a method's own list (a coupon's items; issue 27 point 9)
    named &= set(items)
    return named if len(named) > 1 else set(items)


class PlansPage(LazyPage):
    STEP = 3  # in the step bar
    def _build(self):
        wizard = self.w
        rules = wizard.rules
        lay = scrolled(self, "購入・改修の予定",
                       "買う予定の機器や、ベンダーに頼む改修を入力してください。金額は税込です（4,980 や 4.2万 と入力できます）。")
        self.groups, self.editors, self.options, self.flags, self.not_needed = {}, {}, {}, {}, {}
        self.estimates = {}
        self.help_buttons = {}
        idle = IdleRows(self, self.editors)  # an opened file's lines become rows while the window is idle
        self.reveal = RowReveal(self, self.editors)  # rows out of sight shown just after the page (issue 28)
        wizard.currentIdChanged.connect(self._page_changed)
        # the running estimate, from the same engine as the result page (recomputed shortly after each change)
        self.estimate = wrap_label()
        self.estimate.setAccessibleName("いまの見積り")
        heading_font(self.estimate, 1.1)
        lay.addWidget(self.estimate)
        from ..qt import QTimer

        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(150)
        self._estimate_timer.timeout.connect(self.update_estimate)
        for p in rules.programs:
            if not p.purchases:
                continue
            box = QGroupBox(p.goal)
            blay = QVBoxLayout(box)
            note = wrap_label()
            note.setStyleSheet("background: #e8f5e9; border: 1px solid #66bb6a; padding: 8px;")
            note.hide()
            blay.addWidget(note)
            self.not_needed[p.id] = note
            if p.options:
                combo = Choice()
                combo.setAccessibleName("改修の内容")
                for oid, label in p.options.items():
                    combo.addItem(label, oid)
                combo.currentIndexChanged.connect(self._changed)  # the running estimate follows (issue 27 point 2)
                row = QHBoxLayout()
                row.addWidget(plain_label("改修の内容:"))
                row.addWidget(combo, 1)
                blay.addLayout(row)
                self.options[p.id] = combo
            # the plan's yes/no questions are data (the program's ``questions``: label, help): no list in Python
            flags = {}
            for qid, q in p.questions.items():
                box_ = checkbox(q["label"])
                box_.toggled.connect(self._changed)  # 「既に申請した」 changes the running estimate too
                blay.addWidget(box_)
                if q.get("help"):
                    blay.addWidget(wrap_label(q["help"], muted=True))
                flags[qid] = box_
            self.flags[p.id] = flags
            editor = LinesEditor(rules.items, p.suggested_items, offered=offered_items(p, rules.items))
            editor.idle = idle
            editor.reveal = self.reveal
            hints = [f"{rules.items[it]['label']}: {rules.items[it]['hint']}" for it in editor.order
                     if rules.items[it].get("hint")]
            if hints:
                from ..qt import QToolButton

                help_button = QToolButton()
                help_button.setText("？ 品目の説明")
                help_button.setCheckable(True)
                help_button.setAccessibleName(f"{p.short_name}: 品目の説明")
                help_text = wrap_label("\n".join(hints))
                help_text.setStyleSheet("background: #e3f2fd; border: 1px solid #90caf9; padding: 6px;")
                help_text.hide()
                help_button.toggled.connect(help_text.setVisible)
                blay.addWidget(help_button)
                blay.addWidget(help_text)
                self.help_buttons[p.id] = help_button
            editor.changed.connect(self._changed)
            blay.addWidget(editor)
            est = wrap_label()
            est.setAccessibleName(f"{p.short_name}の見積り")
            blay.addWidget(est)
            self.estimates[p.id] = est
            self.editors[p.id] = editor
            self.groups[p.id] = box
            lay.addWidget(box)
        lay.addStretch(1)

    def on_enter(self):
        chosen = set(self.w.goals())
        info = self.w.applicability()
        for pid, box in self.groups.items():
            box.setVisible(pid in chosen)
            needed = info[pid]["status"] != "not_needed"
            note = self.not_needed[pid]
            ed = self.editors[pid]
            if pid in chosen:
                ed.make_some(ed.pending())  # every line a row before the page shows (an opened file's: see lines.py)
            if not needed:
                for r in [r for r in ed.rows if not r.typed()]:  # untouched suggestions go; typed lines stay
                    ed.remove_row(r)
                typed = len(ed.rows)
                note.setText("不要: " + info[pid]["reason"] + "。購入の入力はいりません。" + (
                    f"入力済みの{typed}行は消さずに残してあります（不要なら「削除」で消してください）。" if typed else ""))
                ed.setVisible(bool(typed))
            else:
                ed.setVisible(True)
            note.setVisible(not needed)
            if pid in self.help_buttons:
                self.help_buttons[pid].setVisible(needed)
                if not needed:
                    self.help_buttons[pid].setChecked(False)
        self._fold_rows()
        self._changed()

    def _fold_rows(self) -> None:
        """The rows out of sight of the chosen programs' editors hidden until the page is on screen (see RowReveal)."""
        chosen = set(self.w.goals())
        self.reveal.fold([self.editors[pid] for pid in self.groups if pid in chosen])

    _estimate_owed = False  # a change made just before the page was left, its estimate not yet worked out

    def _page_changed(self, _id: int) -> None:
        """Another page is on screen: the rows out of sight folded again, so that 戻る to this page shows only the
        first ones too (hiding rows of a hidden page costs nothing; see RowReveal). An estimate still to be worked
        out (a price typed just before 次へ) waits for the page to be on screen again rather than land in a click
        of another page (a hospital's 400 lines read again for a page nobody sees; issue 28)."""
        if self.w.currentPage() is self:
            if self._estimate_owed:
                self._estimate_owed = False
                self._estimate_timer.start()
        elif not self.isVisible():
            self._fold_rows()
            if self._estimate_timer.isActive():
                self._estimate_timer.stop()
                self._estimate_owed = True

    def _changed(self):
        # a line's problem is said once, under the line; the line above the buttons says only where (see
        # LinesEditor.blockers; issue 27 point 9: the 「4.980」 question was on screen three times)
        self.recheck()
        self.w.mark_changed()
        self._estimate_timer.start()

    def update_estimate(self) -> None:
        """Each chosen program's estimate under its lines, and the claimable-now total at the top."""
        from ohshi_desk.core.base.clock import today
        from ohshi_desk.core.base.formatting import yen
        from ohshi_desk.core.case.model import CaseError
        from ohshi_desk.core.compute.presenting import claimable_total, closed_line, when_text

        self._estimate_timer.stop()
        day = self.w.as_of or today()
        try:
            data = self.w.case_data()  # the pages read once: the maxima and the line notes ask the same case
            bd = self.w.compute(day, data)
        except CaseError:
            self.estimate.setText("")
            return
        chosen = set(self.w.goals())
        for p in bd["programs"]:
            est = self.estimates.get(p["id"])
            if est is None:
                continue
            if p["status"] == "closed":
                est.setText(closed_line(p))
            elif p["status"] in ("open", "not_yet_open"):
                if not p["lines"]:
                    top = self.w.program_maximum(p, day, data)
                    est.setText(f"最大 {yen(top)}。購入金額を入れると計算します（{when_text(p, day)}）" if top else "")
                else:
                    est.setText(f"この制度の見積額: {yen(p['subsidy'])}（{when_text(p, day)}）")
            else:
                est.setText("")
        # a line whose 数量 or 単価 is in red is not in the case: the total says so rather than look complete
        self.estimate.setText(f"いま申請できる見積り合計: {yen(claimable_total(bd, chosen))}"
                              + ("" if self.complete() else "（赤い説明のある行は、直すまで入っていません）"))
        self._line_notes(bd, day, chosen, data)

    def _line_notes(self, bd: dict, day, chosen: set, data: dict) -> None:
        """Beside each line, why the engine does not pay it (the rules' reason for an excluded item or one sent to
        個別審査). A line without a price is not in the case: the reasons then come from the same engine with such
        lines at 0円, so the warning shows as soon as the item is chosen."""
        editors = {pid: ed for pid, ed in self.editors.items() if pid in chosen}
        if any(ed.unpriced() for ed in editors.values()):
            from ohshi_desk.core.case.model import CaseError, parse_case
            from ohshi_desk.core.compute.engine import compute

            # the caller's case is not changed: its plans are copied, each with its lines at 0円
            data = {**data, "plans": {pid: dict(plan) for pid, plan in data["plans"].items()}}
            for pid, ed in editors.items():
                data["plans"][pid]["lines"] = ed.lines_at_zero()
            try:
                bd = compute(parse_case(data, self.w.rules), self.w.rules, day)
            except CaseError:
                return
        by_id = {p["id"]: p["lines"] for p in bd["programs"]}
        for pid, ed in editors.items():
            ed.set_notes([line["reasons"] for line in by_id.get(pid, [])])

    def complete(self) -> bool:
        return all(self.editors[pid].is_ok() for pid in self.w.goals() if pid in self.editors)

    def blockers(self) -> list[str]:
        rules = self.w.rules
        return [f"{rules.program(pid).short_name}: {b}" for pid in self.w.goals() if pid in self.editors
                for b in self.editors[pid].blockers()]

    def plan_data(self, pid: str) -> dict:
        self.ensure_built()
        import copy

        # a line's nested extra keys (an opened file's) copied: the editor keeps them, callers only get a copy
        plan = {"lines": [{k: copy.deepcopy(v) if isinstance(v, (dict, list)) else v for k, v in ln.items()}
                          for ln in self.editors[pid].lines()]}
        if pid in self.options:
            plan["option"] = self.options[pid].currentData()
        for flag, box in self.flags[pid].items():
            if box.isChecked():
                plan[flag] = True
        return plan

    def raw_plan(self, pid: str) -> dict:
        """The plan as typed (a price that does not parse yet included), in the shape load_plan() reads."""
        self.ensure_built()
        plan = {"lines": self.editors[pid].raw_lines()}
        if pid in self.options:
            plan["option"] = self.options[pid].currentData()
        plan.update({flag: box.isChecked() for flag, box in self.flags[pid].items()})
        return plan

    def load_plan(self, pid: str, plan: dict) -> None:
        self.ensure_built()
        if pid not in self.editors:
            return
        self.editors[pid].load_rows(plan.get("lines", []))  # one update for all the lines
        if pid in self.options and plan.get("option"):
            idx = self.options[pid].findData(plan["option"])
            if idx < 0:  # an option these rules do not have: the caller says so, it is not swapped for the first
                raise ValueError(f"option {plan['option']!r}")
            self.options[pid].setCurrentIndex(idx)
        for flag, box in self.flags[pid].items():
            box.setChecked(bool(plan.get(flag)))



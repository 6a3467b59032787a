"""A second yardstick for the start-up benchmarks: a plain PySide6 wizard, written without ohshi-desk's code, that
shows the same first page as the app — the same widgets, texts, fonts, colours, layouts, window size and buttons,
in Japanese (Qt's own Japanese translation loaded, as any Japanese Qt program does).

The bare wizard (bare_wizard.py) shows one short line; the app's first page shows a form of seven questions and
174 different characters. What the app costs over this yardstick is what its own machinery costs (the rules read,
the engine, its modules, its pages made from data); what this yardstick costs over the bare wizard is what the
page shown costs any program that shows it.

The page is not copied by hand: ``--dump SPEC`` builds the app's wizard (offscreen) and writes its first page, as a
tree of widgets and layouts, to a JSON file; ``SPEC`` alone builds and shows that tree with PySide6 and the
standard library's json only, and prints the same first-page line as `ohshi-desk --smoke`.
Run: python same_page.py --dump spec.json [--grab app.png]; python same_page.py spec.json [--lean] [--hold]
[--grab clone.png]. tests/ui/test_same_page.py checks that the two pictures are the same, pixel for pixel.
"""

from __future__ import annotations

import json
import sys
import time

# The classes a widget is cloned as: its first base class in this list (a Choice is a QComboBox, a MeasuredLabel a
# QLabel, a page's box of widgets a QWidget).
CLASSES = ("QLabel", "QLineEdit", "QComboBox", "QRadioButton", "QCheckBox", "QPushButton", "QScrollArea", "QFrame",
           "QWidget")


def _cls(widget) -> str:
    names = {c.__name__ for c in type(widget).__mro__}
    return next(n for n in CLASSES if n in names)


def _margins(lay) -> list[int]:
    m = lay.contentsMargins()
    return [m.left(), m.top(), m.right(), m.bottom()]


def dump_widget(w) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette

    cls = _cls(w)
    d: dict = {"cls": cls, "hidden": w.isHidden(), "enabled": w.isEnabled(), "name": w.accessibleName(),
               "min": [w.minimumWidth(), w.minimumHeight()], "max": [w.maximumWidth(), w.maximumHeight()],
               "margins": _margins(w), "style": w.styleSheet(), "focus_policy": w.focusPolicy().value}
    if w.testAttribute(Qt.WidgetAttribute.WA_SetFont):
        f = w.font()
        d["font"] = [f.pointSizeF(), f.bold()]
    if w.testAttribute(Qt.WidgetAttribute.WA_SetPalette):
        p = w.palette()
        d["palette"] = [p.color(QPalette.ColorRole.WindowText).name(), p.color(QPalette.ColorRole.Window).name()]
        d["fill"] = w.autoFillBackground()
    if cls == "QLabel":
        d.update(text=w.text(), rich=w.textFormat().value == 1, wrap=w.wordWrap())
    elif cls == "QLineEdit":
        d.update(text=w.text(), placeholder=w.placeholderText(), maxlen=w.maxLength())
    elif cls == "QComboBox":
        d.update(items=[w.itemText(i) for i in range(w.count())], editable=w.isEditable(),
                 placeholder=w.placeholderText(), adjust=w.sizeAdjustPolicy().value,
                 min_length=w.minimumContentsLength(), current=w.currentIndex())
    elif cls in ("QRadioButton", "QCheckBox", "QPushButton"):
        d.update(text=w.text(), checkable=w.isCheckable(), checked=w.isChecked())
    if hasattr(w, "frameShape"):  # a QFrame, and the labels and scroll areas that are QFrames too
        d.update(shape=w.frameShape().value, shadow=w.frameShadow().value)
    d.update(focus=bool(w.property("clone_focus")), buddy=bool(w.property("clone_buddy")))
    effect = w.graphicsEffect()
    if effect is not None:  # the app's focus ring: a glow round the control with the focus
        c = effect.color()
        d["glow"] = [c.red(), c.green(), c.blue(), c.alpha(), effect.blurRadius(), effect.xOffset(), effect.yOffset()]
    if cls == "QScrollArea":
        d.update(resizable=w.widgetResizable(), child=dump_widget(w.widget()))
    elif w.layout() is not None:
        d["layout"] = dump_layout(w.layout())
    return d


def _item(item) -> dict:
    if item.widget() is not None:
        return dump_widget(item.widget())
    if item.layout() is not None:
        return dump_layout(item.layout())
    s = item.spacerItem()
    return {"spacer": [s.sizeHint().width(), s.sizeHint().height(), s.sizePolicy().horizontalPolicy().value,
                       s.sizePolicy().verticalPolicy().value]}


def dump_layout(lay) -> dict:
    from PySide6.QtWidgets import QBoxLayout, QGridLayout

    d: dict = {"margins": _margins(lay), "spacing": lay.spacing()}
    if isinstance(lay, QGridLayout):
        cells = []
        for i in range(lay.count()):
            r, c, rs, cs = lay.getItemPosition(i)
            cells.append([r, c, rs, cs, _item(lay.itemAt(i))])
        d.update(grid=cells, stretch=[lay.columnStretch(c) for c in range(lay.columnCount())])
    elif isinstance(lay, QBoxLayout):
        d.update(box=lay.direction().value, items=[[lay.stretch(i), _item(lay.itemAt(i))] for i in range(lay.count())])
    else:
        raise SystemExit(f"a layout this clone does not know: {type(lay).__name__}")
    return d


def dump(path: str) -> None:
    """The app's wizard as `ohshi-desk --smoke` first shows it, written to ``path``."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QLabel

    from ohshi_desk.core.rules.build import load_rules_for_app
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    rules, _folder, _warnings = load_rules_for_app(rules_warnings=False)
    app = make_application([], icon=False)
    w = OhshiWizard(rules)
    w.show()  # the page as first painted: the line of what keeps 次へ grey shown, the focus in the first field
    app.processEvents()
    page = w.page(w.startId())
    page.focusWidget().setProperty("clone_focus", True)
    for label in page.findChildren(QLabel):
        label.setProperty("clone_buddy", label.buddy() is not None)
    B = w.WizardButton
    buttons = {b.value: w.buttonText(b) for b in (B.BackButton, B.NextButton, B.CancelButton, B.HelpButton,
                                                   B.CustomButton1, B.CustomButton2)}
    # the buttons' order as shown (QWizard has no getter for its button layout), the stretch before 戻る / 次へ
    shown = sorted((w.button(b).x(), b.value) for b in B if b.value <= B.CustomButton3.value
                   and w.button(b) is not None and w.button(b).isVisible())
    order = [b for _x, b in shown]
    right = min(i for i, b in enumerate(order) if b in (B.BackButton.value, B.NextButton.value))
    spec = {"title": w.windowTitle(), "size": [w.width(), w.height()], "style": w.wizardStyle().value,
            "options": w.options().value, "families": app.font().families(), "buttons": buttons,
            "layout": [*order[:right], B.Stretch.value, *order[right:]], "complete": page.isComplete(),
            "page": dump_widget(page)}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    if "--grab" in sys.argv:  # the app's window, to hold the clone's picture against (tests/ui/test_same_page.py)
        w.grab().save(sys.argv[sys.argv.index("--grab") + 1])


LEAN = "--lean" in sys.argv


def _enum(widget, prop: str, value: int, plainly) -> None:
    """Set an enum property: as a program written plainly does (``plainly``, through PySide's enum classes, which
    PySide builds when first reached — the Qt namespace's 93 enums at once), or with --lean by its number, as
    ohshi-desk does (ui/plain.py)."""
    if LEAN:
        widget.setProperty(prop, value)
    else:
        plainly()


def build_widget(d: dict, Q):
    w = getattr(Q, d["cls"])()
    if d["cls"] == "QLabel":
        _enum(w, "textFormat", int(d["rich"]), lambda: w.setTextFormat(Q.Qt.TextFormat(int(d["rich"]))))
        w.setText(d["text"])
        w.setWordWrap(d["wrap"])
    elif d["cls"] == "QLineEdit":
        w.setMaxLength(d["maxlen"])
        w.setPlaceholderText(d["placeholder"])
        w.setText(d["text"])
    elif d["cls"] == "QComboBox":
        w.setEditable(d["editable"])
        _enum(w, "sizeAdjustPolicy", d["adjust"], lambda: w.setSizeAdjustPolicy(Q.QComboBox.SizeAdjustPolicy(d["adjust"])))
        w.setMinimumContentsLength(d["min_length"])
        w.addItems(d["items"])
        w.setPlaceholderText(d["placeholder"])
        w.setCurrentIndex(d["current"])
    elif d["cls"] in ("QRadioButton", "QCheckBox", "QPushButton"):
        w.setText(d["text"])
        w.setCheckable(d["checkable"])
        w.setChecked(d["checked"])
    if "shape" in d:
        _enum(w, "frameShape", d["shape"], lambda: w.setFrameShape(Q.QFrame.Shape(d["shape"])))
        _enum(w, "frameShadow", d["shadow"], lambda: w.setFrameShadow(Q.QFrame.Shadow(d["shadow"])))
    if d["buddy"] or d["focus"]:
        Q.marked.append((d, w))
    w.setAccessibleName(d["name"])
    _enum(w, "focusPolicy", d["focus_policy"], lambda: w.setFocusPolicy(Q.Qt.FocusPolicy(d["focus_policy"])))
    w.setMinimumSize(*d["min"])
    w.setMaximumSize(*d["max"])
    w.setContentsMargins(*d["margins"])
    if d["style"]:
        w.setStyleSheet(d["style"])
    if "font" in d:
        f = w.font()
        f.setPointSizeF(d["font"][0])
        f.setBold(d["font"][1])
        w.setFont(f)
    if "palette" in d:
        p = w.palette()
        p.setColor(Q.QPalette.ColorRole.WindowText, Q.QColor(d["palette"][0]))
        p.setColor(Q.QPalette.ColorRole.Window, Q.QColor(d["palette"][1]))
        w.setPalette(p)
        w.setAutoFillBackground(d["fill"])
    if d["cls"] == "QScrollArea":
        w.setWidgetResizable(d["resizable"])
        w.setWidget(build_widget(d["child"], Q))
    elif "layout" in d:
        build_layout(d["layout"], Q, w)
    w.setEnabled(d["enabled"])
    if d["hidden"]:
        w.hide()
    return w


def _add(d: dict, Q, add_widget, add_layout, add_spacer):
    if "cls" in d:
        add_widget(build_widget(d, Q))
    elif "spacer" in d:
        width, height, hp, vp = d["spacer"]
        add_spacer(Q.QSpacerItem(width, height, Q.QSizePolicy.Policy(hp), Q.QSizePolicy.Policy(vp)))
    else:
        add_layout(build_layout(d, Q))


def build_layout(d: dict, Q, parent=None):
    if "grid" in d:
        lay = Q.QGridLayout(parent) if parent is not None else Q.QGridLayout()
        for r, c, rs, cs, item in d["grid"]:
            _add(item, Q, lambda w, r=r, c=c, rs=rs, cs=cs: lay.addWidget(w, r, c, rs, cs),
                 lambda sub, r=r, c=c, rs=rs, cs=cs: lay.addLayout(sub, r, c, rs, cs),
                 lambda s, r=r, c=c, rs=rs, cs=cs: lay.addItem(s, r, c, rs, cs))
        for c, s in enumerate(d["stretch"]):
            lay.setColumnStretch(c, s)
    else:
        lay = Q.QBoxLayout(Q.QBoxLayout.Direction(d["box"]), parent)
        for stretch, item in d["items"]:
            _add(item, Q, lambda w, s=stretch: lay.addWidget(w, s), lambda sub, s=stretch: lay.addLayout(sub, s),
                 lambda sp: lay.addItem(sp))
    lay.setContentsMargins(*d["margins"])
    lay.setSpacing(d["spacing"])
    return lay


class _Qt:
    """The PySide6 names the clone uses, each looked up when first used (PySide makes a class when it is first
    reached: reaching every name of the three modules would cost more than the page)."""

    def __getattr__(self, name):
        from PySide6 import QtCore, QtGui, QtWidgets

        for mod in (QtWidgets, QtGui, QtCore):
            if hasattr(mod, name):
                value = getattr(mod, name)
                setattr(self, name, value)
                return value
        raise AttributeError(name)


def show(path: str) -> None:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    app = QApplication(sys.argv[:1])
    QLocale.setDefault(QLocale("ja_JP"))
    translator = QTranslator(app)
    if translator.load("qtbase_ja", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    font = app.font()
    font.setFamilies(spec["families"])
    app.setFont(font)
    w = QWizard()
    w.setWindowTitle(spec["title"])
    w.setWizardStyle(QWizard.WizardStyle(spec["style"]))
    w.setOptions(QWizard.WizardOption(spec["options"]))
    for which, text in spec["buttons"].items():
        w.setButtonText(QWizard.WizardButton(int(which)), text)
    w.setButtonLayout([QWizard.WizardButton(b) for b in spec["layout"]])
    complete = spec["complete"]

    class Page(QWizardPage):
        def isComplete(self):  # noqa: N802 — Qt's name; as the app's first page: 次へ grey until a kind is chosen
            return complete

    page = Page()
    Q = _Qt()
    Q.marked = []
    build_layout(spec["page"]["layout"], Q, page)
    w.addPage(page)
    for d, widget in Q.marked:  # a label's mnemonic is drawn (underlined) only with a buddy; the focus as the app's
        if d["buddy"]:
            widget.setBuddy(page)
        if d["focus"]:
            widget.setFocus()
            if "glow" in d:
                from PySide6.QtGui import QColor
                from PySide6.QtWidgets import QGraphicsDropShadowEffect

                r, g, b, a, blur, x, y = d["glow"]
                glow = QGraphicsDropShadowEffect(widget)
                glow.setColor(QColor(r, g, b, a))
                glow.setBlurRadius(blur)
                glow.setOffset(x, y)
                widget.setGraphicsEffect(glow)
    for _ in range(2):  # as the bare wizard (and the app's pages to come): 次へ, not 完了
        w.addPage(QWizardPage())
    w.resize(*spec["size"])
    w.show()
    app.processEvents()
    print(f"smoke: first page shown at {time.time():.6f} cpu {time.process_time():.6f}", flush=True)
    if "--hold" in sys.argv:
        time.sleep(5)
    if "--grab" in sys.argv:  # to look at it beside the app's first page
        w.grab().save(sys.argv[sys.argv.index("--grab") + 1])
    w.close()


if __name__ == "__main__":
    if sys.argv[1] == "--dump":
        dump(sys.argv[2])
    else:
        show(sys.argv[1])

"""Text the app did not write is shown as plain text, never as Qt rich text (issue 23 point 1).

Qt reads a label's, a message box's or a tooltip's text as HTML when it merely *looks* like HTML (``AutoText``):
``<img src="…">`` then makes Qt open that path — a FIFO froze the window, ``/dev/zero`` ate memory, and on Windows a
``//server/share/x.png`` is fetched over SMB (a network connection that can hand over the user's credentials). A
case, an autosave, a vendor's workbook, a rules pack, a file name and an OS message all reach the screen inside the
app's sentences, so every label, message box and tooltip the app makes is made here, in plain text:

- :func:`label` — a QLabel in ``PlainText`` (its format is set *before* its text, so the text is never parsed);
- :func:`message` — a QMessageBox whose text and informative text are ``PlainText``; :func:`ask`, :func:`inform`,
  :func:`warn` and :func:`critical` in place of QMessageBox's static functions;
- :func:`tip` — a tooltip: the text escaped, so Qt's tooltip (which has no plain mode) shows it literally.

The one label in rich text is the step bar (``pages/base.py``), whose words are the app's own. Rules texts are plain
text too: a line break in the YAML is a line break on screen; there is no markup. ``tests/test_architecture.py``
checks that no other module makes a QLabel or calls QMessageBox's static functions.
"""

from __future__ import annotations

from . import qt

# Qt::TextFormat's values (Qt's public ``textFormat`` property takes them as numbers). Naming ``qt.Qt.TextFormat``
# instead makes PySide build every enum of the Qt namespace at once — 93 enums, ~30 ms before the first page
# (issue 28); the property is set by its number and the enum is reached only if a Qt version refuses the number.
_PLAIN, _RICH = 0, 1


def _set_format(widget, value: int) -> None:
    if not widget.setProperty("textFormat", value):  # never refused by Qt 6; the enum as the fallback
        fmt = qt.Qt.TextFormat
        widget.setTextFormat(fmt.PlainText if value == _PLAIN else fmt.RichText)


def label(text: str = "", parent=None, cls=None):
    """A QLabel (or ``cls``, a subclass) showing ``text`` as it is (no markup, no links, no images)."""
    lab = (cls or qt.QLabel)(parent)
    _set_format(lab, _PLAIN)
    lab.setText(text)
    return lab


def message(icon: str, title: str, text: str, parent=None, *, buttons=None, default=None, informative: str = "",
            detailed: str = ""):
    """A QMessageBox (not shown) whose every text is plain. ``icon``: Question, Information, Warning, Critical;
    ``buttons``: QMessageBox.StandardButton flags (else none: the caller adds its own with addButton)."""
    QMessageBox = qt.QMessageBox
    box = QMessageBox(parent)
    box.setIcon(getattr(QMessageBox.Icon, icon))
    box.setWindowTitle(title)
    _set_format(box, _PLAIN)  # before the text: a rich text would be parsed (and its images loaded) at once
    box.setText(text)
    if informative:
        box.setInformativeText(" ")  # makes the label; its format is set before the real text reaches it
        _plain_labels(box)
        box.setInformativeText(informative)
    if detailed:
        box.setDetailedText(detailed)  # a plain-text editor in Qt
    if buttons is not None:
        box.setStandardButtons(buttons)
    if default is not None:
        box.setDefaultButton(default)
    _plain_labels(box)
    return box


def _plain_labels(box) -> None:
    for lab in box.findChildren(qt.QLabel):
        _set_format(lab, _PLAIN)


def _run(box):
    box.exec()
    return box.standardButton(box.clickedButton()) if box.clickedButton() is not None else None


def ask(parent, title: str, text: str) -> bool:
    """はい / いいえ; True for はい."""
    QMessageBox = qt.QMessageBox
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return _run(message("Question", title, text, parent, buttons=yes | no, default=yes)) == yes


def choose(parent, title: str, text: str, buttons, default):
    """A question with the given standard buttons; returns the one pressed (None when the box was closed)."""
    return _run(message("Question", title, text, parent, buttons=buttons, default=default))


def inform(parent, title: str, text: str) -> None:
    _run(message("Information", title, text, parent, buttons=qt.QMessageBox.StandardButton.Ok))


def warn(parent, title: str, text: str) -> None:
    _run(message("Warning", title, text, parent, buttons=qt.QMessageBox.StandardButton.Ok))


def critical(parent, title: str, text: str) -> None:
    _run(message("Critical", title, text, parent, buttons=qt.QMessageBox.StandardButton.Ok))


def tip(text: str) -> str:
    """A tooltip for ``text``: Qt shows a tooltip as rich text whenever it looks like HTML, and has no plain mode,
    so the text is escaped (line breaks kept) inside a paragraph the app writes; "" stays "" (no tooltip)."""
    if not text:
        return ""
    from html import escape  # html.entities' table is not loaded before a tooltip is made

    return "<p style='white-space:pre-wrap'>" + escape(text).replace("\n", "<br>") + "</p>"


def own_rich_label(html: str):
    """A QLabel in rich text, for words the app writes itself and nothing else (the step bar): never pass it text
    that holds anything from a case, a workbook, a rules pack, a file name or the system."""
    lab = qt.QLabel()
    _set_format(lab, _RICH)
    lab.setText(html)
    return lab

"""The one place the app's windows take Qt from (as Anki's ``aqt/qt``): ``from .qt import QWizard``, or
``from . import qt`` and ``qt.QMessageBox`` where it is used.

Nothing is imported when this module is: each name is looked up in its PySide6 module the first time it is asked
for, and kept. This keeps what start-up has always relied on — the rules are read before Qt is loaded, and a Qt
class the first page does not show (a date picker, the printer, a message box) is never made before it is needed
(PySide6 builds each class on first access). A name not listed in :data:`NAMES` is an error, so that every Qt
class the app uses is declared here once.
"""

from __future__ import annotations

NAMES = {
    "PySide6.QtCore": ("QBuffer", "QByteArray", "QDate", "QIODevice", "QLibraryInfo", "QMarginsF", "QRectF", "QLocale", "QObject", "QSettings", "QSize", "QSizeF", "QStandardPaths", "QTimer",
                       "QTranslator", "QUrl", "Qt", "Signal"),
    "PySide6.QtGui": ("QColor", "QDesktopServices", "QFont", "QGuiApplication", "QIcon", "QImage", "QImageReader",
                     "QPageLayout", "QPageSize", "QPainter", "QPalette", "QPdfWriter", "QTextDocument",
                     "QWheelEvent"),
    "PySide6.QtWidgets": ("QAbstractScrollArea", "QAbstractSpinBox", "QApplication", "QButtonGroup", "QCheckBox", "QComboBox", "QDateEdit", "QDialog",
                          "QDialogButtonBox", "QFileDialog",
                          "QFrame", "QGraphicsDropShadowEffect", "QGridLayout", "QGroupBox", "QHBoxLayout", "QLabel",
                          "QLayout", "QLineEdit", "QListView", "QListWidget", "QMenu", "QMessageBox", "QPushButton", "QRadioButton",
                          "QScrollArea", "QTextBrowser", "QToolButton", "QTreeWidget", "QTreeWidgetItem", "QVBoxLayout", "QWidget", "QWizard",
                          "QWizardPage"),
    "PySide6.QtPrintSupport": ("QPrintDialog", "QPrintPreviewDialog", "QPrintPreviewWidget", "QPrinter"),
}
_MODULE_OF = {name: module for module, names in NAMES.items() for name in names}


def lazy_names(namespace: dict, module_of: dict, load, hint: str = ""):
    """A module's ``__getattr__`` that takes each name in ``module_of`` from the module ``load(module_of[name])``
    returns, the first time it is asked for, and keeps it in ``namespace`` (the module's globals) so that the next
    lookup is an ordinary attribute. Used by this module and by ``ui/pages``."""

    def __getattr__(name: str):  # noqa: N807 — the module hook's name
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"{namespace['__name__']} has no {name!r}{hint}")
        value = getattr(load(module), name)
        namespace[name] = value
        return value

    return __getattr__


def _import(module: str):
    # Spelled out (not importlib): the packager finds the Qt modules the app needs by reading import statements.
    if module == "PySide6.QtCore":
        from PySide6 import QtCore as mod
    elif module == "PySide6.QtGui":
        from PySide6 import QtGui as mod
    elif module == "PySide6.QtWidgets":
        from PySide6 import QtWidgets as mod
    else:
        from PySide6 import QtPrintSupport as mod
    return mod


__getattr__ = lazy_names(globals(), _MODULE_OF, _import, " (add it to NAMES)")


def __dir__():
    return sorted([*globals(), *_MODULE_OF])

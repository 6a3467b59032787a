"""The wizard's pages, one module per page. Each page reads and writes its part of the case through its field
table (``FIELDS``); none of them computes a subsidy.

The page ids are plain numbers here; each other name is imported from its page's module when first asked for
(``from .pages import GoalsPage``), so that the first page's start-up does not import the modules of the pages
shown later (issue 28: ~20 M instructions, with PySide reading each module's source)."""

from __future__ import annotations

from ..qt import lazy_names

FACILITY, READER, GOALS, PLANS, USAGE, RESULT, CONFIRM = range(7)  # CONFIRM is shown before RESULT

_MODULE_OF = {
    "Field": "base", "FieldTable": "base", "LazyPage": "base", "headed": "base", "heading_font": "base",
    "scrolled": "base", "ConfirmPage": "confirm", "FacilityPage": "facility", "GoalsPage": "goals",
    "PlansPage": "plans", "plan_keys": "plans", "ReaderPage": "reader", "ProgramCard": "result",
    "ResultPage": "result", "USAGE_FIELDS": "usage", "UsagePage": "usage",
}

__all__ = ["FACILITY", "READER", "GOALS", "PLANS", "USAGE", "RESULT", "CONFIRM", *_MODULE_OF]


def _import(module: str):
    # Spelled out (not importlib): the packager finds the modules the app needs by reading import statements.
    if module == "base":
        from . import base as mod
    elif module == "confirm":
        from . import confirm as mod
    elif module == "facility":
        from . import facility as mod
    elif module == "goals":
        from . import goals as mod
    elif module == "plans":
        from . import plans as mod
    elif module == "reader":
        from . import reader as mod
    elif module == "result":
        from . import result as mod
    else:
        from . import usage as mod
    return mod


__getattr__ = lazy_names(globals(), _MODULE_OF, _import)

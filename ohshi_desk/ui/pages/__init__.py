"""The wizard's pages, one module per page. Each page reads and writes its part of the case through its field
table (``FIELDS``); none of them computes a subsidy."""

from __future__ import annotations

from .base import Field, FieldTable, LazyPage, headed, heading_font, scrolled
from .confirm import ConfirmPage
from .facility import FacilityPage
from .goals import GoalsPage
from .plans import PlansPage, plan_keys
from .reader import ReaderPage
from .result import ProgramCard, ResultPage
from .usage import USAGE_FIELDS, UsagePage

FACILITY, READER, GOALS, PLANS, USAGE, RESULT, CONFIRM = range(7)  # CONFIRM is shown before RESULT

__all__ = ["FACILITY", "READER", "GOALS", "PLANS", "USAGE", "RESULT", "CONFIRM", "ConfirmPage", "Field", "FieldTable", "LazyPage",
           "headed", "heading_font", "scrolled", "FacilityPage", "ReaderPage", "GoalsPage", "PlansPage",
           "UsagePage", "ResultPage", "ProgramCard", "USAGE_FIELDS", "plan_keys"]

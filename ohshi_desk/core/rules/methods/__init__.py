"""The computation methods a program file may name in ``method``, one module each.

Each module holds both halves of its method: ``parse(ctx, where, edition_yaml, edition, kinds, item_ok)`` checks
and reads the method's own keys of an edition (called by :mod:`..rules` while building), and
``compute(program, edition, plan, case, rules, result, suppressed)`` fills a :class:`..results.Result` (called by
:mod:`..engine`); ``sense(sense, edition, where)`` adds the method's sense checks (:class:`..rules_source.Sense`:
refused or warned, one rule for all) and ``changes(old, new, rules)`` says what differs in its own keys between two
rules (「ルールを更新…」). Adding a method is one new module and one line in :data:`METHODS` (and its keys in the
schema).
"""

from __future__ import annotations

from ohshi_desk.core.rules.methods import capped_rate, coupons, unit_table, usage_bonus

METHODS = {
    "capped_rate": capped_rate,
    "coupons": coupons,
    "usage_bonus": usage_bonus,
    "unit_table": unit_table,
}

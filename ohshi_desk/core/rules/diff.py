"""Comparing two built rules, value by value, for 「ルールを更新…」 (issue 25 point 7). Qt-free.

:func:`diff` walks two plain values (a :class:`.records.Val` is its value, a rate ``1/2``, a date 和暦) and says
each leaf that differs as one Japanese line ``<label> <before> → <after>``. The shared parts of an edition
(window, eligibility, groups, items, documents, rounding, variants) are compared by :func:`edition_changes`;
each method compares its own keys (``changes`` in each module of :mod:`.methods`), so a new method brings its own.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction

from ohshi_desk.core.base.formatting import wareki
from ohshi_desk.core.rules.records import Val

MISSING = object()

# The rules files' own keys, as the dialog says them (a key not here and not in ``names`` is said as it is written in
# the file — tests/test_rules_update_words.py edits every kind of value and finds no bare key in what is said).
KEY_WORDS = {
    "meets": "この利用率・増加人数のとき", "above_top": "小規模の表の上限を超えるとき", "min_rate": "利用率の下限",
    "max_rate": "利用率の上限", "min_increase": "増加人数の下限", "with": "同じシステムの制度", "group": "品目グループ",
    "note": "説明", "done_before_reason": "改修済みのときの説明", "counted_once_note": "1回だけ計上するときの説明",
    "flag_reasons": "質問ごとの理由", "system_exists_flags": "改修済みを示す質問", "cite": "出典",
    "confidence": "確かさ", "reason": "理由", "flag": "質問", "text": "文", "label": "名前", "help": "説明",
    "read_by": "読む制度", "if_yes": "「はい」なら申請できるときの案内", "closed_steps": "受付終了後の案内",
    "name": "名前", "url": "アドレス", "application": "申請の準備の案内", "steps": "次にやること",
}


def word(key, names: dict | None = None) -> str:
    """A key as the dialog says it: its label in ``names`` (a kind, a band, …), else the rules' own key words."""
    key = str(key)
    return (names or {}).get(key) or KEY_WORDS.get(key, key)


def plain(v):
    """A value as plain data to compare and show: Val → its value (and its confidence), Fraction → "1/2",
    date → 和暦, tuple/frozenset → list."""
    if isinstance(v, Val):
        return plain(v.value)
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)
    if isinstance(v, _dt.date):
        return wareki(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, frozenset | set):
        return sorted(plain(x) for x in v)
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    return v


def show(v, unit: str = "") -> str:
    """A value as the dialog says it; ``unit`` ("円") follows every whole number of a money value."""
    if v is MISSING or v is None:
        return "なし"
    if isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    if isinstance(v, list):
        return "［" + "、".join(show(x, unit) for x in v) + "］"
    if isinstance(v, dict):
        return "｛" + "、".join(f"{word(k)}: {show(x, unit)}" for k, x in v.items()) + "｝"
    return str(v)


def diff(label: str, a, b, names: dict | None = None, unit: str = "") -> list[str]:
    """One line per leaf where ``a`` and ``b`` differ (the same change of several keys said once). ``names`` turns a
    key (a kind, a band, …) into its label; ``unit`` ("円") follows the numbers of a money value."""
    if a is b or a == b:  # a Val equals only itself, so equal here means equal values (the fast path)
        return []
    a = plain(a) if a is not MISSING else a
    b = plain(b) if b is not MISSING else b
    if a == b:
        return []
    names = names or {}
    if isinstance(a, dict) and isinstance(b, dict):
        out, leaves = [], {}  # leaves: "before → after" of a key whose value is a leaf, to say the same change once
        for k in dict.fromkeys([*a, *b]):
            x, y = a.get(k, MISSING), b.get(k, MISSING)
            if x != y and _leafy(x) and _leafy(y):
                leaves.setdefault(f"{show(x, unit)} → {show(y, unit)}", []).append(word(k, names))
            else:
                out += diff(f"{label}・{word(k, names)}", x, y, names, unit)
        return [f"{label}・{'、'.join(keys)} {change}" for change, keys in leaves.items()] + out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and any(
            isinstance(x, dict | list) for x in a + b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += diff(f"{label}[{i + 1}]", x, y, names, unit)
        return out
    return [f"{label} {show(a, unit)} → {show(b, unit)}"]


def _leafy(v) -> bool:
    """A value said in one piece: not a mapping, and not a list holding mappings or lists."""
    return not isinstance(v, dict) and not (isinstance(v, list) and any(isinstance(x, dict | list) for x in v))


def kind_names(rules) -> dict[str, str]:
    """Each kind's label, and each group of kinds as its members' labels (「診療所（医科）・歯科診療所・薬局」)."""
    kinds = {k: kd.get("label", k) for k, kd in rules.kinds.items()}
    return {**{g: "・".join(kinds.get(m, m) for m in members) for g, members in rules.kind_groups.items()}, **kinds}


def confidences(label: str, a: dict, b: dict, names: dict) -> list[str]:
    """How sure each value of a kind table is (a value that becomes 'assumed' changes what is said)."""
    ca = {k: v.confidence for k, v in a.items() if hasattr(v, "confidence")}
    cb = {k: v.confidence for k, v in b.items() if hasattr(v, "confidence")}
    return diff(f"{label}の確かさ", ca, cb, names)


def edition_changes(o, e, rules) -> list[str]:
    """What every method shares: window, use starts, eligibility, groups (items, caps, conditions), items out of the
    subsidy or reviewed, documents, rounding, the first receipt date. A method's own keys are its ``changes``."""
    names = kind_names(rules)
    out = []
    if (o.start_date, o.end_date) != (e.start_date, e.end_date):
        out.append(f"受付期間 {show(plain(o.start))}〜{show(plain(o.end))} → {show(plain(e.start))}〜{show(plain(e.end))}")
    out += diff("用途ごとの受付開始", o.extra.get("use_starts", {}), e.extra.get("use_starts", {}))
    out += diff("最初に対象になる領収書の日付", o.extra.get("receipts_from"), e.extra.get("receipts_from"))
    out += diff("対象の施設区分", sorted(names.get(k, k) for k in o.kinds), sorted(names.get(k, k) for k in e.kinds))
    out += diff("対象の条件（施設の質問）", list(o.flags), list(e.flags))
    out += diff("対象外と書かれた施設区分", sorted(names.get(k, k) for k in o.extra.get("not_kinds", ())),
                sorted(names.get(k, k) for k in e.extra.get("not_kinds", ())))
    questions = {f: q.get("label", f) for f, q in rules.flags.items()}
    out += diff("対象の条件（施設の質問の最小の数）", o.extra.get("at_least", {}), e.extra.get("at_least", {}), questions)
    og, eg = {g.id: g for g in o.groups}, {g.id: g for g in e.groups}
    for gid in dict.fromkeys([*og, *eg]):
        a, b = og.get(gid), eg.get(gid)
        label = (b or a).label
        if a is None or b is None:
            out.append(f"品目グループ「{label}」" + ("を追加" if a is None else "がなくなります"))
            continue
        out += diff(f"{label}の品目", list(a.items), list(b.items))
        out += diff(f"{label}の事業費の上限", a.cap or {}, b.cap or {}, names, "円")
        out += diff(f"{label}の対象になる条件", a.only_when or {}, b.only_when or {}, names)
    for key, label in (("excluded_items", "対象外の品目"), ("review_items", "個別審査の品目")):
        out += diff(label, sorted(getattr(o, key)), sorted(getattr(e, key)))
    docs = {d: x.get("label", d) for d, x in rules.documents.items()}
    out += diff("必要書類", [docs.get(d, d) for d in o.documents], [docs.get(d, d) for d in e.documents])
    out += diff("必要書類の確かさ", {d: v.confidence for d, v in o.extra.get("document_vals", {}).items()},
                {d: v.confidence for d, v in e.extra.get("document_vals", {}).items()}, docs)
    out += diff("通知に明記される用途（必要書類）", o.extra.get("document_source_when", {}),
                e.extra.get("document_source_when", {}), docs)
    out += diff("端数処理", o.rounding, e.rounding)
    return out


KIND_TABLES = {"project_cap": "事業費の上限", "limit": "補助限度額", "rate": "補助率"}


def kind_tables(o, e, rules, keys=tuple(KIND_TABLES)) -> list[str]:
    """The edition's per-kind tables (project cap, limit, rate), each value and how sure it is:
    「病院の事業費の上限 822,000円 → 824,000円」."""
    names = kind_names(rules)
    out = []
    for key in keys:
        a, b = getattr(o, key), getattr(e, key)
        unit = "" if key == "rate" else "円"
        for kind in dict.fromkeys([*a, *b]):
            x = plain(a[kind]) if kind in a else None
            y = plain(b[kind]) if kind in b else None
            if x != y:
                out.append(f"{names.get(kind, kind)}の{KIND_TABLES[key]} {show(x, unit)} → {show(y, unit)}")
        out += confidences(KIND_TABLES[key], a, b, names)
    return out


def variants(o, e, rules) -> list[str]:
    """The edition's variants: when each applies, what it replaces, whether it gives nothing, how sure it is."""
    names = kind_names(rules)
    out = []
    ov, ev = {v["id"]: v for v in o.variants}, {v["id"]: v for v in e.variants}
    for vid in dict.fromkeys([*ov, *ev]):
        a, b = ov.get(vid), ev.get(vid)
        label = f"区分「{(b or a)['note'] or vid}」"  # a variant has no label: its note says what it is
        if a is None or b is None:
            out.append(label + ("を追加" if a is None else "がなくなります"))
            continue
        money = {"project_cap": "事業費の上限", "limit": "補助限度額"}
        other = {"when": "適用の条件", "rate": "補助率", "not_applicable": "対象外にする"}
        more = {**names, "kinds": "施設区分", "options": "改修の内容", "has_group": "品目グループ"}
        out += diff(label, {money[k]: a.get(k) for k in money}, {money[k]: b.get(k) for k in money}, more, "円")
        out += diff(label, {other[k]: a.get(k) for k in other}, {other[k]: b.get(k) for k in other}, more)
        out += diff(f"{label}の確かさ", getattr(a.get("val"), "confidence", None),
                    getattr(b.get("val"), "confidence", None))
    return out

"""The rules as records: what :mod:`.rules` builds from the rules folder and every other module reads.

Every rule value is a :class:`Val` carrying its value, citation, confidence and note. Plain records, no logic
beyond lookups: reading the files is :mod:`.rules_files`, building and checking them is :mod:`.rules`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

CONFIDENCE_ORDER = ("source", "derived", "secondary", "assumed")


class RulesError(Exception):
    """A rules file that cannot be used. ``str()`` is a one-line Japanese message naming file, key and problem."""

    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        where = f"{file}" + (f" の {key}" if key else "")
        super().__init__(f"ルールファイル {where}: {problem}")


class _Record:
    """A plain record: the fields named in ``__slots__``, given by position or keyword; a field left out takes its
    default from ``_defaults`` (a type there means a fresh instance of it, e.g. ``dict``).

    Plain classes rather than ``@dataclass``: importing dataclasses and building five of them cost ~9 ms of a
    40 ms budget at start (measured with ``-X importtime``), before the first page can show."""

    __slots__ = ()
    _defaults: dict[str, Any] = {}

    def __init__(self, *args, **kwargs):
        names = self.__slots__
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}: too many arguments")
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{type(self).__name__}: {name} given twice")
            kwargs[name] = value
        for name in names:
            if name in kwargs:
                value = kwargs.pop(name)
            elif name in self._defaults:
                value = self._defaults[name]
                value = value() if isinstance(value, type) else value
            else:
                raise TypeError(f"{type(self).__name__}: {name} is missing")
            object.__setattr__(self, name, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unknown {', '.join(kwargs)}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__ if not n.startswith("_"))
        return f"{type(self).__name__}({fields})"


class Val(_Record):
    """One rule value with where it comes from. Never changed once made."""

    __slots__ = ("value", "cite", "confidence", "note", "where")
    _defaults = {"note": "", "where": ""}
    value: Any
    cite: str
    confidence: str
    note: str
    where: str

    def __setattr__(self, name, value):
        raise AttributeError(f"Val is read-only ({name})")


class Group(_Record):
    __slots__ = ("id", "label", "items", "cap", "only_when", "not_eligible_reason")
    id: str
    label: str
    items: tuple[str, ...]
    cap: dict[str, Val] | None
    only_when: dict | None
    not_eligible_reason: str


class Edition(_Record):
    __slots__ = ("program_id", "id", "label", "cite", "confidence", "start", "end", "kinds", "flags",
                 "not_eligible_reason", "documents", "notes", "portal", "portal_by_kind", "groups", "excluded_items",
                 "review_items", "variants", "project_cap", "rate", "limit", "rounding", "extra")
    _defaults = {"groups": list, "excluded_items": dict, "review_items": dict, "variants": list,
                 "project_cap": dict, "rate": dict, "limit": dict, "rounding": None, "extra": dict}
    program_id: str
    id: str
    label: str
    cite: str
    confidence: str
    start: Val
    end: Val
    kinds: frozenset[str]
    flags: tuple[str, ...]
    not_eligible_reason: str
    documents: tuple[str, ...]
    notes: tuple[str, ...]
    portal: str
    portal_by_kind: dict[str, str]
    groups: list[Group]
    excluded_items: dict[str, Val]
    review_items: dict[str, Val]
    variants: list[dict]
    project_cap: dict[str, Val]
    rate: dict[str, Val]
    limit: dict[str, Val]
    rounding: Val | None
    extra: dict[str, Any]

    @property
    def start_date(self) -> _dt.date:
        return self.start.value

    @property
    def end_date(self) -> _dt.date:
        return self.end.value

    def portal_for(self, kind: str) -> str:
        return self.portal_by_kind.get(kind, self.portal)


class Program(_Record):
    __slots__ = ("id", "order", "short_name", "name", "goal", "goal_help", "method", "file", "editions",
                 "not_needed_when", "uses_usage", "shares_system", "done_before_flag", "excluded_when_flag",
                 "options", "default_option", "suggested_items", "purchases", "questions", "status_labels",
                 "when_closed", "not_needed_texts")
    _defaults = {"not_needed_when": None, "uses_usage": False, "shares_system": None, "done_before_flag": None,
                 "excluded_when_flag": None, "options": dict, "default_option": None, "suggested_items": (),
                 "purchases": True, "questions": dict, "status_labels": dict,
                 "when_closed": (), "not_needed_texts": dict}
    id: str
    order: int
    short_name: str
    name: str
    goal: str
    goal_help: str
    method: str
    file: str
    editions: list[Edition]
    not_needed_when: str | None
    uses_usage: bool
    shares_system: dict | None
    done_before_flag: str | None
    excluded_when_flag: dict | None
    options: dict[str, str]
    default_option: str | None
    suggested_items: tuple[str, ...]
    purchases: bool
    # Yes/no questions asked about this program's plan (issue 14 point 10: questions are data). {flag id: question}
    # where a question is {id, label, help, cite, confidence, note}; the case file keeps the answer as
    # ``plans.<program>.<flag id>: true|false``.
    questions: dict[str, dict]
    status_labels: dict[str, str]  # a program's own words for a status (P8: 申請不要・支給期間終了)
    # what is said when the program has closed, each {text, cite, confidence} (スマホ対応は義務ではありません)
    when_closed: tuple[dict, ...]
    # the sentences of ``not_needed_when`` (P1: whether the facility's readers read smartphones), with their cite
    not_needed_texts: dict[str, str]

    def edition_for(self, day: _dt.date) -> Edition:
        """The edition open on ``day``; else the next one to open; else the last one that closed."""
        for ed in self.editions:
            if ed.start_date <= day <= ed.end_date:
                return ed
        future = [ed for ed in self.editions if ed.start_date > day]
        if future:
            return min(future, key=lambda e: e.start_date)
        return max(self.editions, key=lambda e: e.end_date)


class Rules(_Record):
    """Everything in a rules folder, checked. ``programs`` is built on first use when the folder's checks are
    already known to pass (see :func:`load_rules`); the first page needs only kinds, flags and prefectures."""

    __slots__ = ("folder", "version", "last_checked", "sources", "kinds", "kind_groups", "flags", "items", "makers",
                 "reader_hint", "portals", "call_center", "documents", "prefectures", "municipalities",
                 "confidence_levels", "assumed_kind", "_warnings", "_find_warnings", "_programs", "_build_programs",
                 "origin", "no_application", "disclaimer", "reader_advice", "free_units", "document_not_named",
                 "engine_texts")
    # origin: "" for the bundled rules, else the override folder they came from (rules_source.resolve_rules)
    _defaults = {"confidence_levels": dict, "assumed_kind": None, "_warnings": None, "_find_warnings": None,
                 "_programs": None, "_build_programs": None, "origin": "",
                 "no_application": "", "disclaimer": "", "reader_advice": "", "free_units": dict,
                 "document_not_named": "", "engine_texts": dict}
    folder: Path
    version: str
    last_checked: _dt.date
    sources: dict[str, dict]
    kinds: dict[str, dict]
    kind_groups: dict[str, tuple[str, ...]]
    flags: dict[str, dict]
    items: dict[str, dict]
    makers: dict[str, dict]
    reader_hint: str
    portals: dict[str, dict]
    call_center: str
    documents: dict[str, dict]
    prefectures: list[dict]
    municipalities: dict[str, Any]
    confidence_levels: dict[str, str]  # the wording of each confidence level (meta.yaml), shared by every output
    document_not_named: str  # after a document the notice does not name (documents.yaml ``not_named``)
    no_application: str  # 申請の準備 of a program whose portal has no ``application`` (portals.yaml)
    assumed_kind: str | None  # the kind assumed before the facility kind is answered (facility_kinds.yaml)
    disclaimer: str  # the one disclaimer of every output (meta.yaml)
    engine_texts: dict[str, str]  # the sentences the engine says for any program, with {blanks} (meta.yaml)
    reader_advice: str  # said when the facility's reader reads smartphones by itself (readers.yaml)
    free_units: dict  # 無償提供を受けた台数: its choices and help (readers.yaml)

    @property
    def warnings(self) -> list[str]:
        """Problems worth a look that do not stop the rules (the sense checks' warnings, one wording for the bundled
        rules, an override and a pack: :func:`.rules_source.sense_warnings`); worked out when first asked for."""
        if self._warnings is None:
            self._warnings = self._find_warnings(self) if self._find_warnings else []
        return self._warnings

    @property
    def programs(self) -> list[Program]:
        if self._programs is None:
            self._programs = self._build_programs()
            self._build_programs = None
        return self._programs

    def program(self, program_id: str) -> Program:
        for p in self.programs:
            if p.id == program_id:
                return p
        raise KeyError(program_id)

    @property
    def program_ids(self) -> list[str]:
        return [p.id for p in self.programs]

    def cite_text(self, cite: str) -> str:
        s = self.sources.get(cite, {})
        parts = [s.get("notice", cite)]
        if s.get("date"):
            parts.append(s["date"])
        if s.get("file"):
            parts.append(f"seeds/{s['file']}")
        return "・".join(parts)

    def asks_institution_code(self, kind: str | None) -> bool:
        """A facility is asked its 保険医療機関等コード unless its kind has no 点数表 code (not a 保険医療機関, e.g.
        その他); a kind not answered yet is asked."""
        return kind not in self.kinds or bool(self.kinds[kind].get("score_table_code"))

    def reads_smartphone(self, maker: str | None) -> Val:
        return self.makers.get(maker or "unknown", self.makers["unknown"])["reads_smartphone"]

    def prefecture_code(self, name: str | None) -> str:
        for p in self.prefectures:
            if p["name"] == name:
                return p["code"]
        return ""

    def municipality_status(self, prefecture: str | None, municipality: str | None) -> dict:
        """Whether a prefecture / municipality is on seed 003's list of 医療費助成 participants (information only)."""
        data = self.municipalities
        names = data["by_prefecture"].get(prefecture or "", ())
        return {
            "prefecture_listed": (prefecture or "") in data["participating_prefectures"],
            "municipality_listed": bool(municipality) and municipality in names,
            "as_of_label": data.get("as_of_label", ""),
        }

"""Loading and validating the rules folder (``rules/``).

The rules are data: YAML files read with a safe loader, checked against ``rules/schema/rules.schema.json``,
then checked for contradictions (an unknown citation, a window that ends before it starts, a limit above its cap,
a kind table that names a kind twice, …). A file that fails is refused with :class:`RulesError`, whose message
names the file, the key and the problem in Japanese.

Every rule value becomes a :class:`Val` carrying its value, citation, confidence and note. A value written bare
in YAML takes the ``cite``/``confidence`` of the edition (or file) it stands in.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fractions import Fraction

CONFIDENCE_ORDER = ("source", "derived", "secondary", "assumed")
CONFIDENCE_LABELS = {"source": "通知に明記", "derived": "通知の数値から計算", "secondary": "通知以外の資料",
                     "assumed": "仮定（少なめに見積もり）"}


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

    def citation(self, rules: Rules) -> str:
        return rules.cite_text(self.cite)


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
                 "options", "default_option", "suggested_items", "purchases")
    _defaults = {"not_needed_when": None, "uses_usage": False, "shares_system": None, "done_before_flag": None,
                 "excluded_when_flag": None, "options": dict, "default_option": None, "suggested_items": (),
                 "purchases": True}
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
                 "reader_hint", "portals", "call_center", "documents", "prefectures", "municipalities", "_programs",
                 "_build_programs")
    _defaults = {"_programs": None, "_build_programs": None}
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


# ---------------------------------------------------------------------------------------------- loading

def default_rules_dir() -> Path:
    """The bundled rules: next to the package (from source) or inside the frozen app."""
    env = os.environ.get("OHSHI_RULES_DIR")
    if env:
        return Path(env)
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "rules"
    return Path(__file__).resolve().parents[2] / "rules"


def resources_dir() -> Path:
    """The bundled resources (icon, example case), found the same way as the rules, frozen or from source."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


_SCHEMA_CACHE: dict[Path, Any] = {}


def _validator(folder: Path):
    path = folder / "schema" / "rules.schema.json"
    if path not in _SCHEMA_CACHE:
        import jsonschema

        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RulesError("schema/rules.schema.json", "", f"スキーマを読めません（{exc}）") from None
        validators = {}
        for name in schema["$defs"]:
            sub = {"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}
            validators[name] = jsonschema.Draft202012Validator(sub)
        _SCHEMA_CACHE[path] = validators
    return _SCHEMA_CACHE[path]


def _read(folder: Path, rel: str) -> dict:
    from .yamlsafe import describe_yaml_error, load_yaml

    path = folder / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(rel, "", "ファイルがありません") from None
    except UnicodeDecodeError:
        raise RulesError(rel, "", "UTF-8のテキストではありません") from None
    except OSError as exc:
        raise RulesError(rel, "", f"読み込めません（{exc.strerror}）") from None
    try:
        data = load_yaml(text)
    except Exception as exc:  # yaml.YAMLError and friends: any parse failure is a refusal
        raise RulesError(rel, "", describe_yaml_error(exc)) from None
    if not isinstance(data, dict):
        raise RulesError(rel, "", "中身がYAMLの対応表（キー: 値）ではありません")
    return data


def _check_schema(validators, rel: str, data: dict) -> None:
    kind = data.get("kind")
    if kind not in validators or kind in ("edition", "group", "window"):
        raise RulesError(rel, "kind", f"「{kind}」は知らない種類です")
    errors = sorted(validators[kind].iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = _best(errors)
        key = _path_text(err.absolute_path)
        raise RulesError(rel, key or "(最上位)", _schema_problem(err))


def _best(errors):
    import jsonschema.exceptions

    return jsonschema.exceptions.best_match(errors)


def _path_text(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_problem(err) -> str:
    v = err.validator
    if v == "required":
        missing = [k for k in err.validator_value if k not in (err.instance or {})]
        return f"必要なキー「{'、'.join(missing)}」がありません"
    if v == "additionalProperties":
        return f"知らないキーがあります（{err.message}）"
    if v == "type":
        return f"値の型が違います（{err.validator_value} が必要）: {err.instance!r}"
    if v in ("pattern", "enum", "const", "oneOf", "anyOf", "propertyNames"):
        return f"値が正しくありません: {err.instance!r}"
    if v in ("minimum", "maximum"):
        return f"値が範囲外です: {err.instance!r}"
    return err.message


class _Ctx:
    """Resolves bare values into Val with inherited citation and confidence, and checks references."""

    def __init__(self, rel: str, sources: dict, kinds: dict, groups: dict):
        self.rel, self.sources, self.kinds, self.groups = rel, sources, kinds, groups

    def fail(self, key: str, problem: str):
        raise RulesError(self.rel, key, problem)

    def val(self, node, where: str, cite: str, confidence: str, conv=None) -> Val:
        note = ""
        if isinstance(node, dict) and "value" in node:
            cite = node.get("cite", cite)
            confidence = node.get("confidence", confidence)
            note = node.get("note", "")
            node = node["value"]
        if cite not in self.sources:
            self.fail(where, f"出典「{cite}」が meta.yaml の sources にありません")
        if conv is not None:
            node = conv(node, where)
        return Val(node, cite, confidence, note, f"{self.rel}: {where}")

    def kind_list(self, node, where: str) -> tuple[str, ...]:
        names = [node] if isinstance(node, str) else list(node)
        out: list[str] = []
        for n in names:
            if n in self.kinds:
                out.append(n)
            elif n in self.groups:
                out.extend(self.groups[n])
            else:
                self.fail(where, f"施設区分「{n}」は facility_kinds.yaml にありません")
        return tuple(dict.fromkeys(out))

    def kind_table(self, node, where: str, cite: str, confidence: str, conv=None) -> dict[str, Val]:
        table: dict[str, Val] = {}
        for key, sub in node.items():
            val = self.val(sub, f"{where}.{key}", cite, confidence, conv)
            for kind in self.kind_list(key, f"{where}.{key}"):
                if kind in table:
                    self.fail(f"{where}.{key}", f"施設区分「{kind}」の値が2か所で決められています（矛盾）")
                table[kind] = val
        return table

    def date(self, text, where: str) -> _dt.date:
        try:
            return _dt.date.fromisoformat(text)
        except (TypeError, ValueError):
            self.fail(where, f"日付「{text}」が正しくありません")

    def rate(self, text, where: str) -> Fraction:
        from fractions import Fraction  # here, not at the top: the first page is shown before any rate is read

        num, den = (int(x) for x in str(text).split("/"))
        r = Fraction(num, den)
        if not 0 < r <= 1:
            self.fail(where, f"補助率「{text}」は0より大きく1以下でなければなりません")
        return r


FIXED_FILES = ("meta.yaml", "facility_kinds.yaml", "items.yaml", "readers.yaml", "portals.yaml", "documents.yaml",
               "prefectures.yaml", "municipalities.yaml")
CACHE_FORMAT = "ohshi-rules-cache/2"


def default_cache_dir() -> Path:
    env = os.environ.get("OHSHI_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "ohshi-desk" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ohshi-desk"


def _documents(folder: Path, cache_dir: Path | None):
    """Every rules file parsed and schema-checked, by relative path: (documents, whether they come from the cache,
    a function that writes them to the cache).

    Parsing YAML and running the JSON schema cost most of a start, so documents that passed every check (the
    schema and all of :func:`load_rules`'s) are kept as plain JSON in the user's cache folder under a checksum of
    every rules byte, of the schema and of the app's version. Any change to any file, or another version of the
    app (whose checks may differ), gives another digest and a full check; a cache that cannot be read or written
    is simply not used.
    """
    import zlib

    from .. import __version__

    program_files = sorted(p.name for p in (folder / "programs").glob("*.yaml"))
    rels = [*FIXED_FILES, *(f"programs/{n}" for n in program_files)]
    # The key is a CRC-32 and the length of all the bytes: enough to tell an edited file from the checked one
    # (this guards a cache of our own checks, not against tampering), and zlib is already loaded at start
    # where hashlib would cost a few milliseconds of OpenSSL.
    blob = bytearray(f"{CACHE_FORMAT}\0{__version__}\0".encode())
    for rel in [*rels, "schema/rules.schema.json"]:
        try:
            blob += rel.encode() + b"\0" + (folder / rel).read_bytes() + b"\0"
        except OSError:
            blob += rel.encode() + b"\0missing\0"
    key = f"{zlib.crc32(blob):08x}-{len(blob):x}"
    cache_file = cache_dir / f"rules-{key}.json" if cache_dir else None
    if cache_file is not None:
        try:
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            if cached.get("format") == CACHE_FORMAT and list(cached["documents"]) == rels:
                return cached["documents"], True, lambda: None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    if not program_files:
        raise RulesError("programs/", "", "補助制度のファイルがありません")
    validators = _validator(folder)
    docs = {}
    for rel in rels:
        data = _read(folder, rel)
        _check_schema(validators, rel, data)
        docs[rel] = data

    def save() -> None:
        if cache_file is None:
            return
        try:
            from .case import atomic_write_bytes

            cache_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(cache_file, json.dumps({"format": CACHE_FORMAT, "documents": docs},
                                                      ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass

    return docs, False, save


def load_rules(folder: Path | str | None = None, *, cache_dir: Path | None | bool = True) -> Rules:
    """Load and validate every file of a rules folder. Raises :class:`RulesError` on the first problem.

    ``cache_dir``: True for the user's cache folder, False/None to parse and check everything afresh.
    """
    folder = Path(folder) if folder is not None else default_rules_dir()
    if not folder.is_dir():
        raise RulesError(str(folder), "", "ルールのフォルダがありません")
    docs, checked_before, save_to_cache = _documents(folder, default_cache_dir() if cache_dir is True
                                                     else (cache_dir or None))
    read = docs.__getitem__

    meta = read("meta.yaml")
    sources = meta["sources"]
    fk = read("facility_kinds.yaml")
    kinds = fk["kinds"]
    groups = {k: tuple(v) for k, v in fk["groups"].items()}
    for g, members in groups.items():
        if g in kinds:
            raise RulesError("facility_kinds.yaml", f"groups.{g}", "グループ名が施設区分と同じです")
        for m in members:
            if m not in kinds:
                raise RulesError("facility_kinds.yaml", f"groups.{g}", f"施設区分「{m}」がありません")

    items = read("items.yaml")["items"]
    readers = read("readers.yaml")
    portals = read("portals.yaml")
    documents = read("documents.yaml")["documents"]
    prefectures = read("prefectures.yaml")["prefectures"]
    munis = read("municipalities.yaml")
    ctx = _Ctx("readers.yaml", sources, kinds, groups)
    makers = {}
    for mid, m in readers["makers"].items():
        makers[mid] = dict(m, reads_smartphone=ctx.val(m["reads_smartphone"], f"makers.{mid}.reads_smartphone",
                                                      "ohshi_policy", "assumed"))
    if "unknown" not in makers:
        raise RulesError("readers.yaml", "makers", "「unknown」（わからない）がありません")

    pref_names = [p["name"] for p in prefectures]
    if len(set(pref_names)) != len(pref_names) or len({p["code"] for p in prefectures}) != len(prefectures):
        raise RulesError("prefectures.yaml", "prefectures", "都道府県名または番号が重複しています")
    for i, p in enumerate(munis["participating_prefectures"]):
        if p not in pref_names:
            raise RulesError("municipalities.yaml", f"participating_prefectures[{i}]", f"「{p}」は都道府県ではありません")
    by_pref: dict[str, tuple[str, ...]] = {}
    for pref, names in munis["municipalities"].items():
        if pref not in pref_names:
            raise RulesError("municipalities.yaml", f"municipalities.{pref}", f"「{pref}」は都道府県ではありません")
        flat = tuple(n if isinstance(n, str) else n["name"] for n in names)
        if len(set(flat)) != len(flat):
            raise RulesError("municipalities.yaml", f"municipalities.{pref}", "同じ市区町村が2回あります")
        by_pref[pref] = flat
    munis = dict(munis, by_prefecture=by_pref)

    def build_programs() -> list[Program]:
        programs = []
        for rel in (r for r in docs if r.startswith("programs/")):
            data = read(rel)
            programs.append(_program(rel, data, _Ctx(rel, sources, kinds, groups), items, documents,
                                     portals["portals"]))
        _check_programs(programs)
        return sorted(programs, key=lambda p: p.order)

    rules = Rules(
        folder=folder,
        version=meta["version"],
        last_checked=_dt.date.fromisoformat(meta["last_checked"]),
        sources=sources,
        kinds=kinds,
        kind_groups=groups,
        flags=fk["flags"],
        items=items,
        makers=makers,
        reader_hint=readers.get("where_to_look", ""),
        portals=portals["portals"],
        call_center=portals.get("call_center", ""),
        documents=documents,
        prefectures=prefectures,
        municipalities=munis,
        _build_programs=build_programs,
    )
    if not checked_before:
        # A folder seen for the first time is checked whole, now, and only then remembered as good. Once it is,
        # the programs are built when first asked for: the checks they run are known to pass on these bytes.
        rules.programs  # noqa: B018 — builds and checks
        save_to_cache()
    return rules


def _program(rel: str, data: dict, ctx: _Ctx, items: dict, documents: dict, portals: dict) -> Program:
    pid = data["id"]
    editions = []
    for i, ed in enumerate(data["editions"]):
        editions.append(_edition(ctx, pid, data["method"], f"editions[{i}]", ed, items, documents, portals,
                                 data.get("options", {})))
    editions.sort(key=lambda e: e.start_date)
    for a, b in zip(editions, editions[1:], strict=False):
        if b.start_date <= a.end_date:
            ctx.fail("editions", f"「{a.id}」と「{b.id}」の受付期間が重なっています")
    if data.get("default_option") and data["default_option"] not in data.get("options", {}):
        ctx.fail("default_option", "options にない選択肢です")
    for it in data.get("suggested_items", ()):
        if it not in items:
            ctx.fail("suggested_items", f"品目「{it}」が items.yaml にありません")
    return Program(
        id=pid, order=data["order"], short_name=data["short_name"], name=data["name"], goal=data["goal"], goal_help=data["goal_help"],
        method=data["method"], file=rel, editions=editions, not_needed_when=data.get("not_needed_when"),
        uses_usage=bool(data.get("uses_usage")), shares_system=data.get("shares_system"),
        done_before_flag=data.get("done_before_flag"), excluded_when_flag=data.get("excluded_when_flag"),
        options=data.get("options", {}), default_option=data.get("default_option"),
        suggested_items=tuple(data.get("suggested_items", ())), purchases=data.get("purchases", True),
    )


def _edition(ctx: _Ctx, pid: str, method: str, w: str, ed: dict, items: dict, documents: dict,
             portals: dict, options: dict) -> Edition:
    cite, conf = ed["cite"], ed["confidence"]
    if cite not in ctx.sources:
        ctx.fail(f"{w}.cite", f"出典「{cite}」が meta.yaml の sources にありません")
    start = ctx.val(ed["window"]["start"], f"{w}.window.start", cite, conf, ctx.date)
    end = ctx.val(ed["window"]["end"], f"{w}.window.end", cite, conf, ctx.date)
    if end.value < start.value:
        ctx.fail(f"{w}.window", "受付期間の終わりが始まりより前です")
    elig = ed["eligibility"]
    kinds = frozenset(ctx.kind_list(elig["kinds"], f"{w}.eligibility.kinds"))
    for doc in ed["documents"]:
        if doc not in documents:
            ctx.fail(f"{w}.documents", f"書類「{doc}」が documents.yaml にありません")
    portal = ed.get("portal", "none")
    portal_by_kind = {}
    for key, p in ed.get("portal_by_kind", {}).items():
        for k in ctx.kind_list(key, f"{w}.portal_by_kind.{key}"):
            portal_by_kind[k] = p
    for p in [portal, *portal_by_kind.values()]:
        if p not in portals:
            ctx.fail(f"{w}.portal", f"窓口「{p}」が portals.yaml にありません")

    e = Edition(program_id=pid, id=ed["id"], label=ed["label"], cite=cite, confidence=conf, start=start, end=end,
                kinds=kinds, flags=tuple(elig.get("flags", ())),
                not_eligible_reason=elig.get("not_eligible_reason", "この施設区分は対象ではありません"),
                documents=tuple(ed["documents"]), notes=tuple(ed.get("notes", ())), portal=portal,
                portal_by_kind=portal_by_kind)

    def item_ok(item: str, where: str):
        if item not in items:
            ctx.fail(where, f"品目「{item}」が items.yaml にありません")

    seen_items: dict[str, str] = {}
    for gi, g in enumerate(ed.get("groups", [])):
        gw = f"{w}.groups[{gi}]"
        for it in g["items"]:
            item_ok(it, f"{gw}.items")
            if it in seen_items:
                ctx.fail(f"{gw}.items", f"品目「{it}」が2つのグループ（{seen_items[it]}・{g['id']}）にあります")
            seen_items[it] = g["id"]
        cap = ctx.kind_table(g["cap"], f"{gw}.cap", cite, conf) if "cap" in g else None
        only = g.get("only_when")
        if only:
            ctx.kind_list(only.get("kinds", []), f"{gw}.only_when.kinds")
            for o in only.get("options", []):
                if o not in options:
                    ctx.fail(f"{gw}.only_when.options", f"選択肢「{o}」が options にありません")
        e.groups.append(Group(g["id"], g["label"], tuple(g["items"]), cap, only, g.get("not_eligible_reason", "")))
    for key in ("excluded_items", "review_items"):
        for it, node in ed.get(key, {}).items():
            item_ok(it, f"{w}.{key}")
            if it in seen_items:
                ctx.fail(f"{w}.{key}.{it}", "補助対象のグループにもある品目です（矛盾）")
            getattr(e, key)[it] = ctx.val({"value": node["reason"], **{k: v for k, v in node.items() if k != "reason"}},
                                          f"{w}.{key}.{it}", cite, conf)
    for key in ("project_cap", "limit"):
        if key in ed:
            setattr(e, key, ctx.kind_table(ed[key], f"{w}.{key}", cite, conf))
    if "rate" in ed:
        e.rate = ctx.kind_table(ed["rate"], f"{w}.rate", cite, conf, ctx.rate)
    if "rounding" in ed:
        e.rounding = ctx.val(ed["rounding"], f"{w}.rounding", cite, conf)
    for vi, var in enumerate(ed.get("variants", [])):
        vw = f"{w}.variants[{vi}]"
        ctx.kind_list(var["when"].get("kinds", []), f"{vw}.when.kinds")
        resolved = {"id": var["id"], "when": var["when"], "note": var["note"]}
        for key in ("project_cap", "limit"):
            resolved[key] = ctx.kind_table(var.get(key, {}), f"{vw}.{key}", cite, conf) if key in var else {}
        resolved["rate"] = ctx.kind_table(var["rate"], f"{vw}.rate", cite, conf, ctx.rate) if "rate" in var else {}
        e.variants.append(resolved)

    if method == "capped_rate":
        for key in ("groups", "project_cap", "rate", "limit", "rounding"):
            if key not in ed:
                ctx.fail(w, f"計算方法 capped_rate には「{key}」が必要です")
        for key in ("project_cap", "rate", "limit"):
            missing = sorted(k for k in kinds if k not in getattr(e, key))
            if missing:
                ctx.fail(f"{w}.{key}", f"対象の施設区分「{'、'.join(missing)}」の値がありません")
        for k in kinds:
            if e.limit[k].value > e.project_cap[k].value:
                ctx.fail(f"{w}.limit", f"「{k}」の補助限度額が事業費の上限を超えています（矛盾）")
    elif method == "coupons":
        _coupons(ctx, w, ed, e, kinds, item_ok)
    elif method == "usage_bonus":
        _usage_tables(ctx, w, ed, e, kinds)
    elif method == "unit_table":
        _unit_table(ctx, w, ed, e, kinds, item_ok)
    return e


def _coupons(ctx: _Ctx, w: str, ed: dict, e: Edition, kinds, item_ok) -> None:
    cite, conf = e.cite, e.confidence
    if "coupon" not in ed or "coupons_per_facility" not in ed:
        ctx.fail(w, "計算方法 coupons には「coupon」と「coupons_per_facility」が必要です")
    c = ed["coupon"]
    for it in c["items"]:
        item_ok(it, f"{w}.coupon.items")
    if c["requires"] not in c["items"]:
        ctx.fail(f"{w}.coupon.requires", "必須の品目が coupon.items にありません")
    coupon = {
        "requires": c["requires"],
        "items": dict(c["items"]),
        "project_cap": ctx.val(c["project_cap"], f"{w}.coupon.project_cap", cite, conf),
        "rate": ctx.val(c["rate"], f"{w}.coupon.rate", cite, conf, ctx.rate),
        "limit": ctx.val(c["limit"], f"{w}.coupon.limit", cite, conf),
        "rounding": ctx.val(c.get("rounding", "floor_1"), f"{w}.coupon.rounding", cite, conf),
    }
    if coupon["limit"].value > coupon["project_cap"].value:
        ctx.fail(f"{w}.coupon.limit", "補助限度額が事業費の上限を超えています（矛盾）")
    per = ctx.kind_table(ed["coupons_per_facility"], f"{w}.coupons_per_facility", cite, conf)
    missing = sorted(k for k in kinds if k not in per)
    if missing:
        ctx.fail(f"{w}.coupons_per_facility", f"対象の施設区分「{'、'.join(missing)}」の値がありません")
    published = {}
    for key, figs in ed.get("published", {}).items():
        for k in ctx.kind_list(key, f"{w}.published.{key}"):
            published[k] = figs
    e.extra.update(coupon=coupon, coupons_per_facility=per, published=published)


def _usage_tables(ctx: _Ctx, w: str, ed: dict, e: Edition, kinds) -> None:
    from decimal import Decimal
    from fractions import Fraction

    bands = []
    prev_max = None
    for i, b in enumerate(ed.get("bands", [])):
        lo = Fraction(Decimal(b["min"]))
        hi = Fraction(Decimal(b["max"])) if "max" in b else None
        if prev_max is not None and lo != prev_max:
            ctx.fail(f"{w}.bands[{i}]", "利用率の区分が連続していません")
        if hi is not None and hi <= lo:
            ctx.fail(f"{w}.bands[{i}]", "区分の上限が下限以下です")
        bands.append({"id": b["id"], "label": b["label"], "min": lo, "max": hi,
                      "max_inclusive": bool(b.get("max_inclusive", False))})
        prev_max = hi
    if not bands or bands[-1]["max"] is not None:
        ctx.fail(f"{w}.bands", "最後の区分は上限なし（〜以上）でなければなりません")
    band_ids = [b["id"] for b in bands]
    tables = {}
    for tid, t in ed.get("tables", {}).items():
        tw = f"{w}.tables.{tid}"
        th = t["thresholds"]
        if any(b <= a for a, b in zip(th, th[1:], strict=False)):
            ctx.fail(f"{tw}.thresholds", "増加人数のしきい値が小さい順に並んでいません")
        rows = {}
        for rid, row in t["rows"].items():
            if rid not in band_ids:
                ctx.fail(f"{tw}.rows.{rid}", "bands にない利用率区分です")
            if len(row) > len(th):
                ctx.fail(f"{tw}.rows.{rid}", "行の金額がしきい値の数より多いです")
            if any(b < a for a, b in zip(row, row[1:], strict=False)):
                ctx.fail(f"{tw}.rows.{rid}", "増加人数が多いほど金額が下がっています（矛盾）")
            rows[rid] = list(row)
        # a higher band never gets less for the same increase (rows are left-aligned)
        ordered = [rows[b] for b in band_ids if b in rows]
        for lower, higher in zip(ordered, ordered[1:], strict=False):
            for j in range(min(len(lower), len(higher))):
                if higher[j] < lower[j]:
                    ctx.fail(f"{tw}.rows", "利用率が高い区分の方が金額が少なくなっています（矛盾）")
        applies = ctx.kind_list(t.get("applies_to", []), f"{tw}.applies_to") if t.get("applies_to") else ()
        tables[tid] = {"id": tid, "label": t["label"], "thresholds": list(th), "rows": rows, "applies_to": applies,
                       "small_facility": bool(t.get("small_facility")), "receipts_max": t.get("receipts_max"),
                       "note": t.get("note", "")}
    normal = [t for t in tables.values() if not t["small_facility"]]
    for k in kinds:
        if sum(k in t["applies_to"] for t in normal) != 1:
            ctx.fail(f"{w}.tables", f"施設区分「{k}」の表がちょうど1つではありません")
    edge = ed.get("band_edge", {})
    e.extra.update(bands=bands, tables=tables, band_edge=ctx.val(
        {"value": True, **edge}, f"{w}.band_edge", e.cite, e.confidence),
        published_max=ed.get("published_max", {}))


def _unit_table(ctx: _Ctx, w: str, ed: dict, e: Edition, kinds, item_ok) -> None:
    cite, conf = e.cite, e.confidence
    for key in ("unit_item", "units_by_free_units", "max_units", "limit_by_units", "rate", "rounding", "groups"):
        if key not in ed:
            ctx.fail(w, f"計算方法 unit_table には「{key}」が必要です")
    item_ok(ed["unit_item"], f"{w}.unit_item")
    table = {}
    for free, steps in ed["units_by_free_units"].items():
        mins = [s["min_uses"] for s in steps]
        units = [s["units"] for s in steps]
        if any(b <= a for a, b in zip(mins, mins[1:], strict=False)) or any(
                b <= a for a, b in zip(units, units[1:], strict=False)):
            ctx.fail(f"{w}.units_by_free_units.{free}", "利用件数と台数が小さい順に並んでいません")
        table[int(free)] = [(s["min_uses"], s["units"]) for s in steps]
    unknown = ed.get("free_units_unknown")
    if unknown and int(unknown["assume"]) not in table:
        ctx.fail(f"{w}.free_units_unknown.assume", "units_by_free_units にない台数です")
    max_units = ctx.kind_table(ed["max_units"], f"{w}.max_units", cite, conf)
    limits = {}
    for key, row in ed["limit_by_units"].items():
        if any(b < a for a, b in zip(row, row[1:], strict=False)):
            ctx.fail(f"{w}.limit_by_units.{key}", "台数が多いほど上限が下がっています（矛盾）")
        v = ctx.val({"value": list(row)}, f"{w}.limit_by_units.{key}", cite, conf)
        for k in ctx.kind_list(key, f"{w}.limit_by_units.{key}"):
            limits[k] = v
    for k in kinds:
        if k not in max_units or k not in limits or k not in e.rate:
            ctx.fail(w, f"施設区分「{k}」の台数・上限・補助率がそろっていません")
        if max_units[k].value > len(limits[k].value):
            ctx.fail(f"{w}.limit_by_units", f"「{k}」の最大台数に対応する上限額がありません")
    e.extra.update(unit_item=ed["unit_item"], units_by_free_units=table, max_units=max_units,
                   limit_by_units=limits,
                   free_units_unknown=ctx.val({"value": int(unknown["assume"]),
                                               **{k: v for k, v in unknown.items() if k != "assume"}},
                                              f"{w}.free_units_unknown", cite, conf) if unknown else None)


def _check_programs(programs: list[Program]) -> None:
    ids = [p.id for p in programs]
    for p in programs:
        if ids.count(p.id) > 1:
            raise RulesError(p.file, "id", f"補助制度のID「{p.id}」が重複しています")
    orders = [p.order for p in programs]
    for p in programs:
        if orders.count(p.order) > 1:
            raise RulesError(p.file, "order", f"表示順 {p.order} が重複しています")
        share = p.shares_system
        if share:
            other = next((q for q in programs if q.id == share["with"]), None)
            if other is None:
                raise RulesError(p.file, "shares_system.with", f"補助制度「{share['with']}」がありません")
            if not other.shares_system or other.shares_system["with"] != p.id:
                raise RulesError(p.file, "shares_system", f"「{other.id}」の側にも同じシステムの指定が必要です")
            for ed in p.editions:
                if share["group"] not in [g.id for g in ed.groups]:
                    raise RulesError(p.file, "shares_system.group", f"グループ「{share['group']}」がありません")


def override_dirs() -> list[Path]:
    """Folders whose rules replace the bundled ones, most specific first: ``rules`` next to the frozen executable
    (a vendor's USB stick), then ``rules`` in the user's app-data folder."""
    from .paths import data_dir

    dirs = []
    if getattr(sys, "frozen", False):
        dirs.append(Path(sys.executable).resolve().parent / "rules")
    dirs.append(data_dir() / "rules")
    return dirs


def load_rules_for_app() -> tuple[Rules, Path, list[str]]:
    """The rules the app should use: an override folder when it validates, else the bundled rules.

    Returns (rules, folder used, warnings). A broken override is not used; the warning names the folder and the
    file, key and problem, so that the vendor can fix it. Raises RulesError only when the bundled rules fail.
    """
    warnings = []
    if not os.environ.get("OHSHI_RULES_DIR"):
        for folder in override_dirs():
            if not folder.is_dir():
                continue
            try:
                return load_rules(folder), folder, warnings
            except RulesError as exc:
                warnings.append(f"差し替え用のルール（{folder}）に誤りがあるため使わず、同梱のルールを使います。{exc}")
    folder = default_rules_dir()
    return load_rules(folder), folder, warnings

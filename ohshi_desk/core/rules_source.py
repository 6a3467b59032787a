"""Which rules the app uses, read so that no rules folder can break or steer it. Qt-free.

- The JSON schema is always the bundled one: an override folder's ``schema/`` is never read, and no ``$ref`` is
  resolved outside the schema document (no file, no network).
- Rules files are read through :mod:`.guard`: regular files only, a size cap, nesting/alias/digit limits.
- Values are checked for sense beyond the schema (:func:`sense_problems`): money positive and bounded, rates in
  (0, 1], windows in order and plausible, a limit equal to the rounded cap × rate unless a note explains it.
- :func:`resolve_rules` is the one resolution order, used by the wizard, the CLI and the self-test: the rules
  folder beside the frozen executable, then ``rules`` in the user's app-data folder, then the bundled rules.
  **Any** failure of an override (not only a :class:`RulesError`) means the bundled rules, with a message naming
  the folder and the file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

MAX_YEN = 1_000_000_000  # no single figure of these programs comes near 10億円

_VALIDATORS = None


def bundled_rules_dir() -> Path:
    """The rules shipped with the app (from source or frozen); OHSHI_RULES_DIR is not consulted."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "rules"
    return Path(__file__).resolve().parents[2] / "rules"


def bundled_schema_path() -> Path:
    return bundled_rules_dir() / "schema" / "rules.schema.json"


def _local_refs_only(node, where: str = "#") -> None:
    from .records import RulesError

    stack = [(node, where)]
    while stack:
        n, w = stack.pop()
        if isinstance(n, dict):
            ref = n.get("$ref")
            if ref is not None and not (isinstance(ref, str) and ref.startswith("#/")):
                raise RulesError("schema/rules.schema.json", w, f"スキーマの外を指す $ref は使えません: {ref!r}")
            for k, v in n.items():
                stack.append((v, f"{w}/{k}"))
        elif isinstance(n, list):
            stack.extend((v, f"{w}/{i}") for i, v in enumerate(n))


def schema_validators() -> dict:
    """One validator per ``$defs`` entry of the bundled schema. References resolve inside that one document; a
    registry without a retrieve function means jsonschema never fetches anything, whatever a schema says."""
    global _VALIDATORS
    if _VALIDATORS is None:
        import jsonschema
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        from .records import RulesError

        try:
            schema = json.loads(bundled_schema_path().read_text(encoding="utf-8"))
            defs = schema["$defs"]
            if not isinstance(defs, dict) or not defs:
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RulesError("schema/rules.schema.json", "", f"同梱のスキーマを読めません（{type(exc).__name__}）") from None
        _local_refs_only(schema)
        validators = {}
        for name in defs:
            sub = {"$id": "urn:ohshi-desk:rules", "$ref": f"#/$defs/{name}", "$defs": defs}
            registry = Registry().with_resource("urn:ohshi-desk:rules", Resource(contents=sub, specification=DRAFT202012))
            validators[name] = jsonschema.Draft202012Validator(sub, registry=registry)
        _VALIDATORS = validators
    return _VALIDATORS


def read_rules_yaml(folder: Path, rel: str) -> dict:
    """One rules file, read with limits and parsed with the strict safe loader. Raises RulesError only."""
    from .guard import MAX_RULES_FILE_BYTES, LimitError, check_yaml, read_regular_file
    from .records import RulesError
    from .yamlsafe import describe_yaml_error, load_yaml

    path = folder / rel
    try:
        raw = read_regular_file(path, MAX_RULES_FILE_BYTES)
    except FileNotFoundError:
        raise RulesError(rel, "", "ファイルがありません") from None
    except LimitError as exc:
        raise RulesError(rel, "", str(exc)) from None
    except OSError as exc:
        from .atomic import read_problem

        raise RulesError(rel, "", f"読み込めません（{read_problem(exc)}）") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesError(rel, "", "UTF-8のテキストではありません") from None
    try:
        check_yaml(text)
        data = load_yaml(text)
    except LimitError as exc:
        raise RulesError(rel, "", str(exc)) from None
    except Exception as exc:  # yaml.YAMLError and friends: any parse failure is a refusal
        raise RulesError(rel, "", describe_yaml_error(exc)) from None
    if not isinstance(data, dict):
        raise RulesError(rel, "", "中身がYAMLの対応表（キー: 値）ではありません")
    return data


# ------------------------------------------------------------------------------------------------ sense

def _rounding_unit(rounding) -> int | None:
    text = str(getattr(rounding, "value", rounding) or "")
    if text.startswith("floor_") and text[6:].isdigit():
        return int(text[6:]) or None
    return None


def sense_problems(rules) -> list[tuple[str, str, str]]:
    """(file, key, problem) for every value that passes the schema but makes no sense as money or time."""
    import datetime as _dt
    from fractions import Fraction

    out: list[tuple[str, str, str]] = []

    def money(v, file, where, allow_zero=False):
        value = getattr(v, "value", v)
        if isinstance(value, bool) or not isinstance(value, int):
            out.append((file, where, f"金額が整数ではありません: {value!r}"[:120]))
        elif value < 0 or (value == 0 and not allow_zero) or value > MAX_YEN:
            out.append((file, where, f"金額 {value:,} 円は範囲外です（1円〜{MAX_YEN:,}円）"))

    def rate(v, file, where):
        value = getattr(v, "value", v)
        if not isinstance(value, Fraction) or not 0 < value <= 1:
            out.append((file, where, f"補助率 {value} は0より大きく1以下でなければなりません"))

    for p in rules.programs:
        f = p.file
        for e in p.editions:
            w = f"editions[{e.id}]"
            s, t = e.start_date, e.end_date
            if not (_dt.date(2019, 1, 1) <= s <= t <= _dt.date(2099, 12, 31)):
                out.append((f, f"{w}.window", f"受付期間 {s}〜{t} がありえない日付か、順序が逆です"))
            for key in ("project_cap", "limit"):
                for k, v in getattr(e, key).items():
                    money(v, f, f"{w}.{key}.{k}")
            for k, v in e.rate.items():
                rate(v, f, f"{w}.rate.{k}")
            for g in e.groups:
                for k, v in (g.cap or {}).items():
                    money(v, f, f"{w}.groups.{g.id}.cap.{k}")
            for var in e.variants:
                for key in ("project_cap", "limit"):
                    for k, v in var.get(key, {}).items():
                        money(v, f, f"{w}.variants.{var['id']}.{key}.{k}")
                for k, v in var.get("rate", {}).items():
                    rate(v, f, f"{w}.variants.{var['id']}.rate.{k}")
            unit = _rounding_unit(e.rounding)
            if p.method == "capped_rate" and unit:
                for k in e.kinds:
                    cap, r, lim = e.project_cap.get(k), e.rate.get(k), e.limit.get(k)
                    if cap is None or r is None or lim is None or lim.note:
                        continue  # a note says why the limit is not the rounded cap × rate
                    try:
                        expected = int(cap.value * r.value) // unit * unit
                    except (TypeError, ValueError):
                        continue
                    if lim.value != expected:
                        out.append((f, f"{w}.limit.{k}",
                                    f"補助限度額 {lim.value:,} 円が 事業費上限 {cap.value:,} 円 × 補助率 {r.value} "
                                    f"（{unit:,}円未満切り捨て）= {expected:,} 円と合いません（違う理由を note に書いてください）"))
            coupon = e.extra.get("coupon")
            if coupon:
                money(coupon["project_cap"], f, f"{w}.coupon.project_cap")
                money(coupon["limit"], f, f"{w}.coupon.limit")
                rate(coupon["rate"], f, f"{w}.coupon.rate")
                for k, v in e.extra["coupons_per_facility"].items():
                    n = v.value
                    if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= 100:
                        out.append((f, f"{w}.coupons_per_facility.{k}", f"クーポン枚数 {n!r} は1〜100でなければなりません"))
            for k, v in e.extra.get("limit_by_units", {}).items():
                for i, amount in enumerate(v.value):
                    money(amount, f, f"{w}.limit_by_units.{k}[{i}]")
            for k, v in e.extra.get("max_units", {}).items():
                n = v.value
                if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= 100:
                    out.append((f, f"{w}.max_units.{k}", f"台数 {n!r} は1〜100でなければなりません"))
            for tid, table in e.extra.get("tables", {}).items():
                for rid, row in table["rows"].items():
                    for i, amount in enumerate(row):
                        money(amount, f, f"{w}.tables.{tid}.rows.{rid}[{i}]", allow_zero=True)
    return out


def check_sense(rules) -> None:
    from .records import RulesError

    problems = sense_problems(rules)
    if problems:
        raise RulesError(*problems[0])


# ------------------------------------------------------------------------------------------------ resolution

def override_dirs() -> list[Path]:
    """Folders whose rules replace the bundled ones, most specific first: ``rules`` next to the frozen executable
    (a vendor's USB stick), then ``rules`` in the user's app-data folder."""
    from .paths import data_dir

    dirs = []
    if getattr(sys, "frozen", False):
        dirs.append(Path(sys.executable).resolve().parent / "rules")
    dirs.append(data_dir() / "rules")
    return dirs


def source_note(breakdown: dict) -> str:
    """"" for the bundled rules; otherwise one line saying which rules gave these figures (screen, print,
    workbook), from the breakdown's ``rules_source``."""
    if breakdown.get("rules_source", "bundled") == "bundled":
        return ""
    return (f"※ アプリ同梱ではない差し替えルール（版 {breakdown.get('rules_version', '')}、"
            f"場所: {breakdown.get('rules_source_folder', '')}）で計算しています")


def resolve_rules(load):
    """(rules, folder, warnings) by the one resolution order. ``load(folder)`` is :func:`.rules.load_rules`.

    OHSHI_RULES_DIR (developers, tests) names the only folder to use. Otherwise each existing override folder is
    tried; whatever goes wrong with it — a RulesError, a parser crash, RecursionError, MemoryError, an OSError —
    the next is tried and then the bundled rules, with one warning per refused folder naming it and the file.
    Raises RulesError only when the bundled rules themselves fail."""
    from .guard import one_line
    from .records import RulesError

    warnings: list[str] = []
    env = os.environ.get("OHSHI_RULES_DIR")
    if env:
        return load(Path(env)), Path(env), warnings
    for folder in override_dirs():
        try:
            if not folder.is_dir():
                continue
            rules = load(folder)
            check_sense(rules)
            rules.origin = str(folder)
            return rules, folder, warnings
        except RulesError as exc:
            reason = str(exc)
        except RecursionError:
            reason = "入れ子が深すぎて読めません"
        except MemoryError:
            reason = "大きすぎて読めません"
        except Exception:  # noqa: BLE001 — any failure of an override means the bundled rules
            reason = "中身の形が正しくないため読めません"  # the log has the exception
        warnings.append(one_line(f"差し替え用のルール（{folder}）に誤りがあるため使わず、同梱のルールを使います。{reason}"))
    try:
        folder = bundled_rules_dir()
        return load(folder), folder, warnings
    except RulesError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise RulesError("rules/", "", f"同梱のルールを読めません（{type(exc).__name__}）") from None

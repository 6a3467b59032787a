"""Which rules the app uses, read so that no rules folder can break or steer it. Qt-free.

- The JSON schema is always the bundled one: an override folder's ``schema/`` is never read, and no ``$ref`` is
  resolved outside the schema document (no file, no network).
- Rules files are read through :mod:`.guard`: regular files only, a size cap, nesting/alias/digit limits.
- Values are checked for sense beyond the schema (:class:`Sense`, each method adding its own checks): money positive
  and bounded, rates in (0, 1], windows in order and plausible are refused otherwise; a limit that is not the rounded
  cap × rate, without a note saying why, is a warning — one check, one wording, the same rule everywhere.
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

from ohshi_desk.core.base.paths import bundled

MAX_YEN = 1_000_000_000  # no single figure of these programs comes near 10億円

_VALIDATORS = None


def bundled_schema_path() -> Path:
    """The schema shipped with the app: an override's own ``schema/`` is never read (OHSHI_RULES_DIR is not
    consulted)."""
    return bundled("rules") / "schema" / "rules.schema.json"


def _local_refs_only(node, where: str = "#") -> None:
    from ohshi_desk.core.rules.records import RulesError

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

        from ohshi_desk.core.rules.records import RulesError

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
    from ohshi_desk.core.base.guard import MAX_RULES_FILE_BYTES, LimitError, check_yaml, read_regular_file
    from ohshi_desk.core.base.yamlsafe import describe_yaml_error, load_yaml
    from ohshi_desk.core.rules.records import RulesError

    path = folder / rel
    try:
        raw = read_regular_file(path, MAX_RULES_FILE_BYTES)
    except FileNotFoundError:
        raise RulesError(rel, "", "ファイルがありません") from None
    except LimitError as exc:
        raise RulesError(rel, "", str(exc)) from None
    except OSError as exc:
        from ohshi_desk.core.base.atomic import read_problem

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


class Sense:
    """The sense checks of one program file (issue 25 point 8: one check, one wording, one rule). The rule:
    a value that cannot be money, a rate or a count, or a window out of order, is **refused** (an override or a pack
    is not used; the bundled rules fail their test); a figure that differs from what the notice's arithmetic gives
    (a limit that is not the rounded cap × rate) and whose ``note`` does not say why is a **warning**, the same for
    the bundled rules, an override and a pack (a notice may publish such a limit: P5/P6's 「最大3.1万円」).
    The shared checks are here; each method adds its own (``sense`` in each module of :mod:`.methods`)."""

    def __init__(self, rules, file: str):
        self.rules, self.file = rules, file
        self.refusals: list[tuple[str, str, str]] = []
        self.warnings: list[str] = []

    def refuse(self, where: str, problem: str) -> None:
        self.refusals.append((self.file, where, problem))

    def money(self, v, where: str, allow_zero: bool = False) -> None:
        value = getattr(v, "value", v)
        if isinstance(value, bool) or not isinstance(value, int):
            self.refuse(where, f"金額が整数ではありません: {value!r}"[:120])
        elif value < 0 or (value == 0 and not allow_zero) or value > MAX_YEN:
            self.refuse(where, f"金額 {value:,} 円は範囲外です（1円〜{MAX_YEN:,}円）")

    def rate(self, v, where: str) -> None:
        from fractions import Fraction

        value = getattr(v, "value", v)
        if not isinstance(value, Fraction) or not 0 < value <= 1:
            self.refuse(where, f"補助率 {value} は0より大きく1以下でなければなりません")

    def count(self, v, where: str, what: str, most: int = 100) -> None:
        n = getattr(v, "value", v)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= most:
            self.refuse(where, f"{what} {n!r} は1〜{most}でなければなりません")

    def limit(self, cap, rate, limit, rounding) -> None:
        """「限度額 = 事業費上限 × 補助率（端数処理）」: a warning naming file, line and key when it does not hold and
        the limit's note does not say why. ``cap``, ``rate`` and ``limit`` are Val; ``rounding`` a Val or text."""
        unit = _rounding_unit(rounding)
        if unit is None or cap is None or rate is None or limit is None or getattr(limit, "note", ""):
            return
        try:
            expected = int(cap.value * rate.value) // unit * unit
        except (TypeError, ValueError):
            return
        if limit.value == expected:
            return
        where = limit.where.split(": ", 1)[-1]
        line = _line_of(self.rules.folder / self.file, where)
        at = f"{self.file} {line}行目（{where}）" if line else f"{self.file}（{where}）"
        cut = "" if unit == 1 else f"（{unit:,}円未満切捨て）"
        message = (f"{at}: 補助限度額 {limit.value:,}円が 事業費の上限 {cap.value:,}円 × 補助率 {rate.value}{cut or ' '}= "
                   f"{expected:,}円と合いません。理由があれば note に書いてください")
        if message not in self.warnings:
            self.warnings.append(message)


def _line_of(path: Path, where: str) -> int:
    """The line of a key such as ``editions[0].variants[1].limit.hospital`` in a rules file, following each part
    down the indentation (best effort; 0 when it cannot be found). Reads the file only when a warning is made."""
    import re

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    i, indent, found = 0, -1, None
    for index, name in re.findall(r"\[(\d+)\]|([^.\[\]]+)", where):
        found, n = None, int(index) if index else 0
        for j in range(i, len(lines)):
            s = lines[j].lstrip()
            ind = len(lines[j]) - len(s)
            if not s or s.startswith("#"):
                continue
            if j > i and ind <= indent:
                break  # past the block of the key found before
            if index:
                if s.startswith("- ") and ind > indent:
                    if n == 0:
                        found, indent = j, ind + 1  # the item's first key is on this line, the others at ind + 2
                        break
                    n -= 1
            elif re.match(rf"(- )?{re.escape(name)}\s*:", s) and (j > i or ind > indent or indent < 0):
                found, indent = j, ind + (2 if s.startswith("- ") else 0)
                break
            elif re.search(rf"[{{,]\s*{re.escape(name)}\s*:", s):  # inside a flow mapping {a: 1, b: 2}
                found = j
                break
        if found is None:
            return i + 1 if i else 0
        i = found
    return 0 if found is None else found + 1


def sense(rules) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(refusals, warnings) of every program: the shared checks here, each method's own by its ``sense``."""
    import datetime as _dt

    from ohshi_desk.core.rules.methods import METHODS

    refusals: list[tuple[str, str, str]] = []
    warnings: list[str] = []
    for p in rules.programs:
        s = Sense(rules, p.file)
        for e in p.editions:
            w = f"editions[{e.id}]"
            start, end = e.start_date, e.end_date
            if not (_dt.date(2019, 1, 1) <= start <= end <= _dt.date(2099, 12, 31)):
                s.refuse(f"{w}.window", f"受付期間 {start}〜{end} がありえない日付か、順序が逆です")
            for g in e.groups:
                for k, v in (g.cap or {}).items():
                    s.money(v, f"{w}.groups.{g.id}.cap.{k}")
            METHODS[p.method].sense(s, e, w)
        refusals += s.refusals
        warnings += s.warnings
    return refusals, warnings + unmentioned_kinds(rules)


def unmentioned_kinds(rules) -> list[str]:
    """A facility kind a program neither takes (``eligibility.kinds``) nor declines (``not_kinds``): it is not
    eligible there (issue 24 point 4); one line per kind naming those programs, so a new kind is not left out
    unnoticed."""
    out = []
    for kind, kd in rules.kinds.items():
        silent = [p.short_name for p in rules.programs
                  if any(kind not in e.kinds and kind not in e.extra.get("not_kinds", ()) for e in p.editions)]
        if silent:
            out.append(f"施設区分「{kd['label']}」（{kind}）は、{'・'.join(silent)}の eligibility.kinds にも not_kinds にも"
                       "ありません。これらの補助では対象外として計算します")
    return out


def sense_problems(rules) -> list[tuple[str, str, str]]:
    """(file, key, problem) for every value that passes the schema but makes no sense as money or time: refused."""
    return sense(rules)[0]


def sense_warnings(rules) -> list[str]:
    """One line each for a figure that differs from the notice's arithmetic without a note saying why."""
    return sense(rules)[1]


def check_sense(rules) -> None:
    from ohshi_desk.core.rules.records import RulesError

    problems = sense_problems(rules)
    if problems:
        raise RulesError(*problems[0])


# ------------------------------------------------------------------------------------------------ resolution

def override_dirs() -> list[Path]:
    """Folders whose rules replace the bundled ones, most specific first: ``rules`` next to the frozen executable
    (a vendor's USB stick), then ``rules`` in the user's app-data folder."""
    from ohshi_desk.core.base.paths import data_dir

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
    from ohshi_desk.core.base.guard import one_line
    from ohshi_desk.core.rules.records import RulesError

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
        folder = bundled("rules")
        return load(folder), folder, warnings
    except RulesError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise RulesError("rules/", "", f"同梱のルールを読めません（{type(exc).__name__}）") from None

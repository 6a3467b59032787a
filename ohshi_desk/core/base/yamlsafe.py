"""A safe YAML loader for rules and test-case files.

Only plain data is built (PyYAML's safe loader, the C one where available); nothing is executed.
Two changes from the stock safe loader:
- a mapping with the same key twice is an error (a silent override would hide a typo in a rule);
- dates stay strings (``"2026-01-15"``), so the JSON schema sees exactly what was written.
"""

from __future__ import annotations

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class StrictSafeLoader(_Base):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *anchor` merges are allowed to be overridden by the keys written beside them
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise DuplicateKeyError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"キー「{key}」が2回書かれています（{seen[key] + 1}行目と{key_node.start_mark.line + 1}行目）",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _timestamp_as_str(loader, node):
    return loader.construct_scalar(node)


StrictSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_str)
StrictSafeLoader.add_constructor(
    "tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node, deep=True)
)


def load_yaml(text: str):
    """Parse YAML text into plain Python data; raises yaml.YAMLError on any problem."""
    return yaml.load(text, Loader=StrictSafeLoader)  # noqa: S506 - StrictSafeLoader is a SafeLoader


def describe_yaml_error(exc: Exception) -> str:
    """A Japanese description of a YAML error, with the line where it happened — the app's own sentence for each
    kind of error, never the library's (English, and worded differently from one PyYAML/libyaml version to the next)."""
    if isinstance(exc, DuplicateKeyError):
        return str(exc.problem)
    if isinstance(exc, RecursionError):
        return "入れ子が深すぎて読めません"
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, str) else chr(exc.character or 0)
        return f"{exc.position + 1}文字目に使えない文字（U+{ord(char):04X}）があります"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{mark.line + 1}行目 {mark.column + 1}文字目: " if mark is not None else ""
    if isinstance(exc, yaml.composer.ComposerError):
        what = "別名（エイリアス・アンカー）の使い方が正しくありません"
    elif isinstance(exc, yaml.constructor.ConstructorError):
        what = "使えない型の指定（!で始まるタグ）か、キーにできない値があります"
    elif isinstance(exc, yaml.scanner.ScannerError):
        what = "字下げ・引用符・記号（: や -）の書き方が正しくありません"
    elif isinstance(exc, yaml.parser.ParserError):
        what = "括弧・字下げ・項目の並びが正しくありません"
    else:
        what = "YAMLの書き方が正しくありません"
    return f"{where}YAMLとして読めません（{what}）"

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
    """A short Japanese description of a YAML error, with the line where it happened."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, DuplicateKeyError):
        return str(problem)
    where = f"{mark.line + 1}行目 {mark.column + 1}文字目: " if mark is not None else ""
    return f"{where}YAMLとして読めません（{_japanese(str(problem))}）"


# PyYAML's words are English: the problems met in practice, in Japanese; any other is said plainly, not quoted
_YAML_PROBLEMS = (
    ("maximum nesting depth", "入れ子が深すぎます"),
    ("cannot start any token", "使えない文字があります（タブ文字なら、字下げは空白にしてください）"),
    ("could not find expected ':'", "「:」がありません"),
    ("mapping values are not allowed", "ここに「:」は書けません（値を引用符で囲んでください）"),
    ("undefined alias", "定義されていない別名（*…）があります"),
    ("end of stream", "ファイルが途中で終わっています"),
    ("expected <block end>", "字下げがそろっていません"),
    ("found unacceptable character", "使えない文字があります"),
    ("found unknown escape character", "引用符の中に使えない「\\」の書き方があります"),
    ("expected ',' or ']'", "「]」で閉じられていません"),
    ("expected ',' or '}'", "「}」で閉じられていません"),
)


def _japanese(problem: str) -> str:
    if any("\u3040" <= ch <= "\u9fff" for ch in problem):
        return problem  # already ours (the strict loader's own words)
    return next((ja for en, ja in _YAML_PROBLEMS if en in problem), "書き方が正しくありません")

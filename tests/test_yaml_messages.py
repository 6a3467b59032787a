"""A rules file that YAML cannot read is refused in the app's own Japanese, whatever PyYAML/libyaml version is
installed and whichever of its loaders (C or pure Python) runs: the message must not change with a library."""

from __future__ import annotations

import re

import pytest
import yaml

from ohshi_desk.core.rules.records import RulesError
from ohshi_desk.core.rules.source import read_rules_yaml

BAD = [
    # (what is written, the words the message must hold)
    ("kind: items\nitems: " + "[" * 30000 + "]" * 30000 + "\n", "2行目: 入れ子が深すぎます（64段まで）"),
    ("kind: items\nitems: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n", "2行目: 入れ子が深すぎます（64段まで）"),
    ("kind: items\n" + "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "x: 1\n", "入れ子が深すぎます"),
    ("kind: items\nitems: {a: 1\n", "YAMLとして読めません（括弧・字下げ・項目の並びが正しくありません）"),
    ("kind: items\n  bad: : :\n", "YAMLとして読めません（"),
    ("kind: items\nitems: *nowhere\n", "YAMLとして読めません（別名（エイリアス・アンカー）の使い方が正しくありません）"),
    ("kind: items\nitems: !!python/object:os.system {}\n", "YAMLとして読めません（使えない型の指定"),
    ("kind: items\nitems: \"a\x07b\"\n", "使えない文字（U+0007）"),
    ("名前: a\n名前: b\n", "キー「名前」が2回書かれています（1行目と2行目）"),
]


def _japanese_only(message: str) -> bool:
    # the app's words: no English sentence of a library (names like YAML or U+0007 are fine)
    return not re.search(r"[a-z]{3,}", re.sub(r"YAML|U\+[0-9A-F]{4}|items\.yaml", "", message))


@pytest.fixture(params=["C", "pure-Python"])
def loader(request, monkeypatch):
    if request.param == "C":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.fail("PyYAML was installed without libyaml: the locked wheels have it")
    else:
        monkeypatch.delattr(yaml, "CSafeLoader")
    return request.param


@pytest.mark.parametrize(("text", "words"), BAD, ids=range(len(BAD)))
def test_a_bad_rules_file_is_refused_in_japanese(tmp_path, loader, text, words):
    (tmp_path / "items.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        read_rules_yaml(tmp_path, "items.yaml")
    message = str(err.value)
    assert words in message and "items.yaml" in message
    assert _japanese_only(message), message

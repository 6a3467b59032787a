"""The check every case passes before it is read (core/base/guard.check_tree_text) and the copy it keeps of it
(tree_copy): the place named for a bad character or a deep tree is the field's path, exactly as it was when every
node's path was written out (issue 28 made both cheaper; a case of 400 lines is checked and copied each click)."""

from __future__ import annotations

import datetime as dt
import random

from ohshi_desk.core.base.guard import bad_char, check_tree_text, tree_copy


def _reference(data, where: str = "", *, max_depth: int = 64):
    """The check as first written: every node's path made as it is met."""
    stack = [(data, where, 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            return path, f"入れ子が深すぎます（{max_depth}段まで）"
        if isinstance(node, str):
            problem = bad_char(node)
            if problem:
                return path, problem
        elif isinstance(node, dict):
            for k, v in reversed(list(node.items())):
                kp = f"{path}.{k}" if path else str(k)
                problem = bad_char(str(k))
                if problem:
                    return (path or "(最上位)"), f"キー名に{problem}"
                stack.append((v, kp, depth + 1))
        elif isinstance(node, list):
            for i in reversed(range(len(node))):
                stack.append((node[i], f"{path}[{i}]", depth + 1))
    return None


def _case(n: int) -> dict:
    return {"format": "ohshi-desk-case/1", "facility": {"name": "医院", "kind": "clinic"},
            "plans": {"p": {"lines": [{"item": "x", "unit_price": i, "description": f"品{i}", "tags": [f"t{i}", i]}
                                      for i in range(n)]}}}


def _texts(node, out, where=()):
    """Every place a text is (a value, or a key), to put a bad character there."""
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((where, k, "key"))
            _texts(v, out, (*where, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _texts(v, out, (*where, i))
    elif isinstance(node, str):
        out.append((where[:-1], where[-1], "value"))


def test_the_place_named_is_the_one_the_first_check_named():
    rng = random.Random(28)  # the same places every run
    base = _case(6)
    places = []
    _texts(base, places)
    assert check_tree_text(base) is None is _reference(base)
    for bad in ("\x00", "\x1b", "\ud800", "\ufffe", "\U0010ffff"):
        for where, key, kind in rng.sample(places, 25):
            data = tree_copy(base)
            parent = data
            for step in where:
                parent = parent[step]
            if kind == "key":
                parent[key + bad] = parent.pop(key)
            else:
                parent[key] = parent[key][:1] + bad + parent[key][1:]
            got = check_tree_text(data)
            assert got is not None and got == _reference(data), (where, key, kind)
            assert check_tree_text(data, "case") == _reference(data, "case")
    two = _case(3)
    two["plans"]["p"]["lines"][0]["description"] += "\x07"
    two["plans"]["p"]["lines"][2]["description"] += "\x07"
    assert check_tree_text(two) == _reference(two) and check_tree_text(two)[0] == "plans.p.lines[0].description"
    deep = node = {}
    for _ in range(70):
        node["a"] = [{}]
        node = node["a"][0]
    assert check_tree_text(deep) == _reference(deep) and "入れ子が深すぎます" in check_tree_text(deep)[1]
    assert check_tree_text({1: "x"}) == _reference({1: "x"}) is None
    for leaf in ("x", 1, None, [], {}):  # a leaf one step too deep, or just deep enough
        for depth in (63, 64, 65):
            tree = node = {}
            for _ in range(depth - 1):
                node["a"] = {}
                node = node["a"]
            node["leaf"] = leaf
            assert check_tree_text(tree) == _reference(tree), (leaf, depth)


def test_the_copy_kept_of_a_case_shares_nothing_that_can_change():
    data = _case(3)
    data["when"] = dt.date(2026, 12, 4)  # not JSON: deep-copied as before
    data["nested"] = {"t": (1, [2])}
    copied = tree_copy(data)
    assert copied == data
    copied["plans"]["p"]["lines"][0]["tags"].append("new")
    copied["facility"]["name"] = "別"
    copied["nested"]["t"][1].append(3)
    assert data == {**_case(3), "when": dt.date(2026, 12, 4), "nested": {"t": (1, [2])}}

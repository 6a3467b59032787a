"""Reading untrusted input with limits: files, YAML, JSON and text. Qt-free.

Everything the app reads from outside (an override rules folder, a case file, a workbook, the autosave) passes
through here first, so that no file can hang the app (a FIFO, ``/dev/zero``), exhaust its memory (a huge or
self-multiplying file), crash the parser (deep nesting) or carry characters that break a workbook or a terminal.
Every refusal is a :class:`LimitError` whose ``str()`` is one Japanese line.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_RULES_FILE_BYTES = 2 * 1024 * 1024
MAX_NESTING = 64  # rules files nest ~8 levels, cases ~5
MAX_YAML_EXPANDED_NODES = 200_000  # all bundled rules together are ~15,000 nodes
MAX_NUMBER_DIGITS = 30


class LimitError(ValueError):
    """Input refused before it is parsed. ``str()`` is one Japanese line."""


def read_regular_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else (a folder, a FIFO, a device, a symlink
    to one of them, a file too big) is refused without blocking. OSError passes through for the caller to word."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(os.fspath(path), flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            raise LimitError("通常のファイルではありません（デバイスやパイプなどは読みません）")
        if st.st_size > max_bytes:
            raise LimitError(f"ファイルが大きすぎます（{st.st_size:,}バイト、上限 {max_bytes:,}バイト）")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # grew while being read
                raise LimitError(f"ファイルが大きすぎます（上限 {max_bytes:,}バイト）")
        return b"".join(chunks)
    finally:
        os.close(fd)


def is_regular_file(path: str | os.PathLike) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------ text

def bad_char(text: str) -> str | None:
    """A description of the first character that no field may hold (a control character other than tab and
    newline — a carriage return too, which a workbook cell would not keep —, a lone surrogate, a non-character
    such as U+FFFE), or None."""
    m = _bad_pattern().search(text)
    if m is None:
        return None
    ch = m.group()
    cp = ord(ch)
    if 0xD800 <= cp <= 0xDFFF:
        kind = "壊れた文字（サロゲート）"
    elif cp < 0x20 or 0x7F <= cp <= 0x9F:
        kind = "制御文字"
    else:
        kind = "使えない文字"
    return f"{kind} U+{cp:04X} が含まれています（{m.start() + 1}文字目）"


# Patterns are compiled on first use (re keeps them): the first page does not pay for them.
_BAD = (
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p)}{chr(p + 1)}" for p in range(0x1FFFE, 0x110000, 0x10000))
    + "]"
)
_ESCAPE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]"


def one_line(message: str) -> str:
    """A message safe to print on one line: line breaks become spaces, other control characters (terminal
    escapes among them) and lone surrogates are written as ``\\xNN`` / ``\\uNNNN``."""
    message = re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", str(message))
    return re.sub(_ESCAPE, lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", message)


def shown(value, limit: int = 40) -> str:
    """A value quoted in a message: one line, escaped, and cut to ``limit`` characters."""
    text = one_line(value)
    return text if len(text) <= limit else text[:limit] + "…"


# ------------------------------------------------------------------------------------------------ YAML

def check_yaml(text: str, *, max_depth: int = MAX_NESTING, max_nodes: int = MAX_YAML_EXPANDED_NODES,
               max_digits: int = MAX_NUMBER_DIGITS) -> None:
    """Refuse YAML that would crash or swamp the loader, before any object is built: nesting deeper than
    ``max_depth`` (libyaml's composer recurses on the C stack), more than ``max_nodes`` nodes once aliases are
    expanded (the "billion laughs"), a number with more than ``max_digits`` digits. Walks libyaml's event
    stream, which is flat and safe at any depth. Raises :class:`LimitError`; YAML syntax errors pass through."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = 0
    total = 0
    open_: list[list] = []  # per open collection: [anchor, expanded size so far]
    sizes: dict[str, int] = {}
    digits = re.compile(r"\d{" + str(max_digits + 1) + "}")

    def add(n: int) -> None:
        nonlocal total
        total += n
        for entry in open_:
            entry[1] += n
        if total > max_nodes:
            raise LimitError(f"別名（エイリアス）の展開で要素が多くなりすぎます（{max_nodes:,}個まで）")

    def event(ev) -> None:
        nonlocal depth
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                raise LimitError(f"{ev.start_mark.line + 1}行目: 入れ子が深すぎます（{max_depth}段まで）")
            add(1)
            open_.append([ev.anchor, 0])
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            anchor, size = open_.pop()
            if anchor:
                sizes[anchor] = size + 1
        elif isinstance(ev, yaml.ScalarEvent):
            if digits.search(ev.value):
                raise LimitError(f"{ev.start_mark.line + 1}行目: 数値の桁が多すぎます（{max_digits}桁まで）")
            add(1)
            if ev.anchor:
                sizes[ev.anchor] = 1
        elif isinstance(ev, yaml.AliasEvent):
            add(sizes.get(ev.anchor, 1))

    try:
        for ev in yaml.parse(text, Loader=loader):
            event(ev)
    except yaml.YAMLError as exc:
        # libyaml (the one in PyYAML 6.0.4's wheels) stops at a nesting limit of its own while it scans ahead, before
        # the events reach the check above, in its own words: text nested deeper than ours is refused in ours
        mark = getattr(exc, "problem_mark", None)
        upto = text[: mark.index] if mark is not None and mark.index is not None else text
        if flow_depth(upto) > max_depth:
            raise LimitError(f"{upto.count(chr(10)) + 1}行目: 入れ子が深すぎます（{max_depth}段まで）") from None
        raise


def flow_depth(text: str) -> int:
    """The deepest nesting of YAML flow brackets ([ and {) outside quoted scalars and comments (an upper bound)."""
    depth = deepest = 0
    quote = ""
    comment = False
    for i, ch in enumerate(text):
        if comment:
            comment = ch != "\n"
        elif quote:
            if ch == quote and not (quote == '"' and text[i - 1] == "\\"):
                quote = ""
        elif ch in "\"'" and (i == 0 or text[i - 1] in " \t\n[{,:"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            comment = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest


# ------------------------------------------------------------------------------------------------ JSON

class DuplicateKey(ValueError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def _pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise DuplicateKey(k)
        out[k] = v
    return out


_STRINGS = r'"(?:[^"\\]|\\.)*"'
_BRACKETS = r"[\[\]{}]"


def json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (an upper bound for malformed text)."""
    depth = deepest = 0
    for m in re.finditer(_BRACKETS, re.sub(_STRINGS, "", text, flags=re.S)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def strict_json_loads(text: str, *, max_depth: int = MAX_NESTING):
    """json.loads that refuses a key written twice in one object (:class:`DuplicateKey`), NaN/Infinity, numbers
    of more than 30 digits and nesting deeper than ``max_depth`` (:class:`LimitError`) — before Python recurses."""
    import json

    if json_depth(text) > max_depth:
        raise LimitError(f"入れ子が深すぎます（{max_depth}段まで）")

    def const(name):
        raise ValueError(name)

    def integer(s: str) -> int:
        if len(s.lstrip("-")) > MAX_NUMBER_DIGITS:
            raise LimitError(f"数値の桁が多すぎます（{MAX_NUMBER_DIGITS}桁まで）")
        return int(s)

    def real(s: str) -> float:
        if len(s) > MAX_NUMBER_DIGITS + 10:
            raise LimitError(f"数値の桁が多すぎます（{MAX_NUMBER_DIGITS}桁まで）")
        return float(s)

    return json.loads(text, object_pairs_hook=_pairs, parse_constant=const, parse_int=integer, parse_float=real)


def check_tree_text(data, where: str = "", *, max_depth: int = MAX_NESTING):
    """The first (field path, problem) where a string (key or value) of a JSON-like tree holds a character no
    field may hold, or None. Iterative, bounded by ``max_depth``. Every text is first searched at once (``_clean``);
    only a tree with a problem is walked again to name its place, and there a node's path is written out only for
    a node that has children or the problem (a case's thousands of texts are checked, not named; issue 28)."""
    search = _bad_pattern().search
    if _clean(data, search, max_depth):  # the usual answer, from one search over every text at once
        return None
    stack = [(data, where, None, 0)]  # (node, its parent's path, its key or index there, depth)
    while stack:
        node, parent, key, depth = stack.pop()
        if depth > max_depth:
            return _child_path(parent, key), f"入れ子が深すぎます（{max_depth}段まで）"
        if isinstance(node, str):
            if search(node) is not None:
                return _child_path(parent, key), bad_char(node)
        elif isinstance(node, dict):
            path = _child_path(parent, key)
            for k, v in reversed(list(node.items())):
                name = k if isinstance(k, str) else str(k)
                if search(name) is not None:
                    return (path or "(最上位)"), f"キー名に{bad_char(name)}"
                stack.append((v, path, name, depth + 1))
        elif isinstance(node, list):
            path = _child_path(parent, key)
            for i in reversed(range(len(node))):
                stack.append((node[i], path, i, depth + 1))
    return None


def _clean(data, search, max_depth: int) -> bool:
    """True when no text of the tree (key or value) holds a bad character and it is not too deep: its texts are
    gathered and searched as one (a bad character is one character, so the joined text has one exactly when some
    text has). False means the full check must say where."""
    texts: list[str] = []
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return False
        if isinstance(node, str):
            texts.append(node)
        elif node and isinstance(node, (dict, list)) and depth + 1 > max_depth:
            return False  # its children are too deep, whatever they are (the full check names the first)
        elif isinstance(node, dict):
            for k, v in node.items():
                texts.append(k if isinstance(k, str) else str(k))
                if isinstance(v, str):
                    texts.append(v)
                elif isinstance(v, (dict, list)):
                    stack.append((v, depth + 1))
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, str):
                    texts.append(v)
                elif isinstance(v, (dict, list)):
                    stack.append((v, depth + 1))
    return search("".join(texts)) is None


def tree_copy(node):
    """A copy of a JSON-like tree (dicts, lists, texts, numbers, True/False/None) sharing nothing that can be
    changed, as ``copy.deepcopy`` makes, about four times faster (400 lines: 0.7 → 0.2 ms); any other value is
    deep-copied. For a tree
    ``check_tree_text`` has passed (its depth is bounded)."""
    if isinstance(node, dict):
        return {k: v if v is None or type(v) in _IMMUTABLE else tree_copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [v if v is None or type(v) in _IMMUTABLE else tree_copy(v) for v in node]
    if node is None or type(node) in _IMMUTABLE:
        return node
    import copy

    return copy.deepcopy(node)


_IMMUTABLE = frozenset((str, int, bool, float))


def _child_path(parent: str, key) -> str:
    """The path of the node at ``key`` (a name, or an index) under the node at ``parent``."""
    if key is None:
        return parent
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _bad_pattern():
    """:data:`_BAD` compiled, the first time it is needed (re's own cache is looked up on every search)."""
    global _BAD_RE
    if _BAD_RE is None:
        _BAD_RE = re.compile(_BAD)
    return _BAD_RE


_BAD_RE = None


def safe_path_text(path: str | os.PathLike) -> str:
    return shown(Path(path), 120)


# ------------------------------------------------------------------------------------------------ workbooks

MAX_ZIP_MEMBERS = 200
MAX_ZIP_TOTAL = 64 * 1024 * 1024  # an exported workbook unpacks to well under 1 MB
MAX_ZIP_RATIO = 200  # XML compresses ~10×; a zip bomb by thousands


def check_zip(path: str | os.PathLike) -> None:
    """Refuse a zip (an .xlsx) whose members would unpack to too much, before openpyxl opens it: the sizes
    declared in the central directory are checked here; the ratio check catches a member that lies about
    being small only when it is read, which openpyxl does through the same limits of zipfile."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise LimitError(f"中のファイルが多すぎます（{len(infos):,}個）")
        total = sum(i.file_size for i in infos)
        if total > MAX_ZIP_TOTAL:
            raise LimitError(f"展開すると大きすぎます（{total:,}バイト、上限 {MAX_ZIP_TOTAL:,}バイト）")
        for i in infos:
            if i.file_size > 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
                raise LimitError(f"圧縮率が異常に高い部分があります（{shown(i.filename)}）")

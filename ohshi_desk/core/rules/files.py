"""Reading a rules folder: where it is, the YAML files, the JSON-schema check and the cache of checked files.

What the files mean is built in :mod:`.rules`; this module only finds, reads and schema-checks them.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ohshi_desk.core.base.paths import bundled
from ohshi_desk.core.rules.records import RulesError


def default_rules_dir() -> Path:
    """The bundled rules: next to the package (from source) or inside the frozen app."""
    env = os.environ.get("OHSHI_RULES_DIR")
    if env:
        return Path(env)
    return bundled("rules")


def read_yaml_file(folder: Path, rel: str) -> dict:
    """One rules file, read with limits (regular file, size, nesting, aliases, digits; :mod:`.guard`)."""
    from ohshi_desk.core.rules.source import read_rules_yaml

    return read_rules_yaml(folder, rel)


def check_schema(validators, rel: str, data: dict) -> None:
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


FIXED_FILES = ("meta.yaml", "facility_kinds.yaml", "items.yaml", "readers.yaml", "portals.yaml", "documents.yaml",
               "prefectures.yaml", "municipalities.yaml")
CACHE_FORMAT = "ohshi-rules-cache/4"
# A cache file: one line of JSON (its format and the digest), then the documents as JSON. Not the documents as a string
# inside one JSON object (format 3): that parsed them twice and encoded their text again for the digest (~3 M
# instructions of every start; issue 28).


def default_cache_dir() -> Path:
    env = os.environ.get("OHSHI_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "ohshi-desk" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ohshi-desk"


CACHE_KEY_FILE = "rules-cache.key"


def _cache_secret() -> bytes | None:
    """The user's own key for the rules cache (32 random bytes in the app-data folder, the user's only), made on
    first use; None when it can be neither read nor made."""
    from ohshi_desk.core.base.paths import data_dir

    path = data_dir() / CACHE_KEY_FILE
    try:
        secret = path.read_bytes()
        if len(secret) == 32:
            return secret
    except OSError:
        pass
    try:
        from ohshi_desk.core.base.atomic import atomic_write_bytes

        secret = os.urandom(32)
        atomic_write_bytes(path, secret, private=True)
        return secret
    except OSError:
        return None


def _mac(secret: bytes, key: str, body: bytes) -> str:
    """A keyed digest of the checked documents as stored (BLAKE2b with the user's key: built into Python, no OpenSSL
    to load at start). A cache edited by anyone without the key — its figures, say — no longer matches and is checked
    afresh."""
    try:
        from _blake2 import blake2b
    except ImportError:  # another Python: the same function, through hashlib
        from hashlib import blake2b
    return blake2b(key.encode() + b"\0" + body, key=secret, digest_size=32).hexdigest()


def read_documents(folder: Path, cache_dir: Path | None):
    """Every rules file parsed and schema-checked, by relative path: (documents, whether they come from the cache,
    a function that writes them to the cache).

    Parsing YAML and running the JSON schema cost most of a start, so documents that passed every check (the
    schema and all of :func:`load_rules`'s) are kept as plain JSON in the user's cache folder under a checksum of
    every rules byte, of the schema and of the app's version. Any change to any file, or another version of the
    app (whose checks may differ), gives another digest and a full check; a cache that cannot be read or written
    is simply not used.
    """
    import zlib

    from ohshi_desk import __version__

    program_files = sorted(p.name for p in (folder / "programs").glob("*.yaml"))
    rels = [*FIXED_FILES, *(f"programs/{n}" for n in program_files)]
    # The key is a CRC-32 and the length of all the bytes: enough to tell an edited file from the checked one,
    # and zlib is already loaded at start where hashlib would cost a few milliseconds of OpenSSL. Tampering with
    # the cache itself is what the keyed digest of its documents (_mac) guards against.
    blob = bytearray(f"{CACHE_FORMAT}\0{__version__}\0".encode())
    from ohshi_desk.core.base.guard import MAX_RULES_FILE_BYTES, LimitError, read_regular_file
    from ohshi_desk.core.rules.source import bundled_schema_path

    for rel in rels:
        try:  # regular files of bounded size only: a FIFO or /dev/zero in a rules folder cannot hang this
            blob += rel.encode() + b"\0" + read_regular_file(folder / rel, MAX_RULES_FILE_BYTES) + b"\0"
        except (OSError, LimitError):
            blob += rel.encode() + b"\0unreadable\0"
    try:
        blob += b"schema\0" + bundled_schema_path().read_bytes()
    except OSError:
        blob += b"schema\0missing"
    key = f"{zlib.crc32(blob):08x}-{len(blob):x}"
    cache_file = cache_dir / f"rules-{key}.json" if cache_dir else None
    secret = _cache_secret() if cache_file is not None else None
    if secret is None:
        cache_file = None  # no key of the user's own: the cache could not be trusted, so it is not used
    if cache_file is not None:
        try:
            head, _nl, body = cache_file.read_bytes().partition(b"\n")
            cached = json.loads(head)
            if (cached.get("format") == CACHE_FORMAT
                    and cached.get("mac") == _mac(secret, key, body)):  # the checked result, as it was checked
                documents = json.loads(body)
                if isinstance(documents, dict) and list(documents) == rels:
                    return documents, True, lambda: None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            pass
    if not program_files:
        raise RulesError("programs/", "", "補助制度のファイルがありません")
    from ohshi_desk.core.rules.source import schema_validators  # the bundled schema, whatever the folder

    validators = schema_validators()
    docs = {}
    for rel in rels:
        data = read_yaml_file(folder, rel)
        check_schema(validators, rel, data)
        docs[rel] = data

    def save() -> None:
        if cache_file is None:
            return
        try:
            from ohshi_desk.core.base.atomic import atomic_write_bytes

            cache_dir.mkdir(parents=True, exist_ok=True)
            body = json.dumps(docs, ensure_ascii=False).encode("utf-8", "surrogatepass")  # one line: no \n in it
            head = json.dumps({"format": CACHE_FORMAT, "mac": _mac(secret, key, body)}).encode()
            atomic_write_bytes(cache_file, head + b"\n" + body, private=True)
        except OSError:
            pass

    return docs, False, save


def override_dirs() -> list[Path]:
    """Folders whose rules replace the bundled ones, most specific first (see :mod:`.rules_source`)."""
    from ohshi_desk.core.rules.source import override_dirs as dirs

    return dirs()



"""Rules packs: new rules a vendor sends (a zip or a folder), checked before they are used. Qt-free.

:func:`stage` copies the pack's rules files (and nothing else) into a staging folder inside app-data, with the
same limits as any override (:mod:`.guard`); :func:`check` loads it with the bundled schema and the sense checks;
:func:`changes` lists what differs from the rules in use (version, programs, windows, caps, limits, rates);
:func:`install` makes it the user's override (the previous one kept aside); :func:`use_bundled` goes back to the
rules shipped with the app. Every failure is a :class:`RulesError` with one Japanese line.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .records import RulesError

MAX_PACK_FILES = 100
MAX_PACK_BYTES = 20 * 1024 * 1024


def user_rules_dir() -> Path:
    from .paths import data_dir

    return data_dir() / "rules"


def _rel_ok(rel: str) -> bool:
    parts = Path(rel).parts
    return (rel.endswith(".yaml") and not rel.startswith(("/", "\\")) and ".." not in parts
            and ":" not in rel and len(parts) <= 3)


def _root_of(names: list[str]) -> str:
    """The prefix under which meta.yaml sits ("" or "folder/"): packs are often zipped with a top folder."""
    tops = sorted((n for n in names if n.endswith("meta.yaml") and n.count("/") <= 1), key=len)
    if not tops:
        raise RulesError("meta.yaml", "", "ルールの一式ではありません（meta.yaml がありません）")
    return tops[0][: -len("meta.yaml")]


def stage(source: str | os.PathLike) -> Path:
    """Copy the rules files of a pack (zip or folder) into a new staging folder in app-data; returns it."""
    import zipfile

    from .guard import MAX_RULES_FILE_BYTES, LimitError, check_zip, is_regular_file, read_regular_file
    from .paths import data_dir

    source = Path(source)
    files: dict[str, bytes] = {}
    try:
        if source.is_dir():
            names = [p.relative_to(source).as_posix() for p in source.rglob("*.yaml")][: MAX_PACK_FILES + 1]
            root = _root_of(names)
            for name in names:
                rel = name[len(root):]
                if name.startswith(root) and _rel_ok(rel) and is_regular_file(source / name):
                    files[rel] = read_regular_file(source / name, MAX_RULES_FILE_BYTES)
        elif is_regular_file(source) and zipfile.is_zipfile(source):
            check_zip(source)
            with zipfile.ZipFile(source) as zf:
                infos = [i for i in zf.infolist() if not i.is_dir()]
                root = _root_of([i.filename for i in infos])
                for info in infos:
                    rel = info.filename[len(root):]
                    if not info.filename.startswith(root) or not _rel_ok(rel):
                        continue
                    if info.file_size > MAX_RULES_FILE_BYTES:
                        raise RulesError(rel, "", "ファイルが大きすぎます")
                    files[rel] = zf.read(info)
        else:
            raise RulesError(source.name, "", "ZIP ファイルかフォルダを選んでください")
    except RulesError:
        raise
    except (LimitError, OSError, zipfile.BadZipFile, ValueError, RuntimeError) as exc:
        from .guard import shown

        why = str(exc) if isinstance(exc, LimitError) else "壊れているか、読み取りが許可されていません"
        raise RulesError(shown(source.name), "", f"読み込めません（{why}）") from None
    if len(files) > MAX_PACK_FILES or sum(map(len, files.values())) > MAX_PACK_BYTES:
        raise RulesError(source.name, "", "ファイルが多すぎるか大きすぎます")
    staging = Path(tempfile.mkdtemp(prefix=".rules-staging-", dir=data_dir()))
    _clean_stale_staging(staging)
    for rel, data in files.items():
        if rel.startswith("schema/"):
            continue  # the schema is always the bundled one
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return staging


STALE_STAGING_S = 3600  # a staging folder an hour older than a new one was left by a window that was killed


def _clean_stale_staging(new: Path) -> None:
    """Remove the staging folders a killed window left (measured against ``new``: the file system's time)."""
    try:
        ref = new.stat().st_mtime
        for p in new.parent.glob(".rules-staging-*"):
            try:
                if p != new and p.is_dir() and not p.is_symlink() and abs(ref - p.stat().st_mtime) > STALE_STAGING_S:
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                pass
    except OSError:
        pass


def check(folder: Path):
    """The pack's rules, fully checked (bundled schema, contradictions, sense). RulesError on any failure."""
    from .rules import load_rules
    from .rules_source import check_sense

    try:
        rules = load_rules(folder, cache_dir=False)
        check_sense(rules)
    except RulesError as exc:  # named by the file in the pack, never by the hidden staging folder it was copied to
        file = exc.file.replace(str(folder), "").replace(folder.name, "").lstrip("/\\") or "ルールのパック"
        raise RulesError(file, exc.key, exc.problem.replace(str(folder), "ルールのパック")) from None
    except RecursionError:
        raise RulesError("ルールのパック", "", "入れ子が深すぎて読めません") from None
    except Exception:  # noqa: BLE001 - any failure of a pack is a refusal
        import logging

        logging.getLogger("ohshi_desk").exception("rules pack check failed")
        raise RulesError("ルールのパック", "", "中身の形が正しくないため読めません") from None
    return rules


def _yen_or_none(value) -> str:
    from .formatting import yen

    return yen(value) if isinstance(value, int) else "なし"


def _money(table: dict) -> dict:
    return {k: v.value for k, v in table.items()}


def changes(old, new) -> list[str]:
    """What the new rules change, one line each, in Japanese: version, programs, windows, caps, limits, rates."""
    from .formatting import wareki

    out = []
    if old.version != new.version:
        out.append(f"ルール版: {old.version} → {new.version}")
    old_p = {p.id: p for p in old.programs}
    new_p = {p.id: p for p in new.programs}
    for pid in new_p.keys() - old_p.keys():
        out.append(f"追加: {new_p[pid].name}")
    for pid in old_p.keys() - new_p.keys():
        out.append(f"削除: {old_p[pid].name}")
    for pid in [p for p in new_p if p in old_p]:
        a, b = old_p[pid], new_p[pid]
        old_e = {e.id: e for e in a.editions}
        for e in b.editions:
            name = f"{b.short_name}（{e.label}）"
            if e.id not in old_e:
                out.append(f"{name}: 新しい年度（受付 {wareki(e.start_date)}〜{wareki(e.end_date)}）")
                continue
            o = old_e[e.id]
            if (o.start_date, o.end_date) != (e.start_date, e.end_date):
                out.append(f"{name}: 受付期間 {wareki(o.start_date)}〜{wareki(o.end_date)} → "
                           f"{wareki(e.start_date)}〜{wareki(e.end_date)}")
            for key, label in (("project_cap", "事業費の上限"), ("limit", "補助限度額")):
                before, after = _money(getattr(o, key)), _money(getattr(e, key))
                for kind in sorted(before.keys() | after.keys()):
                    if before.get(kind) != after.get(kind):
                        kl = new.kinds.get(kind, {}).get("label", kind)
                        out.append(f"{name}: {kl}の{label} {_yen_or_none(before.get(kind))} → "
                                   f"{_yen_or_none(after.get(kind))}")
            before, after = _money(o.rate), _money(e.rate)
            for kind in sorted(before.keys() | after.keys()):
                if before.get(kind) != after.get(kind):
                    kl = new.kinds.get(kind, {}).get("label", kind)
                    out.append(f"{name}: {kl}の補助率 {before.get(kind, 'なし')} → {after.get(kind, 'なし')}")
        for eid in old_e.keys() - {e.id for e in b.editions}:
            out.append(f"{b.short_name}: 年度「{old_e[eid].label}」がなくなります")
    return out


def _aside(folder: Path, kind: str) -> Path | None:
    from .clock import now

    if not folder.exists():
        return None
    dest = folder.with_name(f"rules-{kind}-{now():%Y%m%d-%H%M%S}")
    n = 1
    while dest.exists():
        n += 1
        dest = folder.with_name(f"rules-{kind}-{now():%Y%m%d-%H%M%S}-{n}")
    os.replace(folder, dest)
    return dest


def install(staged: Path) -> Path | None:
    """Make a checked staging folder the user's rules override. The previous override is kept aside (returned)."""
    dest = user_rules_dir()
    kept = _aside(dest, "previous")
    os.replace(staged, dest)
    return kept


def use_bundled() -> Path | None:
    """Stop using the user's override: it is kept aside (returned), not deleted."""
    return _aside(user_rules_dir(), "removed")


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)

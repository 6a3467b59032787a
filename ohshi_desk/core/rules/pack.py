"""Rules packs: new rules a vendor sends (a zip or a folder), checked before they are used. Qt-free.

:func:`stage` copies the pack's rules files (and nothing else) into a staging folder inside app-data, with the
same limits as any override (:mod:`.guard`); :func:`check` loads it with the bundled schema and the sense checks;
:func:`changes` lists what differs from the rules in use (every value that can change a yen, each method asked for
its own);
:func:`install` makes it the user's override (the previous one kept aside); :func:`use_bundled` goes back to the
rules shipped with the app. Every failure is a :class:`RulesError` with one Japanese line.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ohshi_desk.core.rules.records import RulesError

MAX_PACK_FILES = 100
MAX_PACK_BYTES = 20 * 1024 * 1024


def user_rules_dir() -> Path:
    from ohshi_desk.core.base.paths import data_dir

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

    from ohshi_desk.core.base.guard import (
        MAX_RULES_FILE_BYTES,
        LimitError,
        check_zip,
        is_regular_file,
        read_regular_file,
    )
    from ohshi_desk.core.base.paths import data_dir

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
        from ohshi_desk.core.base.guard import shown

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
    from ohshi_desk.core.rules.build import load_rules
    from ohshi_desk.core.rules.source import check_sense

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


def changes(old, new) -> list[str]:
    """What the new rules change, one line each, in Japanese (issue 25 point 7): the version, the programs, and every
    value that can change a yen or what is said — windows, eligibility, groups and items, documents, rounding, and
    each method's own values, asked of the method (``changes`` of each module in :mod:`.methods`); then the shared
    files (kinds, questions, items, documents, readers, prefecture codes, the municipality list)."""
    from ohshi_desk.core.base.formatting import wareki
    from ohshi_desk.core.rules.diff import diff, edition_changes, kind_names
    from ohshi_desk.core.rules.methods import METHODS

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
        out += [f"{b.short_name}: {line}" for line in _program_changes(a, b, new)]
        old_e = {e.id: e for e in a.editions}
        for e in b.editions:
            name = f"{b.short_name}（{e.label}）"
            if e.id not in old_e:
                out.append(f"{name}: 新しい年度（受付 {wareki(e.start_date)}〜{wareki(e.end_date)}）")
                continue
            o = old_e[e.id]
            lines = edition_changes(o, e, new)
            if a.method == b.method:
                lines += METHODS[b.method].changes(o, e, new)
            out += [f"{name}: {line}" for line in lines]
        for eid in old_e.keys() - {e.id for e in b.editions}:
            out.append(f"{b.short_name}: 年度「{old_e[eid].label}」がなくなります")
    names = kind_names(new)
    shared = [
        diff("施設区分", {k: kd.get("label") for k, kd in old.kinds.items()},
             {k: kd.get("label") for k, kd in new.kinds.items()}),
        diff("点数表コード", {k: kd.get("score_table_code") for k, kd in old.kinds.items()},
             {k: kd.get("score_table_code") for k, kd in new.kinds.items()}, names),
        diff("施設区分のまとまり", old.kind_groups, new.kind_groups),
        diff("施設の質問", _flags(old, new), _flags(new, new)),
        diff("品目", {i: d.get("label") for i, d in old.items.items()}, {i: d.get("label") for i, d in new.items.items()},
             {i: d.get("label", i) for i, d in {**old.items, **new.items}.items()}),
        diff("書類", {d: x.get("label") for d, x in old.documents.items()},
             {d: x.get("label") for d, x in new.documents.items()},
             {d: x.get("label", d) for d, x in {**old.documents, **new.documents}.items()}),
        diff("申請先", _portals(old), _portals(new),
             {k: v.get("label", k) for k, v in {**old.portals, **new.portals}.items()}),
        diff("スマホ保険証を読み取れるカードリーダー", {m: x["reads_smartphone"] for m, x in old.makers.items()},
             {m: x["reads_smartphone"] for m, x in new.makers.items()}),
        diff("無償提供を受けた台数の選択肢", old.free_units.get("choices"), new.free_units.get("choices")),
        diff("無償提供を受けた台数の説明", old.free_units.get("help"), new.free_units.get("help")),
        diff("カードリーダーの案内", old.reader_advice, new.reader_advice),
        diff("注意書き", old.disclaimer, new.disclaimer),
        *(diff("補助額の計算の説明文", old.engine_texts.get(k), text) for k, text in new.engine_texts.items()),
        diff("様式2の記入上の注意", {d: x.get("form_notes", {}).get("lines") for d, x in old.documents.items()},
             {d: x.get("form_notes", {}).get("lines") for d, x in new.documents.items()},
             {d: x.get("label", d) for d, x in {**old.documents, **new.documents}.items()}),
        diff("都道府県コード", {p["name"]: p["code"] for p in old.prefectures}, {p["name"]: p["code"] for p in new.prefectures}),
        diff("医療費助成の参加自治体", {k: v for k, v in old.municipalities.items() if k != "by_prefecture"},
             {k: v for k, v in new.municipalities.items() if k != "by_prefecture"},
             {"stated_totals": "通知に書かれた数", "all": "合計", "prefectures": "都道府県", "municipalities": "市区町村",
              "discrepancies": "一覧との違い", "stated": "通知の数", "listed": "一覧の数",
              "participating_prefectures": "参加都道府県"}),
    ]
    for lines in shared:
        out += lines
    return out


def _flags(rules, labels) -> dict:
    """Each facility question by its label (in ``labels``' words): its label, help, the programs that read it and
    what is offered when its answer would open a program."""
    names = {p.id: p.short_name for p in labels.programs}
    out = {}
    for f, q in rules.flags.items():
        key = labels.flags.get(f, q).get("label", f)
        out[key] = {"label": q.get("label"), "help": q.get("help"),
                    "read_by": sorted(names.get(x, x) for x in q.get("read_by", [])), "if_yes": q.get("if_yes"),
                    # a question of another type: its type, unit, limits and choices, in words
                    "種類": ANSWER_TYPES.get(q.get("type", "yes_no")), "単位": q.get("unit"), "最小": q.get("min"),
                    "最大": q.get("max"), "文字数": q.get("max_len"), "選択肢": q.get("choices")}
    return out


ANSWER_TYPES = {"yes_no": "はい・いいえ", "count": "数", "percent": "割合（%）", "yen": "金額", "date": "日付",
                "choice": "選択", "text": "文字"}


def _portals(rules) -> dict:
    """Each portal's name, address and the words said of it (after its window closed, the application's)."""
    def said(value):  # a block of words (申請の準備's application) as its texts, in the file's order
        if isinstance(value, dict):
            return [t for k, x in value.items() if k not in ("cite", "confidence") for t in said(x)]
        return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [str(value)]

    return {pid: {k: said(v) if isinstance(v, dict) else v for k, v in portal.items()
                  if not k.endswith(("_cite", "_confidence")) and k not in ("cite", "confidence")}
            for pid, portal in rules.portals.items()}


def _program_changes(a, b, rules) -> list[str]:
    """A program's own settings that change a figure or what is asked: its method, options, questions, the shared
    system, exclusions, when it is not needed, the order it is shown in."""
    from ohshi_desk.core.rules.diff import diff

    out = []
    for key, label in (("method", "計算方法"), ("options", "改修の内容の選択肢"), ("default_option", "未選択のときの改修内容"),
                       ("not_needed_when", "不要になる条件"), ("uses_usage", "利用実績を使う"),
                       ("purchases", "購入の行を使う"), ("done_before_flag", "改修済みの質問"),
                       ("order", "表示順")):
        out += diff(label, getattr(a, key), getattr(b, key))
    out += diff("質問", sorted(a.questions), sorted(b.questions))
    out += diff("同じシステムの扱い", a.shares_system or {}, b.shares_system or {})
    out += diff("対象外になる回答", (a.excluded_when_flag or {}).get("flag"), (b.excluded_when_flag or {}).get("flag"))
    out += diff("受付終了後の案内", [w["text"] for w in a.when_closed], [w["text"] for w in b.when_closed])
    out += diff("不要かどうかの説明", [v for k, v in a.not_needed_texts.items() if k not in ("cite", "confidence")],
                [v for k, v in b.not_needed_texts.items() if k not in ("cite", "confidence")])
    return out


def _aside(folder: Path, kind: str) -> Path | None:
    from ohshi_desk.core.base.clock import now

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

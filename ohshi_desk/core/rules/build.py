"""Building the rules: the checked files of a rules folder (:mod:`.rules_files`) → the records of :mod:`.records`.

Bare values are resolved into :class:`Val` with the ``cite``/``confidence`` of the edition (or file) they stand
in; references (sources, facility kinds, items, documents, portals) are checked; contradictions (a window that ends
before it starts, a limit above its cap, a kind named twice, …) are refused with :class:`RulesError`, whose
message names the file, the key and the problem in Japanese. Each method's own keys are read and checked by its
module in :mod:`.methods`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from ohshi_desk.core.rules.files import default_cache_dir, default_rules_dir, read_documents
from ohshi_desk.core.rules.records import Edition, Group, Program, Rules, RulesError, Val

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = ["BuildContext", "RulesError", "load_rules", "load_rules_for_app"]


class BuildContext:
    """Resolves bare values into Val with inherited citation and confidence, and checks references."""

    def __init__(self, rel: str, sources: dict, kinds: dict, groups: dict):
        self.rel, self.sources, self.kinds, self.groups = rel, sources, kinds, groups

    def fail(self, key: str, problem: str):
        raise RulesError(self.rel, key, problem)

    def val(self, node, where: str, cite: str, confidence: str, conv=None) -> Val:
        note = ""
        if isinstance(node, dict) and "value" in node:
            cite = node.get("cite", cite)
            confidence = node.get("confidence", confidence)
            note = node.get("note", "")
            node = node["value"]
        if cite not in self.sources:
            self.fail(where, f"出典「{cite}」が meta.yaml の sources にありません")
        if conv is not None:
            node = conv(node, where)
        return Val(node, cite, confidence, note, f"{self.rel}: {where}")

    def kind_list(self, node, where: str) -> tuple[str, ...]:
        names = [node] if isinstance(node, str) else list(node)
        out: list[str] = []
        for n in names:
            if n in self.kinds:
                out.append(n)
            elif n in self.groups:
                out.extend(self.groups[n])
            else:
                self.fail(where, f"施設区分「{n}」は facility_kinds.yaml にありません")
        return tuple(dict.fromkeys(out))

    def kind_table(self, node, where: str, cite: str, confidence: str, conv=None) -> dict[str, Val]:
        table: dict[str, Val] = {}
        for key, sub in node.items():
            val = self.val(sub, f"{where}.{key}", cite, confidence, conv)
            for kind in self.kind_list(key, f"{where}.{key}"):
                if kind in table:
                    self.fail(f"{where}.{key}", f"施設区分「{kind}」の値が2か所で決められています（矛盾）")
                table[kind] = val
        return table

    def date(self, text, where: str) -> _dt.date:
        try:
            return _dt.date.fromisoformat(text)
        except (TypeError, ValueError):
            self.fail(where, f"日付「{text}」が正しくありません")

    def rate(self, text, where: str) -> Fraction:
        from fractions import Fraction  # here, not at the top: the first page is shown before any rate is read

        try:
            num, den = (int(x) for x in str(text).split("/"))
            r = Fraction(num, den)
        except (ValueError, ZeroDivisionError):
            self.fail(where, f"補助率「{str(text)[:20]}」は「1/2」のような分数で書いてください")
        if not 0 < r <= 1:
            self.fail(where, f"補助率「{text}」は0より大きく1以下でなければなりません")
        return r


def load_rules(folder: Path | str | None = None, *, cache_dir: Path | None | bool = True) -> Rules:
    """Load and validate every file of a rules folder. Raises :class:`RulesError` on the first problem.

    ``cache_dir``: True for the user's cache folder, False/None to parse and check everything afresh.
    """
    folder = Path(folder) if folder is not None else default_rules_dir()
    if not folder.is_dir():
        raise RulesError(str(folder), "", "ルールのフォルダがありません")
    docs, checked_before, save_to_cache = read_documents(folder, default_cache_dir() if cache_dir is True
                                                     else (cache_dir or None))
    rules = rules_from_documents(folder, docs)
    if not checked_before:
        # A folder seen for the first time is checked whole, now, and only then remembered as good. Once it is,
        # the programs are built when first asked for: the checks they run are known to pass on these bytes.
        rules.programs  # noqa: B018 — builds and checks
        save_to_cache()
    return rules


# The blanks each 申請の準備 text of a portal's ``application`` may use (core/prepare.py fills them in)
APPLICATION_BLANKS = {
    "if_other": {"subsidy", "total", "call_center"},
    "checks.nothing_to_apply": set(),
    "checks.not_open": {"status"},
    "checks.missing_document": {"document", "who"},
    "checks.document_awaited": {"document", "who"},
    "checks.no_breakdown": {"receipt"},
    "checks.amount_missing": {"receipt"},
    "checks.amount_differs": {"receipt", "receipt_amount", "breakdown_total", "difference"},
    "checks.negative_second": {"receipt", "line", "second"},
    "checks.outside_window": {"receipt", "line", "date_label", "date", "period"},
    "checks.estimate_date": {"receipt", "date", "other_label", "other_date", "relation"},
    "checks.no_scan": {"receipt"},
}


# The blanks each sentence of meta.yaml's ``engine_texts`` may use (core/compute/engine.py fills them in)
ENGINE_BLANKS = {
    "line_before_receipts_from": {"what", "day", "first"},
    "before_receipts_from": {"item", "amount", "what", "day"},
    "receipt_date": set(),
    "delivery_date": set(),
    "use_unanswered": set(),
    "use_starts_later": {"year", "month", "day", "mark"},
    "estimate_mark": set(),
    "kind_not_eligible": {"kind"},
    "question_unanswered": {"question"},
    "this_plan": set(),
    "other_plan": {"program"},
    "counted_in_other": {"note", "program"},
}


def _engine_texts(meta: dict, sources: dict) -> dict[str, str]:
    """meta.yaml's ``engine_texts`` (the schema requires each of them): its source is in meta.yaml and every {blank}
    is one the engine fills in."""
    texts = meta["engine_texts"]
    if texts["cite"] not in sources:
        raise RulesError("meta.yaml", "engine_texts.cite", f"出典「{texts['cite']}」が meta.yaml の sources にありません")
    for key, allowed in ENGINE_BLANKS.items():
        _check_blanks(f"engine_texts.{key}", texts[key], allowed, "meta.yaml")
    return {key: texts[key] for key in ENGINE_BLANKS}


def _check_application(portal_id: str, app: dict | None, sources: dict) -> None:
    """A portal's 申請の準備 texts: their source is in meta.yaml and every {blank} is one that can be filled."""
    if app is None:
        return
    where = f"portals.{portal_id}.application"
    if app["cite"] not in sources:
        raise RulesError("portals.yaml", f"{where}.cite", f"出典「{app['cite']}」が meta.yaml の sources にありません")
    for key, allowed in APPLICATION_BLANKS.items():
        node = app
        for part in key.split("."):
            node = node[part]
        _check_blanks(f"{where}.{key}", node, allowed)


def _check_blanks(where: str, text: str, allowed: set, rel: str = "portals.yaml") -> None:
    import string

    try:
        blanks = {name for _t, name, _f, _c in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise RulesError(rel, where, "{ } の対応が正しくありません") from None
    unknown = sorted(blanks - allowed)
    if unknown:
        raise RulesError(rel, where,
                         f"「{{{unknown[0]}}}」は埋められません（使えるのは {'・'.join(sorted(allowed)) or 'なし'}）")


def rules_from_documents(folder: Path, docs: dict) -> Rules:
    """The rules built from a folder's parsed (and schema-checked) documents, ``{relative path: data}``; the
    programs are built, and checked, when first asked for. Raises :class:`RulesError`."""
    read = docs.__getitem__

    meta = read("meta.yaml")
    sources = meta["sources"]
    fk = read("facility_kinds.yaml")
    kinds = fk["kinds"]
    groups = {k: tuple(v) for k, v in fk["groups"].items()}
    for k, kd in kinds.items():
        if kd.get("note_cite") and kd["note_cite"] not in sources:
            raise RulesError("facility_kinds.yaml", f"kinds.{k}.note_cite", f"出典「{kd['note_cite']}」が meta.yaml の sources にありません")
    for g, members in groups.items():
        if g in kinds:
            raise RulesError("facility_kinds.yaml", f"groups.{g}", "グループ名が施設区分と同じです")
        for m in members:
            if m not in kinds:
                raise RulesError("facility_kinds.yaml", f"groups.{g}", f"施設区分「{m}」がありません")

    assumed = fk.get("assumed_kind")
    if assumed is not None and assumed not in kinds:
        raise RulesError("facility_kinds.yaml", "assumed_kind", f"施設区分「{assumed}」がありません")

    engine_texts = _engine_texts(meta, sources)
    items = read("items.yaml")["items"]
    readers = read("readers.yaml")
    portals = read("portals.yaml")
    for pid_, portal in portals["portals"].items():
        for key in ("cite", "steps_cite", "closed_steps_cite"):
            if portal.get(key) and portal[key] not in sources:
                raise RulesError("portals.yaml", f"portals.{pid_}.{key}", f"出典「{portal[key]}」が meta.yaml の sources にありません")
        _check_application(pid_, portal.get("application"), sources)
    _check_blanks("no_application", portals.get("no_application", ""), {"portal"})
    documents_file = read("documents.yaml")
    documents = documents_file["documents"]
    prefectures = read("prefectures.yaml")["prefectures"]
    munis = read("municipalities.yaml")
    for rel, key, node in (("meta.yaml", "disclaimer", meta["disclaimer"]),
                           ("readers.yaml", "reads_smartphone_advice", readers.get("reads_smartphone_advice")),
                           ("readers.yaml", "free_units", readers.get("free_units")),
                           *(("documents.yaml", f"documents.{d}.form_notes", doc.get("form_notes"))
                             for d, doc in documents.items())):
        if node is not None and node["cite"] not in sources:
            raise RulesError(rel, f"{key}.cite", f"出典「{node['cite']}」が meta.yaml の sources にありません")
    if any(d.get("workbook_sheet") and not d.get("form_notes") for d in documents.values()):
        raise RulesError("documents.yaml", "form_notes", "Excel のシートに描く書類には「記入上の注意」（form_notes）が必要です")
    ctx = BuildContext("readers.yaml", sources, kinds, groups)
    makers = {}
    for mid, m in readers["makers"].items():
        makers[mid] = dict(m, reads_smartphone=ctx.val(m["reads_smartphone"], f"makers.{mid}.reads_smartphone",
                                                      "ohshi_policy", "assumed"))
    if "unknown" not in makers:
        raise RulesError("readers.yaml", "makers", "「unknown」（わからない）がありません")

    pref_names = [p["name"] for p in prefectures]
    if len(set(pref_names)) != len(pref_names) or len({p["code"] for p in prefectures}) != len(prefectures):
        raise RulesError("prefectures.yaml", "prefectures", "都道府県名または番号が重複しています")
    for i, p in enumerate(munis["participating_prefectures"]):
        if p not in pref_names:
            raise RulesError("municipalities.yaml", f"participating_prefectures[{i}]", f"「{p}」は都道府県ではありません")
    by_pref: dict[str, tuple[str, ...]] = {}
    for pref, names in munis["municipalities"].items():
        if pref not in pref_names:
            raise RulesError("municipalities.yaml", f"municipalities.{pref}", f"「{pref}」は都道府県ではありません")
        flat = tuple(n if isinstance(n, str) else n["name"] for n in names)
        if len(set(flat)) != len(flat):
            raise RulesError("municipalities.yaml", f"municipalities.{pref}", "同じ市区町村が2回あります")
        by_pref[pref] = flat
    munis = dict(munis, by_prefecture=by_pref)

    def build_programs() -> list[Program]:
        programs = []
        for rel in (r for r in docs if r.startswith("programs/")):
            data = read(rel)
            programs.append(_program(rel, data, BuildContext(rel, sources, kinds, groups), items, documents,
                                     portals["portals"]))
        _check_programs(programs)
        _check_flags(fk["flags"], programs)
        unknown = sorted(set(munis.get("shown_with", ())) - {p.id for p in programs})
        if unknown:
            raise RulesError("municipalities.yaml", "shown_with", f"補助制度「{unknown[0]}」がありません")
        return sorted(programs, key=lambda p: p.order)

    return Rules(
        folder=folder,
        version=meta["version"],
        last_checked=_dt.date.fromisoformat(meta["last_checked"]),
        sources=sources,
        kinds=kinds,
        kind_groups=groups,
        flags=fk["flags"],
        items=items,
        makers=makers,
        reader_hint=readers.get("where_to_look", ""),
        portals=portals["portals"],
        call_center=portals.get("call_center", ""),
        no_application=portals.get("no_application", ""),
        documents=documents,
        document_not_named=documents_file["not_named"],  # required by the schema
        prefectures=prefectures,
        municipalities=munis,
        confidence_levels=dict(meta.get("confidence_levels", {})),
        assumed_kind=assumed,
        disclaimer=meta["disclaimer"]["text"],
        engine_texts=engine_texts,
        reader_advice=(readers.get("reads_smartphone_advice") or {}).get("text", ""),
        free_units=dict(readers.get("free_units") or {}),
        _build_programs=build_programs,
        _find_warnings=_sense_warnings,
    )


def _sense_warnings(rules: Rules) -> list[str]:
    from ohshi_desk.core.rules.source import sense_warnings  # here: the sense checks load the methods

    return sense_warnings(rules)


def _program(rel: str, data: dict, ctx: BuildContext, items: dict, documents: dict, portals: dict) -> Program:
    pid = data["id"]
    editions = []
    for i, ed in enumerate(data["editions"]):
        editions.append(_edition(ctx, pid, data["method"], f"editions[{i}]", ed, items, documents, portals,
                                 data.get("options", {})))
    editions.sort(key=lambda e: e.start_date)
    for a, b in zip(editions, editions[1:], strict=False):
        if b.start_date <= a.end_date:
            ctx.fail("editions", f"「{a.id}」と「{b.id}」の受付期間が重なっています")
    if data.get("default_option") and data["default_option"] not in data.get("options", {}):
        ctx.fail("default_option", "options にない選択肢です")
    for it in data.get("suggested_items", ()):
        if it not in items:
            ctx.fail("suggested_items", f"品目「{it}」が items.yaml にありません")
    questions = {}
    for qi, q in enumerate(data.get("questions", ())):
        if q["id"] in questions or q["id"] in ("lines", "option"):
            ctx.fail(f"questions[{qi}].id", f"質問「{q['id']}」が重複しているか、使えない名前です")
        if q["cite"] not in ctx.sources:
            ctx.fail(f"questions[{qi}].cite", f"出典「{q['cite']}」が meta.yaml の sources にありません")
        check_answer_type(ctx.rel, f"questions[{qi}]", q)
        questions[q["id"]] = dict(q)
    for key, flag in (("done_before_flag", data.get("done_before_flag")),
                      ("excluded_when_flag", (data.get("excluded_when_flag") or {}).get("flag"))):
        if flag and flag not in questions:
            ctx.fail(key, f"質問「{flag}」が questions にありません（画面に出せません）")
        if flag and questions[flag].get("type", "yes_no") != "yes_no":
            ctx.fail(key, f"質問「{flag}」ははい・いいえの質問ではありません")
    for e in editions:
        for flag in e.extra.get("use_starts", {}):
            if flag not in questions:
                ctx.fail("editions.use_starts", f"質問「{flag}」が questions にありません")
    for flag in (data.get("shares_system") or {}).get("system_exists_flags", ()):
        if flag not in questions:
            ctx.fail("shares_system.system_exists_flags", f"質問「{flag}」が questions にありません")
    texts = data.get("not_needed_texts")
    if data.get("not_needed_when") and not texts:
        ctx.fail("not_needed_texts", "not_needed_when には not_needed_texts（画面に出す文）が必要です")
    if texts and texts["cite"] not in ctx.sources:
        ctx.fail("not_needed_texts.cite", f"出典「{texts['cite']}」が meta.yaml の sources にありません")
    if texts:
        _check_blanks("not_needed_texts.other_readers", texts["other_readers"], {"maker", "others"}, ctx.rel)
    for wi, said in enumerate(data.get("when_closed", ())):
        if said["cite"] not in ctx.sources:
            ctx.fail(f"when_closed[{wi}].cite", f"出典「{said['cite']}」が meta.yaml の sources にありません")
    for flag, node in ((data.get("shares_system") or {}).get("flag_reasons") or {}).items():
        if flag not in (data["shares_system"].get("system_exists_flags") or ()):
            ctx.fail(f"shares_system.flag_reasons.{flag}", "system_exists_flags にない質問です")
        if "cite" in node and node["cite"] not in ctx.sources:
            ctx.fail(f"shares_system.flag_reasons.{flag}.cite", f"出典「{node['cite']}」が meta.yaml の sources にありません")
    for e in editions:
        for where, flag in [*(("documents", f) for f in e.extra["document_source_when"].values()),
                            *(("notes_when", f) for f, _n in e.extra["notes_when"])]:
            if flag not in questions:
                ctx.fail(f"editions.{where}", f"質問「{flag}」が questions にありません")
    return Program(
        id=pid, order=data["order"], short_name=data["short_name"], name=data["name"], goal=data["goal"], goal_help=data["goal_help"],
        method=data["method"], file=rel, editions=editions, not_needed_when=data.get("not_needed_when"),
        uses_usage=bool(data.get("uses_usage")), shares_system=data.get("shares_system"),
        done_before_flag=data.get("done_before_flag"), excluded_when_flag=data.get("excluded_when_flag"),
        options=data.get("options", {}), default_option=data.get("default_option"),
        suggested_items=tuple(data.get("suggested_items", ())), purchases=data.get("purchases", True),
        questions=questions, status_labels=dict(data.get("status_labels", {})),
        when_closed=tuple(dict(x) for x in data.get("when_closed", ())),
        not_needed_texts=dict(texts or {}),
    )


def _edition(ctx: BuildContext, pid: str, method: str, w: str, ed: dict, items: dict, documents: dict,
             portals: dict, options: dict) -> Edition:
    cite, conf = ed["cite"], ed["confidence"]
    if cite not in ctx.sources:
        ctx.fail(f"{w}.cite", f"出典「{cite}」が meta.yaml の sources にありません")
    start = ctx.val(ed["window"]["start"], f"{w}.window.start", cite, conf, ctx.date)
    end = ctx.val(ed["window"]["end"], f"{w}.window.end", cite, conf, ctx.date)
    if end.value < start.value:
        ctx.fail(f"{w}.window", "受付期間の終わりが始まりより前です")
    elig = ed["eligibility"]
    # the kinds a program takes are named one by one (issue 24 point 4): a kind added to facility_kinds.yaml, or to
    # a group there, is eligible nowhere until a program names it; ``not_kinds`` are the kinds it says it does not take
    named = {}
    for key in ("kinds", "not_kinds"):
        for k in elig.get(key, ()):
            if k in ctx.groups:
                ctx.fail(f"{w}.eligibility.{key}",
                         f"グループ「{k}」は使えません。対象の施設区分を1つずつ書いてください（新しい施設区分が黙って対象にならないため）")
            if k not in ctx.kinds:
                ctx.fail(f"{w}.eligibility.{key}", f"施設区分「{k}」は facility_kinds.yaml にありません")
            if k in named:
                ctx.fail(f"{w}.eligibility.{key}", f"施設区分「{k}」が2回（kinds と not_kinds）書かれています")
            named[k] = key
    kinds = frozenset(k for k, key in named.items() if key == "kinds")
    # a document may carry its own confidence (a document the notice does not name: issue 14 point 7)
    doc_ids, doc_vals, doc_when = [], {}, {}
    for di, node in enumerate(ed["documents"]):
        doc = node if isinstance(node, str) else node["id"]
        doc_ids.append(doc)
        if not isinstance(node, str):
            doc_vals[doc] = ctx.val({"value": doc, **{k: v for k, v in node.items() if k not in ("id", "source_when")}},
                                    f"{w}.documents[{di}]", cite, conf)
            if node.get("source_when"):  # stated by the notice only for the use this plan question names
                doc_when[doc] = node["source_when"]
        if doc not in documents:
            ctx.fail(f"{w}.documents", f"書類「{doc}」が documents.yaml にありません")
    portal = ed.get("portal", "none")
    portal_by_kind = {}
    for key, p in ed.get("portal_by_kind", {}).items():
        for k in ctx.kind_list(key, f"{w}.portal_by_kind.{key}"):
            portal_by_kind[k] = p
    for p in [portal, *portal_by_kind.values()]:
        if p not in portals:
            ctx.fail(f"{w}.portal", f"窓口「{p}」が portals.yaml にありません")

    e = Edition(program_id=pid, id=ed["id"], label=ed["label"], cite=cite, confidence=conf, start=start, end=end,
                kinds=kinds, flags=tuple(elig.get("flags", ())),
                not_eligible_reason=elig.get("not_eligible_reason", "この施設区分は対象ではありません"),
                documents=tuple(doc_ids), notes=tuple(ed.get("notes", ())), portal=portal,
                portal_by_kind=portal_by_kind)

    e.extra["not_kinds"] = frozenset(k for k, key in named.items() if key == "not_kinds")
    # facility number questions the program needs at least a value of (issue 24 point 1: a number question is data)
    e.extra["at_least"] = dict(elig.get("at_least", {}))
    e.extra["document_vals"] = doc_vals
    e.extra["document_source_when"] = doc_when
    # notes said only when the plan answers yes to a question (P4: the receipt note of 機器故障時等; issue 25 point 5)
    e.extra["notes_when"] = tuple((n["flag"], n["note"]) for n in ed.get("notes_when", ()))
    # the first receipt date that counts (P7: work from FY2024 on; issue 25 point 3)
    if "receipts_from" in ed:
        e.extra["receipts_from"] = ctx.val(ed["receipts_from"], f"{w}.receipts_from", cite, conf, ctx.date)
    # Parts of a program with their own start (P4: 通常とは異なる動線 from the notice, 機器故障時等 「令和7年7月頃」).
    # Keyed by a plan question of the program; checked against the questions in _program.
    for flag, node in ed.get("use_starts", {}).items():
        e.extra.setdefault("use_starts", {})[flag] = ctx.val(node, f"{w}.use_starts.{flag}", cite, conf, ctx.date)
    if e.extra.get("use_starts") and min(v.value for v in e.extra["use_starts"].values()) != start.value:
        ctx.fail(f"{w}.use_starts", "最も早い開始日を window.start にしてください")

    def item_ok(item: str, where: str):
        if item not in items:
            ctx.fail(where, f"品目「{item}」が items.yaml にありません")

    seen_items: dict[str, str] = {}
    for gi, g in enumerate(ed.get("groups", [])):
        gw = f"{w}.groups[{gi}]"
        for it in g["items"]:
            item_ok(it, f"{gw}.items")
            if it in seen_items:
                ctx.fail(f"{gw}.items", f"品目「{it}」が2つのグループ（{seen_items[it]}・{g['id']}）にあります")
            seen_items[it] = g["id"]
        cap = ctx.kind_table(g["cap"], f"{gw}.cap", cite, conf) if "cap" in g else None
        only = g.get("only_when")
        if only:
            # group names (clinic_pharmacy, insured, …) are resolved to kinds here, so the engine's plain
            # ``kind in only["kinds"]`` matches them (issue 14 point 10)
            only = dict(only, kinds=ctx.kind_list(only.get("kinds", []), f"{gw}.only_when.kinds"))
            for o in only.get("options", []):
                if o not in options:
                    ctx.fail(f"{gw}.only_when.options", f"選択肢「{o}」が options にありません")
        e.groups.append(Group(g["id"], g["label"], tuple(g["items"]), cap, only, g.get("not_eligible_reason", "")))
    for key in ("excluded_items", "review_items"):
        for it, node in ed.get(key, {}).items():
            item_ok(it, f"{w}.{key}")
            if it in seen_items:
                ctx.fail(f"{w}.{key}.{it}", "補助対象のグループにもある品目です（矛盾）")
            getattr(e, key)[it] = ctx.val({"value": node["reason"], **{k: v for k, v in node.items() if k != "reason"}},
                                          f"{w}.{key}.{it}", cite, conf)
    for key in ("project_cap", "limit"):
        if key in ed:
            setattr(e, key, ctx.kind_table(ed[key], f"{w}.{key}", cite, conf))
    if "rate" in ed:
        e.rate = ctx.kind_table(ed["rate"], f"{w}.rate", cite, conf, ctx.rate)
    if "rounding" in ed:
        e.rounding = ctx.val(ed["rounding"], f"{w}.rounding", cite, conf)
    for vi, var in enumerate(ed.get("variants", [])):
        vw = f"{w}.variants[{vi}]"
        when = dict(var["when"], kinds=ctx.kind_list(var["when"].get("kinds", []), f"{vw}.when.kinds"))
        resolved = {"id": var["id"], "when": when, "note": var["note"],
                    "not_applicable": bool(var.get("not_applicable")),
                    # how sure the variant itself is, when it says so (a reading of the notice: issue 25 point 2)
                    "val": ctx.val({"value": var["id"], "note": var["note"],
                                    **{k: var[k] for k in ("cite", "confidence") if k in var}},
                                   vw, cite, conf) if "confidence" in var or "cite" in var else None}
        for key in ("project_cap", "limit"):
            resolved[key] = ctx.kind_table(var.get(key, {}), f"{vw}.{key}", cite, conf) if key in var else {}
        resolved["rate"] = ctx.kind_table(var["rate"], f"{vw}.rate", cite, conf, ctx.rate) if "rate" in var else {}
        e.variants.append(resolved)

    from ohshi_desk.core.rules.methods import (  # here: the methods (and their results module) load only when programs are built
        METHODS,
    )

    METHODS[method].parse(ctx, w, ed, e, kinds, item_ok)
    return e


def _check_programs(programs: list[Program]) -> None:
    ids = [p.id for p in programs]
    for p in programs:
        if ids.count(p.id) > 1:
            raise RulesError(p.file, "id", f"補助制度のID「{p.id}」が重複しています")
    orders = [p.order for p in programs]
    for p in programs:
        if orders.count(p.order) > 1:
            raise RulesError(p.file, "order", f"表示順 {p.order} が重複しています")
        share = p.shares_system
        if share:
            other = next((q for q in programs if q.id == share["with"]), None)
            if other is None:
                raise RulesError(p.file, "shares_system.with", f"補助制度「{share['with']}」がありません")
            if not other.shares_system or other.shares_system["with"] != p.id:
                raise RulesError(p.file, "shares_system", f"「{other.id}」の側にも同じシステムの指定が必要です")
            for ed in p.editions:
                if share["group"] not in [g.id for g in ed.groups]:
                    raise RulesError(p.file, "shares_system.group", f"グループ「{share['group']}」がありません")


def check_answer_type(rel: str, where: str, q: dict) -> None:
    """A question of the rules of any type (yes_no, the default, count, percent, yen, date, choice, text): a choice
    has its choices, a number its limits in order; only what its type uses is given."""
    kind = q.get("type", "yes_no")
    if kind == "choice" and not q.get("choices"):
        raise RulesError(rel, f"{where}.choices", "選択肢の質問には choices が必要です")
    if kind != "choice" and "choices" in q:
        raise RulesError(rel, f"{where}.choices", "choices は選択肢の質問（type: choice）にだけ書けます")
    if ("min" in q or "max" in q) and kind not in ("count", "yen"):
        raise RulesError(rel, f"{where}.min", "min / max は数の質問（type: count / yen）にだけ書けます")
    if "min" in q and "max" in q and q["max"] < q["min"]:
        raise RulesError(rel, f"{where}.max", "max が min より小さくなっています")
    if "if_yes" in q and kind != "yes_no":
        raise RulesError(rel, f"{where}.if_yes", "if_yes ははい・いいえの質問にだけ書けます")


def _check_flags(flags: dict, programs: list[Program]) -> None:
    """Facility questions and the programs that read them agree both ways (issue 14 point 10)."""
    from ohshi_desk.core.case.fields import section

    reserved = {f.name for f in section("facility")}
    ids = {p.id for p in programs}
    for fid, f in flags.items():
        if fid in reserved:
            raise RulesError("facility_kinds.yaml", f"flags.{fid}", "施設の項目と同じ名前は使えません")
        check_answer_type("facility_kinds.yaml", f"flags.{fid}", f)
        for pid in f.get("read_by", ()):
            if pid not in ids:
                raise RulesError("facility_kinds.yaml", f"flags.{fid}.read_by", f"補助制度「{pid}」がありません")
    for p in programs:
        for e in p.editions:
            for fid in e.flags:
                if fid not in flags:
                    raise RulesError(p.file, "eligibility.flags", f"質問「{fid}」が facility_kinds.yaml の flags にありません")
                if flags[fid].get("type", "yes_no") != "yes_no":
                    raise RulesError(p.file, "eligibility.flags", f"質問「{fid}」ははい・いいえの質問ではありません（数の質問は at_least に書きます）")
            for fid in e.extra.get("at_least", {}):
                if fid not in flags:
                    raise RulesError(p.file, f"eligibility.at_least.{fid}", f"質問「{fid}」が facility_kinds.yaml の flags にありません")
                if flags[fid].get("type") not in ("count", "yen"):
                    raise RulesError(p.file, f"eligibility.at_least.{fid}", f"質問「{fid}」は数の質問（type: count / yen）ではありません")


def load_rules_for_app(*, rules_warnings: bool = True) -> tuple[Rules, Path, list[str]]:
    """The rules the app and the CLI use: an override folder when it validates, else the bundled rules.

    Returns (rules, folder used, warnings); see :func:`.rules_source.resolve_rules` for the order and the
    guarantees (any failure of an override → the bundled rules and a warning). Raises RulesError only when the
    bundled rules fail."""
    from ohshi_desk.core.rules.source import resolve_rules

    rules, folder, warnings = resolve_rules(load_rules)
    # + the sense checks' warnings (a limit that is not cap × rate, …); the window asks for them after its first
    # paint (rules_warnings=False), as building the programs costs a few ms
    return rules, folder, warnings + (rules.warnings if rules_warnings else [])

"""The transcription of seed 003's participating prefectures and municipalities, checked against the seed."""

from __future__ import annotations

import re

import pytest

from . import conftest

pytestmark = pytest.mark.seeds


def seed_text() -> str:
    return conftest.seed_text("003")


def seed_lists():
    text = seed_text()
    prefs = next(line for line in text.splitlines() if line.startswith("北海道、青森県")).split("、")
    munis = {}
    for line in text.splitlines():
        if "\t" in line and re.match(r"^[①-⑳]+", line):
            head, names = line.split("\t", 1)
            munis[re.sub(r"^[①-⑳]+", "", head)] = [n.strip() for n in names.split("、")]
    return prefs, munis


def stated(label: str) -> int:
    m = re.search(r"令和 7 年度末には全国 (\d+) 自治体（(\d+) 都道府県、(\d+) 市区町村）", seed_text())
    return {"all": int(m[1]), "prefectures": int(m[2]), "municipalities": int(m[3])}[label]


def test_participating_prefectures_match_the_seed_and_its_total(rules):
    prefs, _ = seed_lists()
    data = rules.municipalities
    assert data["participating_prefectures"] == prefs
    assert len(prefs) == stated("prefectures") == data["stated_totals"]["prefectures"]


def test_every_municipality_is_transcribed(rules):
    _, munis = seed_lists()
    data = rules.municipalities
    corrected = {}
    for pref, names in data["municipalities"].items():
        for n in names:
            if isinstance(n, dict):
                corrected[(pref, n["seed_spelling"])] = n["name"]
    assert list(data["by_prefecture"]) == list(munis)
    for pref, names in munis.items():
        expected = [corrected.get((pref, n), n) for n in names]
        assert list(data["by_prefecture"][pref]) == expected, pref


def test_a_disagreeing_total_is_recorded_not_hidden(rules):
    data = rules.municipalities
    listed = sum(len(v) for v in data["by_prefecture"].values())
    assert data["stated_totals"]["municipalities"] == stated("municipalities")
    if listed != stated("municipalities"):
        rec = [d for d in data["discrepancies"] if d["what"] == "municipalities"]
        assert rec and rec[0]["listed"] == listed and rec[0]["stated"] == stated("municipalities")
    assert stated("prefectures") + stated("municipalities") == stated("all")


def test_lookup(rules):
    assert rules.municipality_status("大分県", "別府市") == {
        "prefecture_listed": True, "municipality_listed": True, "as_of_label": rules.municipalities["as_of_label"]}
    assert rules.municipality_status("大分県", "大分市")["municipality_listed"] is False
    assert rules.municipality_status("沖縄県", "那覇市") == {
        "prefecture_listed": False, "municipality_listed": True, "as_of_label": rules.municipalities["as_of_label"]}
    assert rules.municipality_status("埼玉県", "長瀞町")["municipality_listed"] is True

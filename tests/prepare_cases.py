"""The 申請の準備 test case (issue 29): a clinic with two vendors, as it comes back when everything is in order.
Shared by the core, file and window tests of 申請の準備 (on the fixture rules), the flow test and the tools (on the
real rules)."""

from __future__ import annotations

import copy
import datetime as dt

DAY = dt.date(2025, 11, 1)
# On the fixture rules with テスト5 (the `fixture_rules_plus` fixture, tests/fixtures/README.md), so that a change to a
# real program changes none of the tests of 申請の準備: テスト1 (capped_rate, 領収書・内訳書) from A社 and テスト5 (capped_rate,
# 領収書・内訳書・チェックシート, receipts from 2024-04-01) from B社, both open on DAY at the same portal.
FIRST, SECOND = "fx_capped", "fx_aid_card"
CASE = {"format": "ohshi-desk-case/1", "as_of": "2025-11-01",
        "facility": {"kind": "clinic", "name": "やまだ内科クリニック", "institution_code": "1234567",
                     "prefecture": "大分県", "municipality": "別府市"},
        "plans": {FIRST: {"lines": [
            {"item": "mobile_terminal", "unit_price": 40000, "vendor": "A社", "description": "タブレット X1"},
            {"item": "receipt_system_change", "unit_price": 120000, "vendor": "A社"}]},
            SECOND: {"lines": [
                {"item": "receipt_system_change", "unit_price": 80000, "vendor": "B社"}]}}}
# The same clinic on the real rules (P2 and P7), for tests/tools/prepare_screenshots.py: the app's own screens
REAL_CASE = copy.deepcopy({**CASE, "plans": {"home_visit": CASE["plans"][FIRST],
                                             "medical_aid_card": {"option": "certificate", **CASE["plans"][SECOND]}}})


# the clinic on the real rules (P2 and P7) as its vendors fill its workbook (test_prepare_flow, tests/tools/bundle_trace.py):
# 2 端末 and descriptions, so 申請の準備 gets one program ready and one not
FLOW_CASE = {"format": "ohshi-desk-case/1", "as_of": "2025-11-01",
             "facility": {"kind": "clinic", "name": "やまだ内科クリニック", "institution_code": "1234567",
                          "prefecture": "大分県", "municipality": "別府市"},
             "plans": {"home_visit": {"lines": [
                 {"item": "mobile_terminal", "quantity": 2, "unit_price": 30000, "vendor": "A社",
                  "description": "端末 X1"},
                 {"item": "receipt_system_change", "unit_price": 150000, "vendor": "A社", "description": "レセコン改修"}]},
                 "medical_aid_card": {"option": "certificate", "lines": [
                     {"item": "receipt_system_change", "unit_price": 80000, "vendor": "B社",
                      "description": "受給者証オンライン取得の改修"}]}}}


def ready_case(base: dict = CASE, **changes) -> dict:
    """The case (``base``: CASE, or REAL_CASE) as it comes back when everything is in order: 様式2 dated and its
    receipt amount equal to 総額, every paper received. ``changes``: dotted paths and their values."""
    data = copy.deepcopy(base)
    first, second = data["plans"]
    data["plans"][first]["receipts"] = {"A社": {"date": "2025-10-20", "amount": 160000}}
    data["plans"][second]["receipts"] = {"B社": {"date": "2025-10-21", "amount": 80000}}
    data["documents"] = {pid: {doc: {"progress": "受領済", "received_date": "2025-10-25"}
                               for doc in ("receipt", "receipt_breakdown", "system_checksheet")}
                         for pid in data["plans"]}
    for key, value in changes.items():
        node = data
        *path, last = key.split(".")
        for part in path:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value
    return data

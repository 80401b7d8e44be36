"""Records over HTTP: contract notes (fields, arithmetic, who may read them), monthly
statements (JSON, CSV, HTML, a bad month) and a session's export bundle (its files, their
hashes, determinism, and a verification that fails when one byte changes)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from execution.records.bundle import verify_bundle
from web.auth import Principal
from web.services import Services

from .conftest import CUSTOMER, PRODUCT, SUPPORT

ADMIN = {"Authorization": "Bearer demo-admin-token"}
BOB = {"Authorization": "Bearer bob-token"}
DAY_MS = 86_400_000


def _filled(client: TestClient, text: str, sid: str | None = None) -> str:
    """Open a session (unless given), say ``text`` and confirm every step: the session."""
    if sid is None:
        opened = client.post("/api/sessions", headers=CUSTOMER)
        assert opened.status_code == 201, opened.text
        sid = str(opened.json()["id"])
    turn = client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER)
    assert turn.status_code == 200, turn.text
    for pending in turn.json()["pending"]:
        done = client.post(
            f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
            json={"token": pending["token"]},
            headers=CUSTOMER,
        )
        assert done.status_code == 200, done.text
    return sid


def _notes(client: TestClient, headers: dict[str, str] = CUSTOMER, query: str = "") -> Any:
    listed = client.get(f"/api/contract-notes{query}", headers=headers)
    assert listed.status_code == 200, listed.text
    return listed.json()


def _bob(services: Services) -> None:
    services.principals.put(Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-token")


def test_a_contract_note_per_fill_with_its_arithmetic(client: TestClient) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    _filled(client, "sell 1 ETH", sid)
    _filled(client, "sell 2 SOL at 999", sid)  # rests unfilled: no note

    body = _notes(client)
    assert body["customer"] == "demo-customer"
    buy, sell = body["notes"]
    for note in (buy, sell):
        quantity, average = Decimal(note["quantity"]), Decimal(note["average_price"])
        gross = Decimal(note["gross_value"]["amount"])
        assert quantity > 0
        # gross is the venue's quote value; the average is gross / quantity to 10 places
        assert abs(quantity * average - gross) <= quantity * Decimal("1e-10")
        assert note["gross_value"]["currency"] == note["quote"] == "USDT"
        assert note["customer_id"] == "demo-customer"
        assert note["session_id"] == sid
        assert note["client_order_id"].startswith("ta")
        assert note["time_zone"] == "Asia/Hong_Kong"
        # the manual clock starts at 2026-01-01T00:00Z, a Thursday: 08:00 in Hong Kong
        assert note["traded_at_utc"] == "2026-01-01T00:00:00.000Z"
        assert note["traded_at_hkt"] == "2026-01-01T08:00:00.000+08:00"
        assert note["trade_date"] == "2026-01-01"
        assert note["due_by"] == "2026-01-05"  # Friday, then Monday (the weekend skipped)
        assert note["on_time"] is True
        assert note["issued_at_utc"] == "2026-01-01T00:00:00.000Z"
        assert note["note_number"].startswith("CN-20260101-")
        assert len(note["note_number"]) == len("CN-20260101-") + 10
    assert buy["note_number"] != sell["note_number"]

    # A buy on the sandbox pays its fee in the asset bought: the USDT paid is the gross,
    # the BTC received the quantity less the fee.
    assert (buy["symbol"], buy["side"], buy["fee"]["currency"]) == ("BTC/USDT", "buy", "BTC")
    fee = Decimal(buy["fee"]["amount"])
    assert fee > 0
    assert buy["net_settlement"] == {
        "direction": "pay",
        "amount": buy["gross_value"]["amount"],
        "currency": "USDT",
    }
    assert Decimal(buy["flows"]["BTC"]) == Decimal(buy["quantity"]) - fee
    assert Decimal(buy["flows"]["USDT"]) == -Decimal(buy["gross_value"]["amount"])
    # A sell pays its fee in the quote: it receives the gross less the fee.
    assert (sell["side"], sell["fee"]["currency"], sell["net_settlement"]["direction"]) == (
        "sell",
        "USDT",
        "receive",
    )
    net = Decimal(sell["gross_value"]["amount"]) - Decimal(sell["fee"]["amount"])
    assert Decimal(sell["net_settlement"]["amount"]) == net
    assert Decimal(sell["flows"]["USDT"]) == net
    assert Decimal(sell["flows"]["ETH"]) == -1

    # One note by its order id, the same as listed, every time.
    one = client.get(f"/api/contract-notes/{buy['order_id']}", headers=CUSTOMER)
    assert one.status_code == 200, one.text
    assert one.json() == buy
    assert client.get(f"/api/contract-notes/{buy['order_id']}", headers=CUSTOMER).json() == buy


def test_an_order_without_a_fill_has_no_note(client: TestClient) -> None:
    _filled(client, "sell 2 SOL at 999")
    (resting,) = client.get("/api/orders", headers=CUSTOMER).json()["orders"]
    state = client.get(f"/api/sessions/{resting['session_id']}", headers=CUSTOMER).json()
    order_id = state["steps"][0]["venue_order"]["id"]

    refused = client.get(f"/api/contract-notes/{order_id}", headers=CUSTOMER)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_fill"
    assert "no fill yet" in refused.json()["error"]["message"]
    assert _notes(client)["notes"] == []


def test_who_may_read_a_contract_note(client: TestClient, services: Services) -> None:
    _filled(client, "buy 0.01 BTC")
    (note,) = _notes(client)["notes"]
    path = f"/api/contract-notes/{note['order_id']}"
    _bob(services)

    assert client.get(path, headers=CUSTOMER).status_code == 200
    assert client.get(path, headers=SUPPORT).json() == note
    assert client.get(path, headers=ADMIN).status_code == 200
    assert client.get(path, headers=PRODUCT).status_code == 403
    hidden = client.get(path, headers=BOB)
    assert hidden.status_code == 404  # as if there were no such order
    assert client.get("/api/contract-notes/no-such-order", headers=BOB).json() == {
        "error": {"code": "not_found", "message": "no order 'no-such-order'"}
    }
    assert hidden.json()["error"]["message"] == f"no order {note['order_id']!r}"
    assert client.get(path).status_code == 401

    # The lists: a customer their own (another's is 404), support any customer's.
    assert _notes(client, BOB)["notes"] == []
    assert client.get("/api/contract-notes?customer=demo-customer", headers=BOB).status_code == 404
    assert _notes(client, SUPPORT, "?customer=demo-customer")["notes"] == [note]
    assert _notes(client, SUPPORT, "?customer=bob")["notes"] == []
    assert client.get("/api/contract-notes", headers=PRODUCT).status_code == 403
    assert client.get("/api/contract-notes").status_code == 401


def test_the_printable_contract_note(client: TestClient) -> None:
    _filled(client, "buy 0.01 BTC")
    (note,) = _notes(client)["notes"]

    page = client.get(f"/api/contract-notes/{note['order_id']}?format=html", headers=SUPPORT)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    # The print stylesheet is a file (the CSP allows no inline style).
    assert '<link rel="stylesheet" href="/static/records.css">' in html
    assert "@media print" in client.get("/static/records.css").text
    for shown in (
        note["note_number"],
        note["customer_id"],
        note["order_id"],
        note["client_order_id"],
        note["session_id"],
        "2026-01-01T08:00:00.000+08:00 HKT",
        "2026-01-01T00:00:00.000Z",
        "2026-01-05",
        "BTC/USDT",
        "BUY",
        f"{note['quantity']} BTC",
        f"{note['average_price']} USDT",
        f"{note['gross_value']['amount']} USDT",
        f"{note['fee']['amount']} BTC",
    ):
        assert shown in html, shown
    bad = client.get(f"/api/contract-notes/{note['order_id']}?format=pdf", headers=CUSTOMER)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["errors"][0]["loc"] == ["query", "format"]


def test_a_monthly_statement_derives_its_balances_from_the_fills(
    client: TestClient, clock: ManualClock
) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    _filled(client, "sell 1 ETH", sid)
    january = _notes(client)["notes"]
    clock.advance(40 * DAY_MS)  # February
    _filled(client, "sell 1 SOL", sid)
    balances = client.get("/api/balances", headers=CUSTOMER).json()["total"]

    got = client.get("/api/statements/demo-customer/2026-01", headers=CUSTOMER)
    assert got.status_code == 200, got.text
    statement = got.json()
    assert statement["month"] == "2026-01"
    assert statement["period_start_hkt"] == "2026-01-01T00:00:00.000+08:00"
    assert statement["period_end_hkt"] == "2026-02-01T00:00:00.000+08:00"
    lines = {b["asset"]: b for b in statement["balances"]}
    # January opened on the demo balances; it closed on them plus January's fills; the
    # balance now is that plus February's sale.
    assert Decimal(lines["BTC"]["opening"]) == Decimal("0.5")
    assert Decimal(lines["ETH"]["opening"]) == 4
    assert Decimal(lines["USDT"]["opening"]) == 25_000
    assert Decimal(lines["SOL"]["closing"]) == 40
    assert Decimal(balances["SOL"]) == 39
    for asset, line in lines.items():
        flows = sum((Decimal(n["flows"].get(asset, 0)) for n in january), Decimal(0))
        assert Decimal(line["net_flows"]) == flows
        assert Decimal(line["closing"]) == Decimal(line["opening"]) + flows
    assert [f["note_number"] for f in statement["fills"]] == [n["note_number"] for n in january]
    assert statement["fees"] == {
        "BTC": january[0]["fee"]["amount"],
        "USDT": january[1]["fee"]["amount"],
    }
    assert any("No balance history is kept" in n for n in statement["notes"])

    # February: the month in progress closes on the balance now.
    february = client.get("/api/statements/demo-customer/2026-02", headers=SUPPORT).json()
    feb = {b["asset"]: b for b in february["balances"]}
    assert {a: Decimal(b["closing"]) for a, b in feb.items()} == {
        a: Decimal(v) for a, v in balances.items()
    }
    assert Decimal(feb["SOL"]["opening"]) == 40
    assert any("has not ended" in n for n in february["notes"])
    # December 2025: nothing traded; opening and closing are January's opening.
    december = client.get("/api/statements/demo-customer/2025-12", headers=CUSTOMER).json()
    assert december["fills"] == []
    assert {b["asset"]: b["opening"] for b in december["balances"]} == {
        a: b["opening"] for a, b in lines.items()
    }


def test_the_statement_as_csv_and_html(client: TestClient) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    _filled(client, "sell 1 ETH", sid)
    statement = client.get("/api/statements/demo-customer/2026-01", headers=CUSTOMER).json()

    got = client.get("/api/statements/demo-customer/2026-01?format=csv", headers=CUSTOMER)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert "statement-demo-customer-2026-01.csv" in got.headers["content-disposition"]
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    rows = list(csv.reader(io.StringIO(got.text)))
    for row in rows[3:]:
        if not row:
            continue
        if len(row) == 1 and row[0] in ("balances", "fills", "fees", "notes"):
            current = sections.setdefault(row[0], [])
            continue
        current.append(row)
    assert rows[1][:3] == ["monthly statement", "demo-customer", "2026-01"]
    balances = [
        dict(zip(sections["balances"][0], r, strict=True)) for r in sections["balances"][1:]
    ]
    assert balances == [
        {k: b[k] for k in ("asset", "opening", "net_flows", "closing")}
        for b in statement["balances"]
    ]
    fills = [dict(zip(sections["fills"][0], r, strict=True)) for r in sections["fills"][1:]]
    assert [
        (f["symbol"], f["side"], f["quantity"], f["fee"], f["fee_currency"]) for f in fills
    ] == [
        (f["symbol"], f["side"], f["quantity"], f["fee"], f["fee_currency"])
        for f in statement["fills"]
    ]
    assert fills[0]["time_hkt"] == "2026-01-01T08:00:00.000+08:00"
    assert fills[0]["gross"] == statement["fills"][0]["gross"]
    assert fills[0]["net"] == statement["fills"][0]["net"]
    assert {r[0]: r[1] for r in sections["fees"][1:]} == statement["fees"]
    assert "No balance history is kept" in sections["notes"][0][0]
    assert "E-" not in got.text  # plain decimals, never 1E-7

    page = client.get("/api/statements/demo-customer/2026-01?format=html", headers=SUPPORT)
    assert page.status_code == 200
    assert '<link rel="stylesheet" href="/static/records.css">' in page.text
    for fill in statement["fills"]:
        assert fill["note_number"] in page.text
    assert "No balance history is kept" in page.text
    assert '<tr data-asset="BTC"><td>BTC</td><td class="num">0.5</td>' in page.text


@pytest.mark.parametrize(
    ("month", "why"),
    [
        ("2026-13", "month 01-12"),
        ("2026-1", "YYYY-MM"),
        ("January", "YYYY-MM"),
        ("2026-02", "has not begun"),  # the clock is in January 2026
    ],
)
def test_a_bad_month_is_422_naming_the_field(client: TestClient, month: str, why: str) -> None:
    got = client.get(f"/api/statements/demo-customer/{month}", headers=CUSTOMER)
    assert got.status_code == 422
    error = got.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["details"]["errors"][0]["loc"] == ["path", "month"]
    assert why in error["message"]


def test_who_may_read_a_statement(client: TestClient, services: Services) -> None:
    _bob(services)
    path = "/api/statements/demo-customer/2026-01"
    assert client.get(path, headers=CUSTOMER).status_code == 200
    assert client.get(path, headers=SUPPORT).status_code == 200
    assert client.get(path, headers=ADMIN).status_code == 200
    assert client.get(path, headers=BOB).status_code == 404
    assert client.get(path, headers=PRODUCT).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/api/statements/nobody/2026-01", headers=SUPPORT).status_code == 404
    assert client.get("/api/statements/demo-support/2026-01", headers=SUPPORT).status_code == 404


def _export(client: TestClient, sid: str, headers: dict[str, str] = SUPPORT) -> bytes:
    got = client.get(f"/api/support/sessions/{sid}/export", headers=headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    assert f'filename="session-{sid}.zip"' in got.headers["content-disposition"]
    return got.content


def _files(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for name, body in files.items():
            bundle.writestr(name, body)
    return out.getvalue()


def test_the_export_bundle(client: TestClient, services: Services, clock: ManualClock) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    _filled(client, "卖掉一半的以太坊", sid)  # Chinese text, kept as UTF-8 characters
    bundle = _export(client, sid)

    files = _files(bundle)
    with zipfile.ZipFile(io.BytesIO(bundle)) as opened:
        infos = opened.infolist()
    assert [i.filename for i in infos] == [
        "events.jsonl",
        "manifest.json",
        "transcript.html",
        "verification.json",
    ]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}

    stored = services.journal.read(sid)
    lines = files["events.jsonl"].decode().splitlines()
    assert [json.loads(line) for line in lines] == [e.to_json() for e in stored]
    assert set(json.loads(lines[0])) == {
        "session_id", "seq", "ts_ms", "kind", "actor", "payload", "prev_hash", "hash",
    }  # fmt: skip
    assert "卖掉一半的以太坊" in files["events.jsonl"].decode()
    assert "\\u" not in files["events.jsonl"].decode()

    manifest = json.loads(files["manifest.json"])
    assert manifest["session_id"] == sid
    assert manifest["owner"] == "demo-customer"
    assert manifest["exported_at"] == "2026-01-01T00:00:00.000Z"
    assert manifest["exporter"] == "demo-support (support, api)"
    assert manifest["events"] == len(stored)
    assert manifest["head"] == {"seq": stored[-1].seq, "hash": stored[-1].hash}
    for entry in manifest["files"]:
        body = files[entry["name"]]
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["size"] == len(body)
    assert [e["name"] for e in manifest["files"]] == [
        "events.jsonl",
        "transcript.html",
        "verification.json",
    ]

    verification = json.loads(files["verification.json"])
    assert (
        verification == client.get(f"/api/support/sessions/{sid}/reverify", headers=SUPPORT).json()
    )
    assert verification["chain"] == {"ok": True, "events": len(stored), "problems": []}
    transcript = files["transcript.html"].decode()
    assert f"Session {sid}" in transcript
    assert "Chain verified" in transcript
    assert "卖掉一半的以太坊" in transcript
    assert "/static/style.css" not in transcript  # the stylesheet is inlined
    assert "export-link" not in transcript

    assert verify_bundle(bundle).ok
    # The same session at the same clock time: the same bytes; later, another export time.
    assert _export(client, sid, ADMIN.copy()) != bundle  # another exporter
    assert _export(client, sid) == bundle
    clock.advance(1_000)
    assert _export(client, sid) != bundle


def test_a_changed_byte_fails_the_bundle_verification(client: TestClient) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    files = _files(_export(client, sid))
    events = files["events.jsonl"]
    at = events.index(b'"filled":') + len(b'"filled":')
    tampered = events[:at] + (b"9" if events[at : at + 1] != b"9" else b"8") + events[at + 1 :]

    # The byte alone: the manifest's hash no longer matches.
    check = verify_bundle(_rezip({**files, "events.jsonl": tampered}))
    assert not check.ok
    assert "events.jsonl: SHA-256 does not match the manifest" in check.problems

    # The manifest rewritten to match: the chain itself refuses the edit.
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        if entry["name"] == "events.jsonl":
            entry["sha256"] = hashlib.sha256(tampered).hexdigest()
    forged = {**files, "events.jsonl": tampered, "manifest.json": json.dumps(manifest).encode()}
    check = verify_bundle(_rezip(forged))
    assert not check.ok
    assert any(
        p.startswith("chain: entry ") and "does not match its hash" in p for p in check.problems
    )

    # A file dropped, and not a zip at all.
    dropped = {k: v for k, v in files.items() if k != "transcript.html"}
    assert (
        "transcript.html: in the manifest but not in the zip"
        in verify_bundle(_rezip(dropped)).problems
    )
    assert not verify_bundle(b"not a zip").ok


def test_who_may_export(client: TestClient, services: Services) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    path = f"/api/support/sessions/{sid}/export"
    assert client.get(path, headers=CUSTOMER).status_code == 403
    assert client.get(path, headers=PRODUCT).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/api/support/sessions/nope/export", headers=SUPPORT).status_code == 404


def test_the_support_page_links_the_export_and_each_contract_note(client: TestClient) -> None:
    sid = _filled(client, "buy 0.01 BTC")
    (note,) = _notes(client)["notes"]
    login = client.get("/login")
    csrf = login.text.split('name="csrf" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"user_id": "demo-support", "token": "demo-support-token", "csrf": csrf},
    )
    page = client.get(f"/support/sessions/{sid}")
    assert page.status_code == 200
    assert f'href="/api/support/sessions/{sid}/export"' in page.text
    assert f'href="/api/contract-notes/{note["order_id"]}?format=html"' in page.text

"""GET /metrics: the Prometheus text format, moving as requests, confirmations, requotes,
orders, parses and mandate runs happen; who may read it; and several ``serve`` processes
adding up into one scrape (multiprocess mode)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from execution.clock import ManualClock
from tests.app_server import app_server, served_processes
from tests.sandbox_server import REPO, SandboxProcess, clean_environment, sandbox_server
from tests.support import acknowledge_risk, free_port
from web.app import create_app
from web.metrics import refusal
from web.services import Services, build_services
from web.settings import Settings

from .conftest import CUSTOMER

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient | httpx.Client, headers: dict[str, str] | None = None) -> Samples:
    """Every sample of a /metrics answer, parsed by prometheus-client's own parser."""
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def _session(client: TestClient) -> str:
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(client: TestClient, sid: str, text: str) -> dict[str, Any]:
    response = client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _confirm(
    client: TestClient | httpx.Client, sid: str, pending: dict[str, Any]
) -> httpx.Response:
    return client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers=CUSTOMER,
    )


def test_the_exposition_parses_and_names_every_metric(client: TestClient) -> None:
    response = client.get("/metrics")

    families = {f.name: f.type for f in text_string_to_metric_families(response.text)}
    assert families["tradeassist_http_request_duration_seconds"] == "histogram"
    assert families["tradeassist_journal_append_seconds"] == "histogram"
    for counter in (
        "tradeassist_confirmations",
        "tradeassist_requotes",
        "tradeassist_orders",
        "tradeassist_parse",
        "tradeassist_mandate_runs",
    ):
        assert families[counter] == "counter", counter
    assert "# TYPE tradeassist_confirmations_total counter" in response.text


def test_requests_are_counted_by_route_template_method_and_status(client: TestClient) -> None:
    before = scrape(client)
    for sid in ("a1", "b2", "c3"):  # three paths, one route
        assert client.get(f"/api/sessions/{sid}", headers=CUSTOMER).status_code == 404
    assert client.get("/no/such/page/x7").status_code == 404
    after = scrape(client)

    count = "tradeassist_http_request_duration_seconds_count"
    route = "/api/sessions/{session_id}"
    assert moved(before, after, count, route=route, method="GET", status="404") == 3
    assert moved(before, after, count, route="unmatched", method="GET", status="404") == 1
    assert not any("a1" in dict(labels).get("route", "") for _, labels in after)
    client.request("BREW", "/healthz")  # a made-up method: one "other" series, not its own
    brewed = scrape(client)
    assert moved(after, brewed, count, route="/healthz", method="other", status="405") == 1
    assert not any(dict(labels).get("method") == "BREW" for _, labels in brewed)
    bucket = "tradeassist_http_request_duration_seconds_bucket"
    assert moved(before, after, bucket, route=route, method="GET", status="404", le="+Inf") == 3


def test_a_confirmation_a_fill_and_a_parse_are_counted(client: TestClient) -> None:
    sid = _session(client)
    before = scrape(client)
    pending = _say(client, sid, "buy 0.01 BTC")["pending"][0]
    assert _confirm(client, sid, pending).status_code == 200
    assert _confirm(client, sid, pending).status_code == 409  # the token is used
    after = scrape(client)

    assert moved(before, after, "tradeassist_parse_total", outcome="intent", lang="en") == 1
    assert moved(before, after, "tradeassist_confirmations_total", outcome="confirmed") == 1
    assert moved(before, after, "tradeassist_confirmations_total", outcome="refused") == 1
    assert moved(before, after, "tradeassist_orders_total", state="submitted") == 1
    assert moved(before, after, "tradeassist_orders_total", state="filled") == 1
    assert moved(before, after, "tradeassist_requotes_total") == 0
    appended = "tradeassist_journal_append_seconds_count"
    assert moved(before, after, appended, backend="sqlite") >= 3


def test_a_requote_is_counted(client: TestClient, services: Services) -> None:
    sid = _session(client)
    pending = _say(client, sid, "买 0.3 个比特币")["pending"][0]
    services.venues("demo-customer").create_order("ETH/USDT", "market", "buy", 2)
    before = scrape(client)

    assert _confirm(client, sid, pending).status_code == 409

    after = scrape(client)
    assert moved(before, after, "tradeassist_requotes_total") == 1
    assert moved(before, after, "tradeassist_confirmations_total", outcome="requote") == 1
    assert moved(before, after, "tradeassist_orders_total", state="submitted") == 0


def test_a_clarification_and_a_simulation_are_parses_of_their_language(
    client: TestClient,
) -> None:
    sid = _session(client)
    before = scrape(client)
    _say(client, sid, "buy some")
    simulated = client.post(
        "/v1/simulations",
        json={"text": "sell 0.1 ETH"},
        headers={"Authorization": "Bearer demo-product-api-key"},
    )
    assert simulated.status_code == 200, simulated.text
    after = scrape(client)

    parses = "tradeassist_parse_total"
    assert moved(before, after, parses, outcome="intent", lang="en") == 1  # the simulation
    changed = {
        dict(labels)["outcome"]
        for (name, labels), count in after.items()
        if name == parses and count != value(before, name, **dict(labels))
    }
    assert changed == {"intent", "clarification"}


def test_a_mandate_run_is_counted(client: TestClient, services: Services) -> None:
    sid = _session(client)
    pending = _say(client, sid, "buy 0.1 BTC if it drops below 60k")["pending"][0]
    assert _confirm(client, sid, pending).status_code == 200  # armed; the price is above
    before = scrape(client)

    services.assistant.run_mandates()

    after = scrape(client)
    assert moved(before, after, "tradeassist_mandate_runs_total", outcome="idle") == 1
    assert moved(before, after, "tradeassist_mandate_runs_total", outcome="acted") == 0


# --- who may read it -----------------------------------------------------------------------


PRODUCTION = {
    "mode": "production",
    "secret_key": "Zq8v1yB6rT0pXw3LcN5mK7hJ2gF4dS9aQeUiOoPlMnBv",
    "demo_accounts": False,
}


@pytest.fixture
def production(tmp_path: Path, clock: ManualClock) -> Any:
    def build(**extra: Any) -> TestClient:
        settings = Settings(data_dir=tmp_path / "data", **PRODUCTION, **extra)
        return TestClient(create_app(settings, services=build_services(settings, clock)))

    return build


def test_in_production_metrics_are_refused_to_a_remote_caller_naming_the_settings(
    production: Any,
) -> None:
    with production() as client:
        refused = client.get("/metrics")

    assert refused.status_code == 403
    assert "TRADEASSIST_METRICS_TOKEN" in refused.json()["error"]["message"]


def test_in_production_the_metrics_token_lets_a_scraper_in(production: Any) -> None:
    token = "scrape-" + "k" * 40
    with production(metrics_token=token) as client:
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200
    assert "tradeassist_http_request_duration_seconds" in right.text


def test_in_production_metrics_public_opens_them(production: Any) -> None:
    with production(metrics_public=True) as client:
        assert client.get("/metrics").status_code == 200


def test_in_production_a_local_client_reads_them_unless_it_came_through_a_proxy(
    tmp_path: Path, clock: ManualClock
) -> None:
    settings = Settings(data_dir=tmp_path / "data", **PRODUCTION)
    app = create_app(settings, services=build_services(settings, clock))
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        direct = local.get("/metrics")
        proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})

    assert direct.status_code == 200
    assert proxied.status_code == 403


# --- several processes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def venue() -> Any:
    with sandbox_server(seed=7) as running:
        yield running


def test_two_serve_processes_add_up_in_every_scrape(
    tmp_path: Path, test_redis_url: str, redis_prefix: str, venue: SandboxProcess
) -> None:
    env = {
        "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
        "TRADEASSIST_JOURNAL_URL": test_redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": redis_prefix,
        "TRADEASSIST_VENUE": "sandbox-remote",
        "TRADEASSIST_VENUE_URL": venue.url,
    }
    requests = 40
    with app_server(tmp_path, env, workers=2) as server:
        for _ in range(requests):  # each on a new connection: the kernel spreads them
            with httpx.Client(base_url=server.url, timeout=30) as one:
                answer = one.get("/healthz")
                assert answer.status_code == 200
        with httpx.Client(base_url=server.url, timeout=30) as client:
            acknowledge_risk(client, CUSTOMER)
            sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
            reply = client.post(
                f"/api/sessions/{sid}/messages", json={"text": "buy 0.01 BTC"}, headers=CUSTOMER
            ).json()
            confirmed = client.post(
                f"/api/sessions/{sid}/steps/{reply['pending'][0]['step_id']}/confirm",
                json={"token": reply["pending"][0]["token"]},
                headers=CUSTOMER,
            )
            assert confirmed.status_code == 200, confirmed.text
        scrapes = []
        for _ in range(6):  # whichever process answers, it reports both
            with httpx.Client(base_url=server.url, timeout=30) as one:
                scrapes.append(scrape(one))
        log = server.log.read_text()
    started = re.findall(r"Started server process \[(\d+)\]", log)

    count = "tradeassist_http_request_duration_seconds_count"
    for samples in scrapes:
        assert value(samples, count, route="/healthz", method="GET", status="200") >= requests
        assert value(samples, "tradeassist_confirmations_total", outcome="confirmed") == 1
        assert value(samples, "tradeassist_orders_total", state="filled") == 1
        assert value(samples, "tradeassist_journal_append_seconds_count", backend="redis") >= 3
    assert len(set(started)) == 2, log  # two processes served


def test_the_grafana_dashboard_queries_only_metrics_the_app_exposes(client: TestClient) -> None:
    dashboard = json.loads((REPO / "deploy/grafana/tradeassist.json").read_text())
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    exposed = {  # every family, even one with nothing counted yet (its TYPE line)
        family.name + suffix
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for suffix in suffixes.get(family.type, ("",))
    }
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]

    used = {name for expr in exprs for name in re.findall(r"tradeassist_[a-z_]+", expr)}
    assert used <= exposed, used - exposed
    assert len(dashboard["panels"]) >= 10
    assert {"route", "le"} <= {
        label
        for expr in exprs
        for labels in re.findall(r"by \(([^)]*)\)", expr)
        for label in labels.split(", ")
    }


def test_a_killed_process_counts_stay_in_the_sum_and_the_directory_goes_at_the_end(
    tmp_path: Path, test_redis_url: str, redis_prefix: str, venue: SandboxProcess
) -> None:
    env = {
        "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
        "TRADEASSIST_JOURNAL_URL": test_redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": redis_prefix,
        "TRADEASSIST_VENUE": "sandbox-remote",
        "TRADEASSIST_VENUE_URL": venue.url,
    }
    requests = 30
    count = "tradeassist_http_request_duration_seconds_count"
    healthz = {"route": "/healthz", "method": "GET", "status": "200"}
    with app_server(tmp_path, env, workers=2) as server:
        for _ in range(requests):
            with httpx.Client(base_url=server.url, timeout=30) as one:
                assert one.get("/healthz").status_code == 200
        children = served_processes(server.process.pid)
        assert len(children) == 2
        directory = Path(_environ(children[0])["PROMETHEUS_MULTIPROC_DIR"])
        assert {f"counter_{pid}.db" for pid in children} <= {p.name for p in directory.iterdir()}
        os.kill(children[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while len(set(served_processes(server.process.pid)) - {children[0]}) < 2:
            assert time.monotonic() < deadline, "the killed process was not replaced"
            time.sleep(0.2)
        with httpx.Client(base_url=server.url, timeout=30) as one:
            after = scrape(one)

    assert value(after, count, **healthz) >= requests  # the dead process's requests too
    assert not directory.exists()  # the supervisor removed it when it stopped


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


# --- `tradeassist worker`, a process of its own --------------------------------------------


def test_a_worker_process_serves_its_own_metrics_under_the_same_rule(tmp_path: Path) -> None:
    port = free_port()
    token = "worker-scrape-" + "t" * 30
    env = {
        "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
        "TRADEASSIST_WORKER_METRICS_PORT": str(port),
        "TRADEASSIST_METRICS_TOKEN": token,
        "TRADEASSIST_WORKER_INTERVAL_S": "0.2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "worker"],
        cwd=REPO,
        env=clean_environment(**env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"{url}/metrics", timeout=2)
                break
            except httpx.TransportError:
                assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
                assert time.monotonic() < deadline, "the worker's metrics never answered"
                time.sleep(0.2)
        elsewhere = httpx.get(f"{url}/other", timeout=2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert answer.status_code == 200  # development: open, as the app's
    names = {f.name for f in text_string_to_metric_families(answer.text)}
    assert {"tradeassist_mandate_runs", "tradeassist_orders"} <= names
    assert elsewhere.status_code == 404
    assert worker.returncode == 0


def test_the_worker_metrics_rule_is_the_apps(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, **PRODUCTION, metrics_token="t" * 40)

    assert refusal(settings, None, "127.0.0.1", proxied=False) is None
    assert refusal(settings, "Bearer " + "t" * 40, "198.51.100.7", proxied=True) is None
    assert refusal(settings, "Bearer nope", "198.51.100.7", proxied=False) == (
        401,
        "/metrics needs Authorization: Bearer with TRADEASSIST_METRICS_TOKEN",
    )
    assert refusal(settings, None, "127.0.0.1", proxied=True) is not None

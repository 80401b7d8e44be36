"""docker-compose.yml and deploy/Caddyfile, checked against the code (they cannot be
brought up here: no container images offline). Every service the file builds from this
repository runs a ``tradeassist`` command the CLI accepts; the app's settings pass the
check ``serve --workers N`` makes; Redis persists with append-only files; the proxy's
configuration exists and points at the app's port."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from web.cli import build_parser
from web.serving import check_several_processes
from web.settings import Settings

REPO = Path(__file__).resolve().parents[1]
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def _interpolated(value: Any) -> Any:
    """``value`` with every ``${NAME:-default}`` replaced by its default, as compose does
    with nothing set."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: m.group(2) or "", value)
    if isinstance(value, list):
        return [_interpolated(v) for v in value]
    if isinstance(value, dict):
        return {k: _interpolated(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return dict(_interpolated(loaded))


def test_the_services_and_their_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"redis", "sandbox", "app", "worker", "proxy", "prometheus"}
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on a service that is not there"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).is_file(), f"{name} mounts {source}, which is missing"
            else:
                assert source in compose["volumes"], f"{name} mounts an undeclared {source}"


def test_redis_keeps_an_append_only_file_on_a_volume(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[0] == "redis-server"
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])


@pytest.mark.parametrize("name", ["sandbox", "app", "worker"])
def test_each_built_service_runs_a_command_the_cli_accepts(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert service["build"] == "."
    program, *arguments = service["command"]
    assert program == "tradeassist"  # the console script pyproject.toml installs
    assert 'tradeassist = "web.cli:main"' in (REPO / "pyproject.toml").read_text()
    parsed = build_parser().parse_args(arguments)  # exits (fails the test) if refused
    assert parsed.command == arguments[0]


def test_the_app_runs_several_processes_on_the_shared_stores(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, worker = compose["services"]["app"], compose["services"]["worker"]
    workers = build_parser().parse_args(app["command"][1:]).workers
    assert workers >= 2
    environment = {k: v for k, v in app["environment"].items() if k.startswith("TRADEASSIST_")}
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    settings = Settings()

    check_several_processes(settings, workers)  # raises SettingsError if it would refuse

    assert settings.venue_url == "http://sandbox:8765"
    assert worker["environment"] == {
        k: v for k, v in app["environment"].items() if k != "FORWARDED_ALLOW_IPS"
    }  # the same journal, lease, venue and data
    assert worker["volumes"] == app["volumes"]
    sandbox = compose["services"]["sandbox"]["command"]
    assert settings.venue_url.endswith(":" + sandbox[sandbox.index("--port") + 1])


def test_the_proxy_serves_the_app_port_from_its_caddyfile(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    (mount,) = proxy["volumes"]
    source, target = mount.split(":")[:2]
    assert target == "/etc/caddy/Caddyfile"
    caddyfile = (REPO / source).read_text()
    port = compose["services"]["app"]["environment"]["TRADEASSIST_PORT"]
    assert f"reverse_proxy app:{port}" in caddyfile
    assert "health_uri /healthz" in caddyfile
    assert caddyfile.count("{") == caddyfile.count("}")


def test_prometheus_scrapes_the_app_port_and_is_opt_in(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    assert prometheus["profiles"] == ["observability"]  # `docker compose up` leaves it out
    mount = next(v for v in prometheus["volumes"] if v.startswith("./"))
    source, target = mount.split(":")[:2]
    assert target == "/etc/prometheus/prometheus.yml"
    config = yaml.safe_load((REPO / source).read_text())
    app, worker = config["scrape_configs"]
    environment = compose["services"]["app"]["environment"]
    assert app["metrics_path"] == worker["metrics_path"] == "/metrics"
    assert app["static_configs"] == [{"targets": [f"app:{environment['TRADEASSIST_PORT']}"]}]
    worker_port = compose["services"]["worker"]["environment"]["TRADEASSIST_WORKER_METRICS_PORT"]
    assert worker["static_configs"] == [{"targets": [f"worker:{worker_port}"]}]

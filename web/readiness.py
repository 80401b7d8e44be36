"""``GET /readyz``: can this process serve? Each dependency is asked once, in parallel,
each within ``TRADEASSIST_READYZ_TIMEOUT_S``:

* ``journal``: a cheap read (one entry of a session that does not exist);
* ``venue``: the sandbox server answers its ``/health`` (``sandbox-remote``), or the
  in-process sandbox lists its markets;
* ``llm`` (only when the parser uses one): a GET of the endpoint's ``/models``.

200 with every check's result and latency; 503 naming what failed (the error's kind and a
short reason, never a URL or a credential). ``/healthz`` stays the liveness probe: it
answers while the process runs, whatever its dependencies do.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from execution.venues.accounts import RemoteSandboxAccounts
from web.services import Services

#: What the journal check reads: no session has this id (ids are generated tokens).
PROBE_SESSION = "readyz-probe"


@dataclass(frozen=True, slots=True)
class Check:
    """One dependency's answer: ``error`` is None when it answered in time."""

    name: str
    latency_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"ok": self.ok, "latency_ms": self.latency_ms}
        if self.error is not None:
            shown["error"] = self.error
        return shown


def _http_get(url: str, timeout_s: float, headers: dict[str, str] | None = None) -> None:
    """A GET answered with a 2xx within ``timeout_s``, or an error naming the status."""
    request = urllib.request.Request(url, headers=headers or {}, method="GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
            answer.read(65536)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"answered HTTP {exc.code}") from None


def probes(services: Services, timeout_s: float) -> dict[str, Callable[[], None]]:
    """The checks that apply under ``services``' settings, by name."""
    settings = services.settings
    venues = services.venues

    def journal() -> None:
        services.journal.read(PROBE_SESSION, -1, 1)

    def venue() -> None:
        if isinstance(venues, RemoteSandboxAccounts):
            _http_get(venues.base_url.rstrip("/") + "/health", timeout_s)
        else:
            venues.isolated({}, None, services.clock).load_markets()

    checks: dict[str, Callable[[], None]] = {"journal": journal, "venue": venue}
    base_url = settings.llm_base_url
    if settings.parser != "rules" and base_url:
        key = settings.llm_api_key
        headers = {} if key is None else {"Authorization": f"Bearer {key.get_secret_value()}"}

        def llm() -> None:
            _http_get(base_url.rstrip("/") + "/models", timeout_s, headers)

        checks["llm"] = llm
    return checks


def _timed(name: str, probe: Callable[[], None]) -> Check:
    started = perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure is the finding; its kind and reason are shown
        reason = getattr(exc, "reason", None) or exc
        return Check(name, _ms(started), f"{type(exc).__name__}: {_short(reason)}")
    return Check(name, _ms(started))


def readiness(services: Services, timeout_s: float) -> list[Check]:
    """Run every check in parallel; one still running after ``timeout_s`` has failed."""
    checks = probes(services, timeout_s)
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    started = perf_counter()
    try:
        futures = {name: pool.submit(_timed, name, probe) for name, probe in checks.items()}
        results = []
        for name, future in futures.items():
            left = max(0.0, timeout_s - (perf_counter() - started))
            try:
                results.append(future.result(timeout=left))
            except FutureTimeout:
                results.append(Check(name, _ms(started), f"no answer within {timeout_s} s"))
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _ms(started: float) -> float:
    return round((perf_counter() - started) * 1000, 2)


def _short(reason: object) -> str:
    """The first line of a reason, without anything after ``http``: a URL may carry a
    password or a key."""
    text = str(reason).splitlines()[0] if str(reason) else ""
    cut = text.find("http")
    return (text if cut < 0 else text[:cut].rstrip(" :(")) or "failed"

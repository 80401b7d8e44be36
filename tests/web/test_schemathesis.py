"""Schemathesis over every operation of the API's own OpenAPI schema, on a real
``tradeassist serve``: no request it makes, valid or not, is answered with a 5xx, and the
server logs no traceback.

Each operation is called as the role that may use it (the demo accounts: the product key on
the simulations, the admin on ``/v1/admin``, support on ``/api/support``, the customer on
the rest), so requests get past sign-in to the validation and the handlers. Half the cases
name a real session, customer or user in the path instead of the generated one, so the
handlers behind a lookup run too. The run is bounded (a few examples per operation, every
phase but the stateful one) and reproducible (a fixed seed: the same requests every run).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error

from tests.app_server import AppProcess, app_server, assert_no_trace
from tests.support import acknowledge_risk

from .conftest import CUSTOMER, PRODUCT, SUPPORT

ADMIN = {"Authorization": "Bearer demo-admin-token"}
#: The caller of each operation, by the start of its path (the first that matches).
CALLERS = (
    ("/v1/simulations", PRODUCT),
    ("/v1/admin/", ADMIN),
    ("/api/support/", SUPPORT),
    ("/", CUSTOMER),
)
#: The budget: examples per operation in the fuzzing phase (the examples and coverage phases
#: add their own few); the whole run stays well under three minutes on two busy cores.
MAX_EXAMPLES = 40
SEED = 15

CONFIG: dict[str, Any] = {
    # the same requests every run: a fixed seed, derandomized, no example database
    "seed": SEED,
    "generation": {
        "mode": "all",  # valid requests and invalid ones
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "no-shrink": True,  # a failure is reported as found, with a curl to reproduce it
    },
    # a busy machine must not fail the run: Hypothesis's timing checks are off
    "suppress-health-check": ["all"],
    "phases": {"stateful": {"enabled": False}},
    "request-timeout": 30,
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    root = tmp_path_factory.mktemp("schemathesis")
    env = {
        "TRADEASSIST_DATA_DIR": str(root / "data"),
        # a live stream ends at once: each call of a stream operation returns
        "TRADEASSIST_STREAM_LIFETIME_S": "0.2",
        "TRADEASSIST_STREAM_POLL_S": "0.05",
        # The abuse limits have their own tests (test_rate_limits.py); here every request
        # must reach its handler, not a 429 after the first 30 refused tokens.
        **{
            f"TRADEASSIST_RATE_{name}": "1000000"
            for name in (
                "LOGIN_FAILURES_PER_IP",
                "LOGIN_FAILURES_PER_USER",
                "BEARER_FAILURES_PER_IP",
                "MESSAGES_PER_PRINCIPAL",
                "SESSION_REFUSALS",
                "SESSION_PREVIEWS",
            )
        },
    }
    with app_server(root, env) as running:
        yield running


@pytest.fixture(scope="module")
def real_ids(served: AppProcess) -> dict[str, str]:
    """Path values that name something that exists: a session of the demo customer (who has
    acknowledged the risk disclosure, so their messages are read) with a previewed step, the
    customer, a month of statements."""
    with httpx.Client(base_url=served.url, timeout=30) as client:
        acknowledge_risk(client, CUSTOMER)
        sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
        client.post(
            f"/api/sessions/{sid}/messages", headers=CUSTOMER, json={"text": "buy 0.01 BTC"}
        )
    customer = "demo-customer"
    return {
        "session_id": sid,
        "step_id": "p1.1",  # the step its plan previewed
        "customer": customer,
        "customer_id": customer,
        "user_id": customer,
        "month": "2026-12",
    }


@pytest.fixture(scope="module")
def api_schema(served: AppProcess) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"{served.url}/openapi.json", config=config)


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


@pytest.fixture(scope="module")
def turns() -> Iterator[int]:
    """Counts the cases: every other case with a path parameter names real ones."""
    return itertools.count()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_no_request_is_answered_with_a_5xx(
    case: schemathesis.Case,
    served: AppProcess,
    real_ids: dict[str, str],
    session: requests.Session,
    turns: Iterator[int],
) -> None:
    caller = next(headers for prefix, headers in CALLERS if case.path.startswith(prefix))
    if case.path_parameters and next(turns) % 2:
        case.path_parameters = {
            name: real_ids.get(name, value) for name, value in case.path_parameters.items()
        }
    case.call_and_validate(
        base_url=served.url, session=session, headers=caller, checks=[not_a_server_error]
    )


def test_the_server_logged_no_traceback(served: AppProcess) -> None:
    """After the run above: nothing it sent made the server log a traceback or a 5xx."""
    assert_no_trace(served)

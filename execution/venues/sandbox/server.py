"""The sandbox exchange as a server process, shared by several app processes.

One :class:`~execution.venues.sandbox.SandboxMarket` and one
:class:`~execution.venues.sandbox.SandboxExchange` account per account id (opened on first use
with the configured opening balances), served over HTTP/JSON so that the venue outlives
any app process and every app process trades on the same accounts.
:class:`execution.venues.sandbox.remote.RemoteSandbox` is the client. Start one with
``tradeassist sandbox-server --port N --seed S``; it prints ``sandbox listening on
http://HOST:PORT`` once it accepts connections (``--port 0`` picks a free port, named in
that line).

The API (every body is JSON; account ids are percent-encoded in the path):

* ``GET /health`` → ``{"result": {"status": "ok", "seed": S, "accounts": N}}``.
* ``POST /accounts/<account>/<method>`` with ``{"args": {name: value, ...}}``: calls one
  Venue method (:data:`METHODS`) of the account with those keyword arguments →
  ``{"result": ...}``, the ccxt structure the account returned. If the account raised a
  ccxt exception: HTTP 422 and ``{"error": {"type": "<ccxt class name>", "message":
  "..."}}``, so the client raises the same class with the same message.
* ``GET /accounts/<account>/orders`` → ``{"result": [...]}``: every order of the account
  (open, closed and canceled), oldest first, as ``fetch_order`` gives each now; ``[]`` for
  an account never opened. Tests count orders with it.

Other answers: 400 (``BadRequest``: malformed JSON or arguments), 404 (``NotFound``: no such
path or method) and 500 (any other exception: a bug, the client treats the outcome as
unknown). Calls on one account are serialized by that account's lock, so an order and the
server's record of it are always consistent; accounts work in parallel.
"""

from __future__ import annotations

import inspect
import json
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import ccxt

from execution.clock import Clock, SystemClock
from execution.venues.protocol import Venue
from execution.venues.sandbox.exchange import SandboxExchange, SandboxMarket

# The Venue methods the server answers: every method of the protocol (the ``id`` attribute
# is not one), read from it so the two cannot drift apart.
METHODS = frozenset(
    name for name, value in vars(Venue).items() if not name.startswith("_") and callable(value)
)
_SIGNATURES = {name: inspect.signature(getattr(SandboxExchange, name)) for name in METHODS}
_MAX_BODY = 1 << 20


class _Account:
    """One sandbox account, its lock, and the id of every order it accepted."""

    def __init__(self, exchange: SandboxExchange) -> None:
        self.exchange = exchange
        self.lock = threading.Lock()
        self.order_ids: list[str] = []

    def call(self, method: str, kwargs: Mapping[str, Any]) -> Any:
        with self.lock:
            result = getattr(self.exchange, method)(**kwargs)
            if method == "create_order":
                self.order_ids.append(str(result["id"]))
            return result

    def orders(self) -> list[Any]:
        # SandboxExchange has no fetch_orders; every order it accepted came back from a
        # create_order call made here, so its id is known and fetch_order gives it now.
        with self.lock:
            return [self.exchange.fetch_order(order_id) for order_id in self.order_ids]


class SandboxAccounts:
    """The accounts of one sandbox server, all trading on one shared market."""

    def __init__(
        self, market: SandboxMarket, opening_balances: Mapping[str, Decimal], clock: Clock
    ) -> None:
        self.market = market
        self.opening_balances = dict(opening_balances)
        self.clock = clock
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._accounts)

    def get(self, account_id: str) -> _Account | None:
        with self._lock:
            return self._accounts.get(account_id)

    def open(self, account_id: str) -> _Account:
        """The account, opened with the opening balances on first use."""
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                account = _Account(
                    self.market.open_account(
                        balances=self.opening_balances, clock=self.clock, account_id=account_id
                    )
                )
                self._accounts[account_id] = account
            return account


class _BadRequest(Exception):
    """The request cannot be answered as sent (HTTP 400 or 404)."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"  # keep-alive for clients that want it
    timeout = 300  # an idle kept-alive connection frees its thread after this many seconds

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def _answer(self, handle: Callable[[list[str]], tuple[HTTPStatus, Any]]) -> None:
        try:
            parts = [unquote(part) for part in self.path.split("?", 1)[0].split("/")[1:]]
            status, body = handle(parts)
        except _BadRequest as exc:
            kind = "NotFound" if exc.status == HTTPStatus.NOT_FOUND else "BadRequest"
            status, body = exc.status, _error(kind, str(exc))
        except ccxt.BaseError as exc:
            status, body = HTTPStatus.UNPROCESSABLE_ENTITY, _error(type(exc).__name__, str(exc))
        except Exception as exc:  # a bug: say so, and keep serving the other accounts
            self.log_error("%s %s failed: %r", self.command, self.path, exc)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            body = _error(type(exc).__name__, str(exc))
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _get(self, parts: list[str]) -> tuple[HTTPStatus, Any]:
        self._read_body()  # a GET may carry one; it must not be left in the stream
        accounts = self.server.accounts
        if parts == ["health"]:
            seed = accounts.market.seed
            health = {"status": "ok", "seed": seed, "accounts": len(accounts)}
            return HTTPStatus.OK, {"result": health}
        if len(parts) == 3 and parts[0] == "accounts" and parts[2] == "orders":
            account = accounts.get(parts[1])
            return HTTPStatus.OK, {"result": [] if account is None else account.orders()}
        raise _BadRequest(HTTPStatus.NOT_FOUND, f"no such path {self.path!r}")

    def _post(self, parts: list[str]) -> tuple[HTTPStatus, Any]:
        body = self._read_body()
        if len(parts) != 3 or parts[0] != "accounts" or not parts[1]:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"no such path {self.path!r}")
        account_id, method = parts[1], parts[2]
        if method not in METHODS:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"no venue method {method!r}")
        try:
            request = json.loads(body or b"{}")
        except ValueError as exc:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}") from None
        kwargs = request.get("args", {}) if isinstance(request, dict) else None
        if not isinstance(kwargs, dict):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, 'expected {"args": {name: value, ...}}')
        try:
            _SIGNATURES[method].bind(None, **kwargs)  # None stands for self
        except TypeError as exc:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"{method}: {exc}") from None
        result = self.server.accounts.open(account_id).call(method, kwargs)
        return HTTPStatus.OK, {"result": result}

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.close_connection = True
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"body of {length} bytes is too large")
        return self.rfile.read(length) if length > 0 else b""


class SandboxServer(ThreadingHTTPServer):
    """An HTTP server answering for :class:`SandboxAccounts`; one thread per connection."""

    daemon_threads = True
    request_queue_size = 1024  # bursts of concurrent confirmations must not be refused

    def __init__(
        self, address: tuple[str, int], accounts: SandboxAccounts, *, verbose: bool = False
    ) -> None:
        self.accounts = accounts
        self.verbose = verbose
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def make_server(
    host: str,
    port: int,
    *,
    market: SandboxMarket,
    opening_balances: Mapping[str, Decimal],
    clock: Clock | None = None,
    verbose: bool = False,
) -> SandboxServer:
    """A server bound and listening on ``host:port`` (0: any free port); call
    ``serve_forever()`` to answer."""
    accounts = SandboxAccounts(market, opening_balances, clock or SystemClock())
    return SandboxServer((host, port), accounts, verbose=verbose)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(server: SandboxServer) -> None:
    """Announce the server on stdout (one line, flushed), then answer until interrupted
    (Ctrl-C or SIGTERM)."""
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"sandbox listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("sandbox stopped", file=sys.stderr)

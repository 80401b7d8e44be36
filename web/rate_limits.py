"""Which requests the abuse limits count, by whom, and how many a minute (the settings).

- **Failed sign-ins** (``/login``), per address and per user id: checked before the
  password is, so past either limit even the right one is refused until a token is back.
- **Unknown bearer tokens**, per address: each counts, and past the limit every bearer
  request from that address is refused, the right token's too, so guessing tells nothing.
  The right token's check is made with the route's own charges (one call to the buckets).
- **Chat messages** per principal; **simulations** per principal and per address, a batch
  counting each of its items (so a limit is at least a whole batch: the settings refuse
  less than 1,000).

Refused: 429 ``rate_limited`` with ``Retry-After`` (:class:`~execution.errors.RateLimited`).

An address is the socket peer's (``request.client``), which uvicorn replaces with the
``X-Forwarded-For`` client only when the peer is a trusted proxy (``FORWARDED_ALLOW_IPS``,
default ``127.0.0.1,::1``: README "Abuse limits"); the header is never read here. An IPv6
address counts by its /64, the block one subscriber gets.
"""

from __future__ import annotations

import ipaddress

from fastapi import Request

from execution.rate_limits import Buckets, Charge, Limit, admit
from web.auth import Principal
from web.settings import Settings


def client_address(request: Request) -> str:
    """Who is calling, for the per-address limits: the peer's IPv4 address, or its IPv6
    address's /64."""
    client = request.client
    host = client.host if client is not None else ""
    if ":" not in host:
        return host or "unknown"
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        return host
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return f"{ipaddress.IPv6Network((address, 64), strict=False).network_address}/64"


def _has_bearer(request: Request) -> bool:
    return request.headers.get("authorization", "")[:7].lower() == "bearer "


class RateLimits:
    """The HTTP routes' limits (from the settings) over the shared buckets."""

    def __init__(self, settings: Settings, buckets: Buckets) -> None:
        self.buckets = buckets
        self.login_ip = Limit(
            "login_ip", settings.rate_login_failures_per_ip, "failed sign-ins from this address"
        )
        self.login_user = Limit(
            "login_user", settings.rate_login_failures_per_user, "failed sign-ins for this user"
        )
        self.bearer_ip = Limit(
            "bearer_ip",
            settings.rate_bearer_failures_per_ip,
            "requests with an unknown bearer token from this address",
        )
        self.messages = Limit(
            "messages", settings.rate_messages_per_principal, "messages from this account"
        )
        self.simulations = Limit(
            "simulations", settings.rate_simulations_per_principal, "simulations by this account"
        )
        self.simulations_ip = Limit(
            "simulations_ip", settings.rate_simulations_per_ip, "simulations from this address"
        )

    def check_login(self, request: Request, user_id: str) -> None:
        """Before a password is checked: RateLimited if this address or this user id has
        no failure left."""
        address = client_address(request)
        admit(self.buckets, Charge(self.login_ip, address, 0), Charge(self.login_user, user_id, 0))

    def login_failed(self, request: Request, user_id: str) -> None:
        """Count a failed sign-in against the address and the user id."""
        address = client_address(request)
        admit(self.buckets, Charge(self.login_ip, address), Charge(self.login_user, user_id))

    def bearer_failed(self, request: Request) -> None:
        """Count an unknown bearer token against the address; RateLimited if it had no
        failure left (the request is then refused with 429 rather than 401)."""
        admit(self.buckets, Charge(self.bearer_ip, client_address(request)))

    def admit(self, request: Request, *charges: Charge, address: str | None = None) -> None:
        """Take ``charges``, and with a bearer token check that the address (``address``,
        or the request's) may still use one: one call to the buckets; RateLimited
        otherwise."""
        if _has_bearer(request):
            address = client_address(request) if address is None else address
            charges = (Charge(self.bearer_ip, address, 0), *charges)
        if charges:
            admit(self.buckets, *charges)

    def message(self, principal: Principal) -> None:
        """Count one chat message of ``principal``'s."""
        admit(self.buckets, Charge(self.messages, principal.user_id))

    def simulations_of(self, request: Request, principal: Principal, count: int) -> None:
        """Count ``count`` simulations against ``principal`` and the address, with the bearer
        check (:meth:`admit`): the simulation route's one call to the buckets."""
        address = client_address(request)
        self.admit(
            request,
            Charge(self.simulations, principal.user_id, count),
            Charge(self.simulations_ip, address, count),
            address=address,
        )

"""The execution package's exceptions, grouped by what the caller must do.

ccxt's exceptions are translated once, in :func:`translate_venue_error`, at the boundary
where the product calls a venue (``raise translate_venue_error(e) from e``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ExecutionError(Exception):
    """Root of every error raised by :mod:`execution`."""

    code = "execution_error"
    details: dict[str, Any] | None = None  # JSON data the caller needs to act on it


# --- the venue boundary -------------------------------------------------------------


class VenueError(ExecutionError):
    """The venue refused or failed a call."""

    code = "venue_error"


class VenueUnavailable(VenueError):
    """Temporary: network error, timeout or rate limit. Safe to retry reads, never orders."""

    code = "venue_unavailable"


class OrderRejected(VenueError):
    """The venue rejected the order as asked (funds, size, symbol): the user must change it."""

    code = "order_rejected"


class OrderNotFound(VenueError):
    """The venue knows no order with that id."""

    code = "order_not_found"


class DuplicateOrder(VenueError):
    """An order with that clientOrderId was already accepted."""

    code = "duplicate_order"


class VenueConfigurationError(ExecutionError):
    """A venue cannot be set up as asked (unknown exchange, no testnet): nothing was called.

    Not a :class:`VenueError`: no call failed, the operator must change the configuration.
    """

    code = "venue_configuration"


def call_translated(fn: Callable[[], T]) -> T:
    """Run one venue call, raising our :class:`VenueError` for any ccxt exception (once:
    nothing of ours is re-wrapped). Needs no ccxt import: if ccxt was never loaded, no
    exception can be one of its."""
    try:
        return fn()
    except Exception as exc:
        ccxt = sys.modules.get("ccxt")
        if ccxt is not None and isinstance(exc, ccxt.BaseError):
            raise translate_venue_error(exc) from exc
        raise


def translate_venue_error(exc: Exception) -> VenueError:
    """Map a ccxt exception to our hierarchy, keeping the venue's message."""
    import ccxt  # deferred: ccxt is slow to import and only venue calls need it

    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ccxt.DuplicateOrderId):
        return DuplicateOrder(message)
    if isinstance(exc, ccxt.OrderNotFound):
        return OrderNotFound(message)
    if isinstance(exc, ccxt.InsufficientFunds | ccxt.InvalidOrder | ccxt.BadSymbol):
        return OrderRejected(message)
    if isinstance(exc, ccxt.NetworkError):  # RequestTimeout, RateLimitExceeded, ... too
        return VenueUnavailable(message)
    return VenueError(message)


# --- checkpoints, lifecycles, journal, policy ----------------------------------------


class ConfirmationRefused(ExecutionError):
    """A confirmation token was not accepted; nothing was sent."""

    code = "confirmation_refused"


class TokenExpired(ConfirmationRefused):
    code = "token_expired"


class TokenReused(ConfirmationRefused):
    code = "token_reused"


class TokenMismatch(ConfirmationRefused):
    code = "token_mismatch"


class StepNotConfirmable(ConfirmationRefused):
    """The step is not awaiting confirmation (rejected, skipped, blocked, waiting on the step
    before it, or never previewed): no token confirms it now, and nothing was sent."""

    code = "step_not_confirmable"


class RequoteRequired(ConfirmationRefused):
    """The market, fees, balances or policy moved since the preview: nothing was sent,
    and the new preview (in ``details``) needs its own confirmation."""

    code = "requote_required"

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


class LimitExceeded(ConfirmationRefused):
    """Confirming would take the customer past a daily notional cap: nothing was sent."""

    code = "limit_exceeded"


class InvalidTransition(ExecutionError):
    """A plan or step was asked to move to a state its lifecycle does not allow."""

    code = "invalid_transition"


class DuplicateMessage(InvalidTransition):
    """A message with this idempotency key was already received in the session: it was not
    handled again (a double submit, or a retry after a lost answer)."""

    code = "duplicate_message"


class JournalError(ExecutionError):
    """The journal could not record or read an event."""

    code = "journal_error"


class JournalConflict(ExecutionError):
    """The session's chain head moved since the caller read it: nothing was appended.

    The caller decided on a state that is no longer current; it must read the new events
    and decide again (this is how concurrent confirmations of one step race safely)."""

    code = "journal_conflict"

    def __init__(self, message: str, head: tuple[int, str]) -> None:
        super().__init__(message)
        self.head = head


class NotFound(ExecutionError):
    """No such session, plan or step (or not one this user may see)."""

    code = "not_found"


class PermissionDenied(ExecutionError):
    """The user's role or scope does not allow this action."""

    code = "permission_denied"


class LimitStoreError(ExecutionError):
    """The daily-limit ledger or the policy store could not record or read (sqlite3 or
    Redis failed); nothing was reserved or published."""

    code = "limit_store_error"


class RateLimited(ExecutionError):
    """Temporary: too many requests of one kind in the window (an abuse limit,
    :mod:`execution.rate_limits`); nothing was done, not even journaled. The caller may
    retry after ``retry_after_s`` seconds (``details``: the limit's name and that wait)."""

    code = "rate_limited"

    def __init__(self, message: str, *, limit: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.retry_after_s = retry_after_s
        self.details = {"limit": limit, "retry_after_s": retry_after_s}


class RateLimitStoreError(ExecutionError):
    """The abuse limits' buckets could not be read or changed (Redis failed); nothing was
    done."""

    code = "rate_limit_store_error"


# --- previews ------------------------------------------------------------------------


class ScenarioRefused(ExecutionError):
    """A what-if would leave a book that cannot be previewed: a side with no level left, or a
    level priced at or below zero on the market's tick. Nothing was previewed; the caller
    must ask for a milder what-if (``details``: the symbol, the side and what went wrong)."""

    code = "scenario_refused"

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


# --- disclosures ----------------------------------------------------------------------


class DisclosureRequired(PermissionDenied):
    """The customer has not acknowledged the risk disclosure in force: no message is taken
    until they have (``details``: the version to acknowledge)."""

    code = "disclosure_required"

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


class DisclosureRefused(ExecutionError):
    """An acknowledgement that is not of the disclosure the server shows now (an older
    version, another text): nothing was recorded."""

    code = "disclosure_refused"


class DisclosureStale(DisclosureRefused):
    code = "disclosure_stale"


class DisclosureMismatch(DisclosureRefused):
    code = "disclosure_mismatch"

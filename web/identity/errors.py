"""The identity package's exceptions, grouped by what the caller must do.

The web boundary (:func:`web.deps.caller`, the sign-in routes) translates them once:
:class:`InvalidToken` is a 401, :class:`ProviderUnavailable` a 503 naming the provider.
"""

from __future__ import annotations


class IdentityError(Exception):
    """Root of every error raised by :mod:`web.identity`."""


class InvalidToken(IdentityError):
    """The token is not one the identity provider issued for us, now: the caller must sign
    in again. The message says why (for the log and the 401), never the token itself."""


class ProviderUnavailable(IdentityError):
    """Temporary: the identity provider did not answer, or answered with something that is
    not what it documents (its keys, its token endpoint). Nothing about the caller is known."""

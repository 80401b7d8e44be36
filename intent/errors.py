"""The intent package's exceptions."""

from __future__ import annotations


class IntentError(Exception):
    """Root of every error raised by :mod:`intent`."""


class PlanningError(IntentError):
    """The intent is understood but cannot be planned; the message says why, for the customer."""

"""The intent package's exceptions."""

from __future__ import annotations


class IntentError(Exception):
    """Root of every error raised by :mod:`intent`."""


class PlanningError(IntentError):
    """The intent is understood but cannot be planned; the message says why, for the customer."""


class LLMError(IntentError):
    """The LLM parser could not get a usable answer; :mod:`intent.llm` turns it into a result."""


class LLMUnavailable(LLMError):
    """The endpoint did not answer: timeout, connection error, rate limit or an HTTP error."""


class LLMRefused(LLMError):
    """The model refused (``message.refusal``) or its answer was withheld by a content filter."""


class LLMInvalidOutput(LLMError):
    """The model answered, but not with a JSON object that validates against the intent schema."""

"""The intent package's exceptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intent.models import StandingOrderRef


class IntentError(Exception):
    """Root of every error raised by :mod:`intent`."""


class PlanningError(IntentError):
    """The intent is understood but cannot be planned; the message says why, in English.

    ``code`` and ``params`` say the same for the customer's language (execution.i18n's
    ``plan.<code>`` sentences); without a code the English message is all there is."""

    def __init__(
        self, message: str, code: str | None = None, params: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params = params or {}


class LLMError(IntentError):
    """The LLM parser could not get a usable answer; :mod:`intent.llm` turns it into a result."""


class LLMUnavailable(LLMError):
    """The endpoint did not answer: timeout, connection error, rate limit or an HTTP error."""


class LLMRefused(LLMError):
    """The model refused (``message.refusal``) or its answer was withheld by a content filter."""


class LLMInvalidOutput(LLMError):
    """The model answered, but not with a JSON object that validates against the intent schema."""


class StandingOrderNotFound(PlanningError):
    """A cancel names a standing order the customer does not have; ``standing`` is what
    they do have (``intent.models.StandingOrderRef``), to be listed in the reply."""

    def __init__(self, message: str, standing: tuple[StandingOrderRef, ...] = ()) -> None:
        super().__init__(message)
        self.standing = standing


class WhichStandingOrder(PlanningError):
    """A cancel names a standing order, and several match: ``candidates`` are asked about."""

    def __init__(self, message: str, candidates: tuple[StandingOrderRef, ...]) -> None:
        super().__init__(message)
        self.candidates = candidates
